#include "server/store/migrations.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace peerdesk;
using namespace peerdesk::store;

namespace {

// A real database file in a fresh temporary directory, removed afterwards.
struct temp_database {
    std::filesystem::path dir;
    std::unique_ptr<database> db;

    temp_database()
    {
        dir = std::filesystem::temp_directory_path() /
              ("peerdesk-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        std::filesystem::create_directories(dir);
        db = std::make_unique<database>((dir / "peerdesk.db").string());
        db->write_alone([](connection& c) { return migrate(c); });
    }
    ~temp_database()
    {
        db.reset();
        std::filesystem::remove_all(dir);
    }
    static int& counter()
    {
        static int n = 0;
        return n;
    }
    std::int64_t user(std::string const& name)
    {
        return db->write([&](connection& c) {
            return user_store(c).create(name, name + "@example.com", "hash", "member", 100).id;
        });
    }
    std::int64_t reputation(std::int64_t id) { return user_store(db->reader()).find(id)->reputation; }
};

rendered_body body(std::string text) { return {text, "<p>" + text + "</p>", text}; }

}  // namespace

TEST_CASE("migrations bring a new database to the latest version, once")
{
    temp_database t;
    CHECK(t.db->write_alone([](connection& c) { return migrate(c); }) == 0);
    auto& s = t.db->reader().cached("PRAGMA user_version");
    s.bind();
    REQUIRE(s.step());
    CHECK(s.integer(0) == latest_schema_version());
    s.reset();
}

TEST_CASE("usernames and emails are unique regardless of case")
{
    temp_database t;
    t.user("alice");
    auto const again = t.db->write([](connection& c) {
        return user_store(c).create("ALICE", "other@example.com", "h", "member", 1);
    });
    CHECK(again.outcome == create_user_outcome::username_taken);
    auto const email = t.db->write([](connection& c) {
        return user_store(c).create("bob", "Alice@Example.com", "h", "member", 1);
    });
    CHECK(email.outcome == create_user_outcome::email_taken);
}

TEST_CASE("a thread: question, answers, comments, votes and acceptance, with the ledger")
{
    temp_database t;
    auto const alice = t.user("alice"), bob = t.user("bob"), carol = t.user("carol");
    domain::reputation_rules const rules;
    auto const q = t.db->write([&](connection& c) {
        return post_store(c).create_question({alice, "How do I export invoices?", body("Details here."),
                                              {"billing", "export"}}, 1000);
    });
    auto const a1 = t.db->write([&](connection& c) { return post_store(c).create_answer(q, bob, body("Use CSV."), 1100); });
    auto const a2 =
        t.db->write([&](connection& c) { return post_store(c).create_answer(q, carol, body("Use the API."), 1200); });
    auto const c1 = t.db->write(
        [&](connection& c) { return post_store(c).create_comment(a1, std::nullopt, alice, body("Thanks, where?"), 1300); });
    t.db->write([&](connection& c) { return post_store(c).create_comment(a1, c1, bob, body("Settings page."), 1400); });

    t.db->write([&](connection& c) { return post_store(c).vote(a2, alice, 1, rules, 1500); });
    t.db->write([&](connection& c) { return post_store(c).vote(a2, bob, -1, rules, 1500); });
    CHECK(t.reputation(carol) == 1 + 10 - 2);
    CHECK(t.reputation(bob) == 1 - 1);

    t.db->write([&](connection& c) { post_store(c).set_accepted(q, a1, alice, rules, 1600); });
    CHECK(t.reputation(bob) == 1 - 1 + 15);
    CHECK(t.reputation(alice) == 1 + 2);

    auto const thread = post_store(t.db->reader()).thread(q, alice);
    REQUIRE(thread);
    CHECK(thread->question.tags == std::vector<std::string>{"billing", "export"});
    CHECK(thread->question.answer_count == 2);
    REQUIRE(thread->answers.size() == 2);
    CHECK(thread->answers[0].id == a1);  // accepted first, although a2 has the higher score
    CHECK(thread->answers[1].my_vote == 1);
    REQUIRE(thread->answers[0].comments.size() == 2);
    CHECK(thread->answers[0].comments[1].reply_to == c1);

    SUBCASE("moving acceptance moves the reputation")
    {
        t.db->write([&](connection& c) { post_store(c).set_accepted(q, a2, alice, rules, 1700); });
        CHECK(t.reputation(bob) == 1 - 1);
        CHECK(t.reputation(carol) == 1 + 10 - 2 + 15);
        CHECK(t.reputation(alice) == 1 + 2);
    }
    SUBCASE("the ledger and the cached totals agree; recount finds nothing to fix")
    {
        CHECK(t.db->write([](connection& c) { return user_store(c).recount(1); }) == 0);
        auto const history = user_store(t.db->reader()).reputation_history(bob, 1, 10);
        CHECK(history.total == 2);
        CHECK(history.items[0].reason == "accepted");
        CHECK(history.items[0].question_id == q);
    }
    SUBCASE("lists, sorts and tags")
    {
        post_store posts(t.db->reader());
        auto const unanswered = posts.questions(question_sort::unanswered, std::nullopt, 1, 30);
        CHECK(unanswered.total == 0);
        auto const tagged = posts.questions(question_sort::newest, std::string("billing"), 1, 30);
        REQUIRE(tagged.total == 1);
        CHECK(tagged.items[0].accepted);
        CHECK(tagged.items[0].tags == std::vector<std::string>{"billing", "export"});
        CHECK(posts.tags(1, 10).items.size() == 2);
    }
}

TEST_CASE("edits keep every revision and move tag counts")
{
    temp_database t;
    auto const alice = t.user("alice");
    auto const q = t.db->write([&](connection& c) {
        return post_store(c).create_question({alice, "Original title here", body("First body."), {"one"}}, 10);
    });
    t.db->write([&](connection& c) {
        post_store(c).edit(q, {alice, std::string("Better title here"), body("Second body."),
                               std::vector<std::string>{"two"}, "clearer"}, 20);
    });
    post_store posts(t.db->reader());
    auto const revisions = posts.revisions(q);
    REQUIRE(revisions.size() == 2);
    CHECK(revisions[0].title == "Original title here");
    CHECK(revisions[0].tags == "one");
    CHECK(revisions[1].body_markdown == "Second body.");
    CHECK(revisions[1].summary == "clearer");
    CHECK(posts.find_tag("one")->question_count == 0);
    CHECK(posts.find_tag("two")->question_count == 1);
    CHECK(posts.find_post(q)->edited_at == 20);
}

TEST_CASE("a failed write leaves nothing half-written")
{
    temp_database t;
    auto const alice = t.user("alice");
    // An answer to a question that does not exist breaks the foreign key inside the transaction.
    CHECK_THROWS_AS(t.db->write([&](connection& c) { return post_store(c).create_answer(999, alice, body("x"), 1); }),
                    store::error);
    auto& s = t.db->reader().cached("SELECT count(*) FROM posts");
    s.bind();
    REQUIRE(s.step());
    CHECK(s.integer(0) == 0);
    s.reset();
}
