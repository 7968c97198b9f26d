#include "server/store/search_store.hpp"

#include "server/domain/insights.hpp"

#include "server/store/post_store.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace peerdesk::store {

// A post as the index needs it. Answers take their question's title, tags and state, and its
// body as the thread's words; a post
// is visible while it and its question are live (visible_posts' condition, here a column: the
// index hears of hidden and deleted posts too, to drop them).
#define PEERDESK_DOCUMENT_COLUMNS                                                                                    \
    "p.id, coalesce(q.duplicate_of, q.id), p.kind = 'question', (p.deleted_at IS NULL AND q.deleted_at IS NULL AND " \
    "p.state = 'live' AND q.state = 'live'), q.title, "                                                              \
    "p.body_html, "                                                                                                  \
    "(SELECT group_concat(c.body_html, ' ') FROM live_comments c WHERE c.post_id = p.id), "                          \
    "(SELECT group_concat(t.name, ' ') FROM question_tags qt JOIN tags t ON t.id = qt.tag_id "                       \
    "  WHERE qt.question_id = q.id), "                                                                               \
    "u.username, p.created_at, p.score, q.answer_count > 0, q.accepted_answer_id IS NOT NULL, "                      \
    "q.accepted_answer_id IS p.id, p.endorsed_at IS NOT NULL, "                                                      \
    "CASE WHEN p.id = q.id THEN NULL ELSE q.body_html END, p.kind = 'idea' "
#define PEERDESK_DOCUMENT_JOINS \
    "JOIN posts q ON q.id = coalesce(p.question_id, p.id) JOIN users u ON u.id = p.author_id "

namespace {

// The columns after a query's first (an outbox seq or 0), in this order.
search::post_document read_document(statement& s)
{
    search::post_document d;
    d.id = s.integer(1);
    d.question_id = s.integer(2);
    d.is_question = s.integer(3) != 0;
    d.visible = s.integer(4) != 0;
    d.title = s.optional_text(5).value_or("");
    d.body = s.text(6);
    d.comments = s.optional_text(7).value_or("");
    d.tags = split_words(s.optional_text(8).value_or(""));
    d.author = s.text(9);
    d.created_at = s.integer(10);
    d.score = s.integer(11);
    d.thread_answered = s.integer(12) != 0;
    d.thread_accepted = s.integer(13) != 0;
    d.accepted_answer = s.integer(14) != 0;
    d.endorsed = s.integer(15) != 0;
    d.thread_text = s.optional_text(16).value_or("");
    d.is_idea = s.integer(17) != 0;
    return d;
}

}  // namespace

