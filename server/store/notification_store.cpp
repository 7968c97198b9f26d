#include "server/store/notification_store.hpp"

namespace peerdesk::store {
namespace sql {

// The joins and conditions that decide what a recipient may see: a notification about a post,
// a thread or a comment shows only while each of them is public. A moderator's decision about
// the member's own post is shown whatever became of the post (it says what became of it).
#define PEERDESK_NOTIFICATION_ABOUT                                                                          \
    "LEFT JOIN users a ON a.id = n.actor_id LEFT JOIN posts q ON q.id = n.question_id LEFT JOIN posts p ON " \
    "p.id = n.post_id LEFT JOIN comments c ON c.id = n.comment_id "
#define PEERDESK_NOTIFICATION_JOINS " FROM notifications n " PEERDESK_NOTIFICATION_ABOUT
#define PEERDESK_NOTIFICATION_LINKABLE                                             \
    "((n.question_id IS NULL OR (q.deleted_at IS NULL AND q.state = 'live')) AND " \
    "(n.post_id IS NULL OR (p.deleted_at IS NULL AND p.state = 'live')) AND "      \
    "(n.comment_id IS NULL OR (c.deleted_at IS NULL AND c.state = 'live')))"
#define PEERDESK_NOTIFICATION_SHOWN "(n.kind = 'moderation' OR " PEERDESK_NOTIFICATION_LINKABLE ")"
#define PEERDESK_NOTIFICATION_COLUMNS                                                                     \
    "SELECT n.id, n.kind, n.actor_id, coalesce(a.username, ''), n.question_id, n.post_id, n.comment_id, " \
    "coalesce(q.title, ''), coalesce(p.kind, ''), n.detail, n.amount, n.day, n.delivery, n.created_at, "  \
    "n.read_at IS NOT NULL, " PEERDESK_NOTIFICATION_LINKABLE

constexpr std::string_view preferences =
    "SELECT kind, delivery FROM notification_preferences WHERE user_id = ?1 ORDER BY kind";
constexpr std::string_view preference =
    "SELECT delivery FROM notification_preferences WHERE user_id = ?1 AND kind = ?2";
constexpr std::string_view set_preference =
    "INSERT INTO notification_preferences (user_id, kind, delivery) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery";
constexpr std::string_view add =
    "INSERT OR IGNORE INTO notifications (user_id, kind, actor_id, question_id, post_id, comment_id, detail, "
    "delivery, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr std::string_view add_for =
    "INSERT OR IGNORE INTO notifications (user_id, kind, actor_id, question_id, post_id, comment_id, detail, "
    "delivery, created_at) SELECT m.value, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(np.delivery, ?8), ?9 "
    "FROM json_each(?1) m LEFT JOIN notification_preferences np ON np.user_id = m.value AND np.kind = ?2 "
    "WHERE coalesce(np.delivery, ?8) <> 'off'";
constexpr std::string_view add_reputation =
    "INSERT INTO notifications (user_id, kind, amount, day, delivery, created_at) "
    "VALUES (?1, 'reputation', ?2, ?3, ?4, ?5) "
    "ON CONFLICT (user_id, day) WHERE kind = 'reputation' DO UPDATE SET amount = amount + excluded.amount, "
    "created_at = excluded.created_at, read_at = NULL, mailed_at = NULL";
// A page of the inbox reads its own rows and one more (is there an older page?), walking the
// member's index from the newest; the unread ones start from the unread index, so that a long
// read history is not walked through to find them.
constexpr std::string_view inbox = PEERDESK_NOTIFICATION_COLUMNS PEERDESK_NOTIFICATION_JOINS
    "WHERE n.user_id = ?1 AND " PEERDESK_NOTIFICATION_SHOWN " ORDER BY n.created_at DESC, n.id DESC LIMIT ?2 OFFSET ?3";
constexpr std::string_view inbox_unread =
    PEERDESK_NOTIFICATION_COLUMNS " FROM notifications n INDEXED BY notifications_unread " PEERDESK_NOTIFICATION_ABOUT
                                  "WHERE n.user_id = ?1 AND n.read_at IS NULL AND " PEERDESK_NOTIFICATION_SHOWN
                                  " ORDER BY n.created_at DESC, n.id DESC LIMIT ?2 OFFSET ?3";
// Counted up to a cap: an exact count would join every notification the member ever kept.
constexpr std::string_view inbox_total =
    "SELECT count(*) FROM (SELECT 1" PEERDESK_NOTIFICATION_JOINS
    "WHERE n.user_id = ?1 AND (?2 = 0 OR n.read_at IS NULL) AND " PEERDESK_NOTIFICATION_SHOWN " LIMIT ?3)";
constexpr std::string_view unread_count =
    "SELECT count(*) FROM (SELECT 1" PEERDESK_NOTIFICATION_JOINS
    "WHERE n.user_id = ?1 AND n.read_at IS NULL AND " PEERDESK_NOTIFICATION_SHOWN " LIMIT ?2)";
constexpr std::string_view latest = PEERDESK_NOTIFICATION_COLUMNS PEERDESK_NOTIFICATION_JOINS
    "WHERE n.user_id = ?1 AND " PEERDESK_NOTIFICATION_SHOWN " ORDER BY n.created_at DESC, n.id DESC LIMIT 1";
constexpr std::string_view mark_read =
    "UPDATE notifications SET read_at = ?3 WHERE id = ?2 AND user_id = ?1 AND read_at IS NULL";
constexpr std::string_view mark_all_read =
    "UPDATE notifications SET read_at = ?2 WHERE user_id = ?1 AND read_at IS NULL";
constexpr std::string_view prune =
    "DELETE FROM notifications WHERE created_at < ?1 AND read_at IS NOT NULL AND (mailed_at IS NOT NULL OR "
    "delivery = 'inbox')";
constexpr std::string_view follow_automatic =
    "INSERT OR IGNORE INTO follows (user_id, target, target_id, following, created_at) VALUES (?1, ?2, ?3, 1, ?4)";
constexpr std::string_view follow_chosen =
    "INSERT INTO follows (user_id, target, target_id, following, created_at) VALUES (?1, ?2, ?3, 1, ?4) "
    "ON CONFLICT (user_id, target, target_id) DO UPDATE SET following = 1, created_at = CASE WHEN following = 1 "
    "THEN created_at ELSE excluded.created_at END";
constexpr std::string_view unfollow =
    "UPDATE follows SET following = 0 WHERE user_id = ?1 AND target = ?2 AND target_id = ?3 AND following = 1";
constexpr std::string_view follows =
    "SELECT 1 FROM follows WHERE user_id = ?1 AND target = ?2 AND target_id = ?3 AND following = 1";
constexpr std::string_view following_questions =
    "SELECT p.id, p.title FROM follows f JOIN posts p ON p.id = f.target_id WHERE f.user_id = ?1 AND "
    "f.target = 'question' AND f.following = 1 AND p.deleted_at IS NULL AND p.state = 'live' "
    "ORDER BY f.created_at DESC LIMIT ?2";
constexpr std::string_view following_tags =
    "SELECT t.name FROM follows f JOIN tags t ON t.id = f.target_id WHERE f.user_id = ?1 AND f.target = 'tag' AND "
    "f.following = 1 ORDER BY t.name LIMIT ?2";
constexpr std::string_view following_users =
    "SELECT u.id, u.username FROM follows f JOIN users u ON u.id = f.target_id WHERE f.user_id = ?1 AND "
    "f.target = 'user' AND f.following = 1 ORDER BY u.username COLLATE NOCASE LIMIT ?2";
constexpr std::string_view tag_id = "SELECT id FROM tags WHERE name = ?1";
constexpr std::string_view question_followers =
    "SELECT user_id FROM follows WHERE target = 'question' AND target_id = ?1 AND following = 1 AND user_id > ?2 "
    "ORDER BY user_id LIMIT ?3";
constexpr std::string_view user_followers =
    "SELECT user_id FROM follows WHERE target = 'user' AND target_id = ?1 AND following = 1 AND user_id > ?2 "
    "ORDER BY user_id LIMIT ?3";
constexpr std::string_view tag_followers =
    "SELECT DISTINCT f.user_id FROM question_tags qt JOIN follows f ON f.target = 'tag' AND f.target_id = qt.tag_id "
    "AND f.following = 1 AND f.user_id > ?2 WHERE qt.question_id = ?1 ORDER BY f.user_id LIMIT ?3";
constexpr std::string_view enqueue_fanout =
    "INSERT INTO notification_fanout (event, question_id, post_id, comment_id, actor_id, notified, created_at, "
    "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view next_fanout =
    "SELECT id, event, question_id, post_id, comment_id, actor_id, notified, stage, cursor, detail "
    "FROM notification_fanout ORDER BY id LIMIT 1";
constexpr std::string_view advance_fanout = "UPDATE notification_fanout SET stage = ?2, cursor = ?3 WHERE id = ?1";
constexpr std::string_view finish_fanout = "DELETE FROM notification_fanout WHERE id = ?1";
constexpr std::string_view due_mail =
    "SELECT n.user_id, coalesce(n.question_id, 0) AS thread FROM notifications n "
    "LEFT JOIN notification_mail_log l ON l.user_id = n.user_id AND l.question_id = coalesce(n.question_id, 0) "
    "WHERE n.delivery = 'email' AND n.mailed_at IS NULL AND (l.sent_at IS NULL OR l.sent_at <= ?1) "
    "GROUP BY n.user_id, thread LIMIT ?2";
constexpr std::string_view waiting_thread = PEERDESK_NOTIFICATION_COLUMNS PEERDESK_NOTIFICATION_JOINS
    "WHERE n.user_id = ?1 AND n.delivery = ?2 AND n.mailed_at IS NULL AND coalesce(n.question_id, 0) = ?3 "
    "ORDER BY n.created_at, n.id LIMIT 200";
constexpr std::string_view waiting_any = PEERDESK_NOTIFICATION_COLUMNS PEERDESK_NOTIFICATION_JOINS
    "WHERE n.user_id = ?1 AND n.delivery = ?2 AND n.mailed_at IS NULL ORDER BY n.created_at, n.id LIMIT 200";
constexpr std::string_view visible =
    "SELECT 1" PEERDESK_NOTIFICATION_JOINS "WHERE n.id = ?1 AND " PEERDESK_NOTIFICATION_SHOWN;
constexpr std::string_view mark_mailed = "UPDATE notifications SET mailed_at = ?2 WHERE id = ?1";
constexpr std::string_view record_mail =
    "INSERT INTO notification_mail_log (user_id, question_id, sent_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (user_id, question_id) DO UPDATE SET sent_at = excluded.sent_at";
constexpr std::string_view due_digests =
    "SELECT u.id FROM users u LEFT JOIN digest_log d ON d.user_id = u.id AND d.period = ?1 "
    "WHERE u.email_verified_at IS NOT NULL AND coalesce(d.sent_at, u.created_at) <= ?2 AND (?1 = 'weekly' OR "
    "EXISTS (SELECT 1 FROM notification_preferences np WHERE np.user_id = u.id AND np.delivery = 'daily')) "
    "ORDER BY u.id LIMIT ?3";
constexpr std::string_view last_digest = "SELECT sent_at FROM digest_log WHERE user_id = ?1 AND period = ?2";
constexpr std::string_view record_digest =
    "INSERT INTO digest_log (user_id, period, sent_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (user_id, period) DO UPDATE SET sent_at = excluded.sent_at";
constexpr std::string_view tag_questions =
    "SELECT DISTINCT p.id, p.title, p.answer_count, p.score FROM follows f "
    "JOIN question_tags qt ON qt.tag_id = f.target_id JOIN posts p ON p.id = qt.question_id "
    "WHERE f.user_id = ?1 AND f.target = 'tag' AND f.following = 1 AND p.created_at >= ?2 AND "
    "p.deleted_at IS NULL AND p.state = 'live' AND p.author_id <> ?1 "
    "ORDER BY p.answer_count = 0 DESC, p.created_at DESC, p.id DESC LIMIT ?3";
constexpr std::string_view best_answers =
    "SELECT DISTINCT x.id, x.question_id, p.title, u.username, x.score FROM follows f "
    "JOIN question_tags qt ON qt.tag_id = f.target_id JOIN posts p ON p.id = qt.question_id "
    "JOIN posts x ON x.question_id = p.id AND x.kind = 'answer' JOIN users u ON u.id = x.author_id "
    "WHERE f.user_id = ?1 AND f.target = 'tag' AND f.following = 1 AND x.created_at >= ?2 AND x.score > 0 AND "
    "x.deleted_at IS NULL AND x.state = 'live' AND p.deleted_at IS NULL AND p.state = 'live' "
    "ORDER BY x.score DESC, x.id DESC LIMIT ?3";
constexpr std::string_view reputation_change =
    "SELECT coalesce(sum(delta), 0) FROM reputation_events WHERE user_id = ?1 AND created_at >= ?2";
constexpr std::string_view names_with_prefix =
    "SELECT id, username FROM users WHERE username >= ?1 COLLATE NOCASE AND username < ?2 COLLATE NOCASE "
    "ORDER BY username COLLATE NOCASE LIMIT ?3";
constexpr std::string_view secret = "SELECT hex(value) FROM secrets WHERE name = ?1";

#undef PEERDESK_NOTIFICATION_JOINS
#undef PEERDESK_NOTIFICATION_LINKABLE
#undef PEERDESK_NOTIFICATION_SHOWN
#undef PEERDESK_NOTIFICATION_COLUMNS

}  // namespace sql

namespace {

notification_row read_row(statement& s)
{
    notification_row r;
    r.id = s.integer(0);
    r.kind = s.text(1);
    r.actor_id = s.optional_integer(2);
    r.actor_name = s.text(3);
    r.question_id = s.optional_integer(4);
    r.post_id = s.optional_integer(5);
    r.comment_id = s.optional_integer(6);
    r.title = s.text(7);
    r.post_kind = s.text(8);
    r.detail = s.text(9);
    r.amount = s.integer(10);
    r.day = s.optional_integer(11);
    r.delivery = s.text(12);
    r.created_at = s.integer(13);
    r.read = s.integer(14) != 0;
    r.linkable = s.integer(15) != 0;
    return r;
}

std::vector<notification_row> read_rows(statement& s)
{
    std::vector<notification_row> out;
    while (s.step()) out.push_back(read_row(s));
    s.reset();
    return out;
}

std::int64_t one_integer(statement& s)
{
    std::int64_t out = 0;
    if (s.step()) out = s.integer(0);
    s.reset();
    return out;
}

std::vector<std::int64_t> ids_of(statement& s)
{
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.integer(0));
    s.reset();
    return out;
}

}  // namespace

