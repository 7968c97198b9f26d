#include "server/domain/badges.hpp"
#include "server/app/context.hpp"
#include "server/app/members.hpp"
#include "server/store/member_store.hpp"
#include "server/store/migrations.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"
#include "tests/unit/fresh_database.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include <unistd.h>

using namespace peerdesk;
using domain::badge_class;
using domain::member_facts;

namespace {

std::set<std::string> keys_of(std::vector<domain::earned_badge> const& earned)
{
    std::set<std::string> out;
    for (auto const& e : earned) out.insert(std::string(e.badge->key) + (e.tag.empty() ? "" : ":" + e.tag));
    return out;
}

bool earns(member_facts const& f, std::string_view key)
{
    return keys_of(domain::earned_badges(f)).contains(std::string(key));
}

}  // namespace

TEST_CASE("the catalogue has about 25 badges of each class, with ids and keys that never repeat")
{
    auto const all = domain::badge_catalogue();
    CHECK(all.size() >= 25);
    CHECK(all.size() <= 40);
    std::set<int> ids;
    std::set<std::string_view> keys;
    for (auto const& b : all) {
        CHECK(ids.insert(b.id).second);
        CHECK(keys.insert(b.key).second);
        CHECK(domain::find_badge(b.id) == &b);
        CHECK(domain::find_badge(b.key) == &b);
        CHECK(!b.description.empty());
    }
    for (auto const c : {badge_class::bronze, badge_class::silver, badge_class::gold})
        CHECK(std::any_of(all.begin(), all.end(), [&](auto const& b) { return b.klass == c; }));
    CHECK(domain::find_badge(0) == nullptr);
    CHECK(domain::find_badge("no_such_badge") == nullptr);
}

TEST_CASE("a member with no activity earns nothing")
{
    CHECK(domain::earned_badges(member_facts{}).empty());
}

TEST_CASE("answer and question badges are earned at their scores, not one below")
{
    member_facts f;
    f.best_answer_id = 7;
    for (auto const& [score, key] : {std::pair{1, "answer_score_1"},
                                     {10, "answer_score_10"},
                                     {25, "answer_score_25"},
                                     {100, "answer_score_100"}}) {
        f.best_answer_score = score - 1;
        CHECK_FALSE(earns(f, key));
        f.best_answer_score = score;
        CHECK(earns(f, key));
    }
    member_facts q;
    q.best_question_id = 3;
    q.best_question_score = 24;
    CHECK(earns(q, "question_score_10"));
    CHECK_FALSE(earns(q, "question_score_25"));
    // A score without a post (none live) earns nothing.
    member_facts none;
    none.best_answer_score = 50;
    CHECK_FALSE(earns(none, "answer_score_10"));
}

TEST_CASE("the badge names the post that earned it")
{
    member_facts f;
    f.first_answer_id = 11;
    f.first_accepted_id = 12;
    f.best_answer_id = 13;
    f.best_answer_score = 10;
    for (auto const& e : domain::earned_badges(f)) {
        if (e.badge->key == "first_answer") CHECK(e.post_id == 11);
        if (e.badge->key == "first_accepted") CHECK(e.post_id == 12);
        if (e.badge->key == "answer_score_10") CHECK(e.post_id == 13);
    }
}

TEST_CASE("accepted answers earn bronze at 10, silver at 50 and gold at 250")
{
    member_facts f;
    f.accepted = 9;
    CHECK_FALSE(earns(f, "accepted_10"));
    f.accepted = 10;
    CHECK(earns(f, "accepted_10"));
    CHECK_FALSE(earns(f, "accepted_50"));
    f.accepted = 250;
    CHECK(earns(f, "accepted_50"));
    CHECK(earns(f, "accepted_250"));
}

TEST_CASE("tag badges need both the score and the number of answers in the tag, per tag")
{
    member_facts f;
    f.tags = {{1, "printer", 3, 10, 0}, {2, "scanner", 2, 40, 0}, {3, "wifi", 10, 50, 0}};
    auto const got = keys_of(domain::earned_badges(f));
    CHECK(got.contains("tag_bronze:printer"));
    CHECK_FALSE(got.contains("tag_bronze:scanner"));  // two answers are not enough
    CHECK(got.contains("tag_bronze:wifi"));
    CHECK(got.contains("tag_silver:wifi"));
    CHECK_FALSE(got.contains("tag_gold:wifi"));
    for (auto const& e : domain::earned_badges(f))
        if (e.badge->per_tag) CHECK(e.tag_id == (e.tag == "printer" ? 1 : 3));
}

