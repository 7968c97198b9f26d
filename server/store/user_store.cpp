#include "server/store/user_store.hpp"

namespace peerdesk::store {
namespace {

// A user as every query of whole users selects them (the user as u); read_user reads them.
std::string const user_columns =
    "SELECT u.id, u.username, u.email, u.role, u.reputation, u.created_at, u.suspended_until, u.silenced, "
    "u.suspension_reason ";

user_row read_user(statement& s)
{
    return {
        s.integer(0),          s.text(1),         s.text(2), domain::parse_role(s.text(3)), s.integer(4), s.integer(5),
        s.optional_integer(6), s.integer(7) != 0, s.text(8)};
}

}  // namespace

namespace sql {

// "alice." beside "alice" would pass for her: names are taken up to case and trailing
// punctuation (an expression index answers this).
constexpr std::string_view username_exists =
    "SELECT 1 FROM users WHERE rtrim(lower(username), '._-') = rtrim(lower(?1), '._-')";
constexpr std::string_view email_exists = "SELECT 1 FROM users WHERE email = ?1 COLLATE NOCASE";
constexpr std::string_view insert_user =
    "INSERT INTO users (username, email, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
std::string const find_user = user_columns + "FROM users u WHERE u.id = ?1";
std::string const find_user_by_name = user_columns + "FROM users u WHERE u.username = ?1 COLLATE NOCASE";
std::string const staff = user_columns +
                          "FROM users u WHERE u.role IN ('moderator', 'admin') "
                          "ORDER BY u.role = 'admin' DESC, u.username COLLATE NOCASE LIMIT 1000";
// The hash follows the user's columns.
std::string const find_for_login = user_columns +
                                   ", u.password_hash FROM users u "
                                   "WHERE u.username = ?1 COLLATE NOCASE OR u.email = ?1 COLLATE NOCASE LIMIT 1";
constexpr std::string_view set_role = "UPDATE users SET role = ?2 WHERE id = ?1";
constexpr std::string_view counts =
    "SELECT (SELECT count(*) FROM live_posts WHERE author_id = ?1 AND kind = 'question'), "
    "(SELECT count(*) FROM live_posts WHERE author_id = ?1 AND kind = 'answer'), "
    "(SELECT count(*) FROM posts a JOIN posts q ON q.accepted_answer_id = a.id WHERE a.author_id = ?1)";
constexpr std::string_view insert_session =
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";
std::string const find_by_session =
    user_columns + "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1 AND s.expires_at > ?2";
constexpr std::string_view delete_session = "DELETE FROM sessions WHERE token_hash = ?1";
constexpr std::string_view delete_sessions_of = "DELETE FROM sessions WHERE user_id = ?1";
constexpr std::string_view set_password = "UPDATE users SET password_hash = ?2 WHERE id = ?1";
constexpr std::string_view insert_token =
    "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)";
std::string const find_by_token =
    user_columns + "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1";
constexpr std::string_view token_due =
    "SELECT id FROM api_tokens WHERE token_hash = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)";
constexpr std::string_view touch_token = "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1";
constexpr std::string_view tokens_of =
    "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ?1 ORDER BY id";
constexpr std::string_view revoke_token = "DELETE FROM api_tokens WHERE id = ?2 AND user_id = ?1";
constexpr std::string_view delete_tokens_of = "DELETE FROM api_tokens WHERE user_id = ?1";
constexpr std::string_view ledger_count = "SELECT count(*) FROM reputation_events WHERE user_id = ?1";
constexpr std::string_view ledger_page =
    // Every row stays, but a removed post (or one in a removed thread) is neither named nor linked.
    "SELECT e.delta, e.reason, p.id, e.created_at, coalesce(p.question_id, p.id), coalesce(q.title, p.title) "
    "FROM reputation_events e LEFT JOIN visible_posts p ON p.id = e.post_id LEFT JOIN posts q ON q.id = p.question_id "
    "WHERE e.user_id = ?1 ORDER BY e.id DESC LIMIT ?2 OFFSET ?3";
constexpr std::string_view insert_event =
    "INSERT INTO reputation_events (user_id, delta, reason, post_id, actor_id, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view add_reputation = "UPDATE users SET reputation = reputation + ?2 WHERE id = ?1";
constexpr std::string_view recount =
    "UPDATE users SET reputation = ?1 + coalesce((SELECT sum(delta) FROM reputation_events e "
    "WHERE e.user_id = users.id), 0) WHERE reputation IS NOT ?1 + coalesce((SELECT sum(delta) "
    "FROM reputation_events e WHERE e.user_id = users.id), 0)";
constexpr std::string_view get_setting = "SELECT value FROM settings WHERE key = ?1";
constexpr std::string_view put_setting =
    "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

}  // namespace sql

namespace {

std::optional<user_row> one_user(statement& s)
{
    std::optional<user_row> out;
    if (s.step()) out = read_user(s);
    s.reset();
    return out;
}

bool exists(statement& s)
{
    bool const found = s.step();
    s.reset();
    return found;
}

}  // namespace

create_user_result user_store::create(std::string_view username, std::string_view email, std::string_view password_hash,
                                      std::string_view role, std::int64_t now)
{
    auto tx = db_.begin_immediate();
    if (exists(db_.cached(sql::username_exists).bind(username))) return {create_user_outcome::username_taken};
    if (exists(db_.cached(sql::email_exists).bind(email))) return {create_user_outcome::email_taken};
    db_.cached(sql::insert_user).bind(username, email, password_hash, role, now).run();
    auto const id = db_.last_insert_rowid();
    tx.commit();
    return {create_user_outcome::created, id};
}

std::optional<user_row> user_store::find(std::int64_t id)
{
    return one_user(db_.cached(sql::find_user).bind(id));
}

std::optional<user_row> user_store::find_by_username(std::string_view username)
{
    return one_user(db_.cached(sql::find_user_by_name).bind(username));
}

std::vector<user_row> user_store::staff()
{
    std::vector<user_row> out;
    auto& s = db_.cached(sql::staff).bind();
    while (s.step()) out.push_back(read_user(s));
    s.reset();
    return out;
}

std::optional<std::pair<user_row, std::string>> user_store::find_for_login(std::string_view login)
{
    auto& s = db_.cached(sql::find_for_login).bind(login);
    std::optional<std::pair<user_row, std::string>> out;
    if (s.step()) out.emplace(read_user(s), s.text(9));
    s.reset();
    return out;
}

bool user_store::set_role(std::int64_t id, std::string_view role)
{
    db_.cached(sql::set_role).bind(id, role).run();
    return db_.changes() == 1;
}

user_counts user_store::counts(std::int64_t id)
{
    auto& s = db_.cached(sql::counts).bind(id);
    user_counts out;
    if (s.step()) out = {s.integer(0), s.integer(1), s.integer(2)};
    s.reset();
    return out;
}

void user_store::create_session(std::string_view token_hash, std::int64_t user_id, std::int64_t now,
                                std::int64_t expires_at)
{
    db_.cached(sql::insert_session).bind(token_hash, user_id, now, expires_at).run();
}

std::optional<user_row> user_store::find_by_session(std::string_view token_hash, std::int64_t now)
{
    return one_user(db_.cached(sql::find_by_session).bind(token_hash, now));
}

void user_store::delete_session(std::string_view token_hash)
{
    db_.cached(sql::delete_session).bind(token_hash).run();
}

void user_store::delete_sessions_of(std::int64_t user_id)
{
    db_.cached(sql::delete_sessions_of).bind(user_id).run();
}

void user_store::set_password(std::int64_t user_id, std::string_view password_hash)
{
    db_.cached(sql::set_password).bind(user_id, password_hash).run();
}

std::int64_t user_store::create_api_token(std::int64_t user_id, std::string_view name, std::string_view token_hash,
                                          std::int64_t now)
{
    db_.cached(sql::insert_token).bind(user_id, name, token_hash, now).run();
    return db_.last_insert_rowid();
}

std::optional<user_row> user_store::find_by_api_token(std::string_view token_hash)
{
    return one_user(db_.cached(sql::find_by_token).bind(token_hash));
}

std::optional<std::int64_t> user_store::api_token_due(std::string_view token_hash, std::int64_t since)
{
    auto& s = db_.cached(sql::token_due).bind(token_hash, since);
    std::optional<std::int64_t> out;
    if (s.step()) out = s.integer(0);
    s.reset();
    return out;
}

void user_store::touch_api_token(std::int64_t token_id, std::int64_t now)
{
    db_.cached(sql::touch_token).bind(token_id, now).run();
}

std::vector<api_token_row> user_store::api_tokens(std::int64_t user_id)
{
    std::vector<api_token_row> out;
    auto& s = db_.cached(sql::tokens_of).bind(user_id);
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.integer(2), s.optional_integer(3)});
    s.reset();
    return out;
}

