#pragma once
// The search tables: the outbox that feeds the index (written in the same transaction as the
// change it announces), the state of a rebuild, the query log, and the rows search results
// are shown with.
#include "search/index.hpp"
#include "server/store/db.hpp"

#include <optional>
#include <string>
#include <vector>

namespace peerdesk::store {

// Announce a change of searchable content; call inside the writing transaction.
void enqueue_post(connection& db, std::int64_t post_id, std::int64_t now);
// The question and every answer (their documents carry the question's title, tags and state).
void enqueue_thread(connection& db, std::int64_t question_id, std::int64_t now);
// The question, when the answer just added is its first live one (its document says answered;
// later answers leave it as it is, and re-indexing it at every answer doubled the index work).
void enqueue_if_newly_answered(connection& db, std::int64_t question_id, std::int64_t now);

struct outbox_change {
    std::int64_t seq = 0;
    search::post_document doc;  // body and comments as stored HTML; the caller makes them text
};

struct outbox_stats {
    std::int64_t length = 0;
    std::optional<std::int64_t> oldest_created_at;
};

struct logged_query {
    std::string query;
    std::int64_t hits = 0;
    std::string source;  // site, api or widget
    std::int64_t created_at = 0;
    std::optional<std::int64_t> widget_key_id;
};

// A result followed from the widget (clicks), with the search it came from when the widget sent
// it; deflected: the thread has an answer, so the search ended on one.
struct widget_click {
    std::int64_t key_id = 0;
    std::int64_t question_id = 0;
    std::int64_t created_at = 0;
    std::string query;
    bool deflected = false;
};

struct search_counts {
    std::int64_t searches = 0, no_results = 0, clicks = 0, deflected = 0;
};

// Searches and clicks of one query on one day, summed before they are written.
struct query_tally {
    std::int64_t at = 0;  // the latest of them
    std::string source;   // site, api or widget
    std::int64_t widget_key = 0;
    std::string query;
    search_counts counts;
};

// A search that found nothing, grouped by normalised query over a period.
struct content_gap {
    std::string query;
    std::int64_t count = 0;   // searches without results in the period
    std::int64_t widget = 0;  // of them, in the widget
    std::int64_t before = 0;  // in the period of the same length just before
    std::int64_t last_at = 0;
};

struct search_day_row {
    std::int64_t day = 0;
    std::string source;
    std::int64_t searches = 0, no_results = 0, clicks = 0, deflected = 0;
};

// The log's bounds: distinct queries kept per day, source and widget key (the rest count in the
// day's totals only), and days a query is kept.
inline constexpr std::int64_t max_logged_queries_per_day = 1000;
inline constexpr std::int64_t logged_query_days = 400;

struct query_count {
    std::string query;
    std::int64_t count = 0;
    std::int64_t last_at = 0;
};

// How many of a post's comments a search hit's snippet may be cut from: the work per hit is
// bounded however long the discussion.
inline constexpr int snippet_comments = 20;

// What a search result shows, read fresh from the database; only live posts come back.
struct hit_row {
    std::int64_t post_id = 0;
    std::int64_t question_id = 0;
    bool is_question = true;
    bool is_idea = false;  // the hit is an idea (its question_id is the idea's own id)
    std::string title;
    std::int64_t score = 0;  // the question's
    std::int64_t answer_count = 0;
    bool accepted = false;         // the thread has an accepted answer
    bool accepted_answer = false;  // this post is that answer
    std::vector<std::string> tags;
    std::string excerpt;  // the question's, for lists without a snippet
    std::int64_t created_at = 0;
    // The post's own body and live comments (HTML), when asked for: a search cuts the hit's
    // snippet from them.
    std::string body_html;
    std::string comments_html;
};

class search_store {
public:
    explicit search_store(connection& db) : db_(db) {}

    std::vector<outbox_change> changes_after(std::int64_t seq, std::size_t limit);
    // Deletes the oldest outbox rows up to seq, at most limit of them, but none after the floor
    // of a rebuild in progress. Answers whether it stopped at the limit (more may remain).
    bool forget_applied(std::int64_t seq, std::size_t limit);
    // The changes after applied_seq: the ones the index does not hold yet.
    outbox_stats outbox(std::int64_t applied_seq);
    // The posts those changes are for, each with its last change's position; nothing when there
    // are more than limit posts (a backlog: an import, a stuck index).
    std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> pending_posts(std::int64_t applied_seq,
                                                                                    std::size_t limit);

    // Every visible post's id, the best first (search::quality_of, then the oldest).
    std::vector<std::int64_t> rebuild_order();
    // These posts, in this order, deleted ones marked not visible.
    std::vector<search::post_document> documents(std::vector<std::int64_t> const& ids);
    std::int64_t post_count();
    std::int64_t begin_rebuild(std::string const& dir);
    std::optional<std::string> rebuild_dir();
    void end_rebuild();

    // The log is counts, not rows per search (schema/0016_insights.sql): a batch of searches or
    // widget clicks is added to its day's counts, and days older than logged_query_days go.
    void log_queries(std::vector<logged_query> const& queries);
    void log_clicks(std::vector<widget_click> const& clicks);
    void log_tallies(std::vector<query_tally> const& tallies);
    // Forgets a query (in its normal form) on every day, for text that should not have been
    // kept; answers how many rows went. The day's totals, which hold no text, stay.
    std::int64_t forget_query(std::string_view text);
    std::vector<content_gap> gaps(std::int64_t from_day, std::int64_t to_day, std::int64_t limit);
    std::vector<search_day_row> day_totals(std::int64_t from_day, std::int64_t to_day);
    // Queries with no hits since a time, most frequent first.
    std::vector<query_count> no_hit_queries(std::int64_t since, std::int64_t limit);
    std::vector<query_count> top_queries(std::int64_t since, std::int64_t limit);

    // The rows for these posts, in the given order, without the ones deleted since indexing.
    // What each row holds beyond its post, question, title, score, answers and acceptance:
    enum class hit_columns {
        listed,     // its tags, excerpt and date, as a list of hits shows them
        with_text,  // those, and body_html and comments_html (the first snippet_comments live comments)
        titles,     // nothing more: a column of links (a question page's related questions)
    };
    std::vector<hit_row> hits(std::vector<std::int64_t> const& post_ids, hit_columns columns = hit_columns::listed);

private:
    void count(std::int64_t at, std::string const& source, std::int64_t widget_key, std::string_view text,
               search_counts const& n);
    connection& db_;
};

}  // namespace peerdesk::store