TEST_CASE("citizenship and helping badges count votes, flags, edits and people helped")
{
    member_facts f;
    f.upvotes_cast = 1;
    CHECK(earns(f, "supporter"));
    CHECK_FALSE(earns(f, "critic"));
    f.downvotes_cast = 49;
    CHECK(earns(f, "critic"));
    CHECK(earns(f, "civic_duty"));  // 1 + 49 votes
    f.flags = 1;
    f.helpful_flags = 9;
    CHECK(earns(f, "citizen_patrol"));
    CHECK_FALSE(earns(f, "deputy"));
    f.edits = 50;
    CHECK(earns(f, "editor"));
    CHECK(earns(f, "copy_editor"));
    f.helped = 99;
    CHECK(earns(f, "good_neighbour"));
    CHECK_FALSE(earns(f, "pillar"));
    f.revived_id = 4;
    f.self_learned_id = 5;
    CHECK(earns(f, "revival"));
    CHECK(earns(f, "self_learner"));
}

TEST_CASE("calendar periods start on Monday, the first of the month and the first of January, UTC")
{
    // Wednesday 2026-12-09 13:45:00 UTC.
    std::int64_t const t = 1'796'823'900;
    CHECK(domain::period_start(domain::period::week, t) == 1'796'774'400 - 2 * 86400);  // Monday 7 December
    CHECK(domain::period_start(domain::period::month, t) == 1'796'083'200);             // 1 December
    CHECK(domain::period_start(domain::period::year, t) == 1'767'225'600);              // 1 January 2026
    // A Monday at midnight is its own week's start; a Sunday belongs to the week before.
    CHECK(domain::period_start(domain::period::week, 1'796'601'600) == 1'796'601'600);
    CHECK(domain::period_start(domain::period::week, 1'796'601'599) == 1'796'601'600 - 7 * 86400);
    CHECK(domain::parse_period("month") == domain::period::month);
    CHECK_FALSE(domain::parse_period("decade"));
}

TEST_CASE("settings are checked with the same words the command line prints")
{
    CHECK_FALSE(app::check_setting("privilege.upvote", "0"));
    auto const low = app::check_setting("privilege.upvote", "-1");
    REQUIRE(low);
    CHECK(low->problem == app::setting_problem::bad_value);
    CHECK(low->message == "setting privilege.upvote must be a whole number from 0 to 1000000, not -1");
    auto const unknown = app::check_setting("privilege.fly", "1");
    REQUIRE(unknown);
    CHECK(unknown->problem == app::setting_problem::unknown_key);
    CHECK(unknown->message == "unknown setting privilege.fly");
    CHECK(app::check_setting("rate.votes_per_hour", "12abc"));
    CHECK_FALSE(app::check_setting("spam.blocked_words", "casino, free money"));
    CHECK(app::check_setting("spam.blocked_words", std::string(app::text_setting_max + 1, 'x')));
    // Every key reads back what it applies.
    for (auto const& spec : app::setting_specs) {
        app::settings s;
        spec.apply(s, spec.min);
        CHECK(spec.read(s) == spec.min);
        spec.apply(s, spec.max);
        CHECK(spec.read(s) == spec.max);
    }
}

namespace {

struct temp_community : testing::fresh_database {
    temp_community() : fresh_database("peerdesk-badges-") {}
    std::int64_t user(std::string const& name)
    {
        return db->write([&](store::connection& c) {
            return store::user_store(c).create(name, name + "@example.com", "hash", "member", 100).id;
        });
    }
    std::int64_t count(std::string const& sql)
    {
        auto& s = db->reader().cached(sql);
        s.bind();
        s.step();
        auto const n = s.integer(0);
        s.reset();
        return n;
    }
};

store::rendered_body body(std::string text)
{
    return {text, "<p>" + text + "</p>", text};
}

}  // namespace

TEST_CASE("the worker awards from the facts once; recount awards nothing twice and folds the ledger again")
{
    temp_community t;
    auto const ana = t.user("ana"), ben = t.user("ben"), cai = t.user("cai");
    domain::reputation_rules const rules;
    auto const q = t.db->write([&](store::connection& c) {
        return store::post_store(c).create_question({ana, "Printer is offline", body("It says offline."), {"printer"}},
                                                    1000);
    });
    auto const a = t.db->write(
        [&](store::connection& c) { return store::post_store(c).create_answer(q, ben, body("Restart it."), 1100); });
    t.db->write([&](store::connection& c) { store::post_store(c).vote(a, ana, 1, rules, 1200); });
    t.db->write([&](store::connection& c) { store::post_store(c).vote(a, cai, 1, rules, 1200); });
    t.db->write([&](store::connection& c) { store::post_store(c).set_accepted(q, a, ana, rules, 1300); });

    while (app::member_round(*t.db)) {
    }
    auto const held = [&](std::int64_t user) {
        std::set<std::string> out;
        for (auto const& b : store::member_store(t.db->reader()).badges_of(user)) out.insert(b.badge);
        return out;
    };
    CHECK(held(ben) == std::set<std::string>{"first_answer", "first_accepted", "answer_score_1"});
    CHECK(held(ana) == std::set<std::string>{"first_question", "supporter"});
    CHECK(held(cai) == std::set<std::string>{"supporter"});
    CHECK(t.count("SELECT count(*) FROM member_outbox") == 0);
    auto const awards = t.count("SELECT count(*) FROM badge_awards");
    auto const told = t.count("SELECT count(*) FROM notifications WHERE kind = 'badge'");
    CHECK(awards == 6);
    CHECK(told == 6);

    auto const profile = store::member_store(t.db->reader()).profile(ben);
    REQUIRE(profile);
    CHECK(profile->answers == 1);
    CHECK(profile->accepted == 1);
    CHECK(profile->helped == 1);
    CHECK(profile->bronze == 3);
    REQUIRE(profile->tags.size() == 1);
    CHECK(profile->tags[0].name == "printer");
    CHECK(profile->tags[0].score == 2);

    // The ledger, folded: ben gained 2 × 10 + 15 in the week of t = 1200 (January 1970).
    store::member_query week;
    week.order = store::member_order::gained;
    week.period = domain::period::week;
    week.period_starts = domain::period_start(domain::period::week, 1200);
    auto const before = store::member_store(t.db->reader()).members(week);
    REQUIRE(before.items.size() == 2);  // ben, and ana (+2 for accepting)
    CHECK(before.items[0].id == ben);
    CHECK(before.items[0].reputation_change == 35);

    CHECK(app::recount_members(*t.db) == 3);
    CHECK(t.count("SELECT count(*) FROM badge_awards") == awards);
    CHECK(t.count("SELECT count(*) FROM notifications WHERE kind = 'badge'") == told);
    auto const after = store::member_store(t.db->reader()).members(week);
    REQUIRE(after.items.size() == 2);
    CHECK(after.items[0].reputation_change == 35);

    // An upvote taken back leaves the badge: badges are never taken away.
    t.db->write([&](store::connection& c) { store::post_store(c).vote(a, ana, 0, rules, 1400); });
    t.db->write([&](store::connection& c) { store::post_store(c).vote(a, cai, 0, rules, 1400); });
    while (app::member_round(*t.db)) {
    }
    CHECK(held(ben).contains("answer_score_1"));
    auto const unvoted = store::member_store(t.db->reader()).profile(ben);
    CHECK(unvoted->helped == 1);  // still accepted
    REQUIRE(unvoted->tags.size() == 1);
    CHECK(unvoted->tags[0].score == 0);
    CHECK(unvoted->helped_most.size() == 1);

    // Withdrawn, the acceptance no longer counts as help: the kept row goes.
    t.db->write([&](store::connection& c) { store::post_store(c).set_accepted(q, std::nullopt, ana, rules, 1500); });
    while (app::member_round(*t.db)) {
    }
    auto const withdrawn = store::member_store(t.db->reader()).profile(ben);
    CHECK(withdrawn->helped == 0);
    CHECK(withdrawn->helped_most.empty());
    CHECK(withdrawn->accepted == 0);
    CHECK(held(ben).contains("first_accepted"));  // never taken back
}

TEST_CASE("a heavy member is recomputed at most once per cool-down, and then with everything that came")
{
    temp_community t;
    auto const ana = t.user("ana"), ben = t.user("ben");
    app::member_worker_options options;
    options.heavy_posts = 1;  // every member who wrote anything counts as heavy here
    app::member_cooldown cooldown;
    auto const ask = [&](std::int64_t who, std::string title) {
        return t.db->write([&](store::connection& c) {
            return store::post_store(c).create_question({who, title, body("Details of it."), {"printer"}}, 1000);
        });
    };
    auto const questions = [&](std::int64_t who) {
        return store::member_store(t.db->reader()).profile(who)->questions;
    };
    ask(ana, "The printer is offline again");
    while (app::member_round(*t.db, options, &cooldown)) {
    }
    CHECK(questions(ana) == 1);
    REQUIRE(cooldown.until.contains(ana));

    // Within the cool-down: her next question waits; ben, not cooling, is counted at once.
    ask(ana, "The printer forgets its address");
    ask(ben, "The scanner is slow");
    while (app::member_round(*t.db, options, &cooldown)) {
    }
    CHECK(questions(ana) == 1);
    CHECK(questions(ben) == 1);
    CHECK(cooldown.waiting.contains(ana));
    CHECK(t.count("SELECT count(*) FROM member_outbox") == 0);

    // Once it ends, the next round counts her with all that came meanwhile.
    cooldown.until[ana] = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    app::member_round(*t.db, options, &cooldown);
    CHECK(questions(ana) == 2);
    CHECK_FALSE(cooldown.waiting.contains(ana));
}

TEST_CASE("idea badges: a first idea, ten votes on one idea, a delivered idea, a first idea vote")
{
    CHECK_FALSE(earns(member_facts{}, "first_idea"));
    member_facts f;
    f.first_idea_id = 40;
    CHECK(earns(f, "first_idea"));
    f.best_idea_id = 41;
    f.best_idea_votes = domain::popular_idea_votes - 1;
    CHECK_FALSE(earns(f, "popular_idea"));
    f.best_idea_votes = domain::popular_idea_votes;
    CHECK(earns(f, "popular_idea"));
    CHECK_FALSE(earns(f, "idea_delivered"));
    f.delivered_idea_id = 42;
    CHECK(earns(f, "idea_delivered"));
    for (auto const& e : domain::earned_badges(f)) {
        if (e.badge->key == "first_idea") CHECK(e.post_id == 40);
        if (e.badge->key == "popular_idea") CHECK(e.post_id == 41);
        if (e.badge->key == "idea_delivered") CHECK(e.post_id == 42);
    }
    member_facts voter;
    CHECK_FALSE(earns(voter, "idea_voter"));
    voter.idea_votes_cast = 1;
    CHECK(earns(voter, "idea_voter"));
    // Votes without a live idea (deleted, or none) earn nothing.
    member_facts none;
    none.best_idea_votes = 50;
    CHECK_FALSE(earns(none, "popular_idea"));
}

TEST_CASE("a round takes every queued row about its members up to the first row about one more")
{
    temp_community t;
    auto const a = t.user("a"), b = t.user("b"), c = t.user("c");
    t.db->write([&](store::connection& conn) { conn.exec("DELETE FROM member_outbox"); });
    // An import queues a row per post and vote: a and b many times, then c, then a again.
    std::vector<std::int64_t> rows;
    for (int i = 0; i < 40; ++i) rows.push_back(i % 2 ? a : b);
    rows.push_back(c);
    rows.push_back(a);
    t.db->write([&](store::connection& conn) {
        for (auto const id : rows) conn.exec("INSERT INTO member_outbox (user_id) VALUES (" + std::to_string(id) + ")");
    });
    store::member_store s(t.db->reader());
    auto const first = s.outbox(2);
    CHECK(first.user_ids == std::vector<std::int64_t>{b, a});
    CHECK(first.last_seq == t.count("SELECT seq FROM member_outbox WHERE user_id = " + std::to_string(c)) - 1);
    t.db->write([&](store::connection& conn) { store::member_store(conn).forget_outbox(first.last_seq); });
    auto const second = store::member_store(t.db->reader()).outbox(2);
    CHECK(second.user_ids == std::vector<std::int64_t>{c, a});
    CHECK(second.last_seq == t.count("SELECT max(seq) FROM member_outbox"));
}
