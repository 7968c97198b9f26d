// The arithmetic of insights (days, delay buckets and percentiles, the logged form of a search,
// the 90-9-1 split), the charts' SVG, and the search log's bounds on a real database file.
#include "server/domain/insights.hpp"
#include "server/render/charts.hpp"
#include "server/store/migrations.hpp"
#include "server/store/search_store.hpp"
#include "tests/unit/fresh_database.hpp"

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
    render::chart c{"daily",      "Questions <per> day",   "Each day: \"questions\".",
                    {"a&b", "c"}, {{"Questions", {3, 0}}}, "questions"};
    auto const svg = render::column_chart(c).str();
    CHECK(svg.find("role=\"img\"") != std::string::npos);
    CHECK(svg.find("id=\"daily-chart\" data-table=\"daily-table\"") != std::string::npos);
    CHECK(svg.find("<title id=\"daily-chart-title\">Questions &lt;per&gt; day</title>") != std::string::npos);
    CHECK(svg.find("<desc id=\"daily-chart-desc\">Each day: &quot;questions&quot;.</desc>") != std::string::npos);
    CHECK(svg.find("data-label=\"a&amp;b\" data-series=\"Questions\" data-value=\"3\"") != std::string::npos);
    CHECK(svg.find("data-label=\"c\" data-series=\"Questions\" data-value=\"0\"") != std::string::npos);
    CHECK(svg.find("<script") == std::string::npos);
    auto const graph = render::tie_graph("helps", "Who helps whom", "Ties.", {{"ben", "<ann>", 2, "in printer"}}).str();
    CHECK(graph.find("data-label=\"ben → &lt;ann&gt;\" data-series=\"Answers\" data-value=\"2\"") != std::string::npos);
    CHECK(graph.find("ben helped &lt;ann&gt;: 2 answers, in printer") != std::string::npos);
}

