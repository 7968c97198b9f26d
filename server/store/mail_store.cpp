#include "server/store/mail_store.hpp"

namespace peerdesk::store {
namespace sql {

constexpr std::string_view enqueue =
    "INSERT INTO mail_outbox (message_id, user_id, kind, envelope_from, recipient, content, created_at, "
    "next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
constexpr std::string_view due =
    "SELECT id, message_id, envelope_from, recipient, content, attempts, created_at FROM mail_outbox "
    "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2";
constexpr std::string_view next_due =
    "SELECT min(next_attempt_at) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL";
constexpr std::string_view mark_sent =
    "UPDATE mail_outbox SET sent_at = ?2, relay_reply = ?3, attempts = attempts + 1 WHERE id = ?1";
constexpr std::string_view mark_retry =
    "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1";
constexpr std::string_view mark_failed =
    "UPDATE mail_outbox SET failed_at = ?2, last_error = ?3, attempts = attempts + 1 WHERE id = ?1";
constexpr std::string_view counts =
    "SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL), count(*) FILTER (WHERE sent_at IS NOT "
    "NULL), count(*) FILTER (WHERE failed_at IS NOT NULL) FROM mail_outbox";
constexpr std::string_view queued_since =
    "SELECT count(*) FROM mail_outbox WHERE user_id = ?1 AND kind = ?2 AND created_at >= ?3";
constexpr std::string_view add_token =
    "INSERT INTO account_tokens (token_hash, user_id, purpose, email, created_at, expires_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view find_token =
    "SELECT user_id, purpose, email, created_at, expires_at, used_at FROM account_tokens WHERE token_hash = ?1";
constexpr std::string_view use_token =
    "UPDATE account_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL";
constexpr std::string_view end_tokens =
    "UPDATE account_tokens SET used_at = ?3 WHERE user_id = ?1 AND purpose = ?2 AND used_at IS NULL";
constexpr std::string_view tokens_since =
    "SELECT count(*) FROM account_tokens WHERE user_id = ?1 AND purpose = ?2 AND created_at >= ?3";
constexpr std::string_view add_request =
    "INSERT INTO mail_requests (key_hash, purpose, created_at) VALUES (?1, ?2, ?3)";
constexpr std::string_view requests_since =
    "SELECT count(*), min(created_at) FROM mail_requests WHERE key_hash = ?1 AND purpose = ?2 AND created_at >= ?3";
constexpr std::string_view address = "SELECT username, email, email_verified_at FROM users WHERE id = ?1";
constexpr std::string_view user_by_email = "SELECT id FROM users WHERE email = ?1 COLLATE NOCASE";
constexpr std::string_view set_verified =
    "UPDATE users SET email_verified_at = ?2 WHERE id = ?1 AND email_verified_at IS NULL";
constexpr std::string_view email_taken = "SELECT 1 FROM users WHERE email = ?1 COLLATE NOCASE AND id <> ?2";
constexpr std::string_view change_email =
    "UPDATE users SET email = ?2, email_verified_at = NULL WHERE id = ?1 AND email IS NOT ?2";
constexpr std::string_view prune_requests = "DELETE FROM mail_requests WHERE created_at < ?1";
constexpr std::string_view prune_tokens =
    "DELETE FROM account_tokens WHERE coalesce(used_at, expires_at) < ?1 AND expires_at < ?1";
constexpr std::string_view prune_outbox =
    "DELETE FROM mail_outbox WHERE created_at < ?1 AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)";

}  // namespace sql

namespace {

std::int64_t one_integer(statement& s)
{
    std::int64_t out = 0;
    if (s.step()) out = s.integer(0);
    s.reset();
    return out;
}

}  // namespace

std::string_view to_sql(token_purpose p)
{
    return p == token_purpose::verify_email ? "verify_email" : "reset_password";
}

std::int64_t mail_store::enqueue(queued_mail const& m, std::int64_t now)
{
    db_.cached(sql::enqueue).bind(m.message_id, m.user_id, m.kind, m.envelope_from, m.recipient, m.content, now).run();
    return db_.last_insert_rowid();
}

std::vector<outbox_row> mail_store::due(std::int64_t now, int limit)
{
    std::vector<outbox_row> out;
    auto& s = db_.cached(sql::due).bind(now, limit);
    while (s.step())
        out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.integer(6)});
    s.reset();
    return out;
}

std::optional<std::int64_t> mail_store::next_due()
{
    auto& s = db_.cached(sql::next_due).bind();
    std::optional<std::int64_t> out;
    if (s.step()) out = s.optional_integer(0);
    s.reset();
    return out;
}

void mail_store::mark_sent(std::int64_t id, std::int64_t now, std::string_view reply)
{
    db_.cached(sql::mark_sent).bind(id, now, reply).run();
}

