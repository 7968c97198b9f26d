#pragma once
// Search as the application uses it: the index kept in step with the database, searches with
// their results read fresh from the database, similar questions, and the query log.
#include "search/indexer.hpp"
#include "server/app/actions.hpp"
#include "server/http/forms.hpp"
#include "server/render/safe_html.hpp"
#include "server/store/search_store.hpp"
#include "server/store/widget_store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace peerdesk::app {

enum class query_source { site, api, widget };

// The database as the indexer sees it: posts as plain-text documents, the outbox, the
// rebuild marker. Any thread may use it.
class database_source final : public search::source {
public:
    explicit database_source(store::database& db) : db_(db) {}
    std::vector<change> changes_after(std::int64_t seq, std::size_t limit) override;
    bool forget_applied(std::int64_t seq, std::size_t limit) override;
    std::vector<std::int64_t> rebuild_order() override;
    std::vector<search::post_document> documents(std::vector<std::int64_t> const& ids) override;
    std::int64_t post_count() override;
    std::int64_t begin_rebuild(std::string const& dir) override;
    std::optional<std::string> rebuild_dir() override;
    void end_rebuild() override;

    // Called on the indexer's thread with each question whose change it takes, and the change's
    // outbox position: the index holds the question once its applied position reaches that.
    // Set before the indexer starts.
    void on_question(std::function<void(std::int64_t question_id, std::int64_t seq)> fn)
    {
        on_question_ = std::move(fn);
    }

private:
    store::database& db_;
    std::function<void(std::int64_t, std::int64_t)> on_question_;
};

// How the background keeps related questions (search_service::start_related).
struct related_options {
    int quality_boost = 200;  // hundredths, as settings::search_quality_boost when it starts
    // A list older than this is found again: questions asked since may belong in it.
    std::chrono::seconds max_age{7 * 86400};
    // The walk over every question: a pause after each batch, and from the end of one walk to
    // the start of the next.
    std::chrono::milliseconds walk_pause{200};
    std::chrono::seconds walk_every{3600};
    std::chrono::seconds first_walk{1};
};

class search_service {
public:
    // The index lives under root (data/search). When there is none yet, it is built here,
    // before the server starts answering; then the indexer thread keeps it current, woken by
    // the database's after-write hook.
    // cache_pages: recent result pages kept until the index changes (0: none).
    search_service(store::database& db, std::filesystem::path root, std::size_t cache_pages = 4096);
    ~search_service();  // flushes the query log

    search::searcher const& readers() const { return readers_; }
    search::indexer_status indexer_status() const { return indexer_->status(); }
    // A write committed: the indexer looks at the outbox now rather than within a second.
    void notify()
    {
        if (auto* i = live_indexer_.load(std::memory_order_acquire)) i->notify();
    }
    void log(std::string query, std::int64_t hits, query_source source, std::optional<std::int64_t> widget_key = {});
    // A widget result followed through to its thread, with the search it came from (empty when
    // not known) and whether the thread has an answer; written with the query log.
    void log_click(std::int64_t widget_key, std::int64_t question_id, std::string query = {}, bool deflected = false);
    // Writes the searches and clicks counted since the last write (every few seconds anyway):
    // the pages that show the log call it first.
    void flush_log();

    // The related questions a question page found itself when none were kept in the database
    // yet, by the question and its text (so that an edit looks again), for up to a minute. Finding them is an OR of the
    // title's and tags' words (13 ms at a million posts, 34 at most), and the page cache renders a busy page again
    // every few seconds on an I/O thread, holding up that thread's other connections.
    std::optional<std::vector<std::int64_t>> related(std::string const& key);
    // settled: the index had every change when the ids were found, so they may be kept a minute;
    // otherwise (a question asked a moment ago may be missing) only a moment.
    void keep_related(std::string key, std::vector<std::int64_t> ids, bool settled);

    // Starts the thread that keeps each question's related questions in the database
    // (store::related_store), so that a page reads them by the question's id:
    // - a question the indexer has taken (asked, edited, voted on) once the index holds it, when
    //   it has no list yet or one for another title or tags; then the questions on its new list
    //   that have room for more are found again (it may belong in theirs), and a question no
    //   longer live has its list forgotten and the questions it named found again;
    // - a question whose page found no list (want_related);
    // - a walk over every question, 200 at a time, for lists missing, for another text or older
    //   than max_age, which fills a community that had none, and forgets the lists of
    //   questions no longer live.
    // A question with a change the index does not hold yet waits for the indexer's turn, so that
    // its neighbours are looked at again once it can be found. The thread runs at the lowest
    // priority, pauses between batches and writes each batch in one transaction that no page
    // cache notices (database::seen::no): a stored list is what the page found itself without
    // one. stop_related (or the destructor) ends it within one query.
    void start_related(related_options options);
    void stop_related();
    // A question's list is wanted: once the index holds every change up to after_seq (0: now).
    // force: found again even when the list kept is for the same text and recent. Bounded; the
    // walk finds the rest.
    void want_related(std::int64_t question_id, std::int64_t after_seq = 0, bool force = false);

private:
    struct wanted_related {
        std::int64_t seq = 0;
        std::chrono::steady_clock::time_point at;
        bool force = false;
    };
    enum class neighbours { look_again, leave };
    // Where a question to look at comes from: the indexer (its change is in the index), or
    // elsewhere (a page, a neighbour, the walk), when a change of it may still be on its way.
    enum class origin { index, elsewhere };
    enum class outcome_of_batch { done, stopped, backlog };
    void run_related();
    outcome_of_batch find_related(std::vector<std::int64_t> const& ids, origin from, neighbours then, bool forced);
    outcome_of_batch walk_related(std::int64_t& cursor);
    related_options related_options_;
    std::mutex related_work_mutex_;
    std::condition_variable related_wake_;
    std::unordered_map<std::int64_t, wanted_related> wanted_;  // guarded by related_work_mutex_
    std::atomic<bool> related_stop_{false};
    std::thread related_thread_;

private:
    struct related_entry {
        std::vector<std::int64_t> ids;
        std::chrono::steady_clock::time_point at;
        bool settled = true;
    };
    std::mutex related_mutex_;
    std::unordered_map<std::string, related_entry> related_;  // guarded by related_mutex_

