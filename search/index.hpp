#pragma once
// The Xapian index of a community: documents built from posts, a searcher that any thread may
// call, and a writer for the one indexing thread. Xapian stays behind this interface.
//
// On disk, under the search root (data/search): one directory per index build and a file
// CURRENT naming the one in use. A rebuild fills a new directory and then replaces CURRENT
// with rename(), so readers switch from a complete index to a complete index.
#include "search/facts.hpp"
#include "search/query.hpp"
#include "search/snippet.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::search {

// A post as the index sees it. Answers carry their question's title and tags, so that a
// search for the problem finds the answer that solves it.
struct post_document {
    std::int64_t id = 0;
    std::int64_t question_id = 0;  // its own id for a question
    bool is_question = true;
    bool is_idea = false;  // an idea: found only by searches that ask for ideas (is:idea)
    bool visible = true;   // false for deleted, hidden or held posts: the index drops them
    std::string title;
    std::string body;      // plain text
    std::string comments;  // plain text of the live comments
    // An answer's question's text (plain), indexed as the thread's words at a low weight, so
    // that words spread over a question and its answer still find the answer; empty for a
    // question.
    std::string thread_text;
    std::vector<std::string> tags;
    std::string author;  // username
    std::int64_t created_at = 0;
    std::int64_t score = 0;
    bool thread_answered = false;
    bool thread_accepted = false;
    bool accepted_answer = false;  // this answer is the thread's accepted one
    bool endorsed = false;         // a moderator endorsed this answer
};

// How search ranks and how far it loosens a query, each choice measured on the relevance
// benchmark (scripts/bench --relevance; see README, "Search", and the commits that set them).
// relevance = BM25 + quality_boost × quality, where quality is 0.5 for an accepted answer or a
// question with one, 0.2 for an answered thread, up to 0.3 for votes (0.15 × log10(1 + score),
// capped), and 0.3 for a moderator-endorsed answer.
struct tuning {
    double quality_boost = 2.0;
    // BM25's k1, and b at search time (how much a post's length counts on top of the
    // normalisation done when posts are indexed; see capped_bm25 in ranking.cpp).
    double k1 = 1.2;
    double length_b = 0;
    // A word's count in a post is taken as at most this much (a title mention is 5, a body one 1.5,
    // before the length norm); see capped_bm25 in ranking.cpp. With counts normalised by length, a
    // short post's counts are large, and the matcher's bound (the largest count in the index,
    // capped) passes over fewer posts. At a million posts, one thread: cap 8 548 queries/s, 5 855,
    // 4 1,040, 3 1,169; MRR@10 on the tuning part 0.932, 0.933, 0.930, 0.929. Later, with partial
    // matching in two steps, instructions a search over all 1,986 bench queries (callgrind): cap 3
    // 6.6 million, 2.5 6.0, 2 5.0; relevance at 600 queries a kind over four seeds moves by at most
    // 0.003 either way at 2.5 or 2. 2 is not taken: a short post's title mention and body mention
    // both reach the cap, and a word in a title should still weigh more (a unit test holds this).
    double wdf_cap = 2.5;
    // Typo tolerance: a word of a plain query held by fewer than typo_rare_share of the posts
    // (and by at most 2 in a small community) is looked up in the spelling dictionary; a word
    // within 1 edit (4-7 letters) or 2 (8 or more) that the community uses at least
    // typo_ratio times as often is searched too, at typo_weight of its weight. typos 0: never.
    double typos = 1;
    double typo_rare_share = 0.0001;
    double typo_ratio = 20;
    double typo_weight = 0.7;
    // Partial matching: when the posts that hold every word are fewer than relax_below
    // threads, each word also matches an answer whose question holds it (at thread_weight);
    // when that still finds too few, a query of at least partial_min_words words also finds
    // posts that miss one; each step ranked after the one before. partial 0: never.
    double partial = 1;
    double partial_min_words = 3;
    // 2 rather than 3: at a million posts the loosened pass for queries that found exactly two
    // threads cost a third of all search time (744 → 1,037 queries a second in one thread),
    // and the relevance benchmark's tuning part lost 0.003 on spread queries, 0.001 overall.
    double relax_below = 2;
    double thread_weight = 0.3;
};
// The knobs of tuning by name, for the relevance benchmark's --set.
struct tuning_knob {
    char const* name;
    double tuning::*field;
};
std::vector<tuning_knob> const& tuning_knobs();
double quality_of(post_document const& d);
// The post as ranking remembers it (see facts.hpp), as the document docid.
post_fact fact_of(post_document const& d, std::uint32_t docid);

struct hit {
    std::int64_t post_id = 0;
    std::int64_t question_id = 0;
    bool is_question = true;
};