namespace sql {

constexpr std::string_view enqueue_post = "INSERT INTO search_outbox (post_id, created_at) VALUES (?1, ?2)";
// After a recount: a question whose one live answer is the new one has just become answered.
constexpr std::string_view enqueue_if_newly_answered =
    "INSERT INTO search_outbox (post_id, created_at) SELECT id, ?2 FROM posts WHERE id = ?1 AND answer_count = 1";
constexpr std::string_view enqueue_thread =
    "INSERT INTO search_outbox (post_id, created_at) "
    "SELECT id, ?2 FROM posts WHERE id = ?1 OR question_id = ?1 ORDER BY id";

constexpr std::string_view changes_after =
    "SELECT o.seq, " PEERDESK_DOCUMENT_COLUMNS
    "FROM search_outbox o JOIN posts p ON p.id = o.post_id " PEERDESK_DOCUMENT_JOINS
    "WHERE o.seq > ?1 ORDER BY o.seq LIMIT ?2";
constexpr std::string_view document =
    "SELECT 0, " PEERDESK_DOCUMENT_COLUMNS "FROM posts p " PEERDESK_DOCUMENT_JOINS "WHERE p.id = ?1";
// What quality_of needs, for every post a rebuild indexes.
constexpr std::string_view rank_facts =
    "SELECT p.id, p.kind = 'question', p.score, q.answer_count > 0, q.accepted_answer_id IS NOT NULL, "
    "q.accepted_answer_id IS p.id, p.endorsed_at IS NOT NULL "
    "FROM live_posts p JOIN live_posts q ON q.id = coalesce(p.question_id, p.id)";
#undef PEERDESK_DOCUMENT_COLUMNS
#undef PEERDESK_DOCUMENT_JOINS

constexpr std::string_view forget_applied =
    "DELETE FROM search_outbox WHERE seq IN (SELECT seq FROM search_outbox WHERE seq <= min(?1, "
    "coalesce((SELECT floor FROM search_state WHERE key = 'rebuild'), ?1)) ORDER BY seq LIMIT ?2)";
constexpr std::string_view outbox_stats = "SELECT count(*), min(created_at) FROM search_outbox WHERE seq > ?1";
constexpr std::string_view pending_posts =
    "SELECT post_id, max(seq) FROM search_outbox WHERE seq > ?1 GROUP BY post_id LIMIT ?2";
constexpr std::string_view post_count = "SELECT count(*) FROM posts";
constexpr std::string_view last_seq =
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'search_outbox'), 0)";
constexpr std::string_view set_rebuild =
    "INSERT INTO search_state (key, value, floor) VALUES ('rebuild', ?1, ?2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, floor = excluded.floor";
constexpr std::string_view get_rebuild = "SELECT value FROM search_state WHERE key = 'rebuild'";
constexpr std::string_view end_rebuild = "DELETE FROM search_state WHERE key = 'rebuild'";
// The log is counts per day, source, widget key and normalised query (schema/0016_insights.sql).
constexpr std::string_view bump_total =
    "INSERT INTO search_day_totals (day, source, widget_key, searches, no_results, clicks, deflected) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (day, source, widget_key) DO UPDATE SET "
    "searches = searches + excluded.searches, no_results = no_results + excluded.no_results, "
    "clicks = clicks + excluded.clicks, deflected = deflected + excluded.deflected";
constexpr std::string_view bump_query =
    "UPDATE search_days SET searches = searches + ?5, no_results = no_results + ?6, clicks = clicks + ?7, "
    "deflected = deflected + ?8, last_at = max(last_at, ?9) "
    "WHERE day = ?1 AND source = ?2 AND widget_key = ?3 AND query = ?4";
// A new query's row, while the day holds fewer than the bound of distinct queries for its source and key.
constexpr std::string_view new_query =
    "INSERT INTO search_days (day, source, widget_key, query, searches, no_results, clicks, deflected, last_at) "
    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM search_day_totals t "
    "WHERE t.day = ?1 AND t.source = ?2 AND t.widget_key = ?3 AND t.queries < ?10";
constexpr std::string_view count_query =
    "UPDATE search_day_totals SET queries = queries + 1 WHERE day = ?1 AND source = ?2 AND widget_key = ?3";
constexpr std::string_view forget_old = "DELETE FROM search_days WHERE day < ?1";
constexpr std::string_view forget_query = "DELETE FROM search_days WHERE query = ?1";
constexpr std::string_view no_hit_queries =
    "SELECT query, sum(no_results), max(last_at) FROM search_days WHERE day >= ?1 AND no_results > 0 "
    "GROUP BY query ORDER BY 2 DESC, 3 DESC LIMIT ?2";
constexpr std::string_view top_queries =
    "SELECT query, sum(searches), max(last_at) FROM search_days WHERE day >= ?1 "
    "GROUP BY query ORDER BY 2 DESC, 3 DESC LIMIT ?2";
constexpr std::string_view gaps =
    "SELECT query, sum(no_results), sum(CASE WHEN source = 'widget' THEN no_results ELSE 0 END), max(last_at) "
    "FROM search_days WHERE day BETWEEN ?1 AND ?2 AND no_results > 0 "
    "GROUP BY query ORDER BY 2 DESC, 4 DESC, query LIMIT ?3";
