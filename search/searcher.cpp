// The searcher: a reader per thread of the current index, the result cache, and the queries
// (plain words loosened for typos and partial matches, anything else as Xapian parses it).
#include "search/document.hpp"
#include "search/facts.hpp"
#include "search/index.hpp"
#include "search/query_words.hpp"
#include "search/ranking.hpp"
#include "search/slots.hpp"
#include "search/snippet.hpp"

#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <list>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace peerdesk::search {
namespace {

namespace fs = std::filesystem;

// The most posts one search ranks to fill a page with distinct threads.
constexpr Xapian::doccount max_fetch = 200'000;

Xapian::Query boolean_term(std::string const& term)
{
    return Xapian::Query(term);
}

Xapian::Query filter_query(filters const& f)
{
    std::vector<Xapian::Query> parts;
    for (auto const& t : f.tags) parts.push_back(boolean_term(prefix_tag + t));
    if (f.user) parts.push_back(boolean_term(prefix_author + *f.user));
    if (f.answered) parts.push_back(boolean_term(term_answered));
    if (f.accepted) parts.push_back(boolean_term(term_accepted));
    if (f.kind == post_kind::question) parts.push_back(boolean_term(term_question));
    if (f.kind == post_kind::answer) parts.push_back(boolean_term(term_answer));
    if (f.kind == post_kind::idea) parts.push_back(boolean_term(term_idea));
    if (parts.empty()) return {};
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

std::int64_t thread_of(Xapian::Document const& doc)
{
    return number_in(doc, slot_thread);
}

// The post a ranked document is: from the facts, or for a document newer than them, its own.
std::int64_t post_of(post_facts const& facts, Xapian::MSetIterator const& it)
{
    if (auto const post = facts.post(*it)) return post;
    auto const doc = it.get_document();
    auto const post = number_in(doc, slot_post);
    return post ? post : *it;  // an index numbered by post id
}

// An OR of every word costs in proportion to their posting lists: similar questions look at a
// real title's worth of words, however long the text sent.
constexpr std::size_t similar_max_words = 12;

std::string first_words(std::string_view text, std::size_t max_words)
{
    std::string out;
    std::size_t words = 0;
    bool in_word = false;
    for (char ch : text) {
        bool const space = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
        if (!space && !in_word && ++words > max_words) break;
        in_word = !space;
        out += ch;
    }
    return out;
}

// One hit per thread, its best post, for the first `want` threads of a query's ranking.
struct collapsed {
    std::vector<hit> hits;
    std::unordered_set<std::uint32_t> threads;  // every thread among the posts fetched
    std::size_t total = 0;
    bool exact = true;
};

collapsed collapse(Xapian::Enquire& enquire, post_facts const& facts, std::size_t want)
{
    // One hit per thread, its best post. Xapian's own collapse reads the thread of every
    // candidate from a value slot; here the ranked posts are walked with the thread from
    // the facts, fetching more while a page lacks threads. Counting every match would
    // cost more than the page itself: beyond the posts fetched, the total is Xapian's
    // estimate scaled by the share of distinct threads among them.
    // The first fetch is only a little more than the page: the matcher raises the weight a
    // post needs to the least of the posts it holds, so the fewer it holds, the more it
    // passes over. At a million posts, 30 -> 14 for a page of 10: one thread answered
    // 6-15 % more queries a second in three of four alternating pairs (47 % in the
    // other), with the same pages for all 1,986 bench queries; 263 totals changed, most
    // of them estimates that moved, some an exact count of 14 to 29 posts that is now
    // an estimate.
    auto fetch = static_cast<Xapian::doccount>(want + want / 4 + 2);
    collapsed out;
    Xapian::MSet mset;
    bool complete = false;
    for (;;) {
        mset = enquire.get_mset(0, fetch, fetch);
        out.hits.clear();
        out.threads.clear();
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            auto thread = facts.thread(*it);
            if (thread == 0) thread = static_cast<std::uint32_t>(thread_of(it.get_document()));
            if (out.threads.insert(thread).second && out.hits.size() < want) {
                hit one;
                one.post_id = post_of(facts, it);
                one.question_id = thread;
                one.is_question = one.post_id == one.question_id;
                out.hits.push_back(one);
            }
        }
        complete = mset.size() < fetch;
        if (out.hits.size() >= want || complete || fetch >= max_fetch) break;
        fetch *= 4;
    }
    out.exact = complete;
    if (complete) {
        out.total = out.threads.size();
    } else {
        auto const share = static_cast<double>(out.threads.size()) / static_cast<double>(mset.size());
        out.total = std::max<std::size_t>(out.threads.size(),
                                          static_cast<std::size_t>(std::lround(mset.get_matches_estimated() * share)));
    }
    return out;
}

}  // namespace