namespace {
struct log_database : testing::fresh_database {
    log_database() : fresh_database("peerdesk-insights-") {}
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

TEST_CASE("the search log takes counts summed in memory, as one search each")
{
    log_database t;
    std::int64_t const day = 20000, at = day * 86400 + 100;
    t.db->write([&](store::connection& c) {
        store::search_store(c).log_tallies({{at, "site", 0, "toner smudge", {3, 1, 0, 0}},
                                            {at + 5, "widget", 7, "toner smudge", {2, 0, 2, 1}},
                                            {at, "site", 0, "", {4, 4, 0, 0}}});
    });
    // Tallied again later the same day: added to the same row, not a second one.
    t.db->write([&](store::connection& c) {
        store::search_store(c).log_tallies({{at + 9, "site", 0, "toner smudge", {1, 0, 0, 0}}});
    });
    CHECK(t.count("SELECT searches FROM search_days WHERE source = 'site' AND query = 'toner smudge'") == 4);
    CHECK(t.count("SELECT last_at FROM search_days WHERE source = 'site'") == at + 9);
    CHECK(t.count("SELECT clicks FROM search_days WHERE source = 'widget' AND widget_key = 7") == 2);
    CHECK(t.count("SELECT deflected FROM search_day_totals WHERE source = 'widget'") == 1);
    // A query with no text counts in the day's totals only.
    CHECK(t.count("SELECT searches FROM search_day_totals WHERE source = 'site'") == 8);
    CHECK(t.count("SELECT no_results FROM search_day_totals WHERE source = 'site'") == 5);
    CHECK(t.count("SELECT count(*) FROM search_days") == 2);
}

#include "server/domain/reputation.hpp"
#include "server/store/insight_store.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"

#include <array>
#include <random>

TEST_CASE("the counts kept at write time equal a rebuild from the facts, whatever the writes")
{
    log_database t;
    domain::reputation_rules const rules;
    std::vector<std::int64_t> users, questions, answers;
    for (int i = 0; i < 6; ++i)
        users.push_back(t.db->write([&](store::connection& c) {
            auto const name = "member" + std::to_string(i);
            return store::user_store(c)
                .create(name, name + "@example.com", "hash", i == 5 ? "moderator" : "member", 1)
                .id;
        }));
    std::mt19937 rng(28);
    auto pick = [&](auto const& v) { return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)]; };
    auto const tags = std::vector<std::string>{"printer", "billing", "network", "drivers"};
    store::rendered_body const text{"text", "<p>text</p>", "text"};
    std::int64_t now = 1'790'000'000;
    for (int step = 0; step < 400; ++step) {
        now += std::uniform_int_distribution<std::int64_t>(1, 20000)(rng);
        auto const what =
            questions.empty()
                ? 0
                : std::array{0, 1, 2, 3, 4, 4, 4, 5, 6, 7}[std::uniform_int_distribution<std::size_t>(0, 9)(rng)];
        t.db->write([&](store::connection& c) {
            store::post_store posts(c);
            store::moderation_store moderation(c);
            switch (what) {
                case 0:
                    questions.push_back(posts.create_question(
                        {pick(users),
                         "A question " + std::to_string(step),
                         text,
                         {tags[step % 4],
                          tags[(step + 1 + step / 7) % 4 == step % 4 ? (step + 2) % 4 : (step + 1 + step / 7) % 4]},
                         std::nullopt},
                        now));
                    break;
                case 1:
                case 2:
                    answers.push_back(posts.create_answer(pick(questions), pick(users), text, now));
                    break;
                case 3:
                    if (!answers.empty()) {
                        auto const a = pick(answers);
                        auto const q = posts.find_any_post(a)->question_id.value_or(0);
                        posts.set_accepted(
                            q, std::uniform_int_distribution<int>(0, 3)(rng) ? std::optional(a) : std::nullopt,
                            users[0], rules, now);
                    }
                    break;
                case 4: {
                    auto const target = answers.empty() || step % 2 ? pick(questions) : pick(answers);
                    auto const voter = pick(users);
                    if (posts.find_post(target) && posts.find_post(target)->author.id != voter)
                        posts.vote(target, voter,
                                   std::array{0, -1, 1, 1, 1}[std::uniform_int_distribution<std::size_t>(0, 4)(rng)],
                                   rules, now);
                    break;
                }
                case 5: {
                    auto const target = answers.empty() || step % 3 ? pick(questions) : pick(answers);
                    bool const deleted = posts.find_any_post(target)->deleted_at.has_value();
                    posts.change_visibility(target, now, [&] {
                        moderation.set_deleted(target, deleted ? std::nullopt : std::optional(users[5]), now);
                    });
                    break;
                }
                case 6: {
                    auto const target = pick(questions);
                    bool const hidden = posts.find_any_post(target)->state == domain::post_state::hidden;
                    posts.change_visibility(target, now,
                                            [&] { moderation.set_post_state(target, hidden ? "live" : "hidden"); });
                    break;
                }
                default:
                    posts.edit(pick(questions),
                               {users[5], std::nullopt, std::nullopt, std::vector{pick(tags)}, "retag"}, now);
            }
        });
    }
    CHECK(t.count("SELECT count(*) FROM insight_days") > 0);
    CHECK(t.count("SELECT count(*) FROM help_tie_months") > 0);
    INFO("up-votes: ", t.count("SELECT count(*) FROM votes WHERE value = 1"),
         ", live posts: ", t.count("SELECT count(*) FROM live_posts"));
    CHECK(t.count("SELECT count(*) FROM member_days WHERE upvotes > 0") > 0);
    CHECK(t.db->write([](store::connection& c) { return store::insight_store(c).rebuild(); }) == 0);
    // The top answerers over a range, read from whole months and the days around them, are
    // what the days alone sum to.
    auto const first = t.count("SELECT min(day) FROM member_days"), last = t.count("SELECT max(day) FROM member_days");
    for (auto [from, to] : {std::pair{first, last}, std::pair{first + 3, last - 2}, std::pair{first + 1, first + 5}}) {
        auto const top = store::insight_store(t.db->reader()).top_members(from, to, 100);
        REQUIRE(!top.empty());
        for (auto const& m : top) {
            auto const where = " FROM member_days WHERE user_id = " + std::to_string(m.user_id) + " AND day BETWEEN " +
                               std::to_string(from) + " AND " + std::to_string(to);
            CHECK(m.answers == t.count("SELECT sum(answers)" + where));
            CHECK(m.accepted == t.count("SELECT sum(accepted)" + where));
            CHECK(m.upvotes == t.count("SELECT sum(upvotes)" + where));
        }
    }
    // And a rebuild notices what the writes did not keep: one count changed behind its back.
    t.db->write([](store::connection& c) { c.exec("UPDATE insight_days SET answers = answers + 1"); });
    CHECK(t.db->write([](store::connection& c) { return store::insight_store(c).rebuild(); }) > 0);
    CHECK(t.db->write([](store::connection& c) { return store::insight_store(c).rebuild(); }) == 0);
}
