#include "server/http/router.hpp"

#include <doctest/doctest.h>

using namespace peerdesk::http;

TEST_CASE("the router matches placeholders and decodes them")
{
    router<int> r;
    r.add(method::get, "/questions/ask", 1);
    r.add(method::get, "/questions/{id}", 2);
    r.add(method::post, "/questions/{id}/answers", 3);
    r.add(method::get, "/tags/{name}", 4);

    auto const ask = r.find(method::get, "/questions/ask");
    REQUIRE(ask.status == route_status::found);
    CHECK(*ask.handler == 1);

    auto const q = r.find(method::get, "/questions/42");
    REQUIRE(q.status == route_status::found);
    CHECK(*q.handler == 2);
    CHECK(q.match["id"] == "42");

    auto const tag = r.find(method::get, "/tags/c%2B%2B");
    REQUIRE(tag.status == route_status::found);
    CHECK(tag.match["name"] == "c++");

    SUBCASE("HEAD is served by GET routes")
    {
        CHECK(r.find(method::head, "/questions/42").status == route_status::found);
    }
    SUBCASE("a known path with the wrong method is 405 with the allowed methods")
    {
        auto const wrong = r.find(method::delete_, "/questions/42/answers");
        CHECK(wrong.status == route_status::method_not_allowed);
        CHECK(wrong.allowed == std::vector<method>{method::post});
    }
    SUBCASE("unknown and hostile paths are not found")
    {
        CHECK(r.find(method::get, "/nope").status == route_status::not_found);
        CHECK(r.find(method::get, "/tags/a%2Fb").status == route_status::bad_path);
        CHECK(r.find(method::get, "/tags/%zz").status == route_status::bad_path);
        CHECK(r.find(method::get, "//questions").status == route_status::bad_path);
        CHECK(r.find(method::get, "/tags/a%00").status == route_status::bad_path);
    }
    SUBCASE("a trailing slash is ignored")
    {
        CHECK(r.find(method::get, "/questions/42/").status == route_status::found);
    }
}

TEST_CASE("a literal segment wins over a placeholder, whatever the order of registration")
{
    router<int> r;
    r.add(method::get, "/questions/{id}", 1);
    r.add(method::get, "/questions/ask", 2);
    r.add(method::post, "/questions/{id}", 3);
    CHECK(*r.find(method::get, "/questions/ask").handler == 2);
    CHECK(*r.find(method::get, "/questions/7").handler == 1);
    CHECK(*r.find(method::post, "/questions/ask").handler == 3);
    auto const listed = r.patterns();
    REQUIRE(listed.size() == 3);
    CHECK(listed[0].second == "/questions/ask");
}
