#pragma once
// Search as the application uses it: the index kept in step with the database, searches with
// their results read fresh from the database, similar questions, and the query log.
#include "search/indexer.hpp"
#include "server/app/actions.hpp"
#include "server/http/forms.hpp"
#include "server/render/safe_html.hpp"
#include "server/store/search_store.hpp"
#include "server/store/widget_store.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
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

private:
    store::database& db_;
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

    // The related questions a question page shows, by the question and its text (so that an
    // edit looks again), for up to a minute. Finding them is an OR of the title's and tags'
    // words (13 ms at a million posts, 34 at most), and the page cache renders a busy page
    // again every few seconds on an I/O thread, holding up that thread's other connections.
    std::optional<std::vector<std::int64_t>> related(std::string const& key);
    // settled: the index had every change when the ids were found, so they may be kept a minute;
    // otherwise (a question asked a moment ago may be missing) only a moment.
    void keep_related(std::string key, std::vector<std::int64_t> ids, bool settled);

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
// and what the API answers. Kept for up to a minute, so that a question asked meanwhile may
// take that long to appear (two seconds when none were found, or the index was behind: it may
// not have caught up with a new question yet).
inline constexpr std::size_t related_limit = 8;
outcome<std::vector<store::hit_row>> related_questions(context& ctx, store::post_row const& question);

}  // namespace peerdesk::app