bool user_store::revoke_api_token(std::int64_t user_id, std::int64_t token_id)
{
    db_.cached(sql::revoke_token).bind(user_id, token_id).run();
    return db_.changes() > 0;
}

void user_store::delete_api_tokens_of(std::int64_t user_id)
{
    db_.cached(sql::delete_tokens_of).bind(user_id).run();
}

page_of<ledger_row> user_store::reputation_history(std::int64_t user_id, std::int64_t page, std::int64_t pagesize,
                                                   bool count_total)
{
    page_of<ledger_row> out{{}, page, pagesize, 0};
    if (count_total) {
        auto& count = db_.cached(sql::ledger_count).bind(user_id);
        if (count.step()) out.total = count.integer(0);
        count.reset();
    }
    auto& s = db_.cached(sql::ledger_page).bind(user_id, pagesize, (page - 1) * pagesize);
    while (s.step())
        out.items.push_back(
            {s.integer(0), s.text(1), s.optional_integer(2), s.optional_integer(4), s.optional_text(5), s.integer(3)});
    s.reset();
    return out;
}

int user_store::recount(int start_value)
{
    auto tx = db_.begin_immediate();
    db_.cached(sql::recount).bind(start_value).run();
    int const changed = db_.changes();
    tx.commit();
    return changed;
}

std::optional<std::string> user_store::setting(std::string_view key)
{
    auto& s = db_.cached(sql::get_setting).bind(key);
    std::optional<std::string> out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
}

void user_store::set_setting(std::string_view key, std::string_view value)
{
    db_.cached(sql::put_setting).bind(key, value).run();
}

void apply_ledger(connection& db, std::vector<domain::ledger_entry> const& entries, std::optional<std::int64_t> post_id,
                  std::int64_t actor_id, std::int64_t now)
{
    for (auto const& e : entries) {
        db.cached(sql::insert_event).bind(e.user_id, e.delta, e.reason, post_id, actor_id, now).run();
        db.cached(sql::add_reputation).bind(e.user_id, e.delta).run();
    }
}

}  // namespace peerdesk::store