    store::database& db_;
    database_source source_;
    search::searcher readers_;
    std::unique_ptr<search::indexer> indexer_;
    std::atomic<search::indexer*> live_indexer_{nullptr};  // for the after-write hook

    std::mutex log_mutex_;
    std::condition_variable log_wake_;
    void tally(std::string query, char const* source, std::int64_t widget_key, store::search_counts const& n);
    // Searches and clicks since the last write, by day, source, key and query (guarded by log_mutex_).
    std::unordered_map<std::string, store::query_tally> log_;
    bool stop_ = false;
    std::thread log_thread_;
};

struct search_request {
    std::string q;
    std::vector<std::string> tags;  // besides the [tag] filters in q
    bool answered = false;
    bool accepted = false;
    search::sort_order sort = search::sort_order::relevance;
    std::int64_t page = 1;
    std::int64_t pagesize = 30;
    // The words exactly as typed, without typo tolerance (the page's "search instead for").
    bool exact = false;
    query_source source = query_source::site;
    std::optional<std::int64_t> widget_key;  // the widget key a widget search came with
};

struct found_hit {
    store::hit_row row;
    render::safe_html snippet;
    std::string url;  // the thread, at the answer when an answer matched
};

struct search_results {
    std::vector<found_hit> hits;
    std::int64_t total = 0;
    bool total_exact = true;  // false: Xapian's estimate
    std::int64_t page = 1;
    std::int64_t pagesize = 30;
    search::parsed_query parsed;  // the text and the filters, q's and the parameters' together
    std::string suggestion;       // a whole query to offer instead, when the spelling looks wrong
    // The whole query as searched when words were taken for typos and searched as the words the
    // community uses ("Showing results for ..."); empty when none were.
    std::string corrected;
    // No post holds every word: the hits hold some of them.
    bool some_words = false;
};

inline constexpr std::int64_t max_search_results = 1000;

// The orders of search results as the page's tabs and the API's sort parameter name them.
struct search_choice {
    std::string_view key;
    std::string_view label;
    search::sort_order sort;
};
inline constexpr search_choice search_sorts[] = {{"relevance", "Best match", search::sort_order::relevance},
                                                 {"newest", "Newest", search::sort_order::newest},
                                                 {"votes", "Most votes", search::sort_order::votes}};

// Reads q, tag, answered, accepted, exact, sort, page and pagesize from a query string.
std::variant<search_request, failure> read_search_request(http::fields const& query, query_source source);

outcome<search_results> find(context& ctx, search_request const& request);
// The title typed so far, from the query of a "similar" request (questions' or ideas'): present,
// no longer than a title may be, and within the typing allowance.
outcome<std::string> read_typed_title(context& ctx, viewer const& who, http::fields const& query);
// Questions like the title (being typed, when partial), closest first, without exclude.
outcome<std::vector<store::hit_row>> similar_questions(context& ctx, std::string_view title,
                                                       std::optional<std::int64_t> exclude, std::size_t limit,
                                                       bool partial);
// Ideas like the title being typed (ids, closest first): seen before proposing one again.
outcome<std::vector<std::int64_t>> similar_idea_ids(context& ctx, std::string_view title, std::size_t limit);
// Questions like a question (its title and tags), closest first: what its page shows beside it
// and what the API answers. Read by the question's id from the list the background keeps
// (start_related) when there is one for its present title and tags; otherwise found in the
// index as the page is built (kept in memory for up to a minute, two seconds when none were
// found or the index was behind) and wanted by the background. Either way the rows are read
// fresh: a question deleted or hidden since is not among them.
inline constexpr std::size_t related_limit = 8;
// columns: what each row holds (a page's column of links needs only titles); most: how many
// rows are wanted (the first that are still there, in the list's order).
outcome<std::vector<store::hit_row>> related_questions(
    context& ctx, store::post_row const& question,
    store::search_store::hit_columns columns = store::search_store::hit_columns::listed,
    std::size_t most = related_limit);

}  // namespace peerdesk::app