constexpr std::string_view gap_before =
    "SELECT coalesce(sum(no_results), 0) FROM search_days WHERE query = ?1 AND day BETWEEN ?2 AND ?3";
constexpr std::string_view day_totals =
    "SELECT day, source, sum(searches), sum(no_results), sum(clicks), sum(deflected) FROM search_day_totals "
    "WHERE day BETWEEN ?1 AND ?2 GROUP BY day, source ORDER BY day, source";

}  // namespace sql

void enqueue_post(connection& db, std::int64_t post_id, std::int64_t now)
{
    db.cached(sql::enqueue_post).bind(post_id, now).run();
}

void enqueue_if_newly_answered(connection& db, std::int64_t question_id, std::int64_t now)
{
    db.cached(sql::enqueue_if_newly_answered).bind(question_id, now).run();
}

void enqueue_thread(connection& db, std::int64_t question_id, std::int64_t now)
{
    db.cached(sql::enqueue_thread).bind(question_id, now).run();
}

std::vector<outbox_change> search_store::changes_after(std::int64_t seq, std::size_t limit)
{
    std::vector<outbox_change> out;
    auto& s = db_.cached(sql::changes_after).bind(seq, static_cast<std::int64_t>(limit));
    while (s.step()) out.push_back({s.integer(0), read_document(s)});
    s.reset();
    return out;
}

bool search_store::forget_applied(std::int64_t seq, std::size_t limit)
{
    db_.cached(sql::forget_applied).bind(seq, static_cast<std::int64_t>(limit)).run();
    return static_cast<std::size_t>(db_.changes()) == limit;
}

outbox_stats search_store::outbox(std::int64_t applied_seq)
{
    auto& s = db_.cached(sql::outbox_stats).bind(applied_seq);
    s.step();
    outbox_stats out{s.integer(0), s.optional_integer(1)};
    s.reset();
    return out;
}

std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> search_store::pending_posts(std::int64_t applied_seq,
                                                                                              std::size_t limit)
{
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    auto& s = db_.cached(sql::pending_posts).bind(applied_seq, static_cast<std::int64_t>(limit) + 1);
    while (s.step()) out.emplace_back(s.integer(0), s.integer(1));
    if (out.size() > limit) return std::nullopt;
    return out;
}

