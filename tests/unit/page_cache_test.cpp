#include "server/app/page_cache.hpp"
#include "server/store/migrations.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>

using namespace peerdesk;
using namespace std::chrono_literals;

namespace {

std::chrono::steady_clock::time_point fake_now;
std::chrono::steady_clock::time_point fake_clock()
{
    return fake_now;
}

http::request get(std::string path, bool gzip = false)
{
    http::request r;
    r.verb = http::method::get;
    r.path = std::move(path);
    if (gzip) r.headers.emplace_back("accept-encoding", "gzip");
    return r;
}

http::response page(std::string text)
{
    http::response r;
    r.set("Content-Type", "text/html; charset=utf-8");
    r.body = text + std::string(2000, ' ');
    return r;
}

}  // namespace

TEST_CASE("the page cache: kept until a write or 4 to 6 seconds; an old page is rendered again by one visitor")
{
    auto const dir = std::filesystem::temp_directory_path() / ("peerdesk-page-cache-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        store::database db((dir / "peerdesk.db").string());
        db.write_alone([](store::connection& c) { return store::migrate(c); });
        app::page_cache cache(db, &fake_clock);
        fake_now = std::chrono::steady_clock::time_point{} + 1000s;
        auto const req = get("/questions/1");
        CHECK_FALSE(cache.find(req));
        auto first = page("first");
        cache.store(req, first, db.write_count());
        REQUIRE(cache.find(req));
        CHECK(cache.find(req)->payload() == first.body);
        auto const zipped = cache.find(get("/questions/1", true));
        REQUIRE(zipped);
        CHECK(zipped->header("Content-Encoding") == "gzip");
        CHECK(zipped->payload().size() < first.body.size());

        SUBCASE("old: the first visitor renders it again, the others get the old copy meanwhile")
        {
            fake_now += 6s;
            CHECK_FALSE(cache.find(req));  // this one renders
            CHECK(cache.find(req));        // the others are served
            CHECK(cache.find(req));
            fake_now += 2s;  // the first gave up (an error, say): another tries
            CHECK_FALSE(cache.find(req));
            CHECK(cache.find(req));
            auto second = page("second");
            cache.store(req, second, db.write_count());
            CHECK(cache.find(req)->payload() == second.body);
        }
        SUBCASE("a visible write: nobody gets the old copy")
        {
            db.write([](store::connection& c) { c.exec("INSERT INTO settings (key, value) VALUES ('k', 'v')"); });
            CHECK_FALSE(cache.find(req));
            CHECK_FALSE(cache.find(req));
        }
        SUBCASE("bookkeeping writes leave it valid")
        {
            db.write([](store::connection& c) { c.exec("INSERT INTO settings (key, value) VALUES ('k', 'v')"); },
                     store::database::seen::no);
            CHECK(cache.find(req));
        }
        SUBCASE("a page rendered while something was written is not kept")
        {
            auto const before = db.write_count();
            db.write([](store::connection& c) { c.exec("INSERT INTO settings (key, value) VALUES ('k', 'v')"); });
            auto stale = page("stale");
            cache.store(get("/questions/2"), stale, before);
            CHECK_FALSE(cache.find(get("/questions/2")));
        }
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("the page cache compresses a page once, when a visitor first takes gzip")
{
    auto const dir = std::filesystem::temp_directory_path() / ("peerdesk-page-gzip-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        store::database db((dir / "peerdesk.db").string());
        db.write_alone([](store::connection& c) { return store::migrate(c); });
        app::page_cache cache(db, &fake_clock);
        fake_now = std::chrono::steady_clock::time_point{} + 1000s;

        SUBCASE("rendered for a visitor who takes gzip: sent compressed, and that copy is the kept one")
        {
            auto res = page("zipped");
            auto const plain = res.body;
            cache.store(get("/questions/3", true), res, db.write_count());
            CHECK(res.header("Content-Encoding") == "gzip");
            CHECK(res.header("Vary") == "Accept-Encoding");
            CHECK(res.body.size() < plain.size());
            auto const again = cache.find(get("/questions/3", true));
            REQUIRE(again);
            CHECK(again->payload() == res.body);
            CHECK(cache.find(get("/questions/3"))->payload() == plain);
        }
        SUBCASE("rendered for one who does not: sent plain, compressed for the first who asks")
        {
            auto res = page("plain");
            auto const plain = res.body;
            cache.store(get("/questions/4"), res, db.write_count());
            CHECK_FALSE(res.header("Content-Encoding"));
            CHECK(res.body == plain);
            auto const first = cache.find(get("/questions/4", true));
            REQUIRE(first);
            CHECK(first->header("Content-Encoding") == "gzip");
            CHECK(first->payload().size() < plain.size());
            auto const second = cache.find(get("/questions/4", true));
            CHECK(second->payload().data() == first->payload().data());  // the same copy, made once
        }
        SUBCASE("not text: kept plain for a visitor who takes gzip, as compress() would send it")
        {
            auto res = page("binary");
            res.set("Content-Type", "image/png");
            cache.store(get("/questions/5", true), res, db.write_count());
            CHECK_FALSE(res.header("Content-Encoding"));
        }
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("pages kept together grow old at different times, each between 4 and 6 seconds")
{
    auto const dir = std::filesystem::temp_directory_path() / ("peerdesk-page-ages-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        store::database db((dir / "peerdesk.db").string());
        db.write_alone([](store::connection& c) { return store::migrate(c); });
        app::page_cache cache(db, &fake_clock);
        fake_now = std::chrono::steady_clock::time_point{} + 1000s;
        auto const start = fake_now;
        constexpr int pages = 100;
        for (int i = 0; i < pages; ++i) {
            auto p = page("page " + std::to_string(i));
            cache.store(get("/questions/" + std::to_string(i)), p, db.write_count());
        }
        // Asks every page at a time; each old page is taken for rendering by this visitor.
        auto const old_at = [&](std::chrono::milliseconds t) {
            fake_now = start + t;
            int old = 0;
            for (int i = 0; i < pages; ++i)
                if (!cache.find(get("/questions/" + std::to_string(i)))) ++old;
            return old;
        };
        CHECK(old_at(3999ms) == 0);
        auto const by_4_5 = old_at(4500ms);
        auto const by_5_4 = old_at(5400ms);  // those taken at 4.5 s are still being rendered: not again
        CHECK(by_4_5 > 0);
        CHECK(by_4_5 < pages / 2);
        CHECK(by_4_5 + by_5_4 > pages / 2);
        CHECK(by_4_5 + by_5_4 < pages);
    }
    std::filesystem::remove_all(dir);
}