struct searcher::handle {
    std::uint64_t generation = 0;
    std::string dir;
    Xapian::Database db;
    Xapian::QueryParser parser;
    Xapian::Stem stem{"english"};
    bool configured = false;
    Xapian::termcount wdf_scale = 1;  // of the index open now (wdf_scale_key)
};

namespace {
std::atomic<std::uint64_t> next_searcher_id{1};
}

// A small LRU of whole result pages, keyed by the query as the index sees it; emptied when
// the index generation moves on.
struct searcher::result_cache {
    explicit result_cache(std::size_t pages) : capacity(pages) {}
    std::size_t const capacity;
    std::mutex mutex;
    std::uint64_t generation = 0;
    std::list<std::pair<std::string, results>> order;  // most recent first
    std::unordered_map<std::string, decltype(order)::iterator> index;

    std::optional<results> find(std::string const& key, std::uint64_t gen)
    {
        std::lock_guard lock(mutex);
        if (gen != generation) return std::nullopt;
        auto const it = index.find(key);
        if (it == index.end()) return std::nullopt;
        order.splice(order.begin(), order, it->second);
        return it->second->second;
    }

    void store(std::string key, results const& r, std::uint64_t gen)
    {
        std::lock_guard lock(mutex);
        if (gen != generation) {
            index.clear();
            order.clear();
            generation = gen;
        }
        if (index.contains(key)) return;
        order.emplace_front(key, r);
        index.emplace(std::move(key), order.begin());
        if (order.size() > capacity) {
            index.erase(order.back().first);
            order.pop_back();
        }
    }
};

searcher::searcher(fs::path root, std::size_t cache_pages)
    : root_(std::move(root)),
      id_(next_searcher_id.fetch_add(1)),
      cache_(cache_pages > 0 ? std::make_unique<result_cache>(cache_pages) : nullptr)
{
}
searcher::~searcher() = default;

searcher::handle& searcher::open() const
{
    thread_local std::unordered_map<std::uint64_t, std::unique_ptr<handle>> handles;
    auto& h = handles[id_];
    if (!h) h = std::make_unique<handle>();
    auto const gen = generation_.load(std::memory_order_acquire);
    if (h->generation == gen && !h->dir.empty()) return *h;
    auto const dir = current_dir(root_);
    if (!dir) throw unavailable("The search index is being built; try again in a minute.");
    try {
        if (*dir == h->dir)
            h->db.reopen();
        else
            h->db = Xapian::Database((root_ / *dir).string());
    } catch (Xapian::Error const& e) {
        h->dir.clear();
        throw unavailable("The search index cannot be opened: " + e.get_msg());
    }
    h->dir = *dir;
    h->generation = gen;
    h->wdf_scale = h->db.get_metadata(wdf_scale_key) == std::to_string(wdf_scale) ? wdf_scale : 1;
    if (!h->configured) {
        h->parser.set_stemmer(h->stem);
        h->parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        h->parser.set_stopper(&stopper());
        h->parser.add_prefix("title", prefix_title);
        h->parser.set_max_expansion(50, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT,
                                    Xapian::QueryParser::FLAG_PARTIAL | Xapian::QueryParser::FLAG_WILDCARD);
        h->configured = true;
    }
    h->parser.set_database(h->db);
    return *h;
}

namespace {

// Runs fn against the thread's handle; when the writer committed twice meanwhile, reopens and
// tries once more.
template <typename Fn>
auto with_retry(searcher::handle& h, Fn&& fn)
{
    try {
        return fn();
    } catch (Xapian::DatabaseModifiedError const&) {
        h.db.reopen();
        return fn();
    }
}

}  // namespace

results searcher::search(query_request const& request, tuning const& tune) const
{
    if (!cache_) return run(request, tune);
    auto const gen = generation_.load(std::memory_order_acquire);
    std::string key = format_query(request.text, request.filter);
    key += '\0';
    key += std::to_string(static_cast<int>(request.sort)) + ':' + std::to_string(request.offset) + ':' +
           std::to_string(request.limit) + ':' + std::to_string(tune.quality_boost) + (request.exact ? ":exact" : "");
    if (auto cached = cache_->find(key, gen)) return std::move(*cached);
    auto r = run(request, tune);
    cache_->store(std::move(key), r, gen);
    return r;
}

