#include "server/store/moderation_store.hpp"

#include "server/store/post_store.hpp"
#include "server/store/search_store.hpp"

#include <map>

namespace peerdesk::store {
namespace {

// A review item with what it is about: a post (its thread's title) or a comment (on a post);
// read_review reads it.
std::string const review_columns =
    "SELECT r.id, r.kind, r.reason, r.post_id, r.comment_id, coalesce(p.question_id, p.id), q.title, "
    "CASE WHEN r.comment_id IS NOT NULL THEN 'comment' ELSE p.kind END, coalesce(c.body_html, p.body_html), "
    "u.id, u.username, u.reputation, coalesce(c.state, p.state), "
    "coalesce(c.deleted_at, p.deleted_at) IS NOT NULL, r.created_at "
    "FROM review_items r LEFT JOIN comments c ON c.id = r.comment_id "
    "JOIN posts p ON p.id = coalesce(r.post_id, c.post_id) JOIN posts q ON q.id = coalesce(p.question_id, p.id) "
    "JOIN users u ON u.id = coalesce(c.author_id, p.author_id) ";

review_row read_review(statement& s)
{
    review_row r;
    r.id = s.integer(0);
    r.kind = s.text(1);
    r.reason = s.text(2);
    r.post_id = s.optional_integer(3);
    r.comment_id = s.optional_integer(4);
    r.question_id = s.integer(5);
    r.title = s.optional_text(6).value_or("");
    r.post_kind = s.text(7);
    r.body_html = s.text(8);
    r.author = {s.integer(9), s.text(10), s.integer(11)};
    r.state = s.text(12);
    r.deleted = s.integer(13) != 0;
    r.created_at = s.integer(14);
    return r;
}

// An audit row with the names of its actor and its member and the thread of its post;
// read_audit reads it.
std::string const audit_columns =
    "SELECT a.id, a.actor_id, a.action, a.post_id, a.comment_id, a.user_id, a.reason, a.before, a.created_at, "
    "actor.username, target.username, coalesce(p.question_id, p.id) FROM audit_log a "
    "JOIN users actor ON actor.id = a.actor_id LEFT JOIN users target ON target.id = a.user_id "
    "LEFT JOIN posts p ON p.id = a.post_id ";

audit_row read_audit(statement& s)
{
    audit_row r;
    r.id = s.integer(0);
    r.entry = {s.integer(1),          s.text(2), s.optional_integer(3), s.optional_integer(4),
               s.optional_integer(5), s.text(6), s.optional_text(7),    s.integer(8)};
    r.actor_name = s.text(9);
    r.user_name = s.optional_text(10);
    r.question_id = s.optional_integer(11);
    return r;
}

}  // namespace

namespace sql {

constexpr std::string_view insert_audit =
    "INSERT INTO audit_log (actor_id, action, post_id, comment_id, user_id, reason, before, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
// What can be flagged: not deleted, in a thread that is not deleted.
constexpr std::string_view target_post =
    "SELECT p.author_id FROM posts p LEFT JOIN posts q ON q.id = p.question_id "
    "WHERE p.id = ?1 AND p.deleted_at IS NULL AND q.deleted_at IS NULL";
constexpr std::string_view target_comment =
    "SELECT c.author_id FROM comments c JOIN posts p ON p.id = c.post_id LEFT JOIN posts q ON q.id = p.question_id "
    "WHERE c.id = ?1 AND c.deleted_at IS NULL AND p.deleted_at IS NULL AND q.deleted_at IS NULL";
constexpr std::string_view insert_flag =
    "INSERT INTO flags (post_id, comment_id, user_id, reason, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view open_flag_item =
    "INSERT INTO review_items (post_id, comment_id, kind, created_at) SELECT ?1, ?2, 'flagged', ?3 "
    "WHERE NOT EXISTS (SELECT 1 FROM review_items WHERE status = 'open' AND post_id IS ?1 AND comment_id IS ?2)";
constexpr std::string_view serious_flags =
    "SELECT count(*) FROM flags f JOIN users u ON u.id = f.user_id WHERE f.post_id IS ?1 AND f.comment_id IS ?2 "
    "AND f.status = 'open' AND f.reason IN ('spam', 'rude') AND u.reputation >= ?3";
constexpr std::string_view hide_post = "UPDATE posts SET state = 'hidden' WHERE id = ?1 AND state = 'live'";
constexpr std::string_view comment_thread =
    "SELECT coalesce(p.question_id, p.id) FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = ?1";
constexpr std::string_view hide_comment = "UPDATE comments SET state = 'hidden' WHERE id = ?1 AND state = 'live'";
constexpr std::string_view set_post_state = "UPDATE posts SET state = ?2 WHERE id = ?1";
constexpr std::string_view set_comment_state = "UPDATE comments SET state = ?2 WHERE id = ?1";
constexpr std::string_view set_deleted = "UPDATE posts SET deleted_at = ?2, deleted_by = ?3 WHERE id = ?1";
constexpr std::string_view delete_comment = "UPDATE comments SET deleted_at = ?2 WHERE id = ?1";
constexpr std::string_view set_closed =
    "UPDATE posts SET close_reason = ?2, duplicate_of = ?3, closed_at = ?4 WHERE id = ?1";
constexpr std::string_view set_locked = "UPDATE posts SET locked_at = ?2 WHERE id = ?1";
constexpr std::string_view set_pinned = "UPDATE posts SET pinned_at = ?2 WHERE id = ?1";
constexpr std::string_view set_endorsed = "UPDATE posts SET endorsed_at = ?2 WHERE id = ?1";
constexpr std::string_view suspend =
    "UPDATE users SET suspended_until = ?2, silenced = ?3, suspension_reason = ?4, suspended_by = ?5 WHERE id = ?1";
constexpr std::string_view suspended_by_role =
    "SELECT r.role FROM users u JOIN users r ON r.id = u.suspended_by WHERE u.id = ?1 "
    "AND (u.silenced = 1 OR u.suspended_until IS NOT NULL)";
constexpr std::string_view deleted_by = "SELECT deleted_by FROM posts WHERE id = ?1";
constexpr std::string_view resolve_item =
    "UPDATE review_items SET status = 'done', outcome = ?2, note = ?3, resolved_by = ?4, resolved_at = ?5 "
    "WHERE id = ?1 AND status = 'open'";
constexpr std::string_view resolve_flags =
    "UPDATE flags SET status = ?3 WHERE post_id IS ?1 AND comment_id IS ?2 AND status = 'open'";
constexpr std::string_view review_count = "SELECT count(*) FROM review_items WHERE status = 'open'";
constexpr std::string_view item_flags =
    "SELECT reason, count(*) FROM flags WHERE post_id IS ?1 AND comment_id IS ?2 AND status = 'open' "
    "GROUP BY reason ORDER BY count(*) DESC, reason";
constexpr std::string_view item_flaggers =
    "SELECT u.id, u.username, u.reputation, f.reason, f.note FROM flags f JOIN users u ON u.id = f.user_id "
    "WHERE f.post_id IS ?1 AND f.comment_id IS ?2 AND f.status = 'open' ORDER BY f.id";
// A member's latest suspend or silence (a lookup in audit_log_user).
constexpr std::string_view latest_restriction_of =
    "SELECT a.actor_id, actor.username, a.created_at FROM audit_log a JOIN users actor ON actor.id = a.actor_id "
    "WHERE a.user_id = ?1 AND a.action IN ('suspend', 'silence') ORDER BY a.id DESC LIMIT 1";
constexpr std::string_view restricted_count =
    "SELECT count(*) FROM users u WHERE u.silenced = 1 OR u.suspended_until > ?1";
constexpr std::string_view restricted_list =
    "SELECT u.id, u.username, u.reputation, u.suspended_until, u.silenced, u.suspension_reason FROM users u "
    "WHERE u.silenced = 1 OR u.suspended_until > ?1 ORDER BY u.silenced, u.suspended_until, u.id LIMIT ?2 OFFSET ?3";
constexpr std::string_view audit_where =
    "WHERE (?1 IS NULL OR a.actor_id = ?1) AND (?2 IS NULL OR a.action = ?2) AND (?3 IS NULL OR a.post_id = ?3) "
    "AND (?4 IS NULL OR a.user_id = ?4) AND (?5 IS NULL OR a.actor_id = ?5 OR a.user_id = ?5) ";
constexpr std::string_view posts_by =
    "SELECT (SELECT count(*) FROM posts WHERE author_id = ?1) + (SELECT count(*) FROM comments WHERE author_id = ?1)";

}  // namespace sql

void add_audit(connection& db, audit_entry const& e)
{
    db.cached(sql::insert_audit)
        .bind(e.actor_id, e.action, e.post_id, e.comment_id, e.user_id, e.reason, e.before, e.created_at)
        .run();
}

flag_result moderation_store::add_flag(std::optional<std::int64_t> post_id, std::optional<std::int64_t> comment_id,
                                       std::int64_t user_id, std::string const& reason, std::string const& note,
                                       std::int64_t established,
                                       std::function<bool(std::int64_t serious_flags)> const& hide, std::int64_t now)
{
    auto tx = db_.begin_immediate();
    flag_result out;
    {
        auto& t =
            post_id ? db_.cached(sql::target_post).bind(*post_id) : db_.cached(sql::target_comment).bind(*comment_id);
        bool const exists = t.step();
        bool const own = exists && t.integer(0) == user_id;
        t.reset();
        if (!exists) return {flag_outcome::missing, 0, false};
        if (own) return {flag_outcome::own, 0, false};
    }
    db_.cached(sql::insert_flag).bind(post_id, comment_id, user_id, reason, note, now).run();
    if (db_.changes() == 0) return {flag_outcome::duplicate, 0, false};
    out.id = db_.last_insert_rowid();
    db_.cached(sql::open_flag_item).bind(post_id, comment_id, now).run();
    auto& serious = db_.cached(sql::serious_flags).bind(post_id, comment_id, established);
    serious.step();
    auto const count = serious.integer(0);
    serious.reset();
    if (hide(count)) {
        // Hidden in the same transaction as its counts and its index entry, or a later approval
        // would count the question twice.
        if (post_id) {
            post_store(db_).change_visibility(*post_id, now, [&] {
                db_.cached(sql::hide_post).bind(*post_id).run();
                out.hidden = db_.changes() > 0;
            });
        } else {
            db_.cached(sql::hide_comment).bind(*comment_id).run();
            out.hidden = db_.changes() > 0;
            if (out.hidden) {
                auto& q = db_.cached(sql::comment_thread).bind(*comment_id);
                if (q.step()) enqueue_post(db_, q.integer(0), now);
                q.reset();
            }
        }
    }
    tx.commit();
    return out;
}

page_of<review_row> moderation_store::review_queue(std::int64_t page, std::int64_t pagesize)
{
    page_of<review_row> out{{}, page, pagesize, 0};
    auto& count = db_.cached(sql::review_count).bind();
    if (count.step()) out.total = count.integer(0);
    count.reset();
    // Held and hidden posts first (they are out of sight until someone decides), then the rest.
    static std::string const list = review_columns +
                                    "WHERE r.status = 'open' ORDER BY coalesce(c.state, p.state) = 'live', r.id "
                                    "LIMIT ?1 OFFSET ?2";
    auto& s = db_.cached(list).bind(pagesize, (page - 1) * pagesize);
    while (s.step()) out.items.push_back(read_review(s));
    s.reset();
    for (auto& r : out.items) {
        auto& f = db_.cached(sql::item_flags).bind(r.post_id, r.comment_id);
        while (f.step()) r.flags.push_back({f.text(0), f.integer(1)});
        f.reset();
        auto& n = db_.cached(sql::item_flaggers).bind(r.post_id, r.comment_id);
        while (n.step()) {
            r.flaggers.push_back({{n.integer(0), n.text(1), n.integer(2)}, n.text(3), n.text(4)});
            if (!r.flaggers.back().note.empty()) r.notes.push_back(r.flaggers.back().note);
        }
        n.reset();
    }
    return out;
}

std::int64_t moderation_store::open_review_count()
{
    auto& count = db_.cached(sql::review_count).bind();
    auto const n = count.step() ? count.integer(0) : 0;
    count.reset();
    return n;
}

std::optional<review_row> moderation_store::review_item(std::int64_t id)
{
    static std::string const one = review_columns + "WHERE r.id = ?1 AND r.status = 'open'";
    auto& s = db_.cached(one).bind(id);
    std::optional<review_row> out;
    if (s.step()) out = read_review(s);
    s.reset();
    if (out) {
        auto& f = db_.cached(sql::item_flags).bind(out->post_id, out->comment_id);
        while (f.step()) out->flags.push_back({f.text(0), f.integer(1)});
        f.reset();
    }
    return out;
}

void moderation_store::resolve_item(std::int64_t id, std::string const& outcome, bool flags_helpful,
                                    std::string const& note, std::int64_t actor_id, std::int64_t now)
{
    auto item = review_item(id);
    if (!item) return;
    db_.cached(sql::resolve_item).bind(id, outcome, note, actor_id, now).run();
    db_.cached(sql::resolve_flags).bind(item->post_id, item->comment_id, flags_helpful ? "helpful" : "declined").run();
}

void moderation_store::set_post_state(std::int64_t post_id, std::string const& state)
{
    db_.cached(sql::set_post_state).bind(post_id, state).run();
}

void moderation_store::set_comment_state(std::int64_t comment_id, std::string const& state)
{
    db_.cached(sql::set_comment_state).bind(comment_id, state).run();
}

void moderation_store::set_deleted(std::int64_t post_id, std::optional<std::int64_t> deleted_by, std::int64_t now)
{
    std::optional<std::int64_t> at;
    if (deleted_by) at = now;
    db_.cached(sql::set_deleted).bind(post_id, at, deleted_by).run();
}

void moderation_store::delete_comment(std::int64_t comment_id, std::int64_t now)
{
    db_.cached(sql::delete_comment).bind(comment_id, now).run();
}

void moderation_store::set_closed(std::int64_t question_id, std::optional<std::string> const& reason,
                                  std::optional<std::int64_t> duplicate_of, std::int64_t now)
{
    std::optional<std::int64_t> at;
    if (reason) at = now;
    db_.cached(sql::set_closed).bind(question_id, reason, duplicate_of, at).run();
    enqueue_thread(db_, question_id, now);  // search leads from a duplicate to its original
}

namespace {
std::optional<std::int64_t> when(bool on, std::int64_t now)
{
    return on ? std::optional<std::int64_t>(now) : std::nullopt;
}
}  // namespace

void moderation_store::set_locked(std::int64_t question_id, bool locked, std::int64_t now)
{
    db_.cached(sql::set_locked).bind(question_id, when(locked, now)).run();
}

void moderation_store::set_pinned(std::int64_t question_id, bool pinned, std::int64_t now)
{
    db_.cached(sql::set_pinned).bind(question_id, when(pinned, now)).run();
}

void moderation_store::set_endorsed(std::int64_t answer_id, bool endorsed, std::int64_t now)
{
    db_.cached(sql::set_endorsed).bind(answer_id, when(endorsed, now)).run();
    enqueue_post(db_, answer_id, now);  // endorsement ranks it higher
}

void moderation_store::suspend(std::int64_t user_id, std::optional<std::int64_t> until, bool silenced,
                               std::string const& reason, std::optional<std::int64_t> by)
{
    db_.cached(sql::suspend).bind(user_id, until, silenced ? 1 : 0, reason, by).run();
}

std::optional<std::int64_t> moderation_store::deleted_by(std::int64_t post_id)
{
    auto& s = db_.cached(sql::deleted_by).bind(post_id);
    auto const by = s.step() ? s.optional_integer(0) : std::nullopt;
    s.reset();
    return by;
}

std::optional<std::string> moderation_store::suspended_by_role(std::int64_t user_id)
{
    auto& s = db_.cached(sql::suspended_by_role).bind(user_id);
    std::optional<std::string> out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
}

std::vector<audit_row> moderation_store::audit(audit_filter const& f, std::int64_t page, std::int64_t pagesize,
                                               std::int64_t& total)
{
    static std::string const count = "SELECT count(*) FROM audit_log a " + std::string(sql::audit_where);
    static std::string const list =
        audit_columns + std::string(sql::audit_where) + "ORDER BY a.id DESC LIMIT ?6 OFFSET ?7";
    auto& c = db_.cached(count).bind(f.actor_id, f.action, f.post_id, f.user_id, f.actor_or_user_id);
    total = c.step() ? c.integer(0) : 0;
    c.reset();
    std::vector<audit_row> out;
    auto& s = db_.cached(list).bind(f.actor_id, f.action, f.post_id, f.user_id, f.actor_or_user_id, pagesize,
                                    (page - 1) * pagesize);
    while (s.step()) out.push_back(read_audit(s));
    s.reset();
    return out;
}

std::vector<audit_row> moderation_store::thread_history(std::int64_t question_id)
{
    static std::string const list =
        audit_columns +
        "WHERE (p.id = ?1 OR p.question_id = ?1) AND a.action IN ('accept_on_behalf', 'unaccept_on_behalf', "
        "'close', 'reopen', 'lock', 'unlock', 'endorse', 'delete', 'undelete', 'edit') ORDER BY a.id";
    std::vector<audit_row> out;
    auto& s = db_.cached(list).bind(question_id);
    while (s.step()) out.push_back(read_audit(s));
    s.reset();
    return out;
}

page_of<restriction_row> moderation_store::restricted_users(std::int64_t now, std::int64_t page, std::int64_t pagesize)
{
    page_of<restriction_row> out{{}, page, pagesize, 0};
    auto& c = db_.cached(sql::restricted_count).bind(now);
    out.total = c.step() ? c.integer(0) : 0;
    c.reset();
    auto& s = db_.cached(sql::restricted_list).bind(now, pagesize, (page - 1) * pagesize);
    while (s.step()) {
        restriction_row r;
        r.user = {s.integer(0), s.text(1), s.integer(2)};
        r.suspended_until = s.optional_integer(3);
        r.silenced = s.integer(4) != 0;
        r.reason = s.text(5);
        out.items.push_back(std::move(r));
    }
    s.reset();
    for (auto& r : out.items) {
        auto& a = db_.cached(sql::latest_restriction_of).bind(r.user.id);
        if (a.step()) {
            r.actor_id = a.integer(0);
            r.actor_name = a.text(1);
            r.since = a.integer(2);
        }
        a.reset();
    }
    return out;
}

std::optional<audit_row> moderation_store::latest_restriction(std::int64_t user_id)
{
    static std::string const one =
        audit_columns + "WHERE a.user_id = ?1 AND a.action IN ('suspend', 'silence') ORDER BY a.id DESC LIMIT 1";
    auto& s = db_.cached(one).bind(user_id);
    std::optional<audit_row> out;
    if (s.step()) out = read_audit(s);
    s.reset();
    return out;
}

std::int64_t moderation_store::posts_by(std::int64_t user_id)
{
    auto& s = db_.cached(sql::posts_by).bind(user_id);
    s.step();
    auto const n = s.integer(0);
    s.reset();
    return n;
}

}  // namespace peerdesk::store
