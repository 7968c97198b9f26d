// The arithmetic of insights (days, delay buckets and percentiles, the logged form of a search,
// the 90-9-1 split), the charts' SVG, and the search log's bounds on a real database file.
#include "server/domain/insights.hpp"
#include "server/render/charts.hpp"
#include "server/store/migrations.hpp"
#include "server/store/search_store.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>

using namespace peerdesk;

TEST_CASE("days and months read and print as the calendar has them")
{
    CHECK(domain::day_text(0) == "1970-01-01");
    auto const d = domain::parse_day("2026-12-07");
    REQUIRE(d);
    CHECK(domain::day_text(*d) == "2026-12-07");
    CHECK(*d == 1'796'601'600 / 86400);
    CHECK(domain::month_text(domain::month_of_day(*d)) == "Dec 2026");
    CHECK(domain::day_text(domain::first_day_of_month(domain::month_of_day(*d))) == "2026-12-01");
    CHECK(domain::parse_day("2024-02-29"));
    for (auto bad :
         {"2026-02-29", "2026-02-30", "2026-13-01", "2026-1-01", "yesterday", "", "1969-12-31", "2026-12-07x"})
        CHECK_MESSAGE(!domain::parse_day(bad), bad);
    CHECK(domain::day_of(-1) == -1);
}

TEST_CASE("a delay is counted in a bucket whose lower bound is exact to the minute, quarter hour or hour")
{
    for (std::int64_t s : {0, 60, 1800, 3540, 3600, 7200, 108000, 172800, 176400, 365 * 86400})
        CHECK_MESSAGE(domain::bucket_floor(domain::delay_bucket(s)) == s, s);
    CHECK(domain::bucket_floor(domain::delay_bucket(1799)) == 1740);
    CHECK(domain::bucket_floor(domain::delay_bucket(4000)) == 3600);
    CHECK(domain::bucket_floor(domain::delay_bucket(500 * 86400)) == 365 * 86400);
    CHECK(domain::delay_bucket(-5) == 0);
}

TEST_CASE("percentiles are nearest-rank over the counted buckets")
{
    using domain::bucket_count;
    auto const b = [](std::int64_t s, std::int64_t n) { return bucket_count{domain::delay_bucket(s), n}; };
    CHECK(!domain::delay_percentile({}, 50));
    std::vector<bucket_count> three{b(108000, 1), b(1800, 1), b(7200, 1)};
    CHECK(domain::delay_percentile(three, 50) == 7200);
    CHECK(domain::delay_percentile(three, 90) == 108000);
    CHECK(domain::delay_percentile({b(60, 9), b(7200, 1)}, 90) == 60);
    CHECK(domain::delay_percentile({b(60, 9), b(7200, 1)}, 91) == 7200);
    CHECK(domain::delay_percentile({b(60, 1), b(60, 1), b(120, 2)}, 50) == 60);
}

TEST_CASE("durations read as people say them")
{
    CHECK(domain::duration_text(30) == "30 s");
    CHECK(domain::duration_text(1800) == "30 min");
    CHECK(domain::duration_text(7200) == "2 h");
    CHECK(domain::duration_text(5400) == "1 h 30 min");
    CHECK(domain::duration_text(108000) == "1 d 6 h");
}

TEST_CASE("a search is logged lower-case, with its spaces tidied, cut at 100 bytes on a character")
{
    CHECK(domain::normalize_logged_query("  Toner \t  SMUDGE ") == "toner smudge");
    CHECK(domain::normalize_logged_query("Ünïcode STAYS") == "Ünïcode stays");
    CHECK(domain::normalize_logged_query("\xff\xfe") == "");
    auto const long_text = std::string(99, 'a') + "é";  // é is two bytes: it does not fit
    CHECK(domain::normalize_logged_query(long_text) == std::string(99, 'a'));
    CHECK(domain::normalize_logged_query(std::string(300, 'b')).size() == 100);
}

TEST_CASE("the 90-9-1 split rounds the answerers up and counts every answer once")
{
    auto const one = domain::split_participation({5});
    CHECK(one.top1_answers == 5);
    CHECK(one.rest_answers == 0);
    auto const three = domain::split_participation({1, 2, 1, 0});
    CHECK(three.answerers == 3);
    CHECK(three.top1_answers == 2);
    CHECK(three.next9_answers == 0);
    CHECK(three.rest_answers == 2);
    std::vector<std::int64_t> many(200, 1);
    many[0] = 50;
    many[1] = 40;
    many[2] = 30;
    auto const p = domain::split_participation(many);
    CHECK(p.top1_answers == 90);        // 2 of 200
    CHECK(p.next9_answers == 30 + 17);  // the next 18
    CHECK(p.answers == p.top1_answers + p.next9_answers + p.rest_answers);
}

TEST_CASE("a chart names itself and its table, escapes its text and marks every value")
{
    render::chart c{"daily",      "Questions <per> day",   "Each day's \"questions\".",
                    {"a&b", "c"}, {{"Questions", {3, 0}}}, "questions"};
    auto const svg = render::column_chart(c).str();
    CHECK(svg.find("role=\"img\"") != std::string::npos);
    CHECK(svg.find("id=\"daily-chart\" data-table=\"daily-table\"") != std::string::npos);
    CHECK(svg.find("<title id=\"daily-chart-title\">Questions &lt;per&gt; day</title>") != std::string::npos);
    CHECK(svg.find("<desc id=\"daily-chart-desc\">Each day&apos;s &quot;questions&quot;.</desc>") != std::string::npos);
    CHECK(svg.find("data-label=\"a&amp;b\" data-series=\"Questions\" data-value=\"3\"") != std::string::npos);
    CHECK(svg.find("data-label=\"c\" data-series=\"Questions\" data-value=\"0\"") != std::string::npos);
    CHECK(svg.find("<script") == std::string::npos);
    auto const graph = render::tie_graph("helps", "Who helps whom", "Ties.", {{"ben", "<ann>", 2, "in printer"}}).str();
    CHECK(graph.find("data-label=\"ben → &lt;ann&gt;\" data-series=\"Answers\" data-value=\"2\"") != std::string::npos);
    CHECK(graph.find("ben helped &lt;ann&gt;: 2 answers, in printer") != std::string::npos);
}

namespace {
struct log_database {
    std::filesystem::path dir;
    std::unique_ptr<store::database> db;
    log_database()
    {
        dir = std::filesystem::temp_directory_path() / ("peerdesk-insights-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        db = std::make_unique<store::database>((dir / "peerdesk.db").string());
        db->write_alone([](store::connection& c) { return store::migrate(c); });
    }
    ~log_database()
    {
        db.reset();
        std::filesystem::remove_all(dir);
    }
    std::int64_t count(std::string const& sql)
    {
        store::statement s(db->reader().handle(), sql);
        s.step();
        return s.integer(0);
    }
};
}  // namespace

TEST_CASE("the search log keeps counts per day and query, bounded in queries per day and in days")
{
    log_database t;
    std::int64_t const day = 20000, at = day * 86400 + 100;
    std::vector<store::logged_query> batch;
    for (int i = 0; i < store::max_logged_queries_per_day + 5; ++i)
        batch.push_back({"query " + std::to_string(i), 0, "site", at, std::nullopt});
    batch.push_back({"QUERY   0", 3, "site", at, std::nullopt});
    t.db->write([&](store::connection& c) { store::search_store(c).log_queries(batch); });
    CHECK(t.count("SELECT count(*) FROM search_days") == store::max_logged_queries_per_day);
    CHECK(t.count("SELECT searches FROM search_day_totals") == store::max_logged_queries_per_day + 6);
    CHECK(t.count("SELECT no_results FROM search_day_totals") == store::max_logged_queries_per_day + 5);
    CHECK(t.count("SELECT searches FROM search_days WHERE query = 'query 0'") == 2);
    CHECK(t.count("SELECT no_results FROM search_days WHERE query = 'query 0'") == 1);

    // Forgotten on request, and after logged_query_days.
    CHECK(t.db->write([](store::connection& c) { return store::search_store(c).forget_query(" Query 1 "); }) == 1);
    CHECK(t.count("SELECT count(*) FROM search_days WHERE query = 'query 1'") == 0);
    std::vector<store::logged_query> later{
        {"much later", 1, "api", (day + store::logged_query_days + 1) * 86400, std::nullopt}};
    t.db->write([&](store::connection& c) { store::search_store(c).log_queries(later); });
    CHECK(t.count("SELECT count(*) FROM search_days") == 1);
    CHECK(t.count("SELECT count(*) FROM search_day_totals") == 2);
}