namespace {

// Any text that is not plain words, as Xapian's query parser reads it (with extra flags).
Xapian::Query parsed(Xapian::QueryParser& qp, std::string const& text, unsigned extra)
{
    unsigned const flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_PURE_NOT;
    try {
        return qp.parse_query(text, flags | extra);
    } catch (Xapian::QueryParserError const&) {
        // Unbalanced operators and the like: search the words as plain words.
        return qp.parse_query(text, extra);
    }
}

// One query's matches under the request's filter and sort, one hit per thread.
collapsed ranked(searcher::handle& h, Xapian::Query query, query_request const& request, Xapian::Query const& filter,
                 tuning const& tune, std::shared_ptr<post_facts const> const& facts)
{
    if (!filter.empty()) query = Xapian::Query(Xapian::Query::OP_FILTER, query, filter);
    // Ideas are found when asked for; a support search finds questions and answers.
    if (request.filter.kind != post_kind::idea)
        query = Xapian::Query(Xapian::Query::OP_AND_NOT, query, Xapian::Query(term_idea));
    Xapian::Enquire enquire(h.db);
    rank_by_bm25(enquire, tune, h.wdf_scale);
    switch (request.sort) {
        case sort_order::relevance:
            query = with_quality(query, tune, facts);
            break;
        case sort_order::newest:
            enquire.set_sort_by_value_then_relevance(slot_created, true);
            break;
        case sort_order::votes:
            enquire.set_sort_by_value_then_relevance(slot_score, true);
            break;
    }
    enquire.set_query(query);
    return collapse(enquire, *facts, request.offset + request.limit);
}

// Whether a plain query found so few threads that it is loosened (see tuning::partial).
bool too_few(collapsed const& found, std::vector<query_word> const& words, tuning const& tune)
{
    return tune.partial > 0 && static_cast<double>(found.threads.size()) < tune.relax_below && found.exact &&
           words.size() >= 2;
}

// The loosened query's threads after the strict one's, each thread once.
void add_after(collapsed& found, collapsed const& more, std::size_t want)
{
    std::size_t added = 0;
    for (auto const& one : more.hits) {
        if (found.threads.contains(static_cast<std::uint32_t>(one.question_id))) continue;
        ++added;
        if (found.hits.size() < want) found.hits.push_back(one);
    }
    for (auto t : more.threads) found.threads.insert(t);
    found.exact = more.exact;
    found.total = more.exact ? found.threads.size() : std::max(found.total + added, more.total);
}

// "Did you mean": the query with the spelling data's corrections, or empty.
std::string suggestion_for(searcher::handle& h, query_request const& request, std::size_t total)
{
    parsed(h.parser, request.text, Xapian::QueryParser::FLAG_SPELLING_CORRECTION);
    auto suggestion = h.parser.get_corrected_query_string();
    if (!only_indexed_words(h.db, request.text, suggestion)) return {};
    // The spelling dictionary holds words as written, the index their stems: a query for
    // "invoice" that finds "invoices" would be offered its own plural.
    if (total > 0 && same_stems(suggestion, request.text, h.stem)) return {};
    return suggestion;
}

}  // namespace

