#include "search/index.hpp"
#include "search/indexer.hpp"
#include "search/query.hpp"
#include "server/render/plain_text.hpp"
#include "server/render/safe_html.hpp"

#include <doctest/doctest.h>
#include <xapian.h>

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

using namespace peerdesk;
using namespace peerdesk::search;

TEST_CASE("parse_query takes the filters out of the text")
{
    auto const p = parse_query("printer [Windows] offline user:Kenji is:answered is:question tag:print");
    CHECK(p.error.empty());
    CHECK(p.text == "printer offline");
    CHECK(p.filter.tags == std::vector<std::string>{"print", "windows"});
    CHECK(p.filter.user == "kenji");
    CHECK(p.filter.answered);
    CHECK_FALSE(p.filter.accepted);
    CHECK(p.filter.kind == post_kind::question);
}

TEST_CASE("parse_query leaves phrases whole, even with filter-like words inside")
{
    auto const p = parse_query("\"is:answered [tag]\" spooler \"unclosed user:x");
    CHECK(p.error.empty());
    // The open phrase is closed where the input ends, so that filters after it stay filters.
    CHECK(p.text == "\"is:answered [tag]\" spooler \"unclosed user:x\"");
    CHECK(p.filter.tags.empty());
    CHECK_FALSE(p.filter.answered);
}

TEST_CASE("parse_query refuses unknown is: filters and over-long queries, with what to do")
{
    auto const bad = parse_query("printer is:solved");
    CHECK(bad.error ==
          "There is no filter is:solved; use is:answered, is:accepted, is:question, is:answer or is:idea.");
    auto const longer = parse_query(std::string(max_query_bytes + 1, 'a'));
    CHECK(longer.error == "A search is at most 500 characters; shorten it.");
    CHECK(parse_query(std::string(max_query_bytes, 'a')).error.empty());
}

TEST_CASE("parse_query turns control characters into spaces and keeps odd brackets as words")
{
    auto const p = parse_query(std::string("printer\0\x07offline", 16) + " [] [a b] [" + std::string(40, 'x') + "]");
    CHECK(p.error.empty());
    CHECK(p.text == "printer offline [] [a b] [" + std::string(40, 'x') + "]");
    CHECK(p.filter.tags.empty());
}

TEST_CASE("format_query writes the filters back after the text")
{
    filters f;
    f.tags = {"billing", "export"};
    f.user = "tom";
    f.accepted = true;
    f.kind = post_kind::answer;
    CHECK(format_query("csv", f) == "csv [billing] [export] user:tom is:accepted is:answer");
    CHECK(format_query("", filters{}) == "");
    auto const again = parse_query(format_query("csv", f));
    CHECK(again.text == "csv");
    CHECK(again.filter.tags == f.tags);
    CHECK(again.filter.accepted);
}

TEST_CASE("plain_text reads rendered Markdown as words")
{
    CHECK(
        render::plain_text(
            "<p>Use <strong>Download</strong> &amp; <code>csv</code>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>") ==
        "Use Download & csv. one two");
    CHECK(render::plain_text("<p>&lt;b&gt; &quot;q&quot; &#39;s&#39; &#x41;&#66; &#9999999;</p>") ==
          "<b> \"q\" 's' AB \xEF\xBF\xBD");
}

TEST_CASE("snippet_html escapes everything and marks only the matches")
{
    auto const html = render::snippet_html("a <script> \x01word\x02 & &amp; <img src=x> \"q\" 'r'");
    CHECK(html.str() ==
          "a &lt;script&gt; <mark>word</mark> &amp; &amp;amp; &lt;img src=x&gt; &quot;q&quot; &#39;r&#39;");
}

