#include "server/store/idea_store.hpp"
#include "server/store/migrations.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/search_store.hpp"
#include "server/store/user_store.hpp"
#include "tests/unit/fresh_database.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

using namespace peerdesk;
using namespace peerdesk::store;

namespace {

// A real database file in a fresh temporary directory, removed afterwards.
struct temp_database : testing::fresh_database {
    std::int64_t user(std::string const& name)
    {
        return db->write(
            [&](connection& c) { return user_store(c).create(name, name + "@example.com", "hash", "member", 100).id; });
    }
    std::int64_t reputation(std::int64_t id) { return user_store(db->reader()).find(id)->reputation; }
};

rendered_body body(std::string text)
{
    return {text, "<p>" + text + "</p>", text};
}

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
    auto const again =
        t.db->write([](connection& c) { return user_store(c).create("ALICE", "other@example.com", "h", "member", 1); });
    CHECK(again.outcome == create_user_outcome::username_taken);
    auto const email =
        t.db->write([](connection& c) { return user_store(c).create("bob", "Alice@Example.com", "h", "member", 1); });
    CHECK(email.outcome == create_user_outcome::email_taken);
}

TEST_CASE("a thread: question, answers, comments, votes and acceptance, with the ledger")
{
    temp_database t;
    auto const alice = t.user("alice"), bob = t.user("bob"), carol = t.user("carol");
    domain::reputation_rules const rules;
    auto const q = t.db->write([&](connection& c) {
        return post_store(c).create_question(
            {alice, "How do I export invoices?", body("Details here."), {"billing", "export"}}, 1000);
    });
    auto const a1 =
        t.db->write([&](connection& c) { return post_store(c).create_answer(q, bob, body("Use CSV."), 1100); });
    auto const a2 =
        t.db->write([&](connection& c) { return post_store(c).create_answer(q, carol, body("Use the API."), 1200); });
    auto const c1 = t.db->write([&](connection& c) {
        return post_store(c).create_comment(a1, std::nullopt, alice, body("Thanks, where?"), 1300);
    });
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
        post_store(c).edit(
            q,
            {alice, std::string("Better title here"), body("Second body."), std::vector<std::string>{"two"}, "clearer"},
            20);
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

TEST_CASE("a tag's list: pinned first, then the list's order, whether the tag is common or rare")
{
    temp_database t;
    auto const alice = t.user("alice"), bob = t.user("bob");
    t.db->write([&](connection& c) {
        post_store posts(c);
        for (int i = 1; i <= 600; ++i) {
            std::vector<std::string> tags{"general"};
            if (i % 2 == 0) tags.push_back("common");  // half the posts: walked in the list's order
            if (i % 149 == 0) tags.push_back("rare");  // under 1 % of them: gathered and sorted
            auto const q = posts.create_question(
                {alice, "Question number " + std::to_string(i), body("Details."), tags}, 1000 + (i * 37) % 600);
            if (i % 3 == 0) posts.create_answer(q, bob, body("An answer."), 5000 + i);
        }
        c.exec("UPDATE posts SET score = (id * 7) % 13 WHERE kind = 'question'");
        c.exec(
            "UPDATE posts SET pinned_at = 9000 + id WHERE title IN ('Question number 298', 'Question number 596', "
            "'Question number 8', 'Question number 20')");
        return 0;
    });
    auto& reader = t.db->reader();
    post_store posts(reader);
    // The same list by the plain query: every question of the tag, sorted at once.
    auto expected = [&](std::string const& tag, question_sort sort) {
        std::string order = "p.created_at DESC, p.id DESC";
        if (sort == question_sort::votes) order = "p.score DESC, p.id DESC";
        if (sort == question_sort::active) order = "p.last_activity_at DESC, p.id DESC";
        auto& s = reader
                      .cached(
                          "SELECT p.id FROM posts p WHERE p.kind = 'question' AND p.deleted_at IS NULL AND p.state = "
                          "'live' " +
                          std::string(sort == question_sort::unanswered ? "AND p.answer_count = 0 " : "") +
                          "AND p.id IN (SELECT qt.question_id FROM question_tags qt JOIN tags t ON t.id = qt.tag_id "
                          "WHERE t.name = ?1) "
                          "ORDER BY p.pinned_at IS NULL, p.pinned_at DESC, " +
                          order)
                      .bind(tag);
        std::vector<std::int64_t> ids;
        while (s.step()) ids.push_back(s.integer(0));
        s.reset();
        return ids;
    };
    for (std::string tag : {"common", "rare"}) {
        for (auto sort :
             {question_sort::newest, question_sort::active, question_sort::votes, question_sort::unanswered}) {
            CAPTURE(tag);
            CAPTURE(static_cast<int>(sort));
            auto const want = expected(tag, sort);
            REQUIRE(want.size() >= 3);
            std::int64_t const pagesize = tag == "rare" ? 1 : 7;
            std::vector<std::int64_t> got;
            for (std::int64_t page = 1;; ++page) {
                auto const p = posts.questions(sort, tag, page, pagesize);
                CHECK(p.total == static_cast<std::int64_t>(want.size()));
                if (p.items.empty()) break;
                for (auto const& q : p.items) got.push_back(q.id);
                if (page > 400) break;
            }
            CHECK(got == want);
            CHECK(posts.questions(sort, tag, 1, 30).items.front().pinned);
            CHECK_FALSE(posts.questions(sort, tag, 1, 30).items.back().pinned);
        }
    }
    CHECK(posts.questions(question_sort::newest, std::string("none"), 1, 30).items.empty());
}

TEST_CASE("a thread can ask for a smaller reader cache; others keep the large one")
{
    temp_database t;
    auto cache_of = [&](connection& c) {
        auto& s = c.cached("PRAGMA cache_size").bind();
        REQUIRE(s.step());
        auto const v = s.integer(0);
        s.reset();
        return v;
    };
    CHECK(cache_of(t.db->reader()) == -32768);
    std::int64_t small = 0;
    std::thread([&] {
        database::set_thread_reader_cache(4096);
        small = cache_of(t.db->reader());
    }).join();
    CHECK(small == -4096);
    CHECK(cache_of(t.db->reader()) == -32768);
}

TEST_CASE("the kept count of live questions follows posting, holding, deleting and restoring; recount repairs it")
{
    temp_database t;
    auto const alice = t.user("alice");
    std::vector<std::int64_t> ids;
    t.db->write([&](connection& c) {
        post_store posts(c);
        for (int i = 0; i < 5; ++i)
            ids.push_back(posts.create_question({alice, "Question " + std::to_string(i), body("Details."), {"general"}},
                                                1000 + i));
        posts.create_question({alice, "Held for review", body("Details."), {"general"}, std::string("new member")},
                              2000);
        return 0;
    });
    auto listed = [&] {
        return post_store(t.db->reader()).questions(question_sort::newest, std::nullopt, 1, 30).total;
    };
    auto tagged = [&] { return post_store(t.db->reader()).find_tag("general")->question_count; };
    CHECK(listed() == 5);  // the held one is not counted
    t.db->write([&](connection& c) {
        post_store(c).change_visibility(ids[0], 3000, [&] { moderation_store(c).set_deleted(ids[0], alice, 3000); });
        return 0;
    });
    CHECK(listed() == 4);
    CHECK(tagged() == 4);
    t.db->write([&](connection& c) {
        post_store(c).change_visibility(ids[0], 3100,
                                        [&] { moderation_store(c).set_deleted(ids[0], std::nullopt, 3100); });
        return 0;
    });
    CHECK(listed() == 5);
    t.db->write([](connection& c) {
        c.exec("UPDATE site_counts SET value = 42; UPDATE tags SET question_count = 7");
        return 0;
    });
    CHECK(listed() == 42);
    CHECK(t.db->write([](connection& c) { return post_store(c).recount(); }) == 2);
    CHECK(listed() == 5);
    CHECK(tagged() == 5);
    CHECK(t.db->write([](connection& c) { return post_store(c).recount(); }) == 0);
}

TEST_CASE("applied outbox rows go the oldest first, a bounded number at a time, none a rebuild still needs")
{
    temp_database t;
    auto const alice = t.user("alice");
    auto ask = [&](int i) {
        t.db->write([&](connection& c) {
            return post_store(c).create_question(
                {alice, "Outbox question " + std::to_string(i), body("Details."), {"outbox"}}, i);
        });
    };
    auto rows = [&] {
        auto& s = t.db->reader().cached("SELECT count(*), coalesce(min(seq), 0) FROM search_outbox").bind();
        REQUIRE(s.step());
        std::pair<std::int64_t, std::int64_t> out{s.integer(0), s.integer(1)};
        s.reset();
        return out;
    };
    auto forget = [&](std::size_t limit) {
        return t.db->write([&](connection& c) { return search_store(c).forget_applied(1'000'000, limit); });
    };
    for (int i = 1; i <= 6; ++i) ask(i);
    auto const [imported, first] = rows();
    REQUIRE(imported >= 6);
    auto const floor = t.db->write([](connection& c) { return search_store(c).begin_rebuild("index-1-2"); });
    for (int i = 7; i <= 9; ++i) ask(i);
    auto const [all, same_first] = rows();
    CHECK(same_first == first);
    auto const after_floor = all - imported;
    REQUIRE(after_floor >= 3);

    CHECK(forget(2));  // stopped at the limit: more may remain
    CHECK(rows() == std::pair{all - 2, first + 2});
    int steps = 1;
    while (forget(2)) ++steps;
    CHECK(steps <= (imported + 1) / 2 + 1);
    CHECK(rows().first == after_floor);  // the rows after the rebuild's floor stay
    CHECK(rows().second == floor + 1);

    t.db->write([](connection& c) { search_store(c).end_rebuild(); });
    CHECK_FALSE(forget(1000));  // fewer than the limit were left
    CHECK(rows().first == 0);
}

TEST_CASE("bookkeeping writes leave the write count alone, so cached pages stay valid")
{
    temp_database t;
    auto const before = t.db->write_count();
    t.db->write([](connection& c) { c.exec("INSERT INTO settings (key, value) VALUES ('a', '1')"); },
                database::seen::no);
    CHECK(t.db->write_count() == before);
    t.db->write([](connection& c) { c.exec("INSERT INTO settings (key, value) VALUES ('b', '2')"); });
    CHECK(t.db->write_count() == before + 1);
    auto& s = t.db->reader().cached("SELECT count(*) FROM settings WHERE key IN ('a', 'b')").bind();
    REQUIRE(s.step());
    CHECK(s.integer(0) == 2);  // both committed
    s.reset();
}

TEST_CASE("a writer goes back to its request once its own batch is committed, not after the next")
{
    temp_database t;
    std::atomic<bool> first_running{false}, first_returned{false}, waited_in_vain{false};
    std::thread first([&] {
        t.db->write([&](connection&) {
            first_running = true;
            // Long enough for the second write to queue behind this batch.
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            return 0;
        });
        first_returned = true;
    });
    while (!first_running) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    // The second write's job waits for the first write to return. Were the first writer to lead
    // the next batch too, it could not return before this job ended: the job would wait in vain.
    t.db->write([&](connection&) {
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!first_returned && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        waited_in_vain = !first_returned;
        return 0;
    });
    first.join();
    CHECK_FALSE(waited_in_vain);
}

TEST_CASE("a full write-ahead log is copied into the database by the checkpoint thread")
{
    temp_database t;
    auto const file = t.dir / "peerdesk.db";
    auto const before = std::filesystem::file_size(file);
    t.db->write([](connection& c) {
        c.exec("CREATE TABLE filler(x BLOB)");
        return 0;
    });
    // 6 MB in 60 commits: the log passes its 1,000 pages (4 MB).
    for (int i = 0; i < 60; ++i)
        t.db->write([](connection& c) {
            c.exec("INSERT INTO filler VALUES (randomblob(100000))");
            return 0;
        });
    // In WAL mode the database file changes only when a checkpoint copies the log into it, and
    // the writer's automatic checkpoint is off (it would run inside a commit): so the copy is
    // the checkpoint thread's work.
    CHECK(t.db->write_alone([](connection& c) {
        auto& s = c.cached("PRAGMA wal_autocheckpoint").bind();
        REQUIRE(s.step());
        auto const pages = s.integer(0);
        s.reset();
        return pages;
    }) == 0);
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::filesystem::file_size(file) < before + 4'000'000 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(std::filesystem::file_size(file) >= before + 4'000'000);
    auto& count = t.db->reader().cached("SELECT count(*) FROM filler").bind();
    REQUIRE(count.step());
    CHECK(count.integer(0) == 60);
    count.reset();
}

TEST_CASE("under writes without pause the write-ahead log stays bounded")
{
    temp_database t;
    auto const wal = t.dir / "peerdesk.db-wal";
    t.db->write([](connection& c) {
        c.exec("CREATE TABLE filler(x BLOB)");
        return 0;
    });
    // 160 MB in 1,600 commits, one after another: the checkpoint thread alone would let the
    // log grow past 100 MB; the writer's own checkpoint at 16,000 pages starts it again.
    std::uintmax_t largest = 0;
    for (int i = 0; i < 1600; ++i) {
        t.db->write([](connection& c) {
            c.exec("INSERT INTO filler VALUES (randomblob(100000))");
            return 0;
        });
        if (i % 50 == 0) largest = std::max(largest, std::filesystem::file_size(wal));
    }
    largest = std::max(largest, std::filesystem::file_size(wal));
    CHECK(largest < 80'000'000);
}

TEST_CASE("a reader that held old frames for long does not keep the write-ahead log from starting again")
{
    temp_database t;
    auto const wal = t.dir / "peerdesk.db-wal";
    t.db->write([](connection& c) {
        c.exec("CREATE TABLE filler(x BLOB)");
        c.exec("INSERT INTO filler VALUES (randomblob(10))");
        return 0;
    });
    auto const write = [&](int commits) {
        for (int i = 0; i < commits; ++i)
            t.db->write([](connection& c) {
                c.exec("INSERT INTO filler VALUES (randomblob(100000))");
                return 0;
            });
    };
    std::uintmax_t held = 0;
    {
        // A statement left on a row holds its snapshot: no checkpoint copies past it, and the
        // log grows past the size at which it would start again (70 MB, 17,000 pages).
        connection reader((t.dir / "peerdesk.db").string(), open_mode::read_only);
        auto& s = reader.cached("SELECT rowid FROM filler").bind();
        REQUIRE(s.step());
        write(700);
        held = std::filesystem::file_size(wal);
        CHECK(held > 64'000'000);
        s.reset();
    }
    // Let go, the log is copied and starts again: 60 MB more are written over the old frames.
    write(600);
    auto const after = std::filesystem::file_size(wal);
    CAPTURE(held);
    CHECK(after < held + 20'000'000);
}

TEST_CASE("the per-viewer queries of a page start from its posts, never from the viewer's history")
{
    temp_database t;
    auto& c = t.db->reader();
    for (auto const sql : post_store::viewer_queries()) {
        CAPTURE(sql);
        auto& plan = c.cached("EXPLAIN QUERY PLAN " + std::string(sql)).bind(1, 1);
        std::vector<std::string> steps;
        while (plan.step()) steps.push_back(plan.text(3));
        plan.reset();
        std::string all;
        for (auto const& s : steps) all += s + "\n";
        CAPTURE(all);
        // The viewer's rows are reached by (user, post), one lookup per post shown ...
        CHECK(all.find("USING PRIMARY KEY (user_id=? AND post_id=?)") != std::string::npos);
        // ... and no step walks all of a viewer's rows.
        CHECK(all.find("(user_id=?)") == std::string::npos);
        CHECK(all.find("SCAN v") == std::string::npos);
    }
}

TEST_CASE("a profile's recent questions come newest first from an index, not sorted from all of them")
{
    temp_database t;
    auto& plan = t.db->reader()
                     .cached(
                         "EXPLAIN QUERY PLAN SELECT p.id FROM live_posts p WHERE p.kind = 'question' AND "
                         "p.author_id = ?1 ORDER BY p.created_at DESC, p.id DESC LIMIT 20")
                     .bind(1);
    std::string all;
    while (plan.step()) all += plan.text(3) + "\n";
    plan.reset();
    CAPTURE(all);
    CHECK(all.find("USING INDEX posts_author_recent") != std::string::npos);
    CHECK(all.find("TEMP B-TREE") == std::string::npos);
}

TEST_CASE("a search hit reads its post's first comments only; an answer's document carries its question")
{
    temp_database t;
    auto const alice = t.user("alice"), bob = t.user("bob");
    auto const q = t.db->write([&](connection& c) {
        return post_store(c).create_question({alice, "Printer offline", body("The printer drops off Wi-Fi."), {}},
                                             1000);
    });
    auto const a =
        t.db->write([&](connection& c) { return post_store(c).create_answer(q, bob, body("Restart it."), 1100); });
    for (int i = 0; i < snippet_comments + 30; ++i)
        t.db->write([&](connection& c) {
            return post_store(c).create_comment(a, std::nullopt, alice, body("comment" + std::to_string(i)), 1200 + i);
        });
    auto const hits = search_store(t.db->reader()).hits({a}, search_store::hit_columns::with_text);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].comments_html.find("comment0<") != std::string::npos);
    CHECK(hits[0].comments_html.find("comment" + std::to_string(snippet_comments - 1) + "<") != std::string::npos);
    CHECK(hits[0].comments_html.find("comment" + std::to_string(snippet_comments) + "<") == std::string::npos);

    auto const docs = search_store(t.db->reader()).documents({q, a});
    REQUIRE(docs.size() == 2);
    CHECK(docs[0].thread_text.empty());  // a question is its own thread
    CHECK(docs[1].thread_text == "<p>The printer drops off Wi-Fi.</p>");
}

TEST_CASE("whether an idea's author was paid is found through its own small index, not every event")
{
    temp_database t;
    auto& plan = t.db->reader()
                     .cached("EXPLAIN QUERY PLAN " + std::string(idea_store::rewarded_query()))
                     .bind(1, "idea_planned");
    std::string all;
    while (plan.step()) all += plan.text(3) + "\n";
    plan.reset();
    CAPTURE(all);
    CHECK(all.find("reputation_events_idea_rewards") != std::string::npos);
    CHECK(all.find("SCAN") == std::string::npos);
}