std::string_view to_sql(follow_target t)
{
    switch (t) {
        case follow_target::question:
            return "question";
        case follow_target::tag:
            return "tag";
        case follow_target::user:
            return "user";
    }
    return "question";
}

std::vector<std::pair<std::string, std::string>> notification_store::preferences(std::int64_t user_id)
{
    auto& s = db_.cached(sql::preferences).bind(user_id);
    std::vector<std::pair<std::string, std::string>> out;
    while (s.step()) out.emplace_back(s.text(0), s.text(1));
    s.reset();
    return out;
}

std::optional<std::string> notification_store::preference(std::int64_t user_id, std::string_view kind)
{
    auto& s = db_.cached(sql::preference).bind(user_id, kind);
    std::optional<std::string> out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
}

void notification_store::set_preference(std::int64_t user_id, std::string_view kind, std::string_view delivery)
{
    db_.cached(sql::set_preference).bind(user_id, kind, delivery).run();
}

bool notification_store::add(new_notification const& n, std::int64_t now)
{
    db_.cached(sql::add)
        .bind(n.user_id, n.kind, n.actor_id, n.question_id, n.post_id, n.comment_id, n.detail, n.delivery, now)
        .run();
    return db_.changes() > 0;
}

void notification_store::add_for(std::vector<std::int64_t> const& user_ids, new_notification const& n,
                                 std::string_view fallback, std::int64_t now)
{
    if (user_ids.empty()) return;
    std::string list = "[";
    for (auto id : user_ids) list += (list.size() > 1 ? "," : "") + std::to_string(id);
    list += "]";
    db_.cached(sql::add_for)
        .bind(list, n.kind, n.actor_id, n.question_id, n.post_id, n.comment_id, n.detail, fallback, now)
        .run();
}