namespace {

struct temp_index {
    std::filesystem::path root;
    temp_index()
    {
        static int n = 0;
        root = std::filesystem::temp_directory_path() /
               ("peerdesk-index-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        std::filesystem::create_directories(root);
    }
    ~temp_index() { std::filesystem::remove_all(root); }
};

post_document question(std::int64_t id, std::string title, std::string body, std::vector<std::string> tags = {})
{
    post_document d;
    d.id = d.question_id = id;
    d.title = std::move(title);
    d.body = std::move(body);
    d.tags = std::move(tags);
    d.author = "Alice";
    d.created_at = 1000 + id;
    return d;
}

post_document answer(std::int64_t id, post_document const& q, std::string body)
{
    post_document d = q;
    d.id = id;
    d.is_question = false;
    d.body = std::move(body);
    d.author = "Bob";
    d.thread_answered = true;
    return d;
}

std::vector<std::int64_t> ids(results const& r)
{
    std::vector<std::int64_t> out;
    for (auto const& h : r.hits) out.push_back(h.post_id);
    return out;
}

}  // namespace

TEST_CASE("the index: filters as boolean terms, one hit per thread, quality boost, deletes, spelling")
{
    temp_index t;
    auto const dir = new_dir_name();
    auto printer = question(1, "Printer goes offline", "The printer is offline every morning.", {"printing"});
    printer.thread_answered = true;
    auto const spooler = answer(2, printer, "Restart the spooler service.");
    auto plain = question(3, "Scanner goes offline", "The scanner is offline every morning.", {"scanning"});
    auto twin_a = question(4, "Calendar invite twice", "Invites arrive twice.");
    auto twin_b = question(5, "Calendar invite twice", "Invites arrive twice.");
    twin_b.thread_accepted = twin_b.thread_answered = true;
    twin_b.score = 10;
    {
        writer w(t.root / dir, true);
        for (auto const& d : {printer, spooler, plain, twin_a, twin_b}) w.apply(d);
        w.set_applied(42);
        w.commit();
        CHECK(w.document_count() == 5);
    }
    make_current(t.root, dir);
    searcher s(t.root);
    tuning const tune;
    auto run = [&](std::string q) {
        auto const p = parse_query(q);
        REQUIRE(p.error.empty());
        return s.search({p.text, p.filter, sort_order::relevance, 0, 30}, tune);
    };

    CHECK(ids(run("offline [printing]")) == std::vector<std::int64_t>{1});
    CHECK(ids(run("user:bob")) == std::vector<std::int64_t>{2});
    CHECK(ids(run("offline is:answer")) == std::vector<std::int64_t>{2});
    CHECK(ids(run("spooler")) == std::vector<std::int64_t>{2});
    auto const thread = run("printer");
    CHECK(thread.hits.size() == 1);  // the question and its answer collapse into one hit
    CHECK(thread.hits[0].question_id == 1);
    // Same words: the accepted, voted thread first, although BM25 alone would tie.
    CHECK(ids(run("calendar invite")) == std::vector<std::int64_t>{5, 4});
    CHECK(ids(s.search({"calendar invite", {}, sort_order::relevance, 0, 30}, tuning{0.0})).size() == 2);
    // A word no post holds, one edit from a word posts use: searched as that word, and said.
    auto const typo = run("scaner");
    CHECK(typo.corrected == "scanner");
    CHECK(typo.suggestion.empty());
    CHECK_FALSE(typo.hits.empty());
    CHECK(run("scanner").corrected.empty());
    CHECK(run("scanner").suggestion.empty());

    {
        writer w(t.root / dir, false);
        CHECK(w.applied() == 42);
        auto gone = plain;
        gone.visible = false;
        w.apply(gone);
        w.commit();
    }
    s.changed();
    CHECK(run("scanner").hits.empty());
    CHECK_FALSE(s.problem());
}

TEST_CASE("quality: accepted, answered, voted and endorsed posts rank higher, within bounds")
{
    auto plain = question(1, "t", "b");
    CHECK(quality_of(plain) == 0.0);
    auto answered = plain;
    answered.thread_answered = true;
    auto accepted = answered;
    accepted.thread_accepted = true;
    auto voted = accepted;
    voted.score = 1000;
    auto endorsed = answer(2, plain, "b");
    auto const answered_only = quality_of(endorsed);
    endorsed.endorsed = true;
    CHECK(quality_of(answered) > quality_of(plain));
    CHECK(quality_of(accepted) > quality_of(answered));
    CHECK(quality_of(voted) > quality_of(accepted));
    CHECK(quality_of(voted) <= 1.0);
    CHECK(quality_of(endorsed) == doctest::Approx(answered_only + 0.3));
}

TEST_CASE("the searcher says the index is unavailable when there is none")
{
    temp_index t;
    searcher s(t.root);
    CHECK(s.problem().has_value());
    CHECK_THROWS_AS(s.search({"x", {}, sort_order::relevance, 0, 10}, {}), unavailable);
}

TEST_CASE("post facts: lookups across chunks, unknown posts, a post that left the index")
{
    post_facts f("dir", 7);
    CHECK(f.thread(5) == 0);
    CHECK(f.quality(5) == 0.0);
    f.set({3, 3, 3, 0.0});
    f.set({65'535, 70'000, 65'000, 0.25});
    f.set({65'536, 65'536, 65'536, 0.7});
    f.set({900'000, 900'001, 65'536, 5.0});  // clamped to the largest quality there is
    f.set({4'294'967'295u, 12, 9, 0.2});
    f.set({0, 1, 1, 1.0});  // no document has docid 0
    CHECK(f.thread(3) == 3);
    CHECK(f.thread(65'535) == 65'000);
    CHECK(f.quality(65'535) == doctest::Approx(0.25));
    CHECK(f.quality(65'536) == doctest::Approx(0.7));
    CHECK(f.quality(900'000) == doctest::Approx(post_facts::max_quality));
    CHECK(f.thread(4'294'967'295u) == 9);
    CHECK(f.post(65'535) == 70'000);
    CHECK(f.post(900'000) == 900'001);
    CHECK(f.post(4'294'967'295u) == 12);
    CHECK(f.post(0) == 0);
    f.set({65'536, 0, 0, 0.0});  // left the index
    CHECK(f.thread(65'536) == 0);
    CHECK(f.quality(65'536) == 0.0);
    CHECK(f.revision() == 7);
}

TEST_CASE("post facts: next_at_least finds every post of enough quality, across blocks and chunks")
{
    post_facts f("dir", 1);
    std::mt19937 rng(7);
    constexpr std::uint32_t top = 200'000;  // four chunks
    std::vector<std::uint32_t> set_ids;
    for (int i = 0; i < 3'000; ++i) {
        auto const id = static_cast<std::uint32_t>(1 + rng() % top);
        f.set({id, id, id, (rng() % 131) / 100.0});
        set_ids.push_back(id);
    }
    // Lowered qualities leave their blocks' bounds high: still found, or passed over, rightly.
    for (int i = 0; i < 500; ++i) {
        auto const id = set_ids[rng() % set_ids.size()];
        f.set({id, id, id, (rng() % 20) / 100.0});
    }
    f.set({65'536, 65'536, 65'536, 1.3});  // the first post of a chunk
    f.set({65'535, 65'535, 65'535, 1.3});  // the last post of the chunk before
    auto brute = [&](std::uint64_t from, std::uint8_t h, std::uint64_t last) {
        for (auto id = from; id <= last; ++id)
            if (f.hundredths(static_cast<std::uint32_t>(id)) >= h) return id;
        return last + 1;
    };
    for (int i = 0; i < 2'000; ++i) {
        std::uint64_t const from = 1 + rng() % top, last = from + rng() % 70'000;
        auto const h = static_cast<std::uint8_t>(rng() % 140);
        REQUIRE(f.next_at_least(from, h, last) == brute(from, h, last));
    }
    CHECK(f.next_at_least(65'535, 130, top) == 65'535);
    CHECK(f.next_at_least(65'536, 130, top) == 65'536);
    CHECK(f.next_at_least(65'537, 131, top) == top + 1);  // more than any post has
    CHECK(f.next_at_least(10, 0, 5) == 10);               // no quality needed: the post asked for
    CHECK(f.next_at_least(4'294'967'290u, 1, 4'294'967'295u) == 4'294'967'296u);  // past the last docid
}

TEST_CASE("a common word's page holds the best posts when the search passes over posts that cannot reach it")
{
    // Every post has the word once in its title and once in its body, so BM25 ties and quality
    // alone orders them (equal quality: the older post first). Once the page is full, the search
    // visits only posts of enough quality; a post it should not have passed over shows here.
    temp_index t;
    auto const dir = new_dir_name();
    std::mt19937 rng(11);
    std::vector<post_document> docs;
    for (int i = 1; i <= 3'000; ++i) {
        auto d = question(i, "Printer question " + std::to_string(i), "The printer jams.");
        auto const r = rng() % 100;
        d.thread_answered = r < 60;
        d.thread_accepted = r < 25;
        d.score = static_cast<int>(rng() % 40);
        d.endorsed = r < 2;
        docs.push_back(d);
    }
    {
        writer w(t.root / dir, true);
        for (auto const& d : docs) w.apply(d);
        w.commit();
    }
    make_current(t.root, dir);
    searcher s(t.root, 0);
    auto expected = [&](std::size_t offset) {
        auto order = docs;
        auto hundredths = [](post_document const& d) { return std::lround(quality_of(d) * 100); };
        std::stable_sort(order.begin(), order.end(),
                         [&](auto const& a, auto const& b) { return hundredths(a) > hundredths(b); });
        std::vector<std::int64_t> out;
        for (auto i = offset; i < offset + 30; ++i) out.push_back(order[i].id);
        return out;
    };
    auto page = [&](std::size_t offset) {
        return ids(s.search({"printer", {}, sort_order::relevance, offset, 30}, {}));
    };
    CHECK(page(0) == expected(0));
    CHECK(page(30) == expected(30));

    // The best posts lose their quality: the next best take their places.
    {
        writer w(t.root / dir, false);
        std::vector<post_fact> changed;
        for (auto id : expected(0)) {
            auto& d = docs[static_cast<std::size_t>(id - 1)];
            d.thread_answered = d.thread_accepted = d.endorsed = false;
            d.score = 0;
            changed.push_back(w.apply(d));
        }
        w.commit();
        s.learn(dir, w.revision(), changed);
    }
    s.changed();
    CHECK(page(0) == expected(0));
}

TEST_CASE("beyond eight mentions' worth, more mentions of a word do not rank a post higher")
{
    // wdf: 5 for the title's mention, 2 for each in the body (times 4, over the length norm).
    temp_index t;
    auto const dir = new_dir_name();
    auto repeat = [](int n) {
        std::string body;
        for (int i = 0; i < n; ++i) body += "The spooler stops. ";
        return body;
    };
    {
        writer w(t.root / dir, true);
        w.apply(question(1, "Spooler question", repeat(2)));   // 9, counted as 8
        w.apply(question(2, "Spooler question", repeat(4)));   // 13, counted as 8
        w.apply(question(3, "Spooler question", repeat(20)));  // 45, counted as 8
        w.apply(question(4, "Spooler question", repeat(1)));   // 7
        w.commit();
    }
    make_current(t.root, dir);
    searcher s(t.root, 0);
    // Past the cap, more mentions add nothing: 1, 2 and 3 tie, so the older comes first. (Their
    // counts are normalised by length when indexed; posts this short reach the cap with the title's
    // mention and one in the body, so 4 ties with them too.)
    CHECK(ids(s.search({"spooler", {}, sort_order::relevance, 0, 10}, {})) == std::vector<std::int64_t>{1, 2, 3, 4});
}

TEST_CASE("one hit per thread holds when a thread has more matching posts than a page")
{
    temp_index t;
    auto const dir = new_dir_name();
    {
        writer w(t.root / dir, true);
        auto busy = question(1, "Sync stops", "Sync stops at night, sync sync sync.");
        busy.thread_answered = true;
        w.apply(busy);
        for (int i = 0; i < 40; ++i) w.apply(answer(100 + i, busy, "Sync again, sync works after a restart of sync."));
        for (int i = 0; i < 12; ++i) w.apply(question(1000 + i, "Sync question " + std::to_string(i), "Sync fails."));
        w.commit();
    }
    make_current(t.root, dir);
    searcher s(t.root, 0);  // no result cache: every page is ranked afresh
    auto page = [&](std::size_t offset) { return s.search({"sync", {}, sort_order::relevance, offset, 10}, {}); };
    auto const first = page(0), second = page(10);
    std::set<std::int64_t> threads;
    for (auto const* r : {&first, &second})
        for (auto const& h : r->hits) CHECK(threads.insert(h.question_id).second);  // no thread twice
    CHECK(first.hits.size() == 10);
    CHECK(second.hits.size() == 3);
    CHECK(threads.size() == 13);
    CHECK(first.total == 13);  // every match counted: threads, not posts
    CHECK(first.exact);
}

TEST_CASE("beyond the posts ranked, the total is an estimate and says so")
{
    temp_index t;
    auto const dir = new_dir_name();
    {
        writer w(t.root / dir, true);
        for (int i = 1; i <= 80; ++i)
            w.apply(question(i, "Printer question " + std::to_string(i), "The printer jams."));
        w.commit();
    }
    make_current(t.root, dir);
    searcher s(t.root, 0);
    auto const page = s.search({"printer", {}, sort_order::relevance, 0, 10}, {});
    CHECK(page.hits.size() == 10);
    CHECK_FALSE(page.exact);
    CHECK(page.total >= 30);
    CHECK(page.total <= 80);
    auto const all = s.search({"printer", {}, sort_order::relevance, 0, 100}, {});
    CHECK(all.exact);
    CHECK(all.total == 80);
}

TEST_CASE("the searcher follows quality changes, told by learn or found by revision")
{
    temp_index t;
    auto const dir = new_dir_name();
    auto a = question(1, "Calendar invite twice", "Invites arrive twice.");
    auto b = question(2, "Calendar invite twice", "Invites arrive twice.");
    b.thread_accepted = b.thread_answered = true;
    std::uint64_t revision = 0;
    {
        writer w(t.root / dir, true);
        w.apply(a);
        w.apply(b);
        w.commit();
    }
    make_current(t.root, dir);
    searcher s(t.root);
    auto order = [&] { return ids(s.search({"calendar invite", {}, sort_order::relevance, 0, 10}, {})); };
    CHECK(order() == std::vector<std::int64_t>{2, 1});

    // A writer that does not tell the searcher: the newer revision makes it read the facts again.
    a.thread_accepted = a.thread_answered = true;
    a.score = 50;
    {
        writer w(t.root / dir, false);
        w.apply(a);
        w.commit();
        revision = w.revision();
    }
    s.changed();
    CHECK(order() == std::vector<std::int64_t>{1, 2});

    // The indexer's way: learn what the commit changed.
    b.score = 500;
    {
        writer w(t.root / dir, false);
        auto const fact = w.apply(b);
        w.commit();
        CHECK(w.revision() == revision + 1);
        s.learn(dir, w.revision(), {fact});
    }
    s.changed();
    CHECK(order() == std::vector<std::int64_t>{2, 1});
}

TEST_CASE("searches that match everything run safely from many threads at once")
{
    // A query of punctuation only, or filters alone, matches every post. Those once copied
    // Xapian's shared MatchAll, whose reference count is not atomic: concurrent searches
    // crashed the server.
    temp_index t;
    auto const dir = new_dir_name();
    {
        writer w(t.root / dir, true);
        for (int i = 1; i <= 30; ++i)
            w.apply(question(i, "Sync question " + std::to_string(i), "Sync fails at night.", {"sync"}));
        w.commit();
    }
    make_current(t.root, dir);
    searcher s(t.root, 0);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int n = 0; n < 4; ++n)
        threads.emplace_back([&, n] {
            for (int i = 0; i < 3000; ++i) {
                query_request r{(i + n) % 2 ? "?!" : "", {}, sort_order::relevance, 0, 5};
                r.filter.tags.push_back("sync");
                if (auto const got = s.search(r, {}).total; got != 30) {
                    if (wrong++ == 0) MESSAGE("query \"" << r.text << "\" found " << got);
                }
            }
        });
    for (auto& th : threads) th.join();
    CHECK(wrong == 0);
}

namespace {

// Posts as the server's outbox hands them over, produced while the indexer runs.
class stream_source : public source {
public:
    void add(post_document d)
    {
        std::lock_guard lock(mutex_);
        changes_.push_back({static_cast<std::int64_t>(changes_.size()) + 1, std::move(d)});
    }
    std::vector<change> changes_after(std::int64_t seq, std::size_t limit) override
    {
        std::lock_guard lock(mutex_);
        std::vector<change> out;
        for (auto i = static_cast<std::size_t>(seq); i < changes_.size() && out.size() < limit; ++i)
            out.push_back(changes_[i]);
        return out;
    }
    bool forget_applied(std::int64_t, std::size_t) override { return false; }
    std::vector<std::int64_t> rebuild_order() override
    {
        std::lock_guard lock(mutex_);
        std::vector<post_document> docs;
        for (auto const& c : changes_)
            if (c.doc.visible) docs.push_back(c.doc);  // one change per post here
        std::stable_sort(docs.begin(), docs.end(), [](auto const& a, auto const& b) {
            return std::lround(quality_of(a) * 100) > std::lround(quality_of(b) * 100);
        });
        std::vector<std::int64_t> out;
        for (auto const& d : docs) out.push_back(d.id);
        return out;
    }
    std::vector<post_document> documents(std::vector<std::int64_t> const& ids) override
    {
        std::lock_guard lock(mutex_);
        std::vector<post_document> out;
        for (auto id : ids)
            for (auto const& c : changes_)
                if (c.doc.id == id) out.push_back(c.doc);
        return out;
    }
    std::int64_t post_count() override
    {
        std::lock_guard lock(mutex_);
        return static_cast<std::int64_t>(changes_.size());
    }
    std::int64_t begin_rebuild(std::string const& dir) override
    {
        std::lock_guard lock(mutex_);
        rebuild_ = dir;
        return static_cast<std::int64_t>(changes_.size());
    }
    std::optional<std::string> rebuild_dir() override
    {
        std::lock_guard lock(mutex_);
        return rebuild_;
    }
    void end_rebuild() override
    {
        std::lock_guard lock(mutex_);
        rebuild_.reset();
    }

private:
    std::mutex mutex_;
    std::vector<change> changes_;
    std::optional<std::string> rebuild_;
};

}  // namespace

TEST_CASE("under a steady stream of posts the indexer groups them into a few commits a second")
{
    temp_index t;
    searcher readers(t.root);
    stream_source src;
    int const posts = 600;
    auto const started = std::chrono::steady_clock::now();
    {
        indexer ix(t.root, src, readers);
        // 400 posts a second for 1.5 s, each told to the indexer as the server does.
        for (int i = 1; i <= posts; ++i) {
            src.add(question(i, "Steady stream " + std::to_string(i), "Posts arrive one by one."));
            ix.notify();
            std::this_thread::sleep_until(started + std::chrono::microseconds(2500 * i));
        }
        for (int i = 0; i < 200 && ix.status().applied_seq < posts; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        CHECK(ix.status().applied_seq == posts);
    }
    auto const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    auto const dir = current_dir(t.root);
    REQUIRE(dir);
    Xapian::Database db((t.root / *dir).string());
    CHECK(db.get_doccount() == static_cast<Xapian::doccount>(posts));
    // At most ten commits a second, and a few for the index's creation. Committing again as
    // soon as a commit ended made one for every post or two: hundreds here.
    CHECK(db.get_revision() <= static_cast<Xapian::rev>(seconds * 10) + 5);
}

namespace {

// The docid of a post's document, by its unique term.
Xapian::docid docid_of(Xapian::Database const& db, std::int64_t post)
{
    auto const term = "Q" + std::to_string(post);
    auto const it = db.postlist_begin(term);
    return it == db.postlist_end(term) ? 0 : *it;
}

}  // namespace

TEST_CASE("a rebuild numbers documents best first; posts keep their ids through updates, deletes and new posts")
{
    temp_index t;
    searcher readers(t.root, 0);
    stream_source src;
    // Ids and quality disagree: the oldest posts are the plainest.
    auto plain = question(1, "Printer offline plain", "The printer is offline.");
    auto answered = question(2, "Printer offline answered", "The printer is offline.");
    answered.thread_answered = true;
    auto accepted = question(3, "Printer offline accepted", "The printer is offline.");
    accepted.thread_answered = accepted.thread_accepted = true;
    auto endorsed = answer(4, accepted, "Printer offline: restart the spooler.");
    endorsed.accepted_answer = endorsed.endorsed = true;
    for (auto const& d : {plain, answered, accepted, endorsed}) src.add(d);
    auto search = [&](std::string q) {
        return ids(readers.search({std::move(q), {}, sort_order::relevance, 0, 10}, {}));
    };
    auto wait_for = [&](indexer& ix, std::int64_t seq) {
        for (int i = 0; i < 500 && ix.status().applied_seq < seq; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        REQUIRE(ix.status().applied_seq == seq);
    };
    auto dir = rebuild(t.root, src);
    {
        Xapian::Database db((t.root / dir).string());
        CHECK(docid_of(db, 4) == 1);
        CHECK(docid_of(db, 3) == 2);
        CHECK(docid_of(db, 2) == 3);
        CHECK(docid_of(db, 1) == 4);
    }
    // One hit per thread: the endorsed answer stands for its question.
    CHECK(search("printer offline") == std::vector<std::int64_t>{4, 2, 1});
    CHECK(search("spooler") == std::vector<std::int64_t>{4});
    {
        indexer ix(t.root, src, readers);
        auto edited = plain;
        edited.body = "The printer is offline. Update: the scanner too.";
        src.add(edited);  // seq 5
        auto gone = answered;
        gone.visible = false;
        src.add(gone);                                                       // 6
        src.add(question(5, "Scanner offline", "The scanner is offline."));  // 7
        ix.notify();
        wait_for(ix, 7);
    }
    CHECK(search("printer offline") == std::vector<std::int64_t>{4, 1});
    CHECK(search("scanner") == std::vector<std::int64_t>{5, 1});  // in a title, it weighs more
    Xapian::Database db((t.root / *current_dir(t.root)).string());
    CHECK(db.get_doccount() == 4);
    CHECK(docid_of(db, 1) == 4);  // replaced in place
    CHECK(docid_of(db, 2) == 0);
    CHECK(docid_of(db, 5) == 5);  // a new post takes the next number
}

TEST_CASE("a new index is written in blocks of 32 KB, where a search reads a quarter as many blocks")
{
    temp_index t;
    stream_source src;
    src.add(question(1, "Printer offline", "The printer is offline."));
    auto const dir = rebuild(t.root, src);
    // Glass tables are whole blocks; with Xapian's default a one-post table is 8 or 16 KB.
    auto const bytes = std::filesystem::file_size(t.root / dir / "postlist.glass");
    CHECK(bytes > 0);
    CHECK(bytes % 32768 == 0);
}

TEST_CASE("an index numbered by post id goes on answering until the one rebuilt to replace it is current")
{
    temp_index t;
    stream_source src;
    auto a = question(1, "Export to csv fails", "The csv export stops.");
    auto b = question(2, "Export to csv is slow", "The csv export takes minutes.");
    b.thread_answered = b.thread_accepted = true;
    src.add(a);
    src.add(b);
    // As versions before docids of their own wrote it: docid = post id, no Q terms, no post slot.
    auto const old_dir = new_dir_name();
    {
        Xapian::WritableDatabase db((t.root / old_dir).string(), Xapian::DB_CREATE_OR_OPEN);
        for (auto const& d : {a, b}) {
            Xapian::Document doc;
            Xapian::TermGenerator tg;
            tg.set_stemmer(Xapian::Stem("english"));
            tg.set_document(doc);
            tg.index_text(d.title + " " + d.body);
            doc.add_value(0, std::to_string(d.question_id));
            db.replace_document(static_cast<Xapian::docid>(d.id), doc);
        }
        db.set_metadata("peerdesk.applied_seq", "2");
        db.commit();
    }
    make_current(t.root, old_dir);
    searcher readers(t.root, 0);
    auto search = [&] { return ids(readers.search({"csv export", {}, sort_order::relevance, 0, 10}, {})); };
    CHECK(search() == std::vector<std::int64_t>{1, 2});  // read as docid = post id; no quality there
    {
        indexer ix(t.root, src, readers);
        for (int i = 0; i < 500 && current_dir(t.root) == old_dir; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        REQUIRE(current_dir(t.root) != old_dir);
        for (int i = 0; i < 500 && ix.status().applied_seq < 2; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK(ix.status().applied_seq == 2);
        CHECK(ix.status().problem.empty());
    }
    CHECK(search() == std::vector<std::int64_t>{2, 1});  // the rebuilt index ranks with quality
    Xapian::Database db((t.root / *current_dir(t.root)).string());
    CHECK(docid_of(db, 2) == 1);
    CHECK(db.get_metadata("peerdesk.docids") == "own");
}

TEST_CASE("an index of an older format is rebuilt at start, and ranks as a new one does once current")
{
    temp_index t;
    stream_source src;
    std::string rambling = "Printer tray jammed. ";
    for (int i = 0; i < 60; ++i) rambling += "Many other words about the office, coffee, meetings and weather. ";
    auto const long_post = question(1, "Printer tray jammed", rambling);
    auto const short_post = question(2, "Printer tray jammed", "The printer tray is jammed.");
    src.add(long_post);
    src.add(short_post);
    // As the version before counts were normalised by length wrote it: no format, counts as
    // they are, so that the long post's mentions tie with the short one's.
    auto const old_dir = new_dir_name();
    {
        {
            Xapian::WritableDatabase db((t.root / old_dir).string(), Xapian::DB_CREATE_OR_OPEN);
            db.set_metadata("peerdesk.docids", "own");
            db.set_metadata("peerdesk.applied_seq", "0");
            db.commit();
        }
        writer w(t.root / old_dir, false);
        CHECK(w.outdated());
        w.apply(long_post);
        w.apply(short_post);
        w.set_applied(2);
        w.commit();
    }
    make_current(t.root, old_dir);
    searcher readers(t.root, 0);
    auto search = [&] { return ids(readers.search({"printer tray jammed", {}, sort_order::relevance, 0, 10}, {})); };
    CHECK(search() == std::vector<std::int64_t>{1, 2});  // read as written: the tie goes to the first
    {
        indexer ix(t.root, src, readers);
        for (int i = 0; i < 500 && current_dir(t.root) == old_dir; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        REQUIRE(current_dir(t.root) != old_dir);
        for (int i = 0; i < 500 && ix.status().applied_seq < 2; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK(ix.status().problem.empty());
    }
    CHECK(search() == std::vector<std::int64_t>{2, 1});  // the short post about the words first
    Xapian::Database db((t.root / *current_dir(t.root)).string());
    CHECK_FALSE(db.get_metadata("peerdesk.format").empty());
    CHECK_FALSE(writer(t.root / *current_dir(t.root), false).outdated());
}

TEST_CASE("an index the machine stopped under is rebuilt; one a killed server left is kept")
{
    temp_index t;
    searcher readers(t.root, 0);
    stream_source src;
    src.add(question(1, "Backup fails at night", "The nightly backup stops."));
    auto const first = rebuild(t.root, src);
    auto const marker = t.root / first / "peerdesk-unsynced";
    CHECK_FALSE(std::filesystem::exists(marker));  // a rebuild is synced before it is current
    auto search = [&] {
        auto found = ids(readers.search({"backup", {}, sort_order::relevance, 0, 10}, {}));
        std::sort(found.begin(), found.end());  // which posts, not their order
        return found;
    };
    auto wait_for = [&](indexer& ix, std::int64_t seq) {
        for (int i = 0; i < 500 && ix.status().applied_seq < seq; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        REQUIRE(ix.status().applied_seq == seq);
    };
    std::string boot;
    {
        indexer ix(t.root, src, readers);
        src.add(question(2, "Backup is slow", "The backup takes hours."));
        ix.notify();
        wait_for(ix, 2);
        // While the server writes without syncing, the index names this boot.
        std::ifstream in(marker);
        REQUIRE(std::getline(in, boot));
        CHECK(boot.size() >= 32);
    }
    CHECK_FALSE(std::filesystem::exists(marker));  // a clean stop syncs and unmarks
    CHECK(search() == std::vector<std::int64_t>{1, 2});

    // Killed (the marker stays, naming this boot): the kernel kept every write; no rebuild.
    std::ofstream(marker) << boot << "\n";
    {
        indexer ix(t.root, src, readers);
        src.add(question(3, "Backup of photos", "Photos are not backed up."));
        ix.notify();
        wait_for(ix, 3);
        CHECK(current_dir(t.root) == first);
    }
    CHECK(search() == std::vector<std::int64_t>{1, 2, 3});

    // The machine stopped (the marker names another boot): rebuilt from the source.
    std::ofstream(marker) << "another-boot\n";
    {
        indexer ix(t.root, src, readers);
        for (int i = 0; i < 500 && current_dir(t.root) == first; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        REQUIRE(current_dir(t.root) != first);
        wait_for(ix, 3);
        CHECK(ix.status().problem.empty());
    }
    CHECK(search() == std::vector<std::int64_t>{1, 2, 3});
    CHECK_FALSE(std::filesystem::exists(t.root / *current_dir(t.root) / "peerdesk-unsynced"));
}

namespace {

// An index of these posts, current under t.root.
void index_posts(temp_index const& t, std::vector<post_document> const& posts)
{
    auto const dir = new_dir_name();
    {
        writer w(t.root / dir, true);
        for (auto const& d : posts) w.apply(d);
        w.commit();
    }
    make_current(t.root, dir);
}

std::vector<std::int64_t> threads(results const& r)
{
    std::vector<std::int64_t> out;
    for (auto const& h : r.hits) out.push_back(h.question_id);
    return out;
}

}  // namespace

TEST_CASE("a misspelt word finds the word the community uses, below posts that hold the word as typed")
{
    temp_index t;
    std::vector<post_document> posts;
    // 30 posts use "controller"; one post has the typo "contoller" itself.
    for (int i = 1; i <= 30; ++i)
        posts.push_back(question(i, "Game controller question " + std::to_string(i),
                                 "My controller does not pair after the update."));
    posts.push_back(question(31, "Contoller drift", "The contoller drifts left."));
    posts.push_back(question(32, "Wireless charging", "Charging stops at eighty percent."));
    index_posts(t, posts);
    searcher s(t.root, 0);
    auto run = [&](std::string q, bool exact = false) {
        query_request r{q, {}, sort_order::relevance, 0, 10};
        r.exact = exact;
        return s.search(r, {});
    };

    // A transposition counts as one edit: "cnotroller" is one edit from "controller".
    auto const swapped = run("cnotroller pair");
    CHECK(swapped.corrected == "controller pair");
    REQUIRE_FALSE(swapped.hits.empty());
    CHECK(swapped.hits.front().question_id <= 30);

    // A word a few posts use, far less than a close one: both are searched, the exact one first.
    auto const rare = run("contoller");
    CHECK(rare.corrected == "controller");
    REQUIRE(rare.hits.size() == 10);
    CHECK(rare.hits.front().post_id == 31);

    // The words as typed, when asked for ("search instead for ..."): no correction.
    auto const exact = run("cnotroller pair", true);
    CHECK(exact.corrected.empty());
    CHECK(exact.hits.empty());
    // Quotes and +word keep their strict meaning: no correction.
    CHECK(run("\"cnotroller\"").hits.empty());
    CHECK(run("+cnotroller pair").hits.empty());
    CHECK(run("\"cnotroller\"").corrected.empty());

    // Short words (under four letters) and words with digits are never taken for typos.
    CHECK(run("pai").corrected.empty());
    CHECK(run("controler2").corrected.empty());
    // A word the community uses as much as its neighbour is left alone.
    CHECK(run("charging").corrected.empty());
}

TEST_CASE("a plain query of words the community uses is offered no other words, however little it finds")
{
    temp_index t;
    std::vector<post_document> posts;
    // "regan" is used far more than "began", two edits away; only one post holds "began" and
    // the tag "onboarding".
    for (int i = 1; i <= 12; ++i)
        posts.push_back(question(i, "Regan rollout notes", "Regan rollout, part " + std::to_string(i)));
    for (int i = 13; i <= 15; ++i) posts.push_back(question(i, "The sync began late", "It began after midnight."));
    posts.push_back(question(16, "Import began twice", "The import began twice.", {"onboarding"}));
    posts.push_back(question(17, "Regen button", "The regen button is grey."));
    index_posts(t, posts);
    searcher s(t.root, 0);
    filters onboarding;
    onboarding.tags = {"onboarding"};
    // Strict, the word goes through the spelling data, which offers the more used word.
    auto const strict = s.search({"\"began\"", onboarding, sort_order::relevance, 0, 10}, {});
    REQUIRE(ids(strict) == std::vector<std::int64_t>{16});
    CHECK(strict.suggestion == "\"regan\"");
    // Plain, the word is one the community uses: found as typed, and nothing else is offered.
    auto const plain = s.search({"began", onboarding, sort_order::relevance, 0, 10}, {});
    CHECK(ids(plain) == std::vector<std::int64_t>{16});
    CHECK(plain.suggestion.empty());
    CHECK(plain.corrected.empty());
    // A word no post holds is still offered the community's word where typo tolerance leaves
    // it (a word with digits could be a model number).
    auto const rare = s.search({"began2", onboarding, sort_order::relevance, 0, 10}, {});
    CHECK(rare.hits.empty());
    CHECK_FALSE(rare.suggestion.empty());
    // A word only one post holds (rare here, one edit from "regan") that found that post: not
    // taken for a typo either (the parser offered "regan button").
    auto const found = s.search({"regen button", {}, sort_order::relevance, 0, 10}, {});
    CHECK(ids(found) == std::vector<std::int64_t>{17});
    CHECK(found.suggestion.empty());
}

TEST_CASE("a longer query finds posts that miss one word, after the posts that hold them all")
{
    temp_index t;
    index_posts(t, {question(1, "Export invoices", "Export the invoices as CSV from billing."),
                    question(2, "Invoices as CSV", "Export the invoices as CSV every month."),
                    question(3, "Billing address", "Change the billing address on exported invoices."),
                    question(4, "Printer offline", "The printer is offline.")});
    searcher s(t.root, 0);
    auto run = [&](std::string q) { return threads(s.search({q, {}, sort_order::relevance, 0, 10}, {})); };
    // Only post 1 holds all four; 2 and 3 miss one word each and still come, after it.
    auto const found = run("export invoices csv billing");
    REQUIRE(found.size() == 2 + 1);
    CHECK(found.front() == 1);
    // A word no post holds (and no typo of one) does not empty the page.
    auto missing = run("export invoices csv zzzqqq");
    std::sort(missing.begin(), missing.end());
    CHECK(missing == std::vector<std::int64_t>{1, 2});
    // Quoted, the words must all be there.
    CHECK(run("\"export\" \"invoices\" \"csv\" \"zzzqqq\"").empty());
    // Two words: both must be in the thread when some thread holds both...
    CHECK(run("billing address") == std::vector<std::int64_t>{3});
    // ...and when none does, the posts that hold either come rather than an empty page.
    auto either = run("address month");
    std::sort(either.begin(), either.end());
    CHECK(either == std::vector<std::int64_t>{2, 3});
    // Quoted, still nothing.
    CHECK(run("\"address\" \"month\"").empty());
}

TEST_CASE("words spread over a question and its answer find the thread, with the answer as the hit")
{
    temp_index t;
    auto q = question(1, "Export invoices", "How do I export my invoices as CSV? I need them in a spreadsheet.");
    q.thread_answered = true;
    auto a = answer(2, q, "Go to Billing, then Invoices, and choose Export: CSV.");
    a.thread_text = q.body;
    auto other = question(3, "Spreadsheet formulas", "A spreadsheet formula shows an error.");
    index_posts(t, {q, a, other});
    searcher s(t.root, 0);
    auto const found = s.search({"spreadsheet CSV Billing Export", {}, sort_order::relevance, 0, 10}, {});
    REQUIRE_FALSE(found.hits.empty());
    CHECK(found.hits.front().question_id == 1);
    CHECK(found.hits.front().post_id == 2);  // the answer holds billing and export, and its thread the rest
}

TEST_CASE("plain words are read as the index holds them: apostrophes inside words, numbers and names left whole")
{
    temp_index t;
    index_posts(t, {question(1, "Printer won't print", "It says the version 1.2 driver is missing from C:/drivers."),
                    question(2, "Printer prints blank pages", "Pages come out blank.")});
    searcher s(t.root, 0);
    auto run = [&](std::string q) { return threads(s.search({q, {}, sort_order::relevance, 0, 10}, {})); };
    CHECK(run("printer won't") == std::vector<std::int64_t>{1});
    CHECK(run("printer won\u2019t") == std::vector<std::int64_t>{1});
    CHECK(run("driver 1.2") == std::vector<std::int64_t>{1});
    CHECK(run("printer, blank pages.") == std::vector<std::int64_t>{2});
}

TEST_CASE("a word with an apostrophe is found by its parts too, and whole only by itself; endings are not words")
{
    temp_index t;
    index_posts(t, {question(1, "Printer haven't printed", "O'Reilly's guide doesn\u2019t help."),
                    question(2, "A safe haven for printed files", "Nothing else.")});
    searcher s(t.root, 0);
    auto run = [&](std::string q) { return threads(s.search({q, {}, sort_order::relevance, 0, 10}, {})); };
    // The part before the apostrophe, as a customer who leaves it out types it.
    CHECK(run("haven printer") == std::vector<std::int64_t>{1});
    CHECK(run("doesn guide") == std::vector<std::int64_t>{1});
    CHECK(run("reilly guide") == std::vector<std::int64_t>{1});
    // Typed whole, the word finds only itself: post 2's "haven" is another word.
    CHECK(run("haven't") == std::vector<std::int64_t>{1});
    CHECK(run("\"printer haven't printed\"") == std::vector<std::int64_t>{1});
    auto const found = threads(s.search({"haven", {}, sort_order::relevance, 0, 10}, {}));
    CHECK(found.size() == 2);
    Xapian::Database db((t.root / *current_dir(t.root)).string());
    CHECK(db.get_termfreq("Zhaven") == 2);
    CHECK(db.get_termfreq("haven") == 2);
    CHECK(db.get_termfreq("Shaven") == 2);   // a title's words as written, for title:
    CHECK(db.get_termfreq("Zreilli") == 1);  // the part stemmed as any word is
    CHECK(db.get_termfreq("t") == 0);        // "n't", "'s": endings, not words
    CHECK(db.get_termfreq("s") == 0);
    CHECK(db.get_termfreq("Zhaven't") == 1);
}

TEST_CASE("a post's counts are normalised by its length when indexed: the short post about the words ranks first")
{
    temp_index t;
    std::string rambling = "Printer tray jammed. ";
    for (int i = 0; i < 60; ++i) rambling += "Many other words about the office, coffee, meetings and weather. ";
    // The same mentions in both (title and body); unnormalised they would tie, and 1 come first.
    index_posts(t, {question(1, "Printer tray jammed", rambling),
                    question(2, "Printer tray jammed", "The printer tray is jammed.")});
    searcher s(t.root, 0);
    CHECK(threads(s.search({"printer tray jammed", {}, sort_order::relevance, 0, 10}, {})) ==
          std::vector<std::int64_t>{2, 1});
}