results searcher::run(query_request const& request, tuning const& tune) const
{
    auto& h = open();
    try {
        return with_retry(h, [&] {
            results out;
            h.parser.set_default_op(Xapian::Query::OP_AND);
            // Never Xapian::Query::MatchAll: a static shared by every thread, and copying it
            // counts references without atomics (searches crashed under concurrent load).
            Xapian::Query q{std::string()};
            // A plain query (words only) is built here, word by word, so that a word may also
            // match its typo's correction and the query may be loosened; any other keeps its
            // strict meaning through the parser.
            auto const plain = request.text.empty() ? std::nullopt : plain_words(request.text);
            std::vector<query_word> words;
            if (plain) {
                words = words_of_query(h.db, *plain, tune, h.stem, request.exact, out.corrected);
                q = all_words(words, tune, false);
            } else if (!request.text.empty()) {
                q = parsed(h.parser, request.text, 0);
                if (q.empty()) q = Xapian::Query(std::string());  // nothing searchable was typed: all
            }
            auto marked = snippet_terms_of(q, prefix_title);
            auto const filter = filter_query(request.filter);
            auto const facts = facts_for(h);
            auto found = ranked(h, q, request, filter, tune, facts);
            // Too few threads hold every word: posts that miss one word of a longer query, and
            // answers whose thread (their question) holds the words, come after them.
            // In two steps, each only while too few: every word in the post or its thread, then
            // (longer queries) every word but one in the post. One OR of all-but-one ANDs whose
            // words each had their thread alternative cost 2-12 ms a query at a million posts
            // (116 of the 1,986 bench queries: 153 -> 581 a second in one thread), and the
            // relevance benchmark is as good or better on every kind of both parts (overall
            // 0.933 -> 0.934 tuning, 0.948 -> 0.949 held out; inflected +0.005 both).
            if (plain && too_few(found, words, tune)) {
                auto const want = request.offset + request.limit;
                add_after(found, ranked(h, all_words(words, tune, true), request, filter, tune, facts), want);
                if (static_cast<double>(words.size()) >= tune.partial_min_words && too_few(found, words, tune))
                    add_after(found, ranked(h, all_but_one(words, tune, false), request, filter, tune, facts), want);
                // Still nothing: posts with any of the words rather than an empty page, as an OR
                // search would give (not when the words were asked for exactly as typed). Only a
                // search that found nothing pays for it. Relevance benchmark: see
                // bench/HISTORY.md (issue 27).
                if (found.threads.empty() && !request.exact) {
                    add_after(found, ranked(h, any_word(words, tune), request, filter, tune, facts), want);
                    out.some_words = !found.threads.empty();
                }
            }
            out.exact = found.exact;
            out.total = found.total;
            // Spelling is looked up only when the query finds little and no word was corrected
            // already: a misspelt word finds nothing, and the lookup costs more than the search.
            // A plain query's words were weighed by typo tolerance: when every one is a word the
            // community uses, none is a typo to offer a correction of (the parser offered other
            // words for them, "regan" for "began", at 2.3 million instructions a query). Nor is a
            // word some post holds, when the query found posts: typo tolerance found no word
            // used far more often, and the parser's looser look-up offered "flatbed open
            // scanner" for "flatbed seen scanner" that had found its post.
            bool const may_be_typo = !plain || std::any_of(words.begin(), words.end(), [&](query_word const& w) {
                return w.unknown || (w.rare && out.total == 0);
            });
            if (!request.text.empty() && out.total < 3 && out.corrected.empty() && !request.exact && may_be_typo)
                out.suggestion = suggestion_for(h, request, out.total);
            for (auto i = request.offset; i < found.hits.size(); ++i) out.hits.push_back(found.hits[i]);
            out.marked = std::move(marked);
            return out;
        });
    } catch (Xapian::DatabaseError const& e) {
        h.generation = 0;  // reopen next time
        throw unavailable("The search index cannot be read: " + e.get_msg());
    } catch (Xapian::Error const& e) {
        throw bad_query("This search cannot be run (" + e.get_msg() + "); change its words.");
    }
}

namespace {

// The words of a title that tell it apart: "how", "the" and "to" stand in most titles, cost
// the most to walk and add almost nothing to a match. Up to six of the rarest, leaving out any
// in more than one title in twenty (unless that leaves fewer than two). A word in fewer than
// 1,000 posts is never common: a small community's related questions keep all their words (in
// one of thirty titles, "wireless" was common, and a near-duplicate question lost its original).
Xapian::Query rarest_words(Xapian::Database const& db, Xapian::Query const& q)
{
    std::vector<std::pair<Xapian::doccount, std::string>> words;
    for (auto it = q.get_unique_terms_begin(); it != q.get_unique_terms_end(); ++it)
        words.emplace_back(db.get_termfreq(*it), *it);
    std::sort(words.begin(), words.end());
    auto const common = std::max<Xapian::doccount>(db.get_doccount() / 20, 1000);
    std::vector<std::string> kept;
    for (auto const& [freq, word] : words) {
        if (freq == 0) continue;
        if (kept.size() == 6 || (freq > common && kept.size() >= 2)) break;
        kept.push_back(word);
    }
    return Xapian::Query(Xapian::Query::OP_OR, kept.begin(), kept.end());
}

}  // namespace