void notification_store::add_reputation(std::int64_t user_id, std::int64_t amount, std::int64_t day,
                                        std::string_view delivery, std::int64_t now)
{
    db_.cached(sql::add_reputation).bind(user_id, amount, day, delivery, now).run();
}

inbox_page notification_store::inbox(std::int64_t user_id, bool unread_only, std::int64_t page, std::int64_t pagesize)
{
    inbox_page out;
    auto& s = db_.cached(unread_only ? sql::inbox_unread : sql::inbox);
    out.items = read_rows(s.bind(user_id, pagesize + 1, (page - 1) * pagesize));
    out.older = static_cast<std::int64_t>(out.items.size()) > pagesize;
    if (out.older) out.items.pop_back();
    return out;
}

std::int64_t notification_store::inbox_total(std::int64_t user_id, bool unread_only, std::int64_t cap)
{
    return one_integer(db_.cached(sql::inbox_total).bind(user_id, unread_only ? 1 : 0, cap));
}

std::int64_t notification_store::unread_count(std::int64_t user_id, std::int64_t cap)
{
    return one_integer(db_.cached(sql::unread_count).bind(user_id, cap));
}

std::optional<notification_row> notification_store::latest(std::int64_t user_id)
{
    auto rows = read_rows(db_.cached(sql::latest).bind(user_id));
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::int64_t notification_store::mark_read(std::int64_t user_id, std::vector<std::int64_t> const& ids, std::int64_t now)
{
    std::int64_t changed = 0;
    for (auto id : ids) {
        db_.cached(sql::mark_read).bind(user_id, id, now).run();
        changed += db_.changes();
    }
    return changed;
}

std::int64_t notification_store::mark_all_read(std::int64_t user_id, std::int64_t now)
{
    db_.cached(sql::mark_all_read).bind(user_id, now).run();
    return db_.changes();
}

std::int64_t notification_store::prune(std::int64_t before)
{
    db_.cached(sql::prune).bind(before).run();
    return db_.changes();
}

void notification_store::follow(std::int64_t user_id, follow_target target, std::int64_t target_id, follow_mode mode,
                                std::int64_t now)
{
    db_.cached(mode == follow_mode::automatic ? sql::follow_automatic : sql::follow_chosen)
        .bind(user_id, to_sql(target), target_id, now)
        .run();
}

bool notification_store::unfollow(std::int64_t user_id, follow_target target, std::int64_t target_id)
{
    db_.cached(sql::unfollow).bind(user_id, to_sql(target), target_id).run();
    return db_.changes() > 0;
}

bool notification_store::follows(std::int64_t user_id, follow_target target, std::int64_t target_id)
{
    return one_integer(db_.cached(sql::follows).bind(user_id, to_sql(target), target_id)) == 1;
}

following_lists notification_store::following(std::int64_t user_id, std::int64_t limit)
{
    following_lists out;
    auto& q = db_.cached(sql::following_questions).bind(user_id, limit);
    while (q.step()) out.questions.push_back({q.integer(0), q.text(1)});
    q.reset();
    auto& t = db_.cached(sql::following_tags).bind(user_id, limit);
    while (t.step()) out.tags.push_back({t.text(0)});
    t.reset();
    auto& u = db_.cached(sql::following_users).bind(user_id, limit);
    while (u.step()) out.users.push_back({u.integer(0), u.text(1)});
    u.reset();
    return out;
}

std::optional<std::int64_t> notification_store::tag_id(std::string_view name)
{
    auto& s = db_.cached(sql::tag_id).bind(name);
    std::optional<std::int64_t> out;
    if (s.step()) out = s.integer(0);
    s.reset();
    return out;
}

std::vector<std::int64_t> notification_store::followers(follow_target target, std::int64_t target_id,
                                                        std::int64_t after, std::int64_t limit)
{
    auto const text = target == follow_target::question ? sql::question_followers
                      : target == follow_target::tag    ? sql::tag_followers
                                                        : sql::user_followers;
    return ids_of(db_.cached(text).bind(target_id, after, limit));
}

void notification_store::enqueue_fanout(fanout_row const& row, std::int64_t now)
{
    db_.cached(sql::enqueue_fanout)
        .bind(row.event, row.question_id, row.post_id, row.comment_id, row.actor_id, row.notified, now, row.detail)
        .run();
}

std::optional<fanout_row> notification_store::next_fanout()
{
    auto& s = db_.cached(sql::next_fanout).bind();
    std::optional<fanout_row> out;
    if (s.step())
        out = fanout_row{s.integer(0), s.text(1), s.integer(2), s.integer(3), s.optional_integer(4),
                         s.integer(5), s.text(6), s.integer(7), s.integer(8), s.text(9)};
    s.reset();
    return out;
}

void notification_store::advance_fanout(std::int64_t id, std::int64_t stage, std::int64_t cursor)
{
    db_.cached(sql::advance_fanout).bind(id, stage, cursor).run();
}

void notification_store::finish_fanout(std::int64_t id)
{
    db_.cached(sql::finish_fanout).bind(id).run();
}

std::vector<mail_group> notification_store::due_mail(std::int64_t quiet_since, std::int64_t limit)
{
    auto& s = db_.cached(sql::due_mail).bind(quiet_since, limit);
    std::vector<mail_group> out;
    while (s.step()) out.push_back({s.integer(0), s.integer(1)});
    s.reset();
    return out;
}

std::vector<notification_row> notification_store::waiting_mail(std::int64_t user_id, std::string_view delivery,
                                                               std::optional<std::int64_t> question_id)
{
    if (question_id) return read_rows(db_.cached(sql::waiting_thread).bind(user_id, delivery, *question_id));
    return read_rows(db_.cached(sql::waiting_any).bind(user_id, delivery));
}

bool notification_store::visible(std::int64_t notification_id)
{
    return one_integer(db_.cached(sql::visible).bind(notification_id)) == 1;
}

void notification_store::mark_mailed(std::vector<std::int64_t> const& ids, std::int64_t now)
{
    for (auto id : ids) db_.cached(sql::mark_mailed).bind(id, now).run();
}

void notification_store::record_mail(std::int64_t user_id, std::int64_t question_id, std::int64_t now)
{
    db_.cached(sql::record_mail).bind(user_id, question_id, now).run();
}

std::vector<std::int64_t> notification_store::due_digests(std::string_view period, std::int64_t due_before,
                                                          std::int64_t limit)
{
    return ids_of(db_.cached(sql::due_digests).bind(period, due_before, limit));
}

std::optional<std::int64_t> notification_store::last_digest(std::int64_t user_id, std::string_view period)
{
    auto& s = db_.cached(sql::last_digest).bind(user_id, period);
    std::optional<std::int64_t> out;
    if (s.step()) out = s.integer(0);
    s.reset();
    return out;
}

void notification_store::record_digest(std::int64_t user_id, std::string_view period, std::int64_t now)
{
    db_.cached(sql::record_digest).bind(user_id, period, now).run();
}

std::vector<digest_question> notification_store::tag_questions(std::int64_t user_id, std::int64_t since,
                                                               std::int64_t limit)
{
    auto& s = db_.cached(sql::tag_questions).bind(user_id, since, limit);
    std::vector<digest_question> out;
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.integer(2), s.integer(3)});
    s.reset();
    return out;
}