void mail_store::mark_retry(std::int64_t id, std::int64_t next_attempt_at, std::string_view error)
{
    db_.cached(sql::mark_retry).bind(id, next_attempt_at, error).run();
}

void mail_store::mark_failed(std::int64_t id, std::int64_t now, std::string_view error)
{
    db_.cached(sql::mark_failed).bind(id, now, error).run();
}

outbox_counts mail_store::counts()
{
    auto& s = db_.cached(sql::counts).bind();
    outbox_counts out;
    if (s.step()) out = {s.integer(0), s.integer(1), s.integer(2)};
    s.reset();
    return out;
}

std::int64_t mail_store::queued_since(std::int64_t user_id, std::string_view kind, std::int64_t since)
{
    return one_integer(db_.cached(sql::queued_since).bind(user_id, kind, since));
}

void mail_store::add_token(std::string_view token_hash, std::int64_t user_id, token_purpose purpose,
                           std::string_view email, std::int64_t now, std::int64_t expires_at)
{
    db_.cached(sql::add_token).bind(token_hash, user_id, to_sql(purpose), email, now, expires_at).run();
}

std::optional<account_token_row> mail_store::find_token(std::string_view token_hash)
{
    auto& s = db_.cached(sql::find_token).bind(token_hash);
    std::optional<account_token_row> out;
    if (s.step())
        out = account_token_row{
            s.integer(0),
            s.text_view(1) == "reset_password" ? token_purpose::reset_password : token_purpose::verify_email,
            s.text(2),
            s.integer(3),
            s.integer(4),
            s.optional_integer(5)};
    s.reset();
    return out;
}

bool mail_store::use_token(std::string_view token_hash, std::int64_t now)
{
    db_.cached(sql::use_token).bind(token_hash, now).run();
    return db_.changes() == 1;
}

void mail_store::end_tokens(std::int64_t user_id, token_purpose purpose, std::int64_t now)
{
    db_.cached(sql::end_tokens).bind(user_id, to_sql(purpose), now).run();
}

std::int64_t mail_store::tokens_since(std::int64_t user_id, token_purpose purpose, std::int64_t since)
{
    return one_integer(db_.cached(sql::tokens_since).bind(user_id, to_sql(purpose), since));
}

void mail_store::add_request(std::string_view key_hash, std::string_view purpose, std::int64_t now)
{
    db_.cached(sql::add_request).bind(key_hash, purpose, now).run();
}

std::int64_t mail_store::requests_since(std::string_view key_hash, std::string_view purpose, std::int64_t since)
{
    return one_integer(db_.cached(sql::requests_since).bind(key_hash, purpose, since));
}

std::optional<std::int64_t> mail_store::oldest_request_since(std::string_view key_hash, std::string_view purpose,
                                                             std::int64_t since)
{
    auto& s = db_.cached(sql::requests_since).bind(key_hash, purpose, since);
    std::optional<std::int64_t> out;
    if (s.step()) out = s.optional_integer(1);
    s.reset();
    return out;
}

std::optional<address_row> mail_store::address(std::int64_t user_id)
{
    auto& s = db_.cached(sql::address).bind(user_id);
    std::optional<address_row> out;
    if (s.step()) out = address_row{s.text(0), s.text(1), s.optional_integer(2)};
    s.reset();
    return out;
}

std::optional<std::int64_t> mail_store::user_by_email(std::string_view email)
{
    auto& s = db_.cached(sql::user_by_email).bind(email);
    std::optional<std::int64_t> out;
    if (s.step()) out = s.integer(0);
    s.reset();
    return out;
}

void mail_store::set_verified(std::int64_t user_id, std::int64_t now)
{
    db_.cached(sql::set_verified).bind(user_id, now).run();
}

email_change_outcome mail_store::change_email(std::int64_t user_id, std::string_view email)
{
    auto& taken = db_.cached(sql::email_taken).bind(email, user_id);
    bool const is_taken = taken.step();
    taken.reset();
    if (is_taken) return email_change_outcome::taken;
    db_.cached(sql::change_email).bind(user_id, email).run();
    return db_.changes() == 1 ? email_change_outcome::changed : email_change_outcome::unchanged;
}

std::int64_t mail_store::prune(std::int64_t now)
{
    std::int64_t gone = 0;
    db_.cached(sql::prune_requests).bind(now - 24 * 3600).run();
    gone += db_.changes();
    db_.cached(sql::prune_tokens).bind(now - 7 * 24 * 3600).run();
    gone += db_.changes();
    db_.cached(sql::prune_outbox).bind(now - 30 * 24 * 3600).run();
    gone += db_.changes();
    return gone;
}

}  // namespace peerdesk::store