std::vector<hit> searcher::similar(std::string_view text, std::optional<std::int64_t> exclude, std::size_t limit,
                                   bool partial, tuning const& tune, post_kind kind, bool titles_only) const
{
    auto& h = open();
    try {
        return with_retry(h, [&] {
            std::vector<hit> out;
            auto& qp = h.parser;
            qp.set_default_op(Xapian::Query::OP_OR);
            Xapian::Query q;
            try {
                q = qp.parse_query(first_words(text, similar_max_words),
                                   partial ? Xapian::QueryParser::FLAG_PARTIAL : 0, titles_only ? prefix_title : "");
            } catch (Xapian::QueryParserError const&) {
                return out;
            }
            if (q.empty()) return out;
            if (titles_only) {
                q = rarest_words(h.db, q);
                // Only questions and ideas have titles: leaving ideas out walks the postings of
                // 100,000 ideas where keeping questions walked those of every question.
                q = kind == post_kind::idea ? Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(term_idea))
                                            : Xapian::Query(Xapian::Query::OP_AND_NOT, q, Xapian::Query(term_idea));
            } else {
                q = Xapian::Query(Xapian::Query::OP_FILTER, q,
                                  Xapian::Query(kind == post_kind::idea ? term_idea : term_question));
            }
            // The question itself holds every word: left in, it set the bar of the cutoff below,
            // and in a community whose titles share two or three words no other came near it
            // (the small benchmark's questions had no related questions at all).
            if (exclude)
                q = Xapian::Query(Xapian::Query::OP_AND_NOT, q,
                                  Xapian::Query(std::string(prefix_post) + std::to_string(*exclude)));
            Xapian::Enquire enquire(h.db);
            // Only questions sharing a fair part of the words: a single common word is noise.
            // Among a title's rarest words one shared word already says something, and Xapian's
            // percentage counts the words matched: one of six never reached 30.
            enquire.set_cutoff(titles_only ? 10 : 30);
            rank_by_bm25(enquire, tune, h.wdf_scale);
            auto const facts = facts_for(h);
            std::vector<std::pair<double, std::int64_t>> ranked;  // weight, post
            if (titles_only) {
                // Title terms are indexed once per title, not at the scaled counts the body's
                // words get, so the scaled weighting gave them next to nothing and the cutoff
                // left no related question: plain BM25 for titles. The quality of the best title
                // matches is added here rather than in the matcher, where its source is asked at
                // every candidate (it halved the cost).
                enquire.set_weighting_scheme(Xapian::BM25Weight());
                enquire.set_query(q);
                auto const mset =
                    enquire.get_mset(0, static_cast<Xapian::doccount>(std::max<std::size_t>(limit * 4, 32)));
                for (auto it = mset.begin(); it != mset.end(); ++it)
                    ranked.emplace_back(it.get_weight() + facts->quality(*it) * tune.quality_boost,
                                        post_of(*facts, it));
                std::stable_sort(ranked.begin(), ranked.end(),
                                 [](auto const& a, auto const& b) { return a.first > b.first; });
            } else {
                enquire.set_query(with_quality(q, tune, facts));
                auto const mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit + 1));
                for (auto it = mset.begin(); it != mset.end(); ++it)
                    ranked.emplace_back(it.get_weight(), post_of(*facts, it));
            }
            for (auto const& [weight, post] : ranked) {
                if (out.size() == limit) break;
                if (exclude && post == *exclude) continue;
                hit one;
                one.post_id = one.question_id = post;
                out.push_back(std::move(one));
            }
            return out;
        });
    } catch (Xapian::DatabaseError const& e) {
        h.generation = 0;
        throw unavailable("The search index cannot be read: " + e.get_msg());
    } catch (Xapian::Error const& e) {
        throw bad_query("This search cannot be run (" + e.get_msg() + "); change its words.");
    }
}

std::shared_ptr<post_facts const> searcher::facts_for(handle& h) const
{
    std::lock_guard lock(facts_mutex_);
    // Behind this reader's index (a writer that does not call learn, or a commit whose learn
    // is still to come), or another index: read it afresh.
    if (!facts_ || facts_->dir() != h.dir || facts_->revision() < h.db.get_revision()) load_facts(h.dir);
    return facts_;
}

void searcher::load_facts(std::string const& dir) const
{
    Xapian::Database fresh((root_ / dir).string());
    facts_ = post_facts::load(fresh, dir);
}

void searcher::learn(std::string const& dir, std::uint64_t revision, std::vector<post_fact> const& facts)
{
    std::lock_guard lock(facts_mutex_);
    try {
        // Opened after the commit, a fresh table holds it already.
        if (!facts_ || facts_->dir() != dir || revision > facts_->revision() + 1) return load_facts(dir);
    } catch (Xapian::Error const&) {
        facts_.reset();  // readers will try again
        return;
    }
    for (auto const& f : facts) facts_->set(f);
    if (revision > facts_->revision()) facts_->set_revision(revision);
}

std::optional<std::string> searcher::problem() const
{
    try {
        auto& h = open();
        h.db.get_doccount();
        return std::nullopt;
    } catch (unavailable const& e) {
        return e.what();
    } catch (Xapian::Error const& e) {
        return "The search index cannot be read: " + e.get_msg();
    }
}

}  // namespace peerdesk::search