struct results {
    std::vector<hit> hits;
    std::size_t total = 0;   // an estimate when large, exact for small result sets
    bool exact = true;       // whether total counts every match
    std::string suggestion;  // the free text with its spelling corrected; empty when it looks right
    // The free text as searched when some of its words were taken for typos and searched with
    // the words the community uses instead ("Showing results for ..."); empty when none were.
    std::string corrected;
    // No post holds every word of the plain query: the hits hold some of them (the last resort
    // of a query that found nothing otherwise).
    bool some_words = false;
    // The query's words, for each hit's snippet (hit_snippet), which is cut from the post's text
    // as the database holds it: read with the hit's row, that costs less than reading the text
    // back from the index (a 32 KB block and an inflate for each hit).
    snippet_terms marked;
};

// The index cannot answer now (missing, being built, damaged): a 503 for users.
class unavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Xapian would not run the query (a 422 for users, with this message).
class bad_query : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads the index on behalf of any thread; each thread keeps its own Xapian handle and
// reopens it after the writer says the index changed.
class searcher {
public:
    // cache_pages: how many recent result pages to keep (0: none).
    explicit searcher(std::filesystem::path root, std::size_t cache_pages = 4096);
    ~searcher();

    results search(query_request const& request, tuning const& tune) const;
    // Questions like the given text (a title being typed, or a question's title and tags),
    // closest first. With partial, the last word may be unfinished.
    // With kind idea, ideas like the text instead of questions. With titles_only, the words
    // are looked for in titles alone: a question's related questions (a title's postings are a
    // tenth of its body's, and a title says what a thread is about).
    std::vector<hit> similar(std::string_view text, std::optional<std::int64_t> exclude, std::size_t limit,
                             bool partial, tuning const& tune, post_kind kind = post_kind::question,
                             bool titles_only = false) const;
    // Readers reopen before their next query.
    void changed() { generation_.fetch_add(1, std::memory_order_release); }
    // Moves on with every change of the index: what was found before is stale once it has.
    std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
    // The writer of dir committed revision with these posts changed. The first call for a
    // directory reads every post's facts from it (the indexing thread pays, not a reader).
    void learn(std::string const& dir, std::uint64_t revision, std::vector<post_fact> const& facts);
    // Why the index cannot answer, or nothing when it can.
    std::optional<std::string> problem() const;
    std::filesystem::path const& root() const { return root_; }

    struct handle;  // one thread's Xapian database and query parser

private:
    handle& open() const;
    results run(query_request const& request, tuning const& tune) const;
    std::shared_ptr<post_facts const> facts_for(handle& h) const;
    void load_facts(std::string const& dir) const;
    std::filesystem::path root_;
    std::uint64_t id_;
    std::atomic<std::uint64_t> generation_{1};
    // Recent results, valid until the index changes (a writer commit bumps the generation).
    // Support searches repeat (the same few problems, the widget while typing), and at a
    // million posts one query reads thousands of index blocks.
    struct result_cache;
    std::unique_ptr<result_cache> cache_;
    // The facts of the index readers use now; replaced when they move to another one.
    mutable std::mutex facts_mutex_;
    mutable std::shared_ptr<post_facts> facts_;
};

// The one writer of an index directory (Xapian allows one; a second one gets locked_error).
class writer {
public:
    // synced: every commit is fsynced. unsynced: commits are not, and the index is marked
    // until sync() or the writer's end (see interrupted_by_machine); falls back to synced where
    // the machine's boot id cannot be read.
    enum class commits { synced, unsynced };
    // Opens the directory, creating it when create is set.
    writer(std::filesystem::path const& dir, bool create, commits mode = commits::synced);
    ~writer();  // syncs
    writer(writer const&) = delete;
    writer& operator=(writer const&) = delete;

    // Adds, replaces or (when the post is not visible) removes the post's document; answers
    // the post's facts under its docid (docid 0: there was nothing to remove).
    post_fact apply(post_document const& d);
    // For a rebuild: adds a post that is not in the index (an invisible one is left out).
    post_fact add(post_document const& d);
    // An index from before documents had their own numbers, or of another format (what its
    // documents hold, such as counts normalised by length): read it, but rebuild it.
    bool outdated() const;
    // The outbox position the index reflects; stored with the documents at commit.
    std::int64_t applied() const;
    void set_applied(std::int64_t seq);
    void commit();
    // Commits, makes every file of the index durable and removes the marker.
    void sync();
    // The revision the last commit made.
    std::uint64_t revision() const;
    std::size_t document_count() const;

private:
    post_fact put(post_document const& d, bool fresh);
    struct impl;
    std::unique_ptr<impl> impl_;
};

class locked_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// CURRENT and the directories under the root.
std::optional<std::string> current_dir(std::filesystem::path const& root);
void make_current(std::filesystem::path const& root, std::string const& dir);
std::string new_dir_name();
// Whether a writer holds the directory now (a running server or reindex).
bool is_locked(std::filesystem::path const& dir);
// Whether the machine stopped (power loss, kernel crash) while a writer of the directory made
// unsynced commits: its files may disagree, and it must be rebuilt.
bool interrupted_by_machine(std::filesystem::path const& dir);

}  // namespace peerdesk::search