std::vector<digest_answer> notification_store::best_answers(std::int64_t user_id, std::int64_t since,
                                                            std::int64_t limit)
{
    auto& s = db_.cached(sql::best_answers).bind(user_id, since, limit);
    std::vector<digest_answer> out;
    while (s.step()) out.push_back({s.integer(0), s.integer(1), s.text(2), s.text(3), s.integer(4)});
    s.reset();
    return out;
}

std::int64_t notification_store::reputation_change(std::int64_t user_id, std::int64_t since)
{
    return one_integer(db_.cached(sql::reputation_change).bind(user_id, since));
}

std::vector<std::pair<std::int64_t, std::string>> notification_store::names_with_prefix(std::string_view prefix,
                                                                                        std::int64_t limit)
{
    // Usernames are letters, digits and "_-.": every one starting with the prefix sorts below
    // the prefix followed by '~'.
    auto const upper = std::string(prefix) + "~";
    auto& s = db_.cached(sql::names_with_prefix).bind(prefix, upper, limit);
    std::vector<std::pair<std::int64_t, std::string>> out;
    while (s.step()) out.emplace_back(s.integer(0), s.text(1));
    s.reset();
    return out;
}

std::string notification_store::secret(std::string_view name)
{
    auto& s = db_.cached(sql::secret).bind(name);
    std::string out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
}

}  // namespace peerdesk::store