std::vector<std::int64_t> search_store::rebuild_order()
{
    std::vector<std::pair<std::int64_t, std::int64_t>> ranked;  // (quality in hundredths, id)
    auto& s = db_.cached(sql::rank_facts).bind();
    while (s.step()) {
        search::post_document d;
        d.id = s.integer(0);
        d.is_question = s.integer(1) != 0;
        d.score = s.integer(2);
        d.thread_answered = s.integer(3) != 0;
        d.thread_accepted = s.integer(4) != 0;
        d.accepted_answer = s.integer(5) != 0;
        d.endorsed = s.integer(6) != 0;
        ranked.emplace_back(std::lround(search::quality_of(d) * 100), d.id);
    }
    s.reset();
    std::sort(ranked.begin(), ranked.end(), [](auto const& a, auto const& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<std::int64_t> out;
    out.reserve(ranked.size());
    for (auto const& r : ranked) out.push_back(r.second);
    return out;
}

std::vector<search::post_document> search_store::documents(std::vector<std::int64_t> const& ids)
{
    std::vector<search::post_document> out;
    out.reserve(ids.size());
    auto& s = db_.cached(sql::document);
    for (auto const id : ids) {
        s.bind(id);
        if (s.step()) out.push_back(read_document(s));
        s.reset();
    }
    return out;
}

std::int64_t search_store::post_count()
{
    auto& s = db_.cached(sql::post_count).bind();
    s.step();
    auto const n = s.integer(0);
    s.reset();
    return n;
}

std::int64_t search_store::begin_rebuild(std::string const& dir)
{
    auto tx = db_.begin_immediate();
    auto& s = db_.cached(sql::last_seq).bind();
    s.step();
    auto const seq = s.integer(0);
    s.reset();
    db_.cached(sql::set_rebuild).bind(dir, seq).run();
    tx.commit();
    return seq;
}

std::optional<std::string> search_store::rebuild_dir()
{
    auto& s = db_.cached(sql::get_rebuild).bind();
    std::optional<std::string> out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
}

void search_store::end_rebuild()
{
    db_.cached(sql::end_rebuild).bind().run();
}

void search_store::count(std::int64_t at, std::string const& source, std::int64_t widget_key, std::string_view text,
                         search_counts const& n)
{
    auto const day = domain::day_of(at);
    db_.cached(sql::bump_total).bind(day, source, widget_key, n.searches, n.no_results, n.clicks, n.deflected).run();
    auto const query = domain::normalize_logged_query(text);
    if (query.empty()) return;
    db_.cached(sql::bump_query)
        .bind(day, source, widget_key, query, n.searches, n.no_results, n.clicks, n.deflected, at)
        .run();
    if (db_.changes() > 0) return;
    db_.cached(sql::new_query)
        .bind(day, source, widget_key, query, n.searches, n.no_results, n.clicks, n.deflected, at,
              max_logged_queries_per_day)
        .run();
    if (db_.changes() > 0) db_.cached(sql::count_query).bind(day, source, widget_key).run();
}

void search_store::log_queries(std::vector<logged_query> const& queries)
{
    auto tx = db_.begin_immediate();
    for (auto const& q : queries)
        count(q.created_at, q.source, q.widget_key_id.value_or(0), q.query, {1, q.hits == 0 ? 1 : 0, 0, 0});
    if (!queries.empty())
        db_.cached(sql::forget_old).bind(domain::day_of(queries.back().created_at) - logged_query_days).run();
    tx.commit();
}

void search_store::log_clicks(std::vector<widget_click> const& clicks)
{
    auto tx = db_.begin_immediate();
    for (auto const& c : clicks) count(c.created_at, "widget", c.key_id, c.query, {0, 0, 1, c.deflected ? 1 : 0});
    tx.commit();
}

void search_store::log_tallies(std::vector<query_tally> const& tallies)
{
    auto tx = db_.begin_immediate();
    std::int64_t last = 0;
    for (auto const& t : tallies) {
        count(t.at, t.source, t.widget_key, t.query, t.counts);
        last = std::max(last, t.at);
    }
    if (!tallies.empty()) db_.cached(sql::forget_old).bind(domain::day_of(last) - logged_query_days).run();
    tx.commit();
}

std::int64_t search_store::forget_query(std::string_view text)
{
    db_.cached(sql::forget_query).bind(domain::normalize_logged_query(text)).run();
    return db_.changes();
}

namespace {
std::vector<query_count> read_counts(statement& s)
{
    std::vector<query_count> out;
    while (s.step()) out.push_back({s.text(0), s.integer(1), s.integer(2)});
    s.reset();
    return out;
}
}  // namespace

std::vector<query_count> search_store::no_hit_queries(std::int64_t since, std::int64_t limit)
{
    return read_counts(db_.cached(sql::no_hit_queries).bind(domain::day_of(since), limit));
}

std::vector<query_count> search_store::top_queries(std::int64_t since, std::int64_t limit)
{
    return read_counts(db_.cached(sql::top_queries).bind(domain::day_of(since), limit));
}

std::vector<content_gap> search_store::gaps(std::int64_t from_day, std::int64_t to_day, std::int64_t limit)
{
    std::vector<content_gap> out;
    auto& s = db_.cached(sql::gaps).bind(from_day, to_day, limit);
    while (s.step()) out.push_back({s.text(0), s.integer(1), s.integer(2), 0, s.integer(3)});
    s.reset();
    auto const length = to_day - from_day + 1;
    for (auto& g : out) {
        auto& b = db_.cached(sql::gap_before).bind(g.query, from_day - length, from_day - 1);
        if (b.step()) g.before = b.integer(0);
        b.reset();
    }
    return out;
}

std::vector<search_day_row> search_store::day_totals(std::int64_t from_day, std::int64_t to_day)
{
    std::vector<search_day_row> out;
    auto& s = db_.cached(sql::day_totals).bind(from_day, to_day);
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.integer(2), s.integer(3), s.integer(4), s.integer(5)});
    s.reset();
    return out;
}

