#include "server/store/related_store.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/search_store.hpp"
#include "server/store/user_store.hpp"
#include "tests/unit/fresh_database.hpp"

#include <doctest/doctest.h>

using namespace peerdesk;
using namespace peerdesk::store;

namespace {

struct related_world : testing::fresh_database {
    std::int64_t alice = db->write(
        [](connection& c) { return user_store(c).create("alice", "alice@example.com", "hash", "member", 100).id; });

    std::int64_t ask(std::string const& title, std::vector<std::string> tags = {"general"})
    {
        return db->write([&](connection& c) {
            return post_store(c).create_question({alice, title, {"Body.", "<p>Body.</p>", "Body."}, std::move(tags)},
                                                 1000);
        });
    }
    std::int64_t answer(std::int64_t q)
    {
        return db->write([&](connection& c) {
            return post_store(c).create_answer(q, alice, {"An answer.", "<p>An answer.</p>", "An answer."}, 1100);
        });
    }
    void remove(std::int64_t id)
    {
        db->write([&](connection& c) {
            post_store(c).change_visibility(id, 2000, [&] { moderation_store(c).set_deleted(id, alice, 2000); });
        });
    }
    void keep(std::int64_t q, std::vector<std::int64_t> const& ids, std::int64_t hash = 7, std::int64_t now = 5000)
    {
        db->write([&](connection& c) { related_store(c).keep(q, ids, hash, now); }, database::seen::no);
    }
    std::vector<std::int64_t> shown(std::int64_t q)
    {
        std::vector<std::int64_t> out;
        for (auto const& h : search_store(db->reader()).hits(related_store(db->reader()).find(q)->ids))
            out.push_back(h.question_id);
        return out;
    }
};

std::vector<std::int64_t> ids_of(std::vector<related_candidate> const& cs)
{
    std::vector<std::int64_t> out;
    for (auto const& c : cs) out.push_back(c.question_id);
    return out;
}

}  // namespace

TEST_CASE("a related list is written as ids closest first and read back as written")
{
    CHECK(format_related_ids({12, 40, 7}) == "12,40,7");
    CHECK(format_related_ids({}).empty());
    CHECK(parse_related_ids("12,40,7") == std::vector<std::int64_t>{12, 40, 7});
    CHECK(parse_related_ids("").empty());
    SUBCASE("what is not an id is skipped, never taken for one")
    {
        CHECK(parse_related_ids("12,,x,-3,0,9z,40") == std::vector<std::int64_t>{12, 40});
        CHECK(parse_related_ids("99999999999999999999,5") == std::vector<std::int64_t>{5});
    }
}

TEST_CASE("the text a list was found for changes with the title and the tags, not with the tags' order")
{
    auto const h = related_text_hash("Printer offline", {"printing", "windows"});
    CHECK(h == related_text_hash("Printer offline", {"windows", "printing"}));
    CHECK(h != related_text_hash("Printer offline!", {"printing", "windows"}));
    CHECK(h != related_text_hash("Printer offline", {"printing"}));
    CHECK(h != related_text_hash("Printer offline", {"printing", "windows", "driver"}));
    // The title and a tag do not run into each other.
    CHECK(related_text_hash("a b", {"c"}) != related_text_hash("a", {"b", "c"}));
    // Stored, so the same on every build: FNV-1a of the empty text is its offset basis.
    CHECK(static_cast<std::uint64_t>(related_text_hash("", {})) == 14695981039346656037ull);
}

TEST_CASE("a question's list is kept, replaced and forgotten by its id")
{
    related_world w;
    auto const q = w.ask("Printer offline"), r1 = w.ask("Printer jams"), r2 = w.ask("Printer toner");
    CHECK_FALSE(related_store(w.db->reader()).find(q));
    w.keep(q, {r1, r2}, 42, 5000);
    auto found = related_store(w.db->reader()).find(q);
    REQUIRE(found);
    CHECK(found->ids == std::vector<std::int64_t>{r1, r2});
    CHECK(found->text_hash == 42);
    CHECK(found->found_at == 5000);
    w.keep(q, {}, 43, 6000);
    found = related_store(w.db->reader()).find(q);
    REQUIRE(found);
    CHECK(found->ids.empty());
    CHECK(found->text_hash == 43);
    CHECK(related_store(w.db->reader()).count() == 1);
    w.db->write([&](connection& c) { related_store(c).forget(q); }, database::seen::no);
    CHECK_FALSE(related_store(w.db->reader()).find(q));
}

TEST_CASE("writing lists leaves the page caches' write count alone")
{
    related_world w;
    auto const q = w.ask("Printer offline");
    auto const before = w.db->write_count();
    w.keep(q, {});
    CHECK(w.db->write_count() == before);
}