std::vector<hit_row> search_store::hits(std::vector<std::int64_t> const& post_ids, hit_columns columns)
{
    std::vector<hit_row> out;
    if (post_ids.empty()) return out;
    bool const listed = columns != hit_columns::titles;
    bool const with_text = columns == hit_columns::with_text;
    auto const in = statement::in_list(post_ids.size());
    auto const query =
        // A question closed as a duplicate leads to its original, title and text, while the
        // original is live; a removed original is never named, and the hit is the duplicate.
        "SELECT p.id, o.id, p.kind = 'question' OR d.id IS NOT NULL, o.title, o.score, o.answer_count, "
        "o.accepted_answer_id IS NOT NULL, q.accepted_answer_id IS p.id, p.kind = 'idea' " +
        // The tags are read from two more tables, at pages of their own, for each hit: a column
        // of titles does without them (at a million posts, half a related column's time).
        (listed ? std::string(", o.excerpt, o.created_at, (SELECT group_concat(name, ' ') FROM (SELECT t.name FROM "
                              "question_tags qt JOIN tags t ON t.id = qt.tag_id "
                              "  WHERE qt.question_id = o.id ORDER BY qt.position)) ")
                : std::string()) +
        // A hit's snippet is cut from its post's first comments only: a post with 2,000
        // comments cost 33 ms a hit when every one was read.
        (with_text
             ? std::string(", CASE WHEN d.id IS NULL THEN p.body_html ELSE o.body_html END, "
                           "(SELECT group_concat(c.body_html, ' ') FROM live_comments c WHERE d.id IS NULL AND c.id IN "
                           "  (SELECT c2.id FROM live_comments c2 WHERE c2.post_id = p.id ORDER BY c2.id LIMIT ") +
                   std::to_string(snippet_comments) + ")) "
             : std::string()) +
        "FROM live_posts p JOIN live_posts q ON q.id = coalesce(p.question_id, p.id) "
        "LEFT JOIN live_posts d ON d.id = q.duplicate_of JOIN posts o ON o.id = coalesce(d.id, q.id) "
        "WHERE p.id IN (" +
        in + ")";
    std::unordered_map<std::int64_t, hit_row> found;
    auto& s = db_.cached(query).bind_ids(post_ids);
    while (s.step()) {
        hit_row h;
        h.post_id = s.integer(0);
        h.question_id = s.integer(1);
        h.is_question = s.integer(2) != 0;
        h.title = s.optional_text(3).value_or("");
        h.score = s.integer(4);
        h.answer_count = s.integer(5);
        h.accepted = s.integer(6) != 0;
        h.accepted_answer = s.integer(7) != 0;
        h.is_idea = s.integer(8) != 0;
        if (listed) {
            h.excerpt = s.text(9);
            h.created_at = s.integer(10);
            h.tags = split_words(s.optional_text(11).value_or(""));
        }
        if (with_text) {
            h.body_html = s.text(12);
            h.comments_html = s.optional_text(13).value_or("");
        }
        found.emplace(h.post_id, std::move(h));
    }
    s.reset();
    for (auto id : post_ids)
        if (auto it = found.find(id); it != found.end()) out.push_back(std::move(it->second));
    return out;
}

}  // namespace peerdesk::store