TEST_CASE("the walk reads live questions in id order with their lists, never answers, ideas or deleted ones")
{
    related_world w;
    auto const q1 = w.ask("First question", {"b", "a"}), q2 = w.ask("Second question"), q3 = w.ask("Third question");
    w.answer(q1);
    w.remove(q2);
    w.keep(q3, {q1}, 9, 4000);
    related_store s(w.db->reader());
    auto const all = s.questions_after(0, 10);
    CHECK(ids_of(all) == std::vector<std::int64_t>{q1, q3});
    CHECK(all[0].title == "First question");
    CHECK(all[0].tags == std::vector<std::string>{"b", "a"});  // the question's own order
    CHECK_FALSE(all[0].stored);
    REQUIRE(all[1].stored);
    CHECK(all[1].stored->ids == std::vector<std::int64_t>{q1});
    CHECK(all[1].stored->found_at == 4000);
    SUBCASE("in batches, from after the last one")
    {
        CHECK(ids_of(s.questions_after(0, 1)) == std::vector<std::int64_t>{q1});
        CHECK(ids_of(s.questions_after(q1, 1)) == std::vector<std::int64_t>{q3});
        CHECK(s.questions_after(q3, 1).empty());
    }
    SUBCASE("by ids, the live questions among them")
    {
        CHECK(ids_of(s.questions({q3, q2, q1, 999})) == std::vector<std::int64_t>{q1, q3});
        std::vector<std::int64_t> many;
        for (std::int64_t i = 1; i <= 250; ++i) many.push_back(i);
        CHECK(ids_of(s.questions(many)) == std::vector<std::int64_t>{q1, q3});
    }
}

TEST_CASE("lists of questions no longer live are forgotten, and a deleted question drops out of others' lists")
{
    related_world w;
    auto const a = w.ask("Kettle flakes"), b = w.ask("Kettle chalk"), c = w.ask("Kettle scale");
    w.keep(a, {b, c});
    w.keep(b, {a, c});
    w.keep(c, {a, b});
    CHECK(w.shown(a) == std::vector<std::int64_t>{b, c});
    w.remove(b);
    // hits() reads visible posts: the deleted question is not shown, without touching the lists.
    CHECK(w.shown(a) == std::vector<std::int64_t>{c});
    CHECK(w.shown(c) == std::vector<std::int64_t>{a});
    CHECK(related_store(w.db->reader()).count_between(0, c) == 3);
    auto const gone = w.db->write([&](connection& cn) { return related_store(cn).forget_gone(0, c); });
    CHECK(gone == 1);
    CHECK_FALSE(related_store(w.db->reader()).find(b));
    CHECK(related_store(w.db->reader()).find(a));
    CHECK(related_store(w.db->reader()).count() == 2);
    SUBCASE("only within the stretch of ids asked for")
    {
        w.remove(c);
        CHECK(w.db->write([&](connection& cn) { return related_store(cn).forget_gone(0, b); }) == 0);
        CHECK(w.db->write([&](connection& cn) { return related_store(cn).forget_gone(b, c); }) == 1);
    }
}

TEST_CASE("live questions without a list are counted")
{
    related_world w;
    auto const a = w.ask("One"), b = w.ask("Two");
    w.ask("Three");
    CHECK(related_store(w.db->reader()).missing() == 3);
    w.keep(a, {});
    w.remove(b);
    CHECK(related_store(w.db->reader()).missing() == 1);
}

TEST_CASE("the posts whose changes the index does not hold yet, each with its last change's position")
{
    related_world w;
    auto const a = w.ask("One"), b = w.ask("Two");
    auto const all = search_store(w.db->reader()).pending_posts(0, 10);
    REQUIRE(all);
    REQUIRE(all->size() == 2);
    std::int64_t a_seq = 0, b_seq = 0;
    for (auto const& [post, seq] : *all) (post == a ? a_seq : b_seq) = seq;
    CHECK(a_seq > 0);
    CHECK(b_seq > a_seq);
    SUBCASE("past the position the index holds, and only those")
    {
        auto const after = search_store(w.db->reader()).pending_posts(a_seq, 10);
        REQUIRE(after);
        REQUIRE(after->size() == 1);
        CHECK(after->front().first == b);
    }
    SUBCASE("a later change of the same post moves its position")
    {
        w.answer(a);  // a first answer re-indexes its question
        auto const again = search_store(w.db->reader()).pending_posts(b_seq, 10);
        REQUIRE(again);
        bool found = false;
        for (auto const& [post, seq] : *again)
            if (post == a) found = seq > b_seq;
        CHECK(found);
    }
    SUBCASE("more than the limit is a backlog, not a part of it")
    {
        CHECK_FALSE(search_store(w.db->reader()).pending_posts(0, 1));
    }
}
