#pragma once
// Users, sessions, API tokens, the reputation ledger and settings. Methods that write open
// their own immediate transaction and must be called with the writer connection.
#include "server/domain/reputation.hpp"
#include "server/store/db.hpp"
#include "server/store/models.hpp"

#include <optional>
#include <string>
#include <vector>

namespace peerdesk::store {

enum class create_user_outcome { created, username_taken, email_taken };

struct create_user_result {
    create_user_outcome outcome;
    std::int64_t id = 0;
};

class user_store {
public:
    explicit user_store(connection& db) : db_(db) {}

    create_user_result create(std::string_view username, std::string_view email, std::string_view password_hash,
                              std::string_view role, std::int64_t now);
    std::optional<user_row> find(std::int64_t id);
    std::optional<user_row> find_by_username(std::string_view username);
    // Admins, then moderators, by name (at most a thousand).
    std::vector<user_row> staff();
    // By username or email, with the password hash for verification.
    std::optional<std::pair<user_row, std::string>> find_for_login(std::string_view login);
    bool set_role(std::int64_t id, std::string_view role);
    user_counts counts(std::int64_t id);

    void create_session(std::string_view token_hash, std::int64_t user_id, std::int64_t now, std::int64_t expires_at);
    std::optional<user_row> find_by_session(std::string_view token_hash, std::int64_t now);
    void delete_session(std::string_view token_hash);
    void delete_sessions_of(std::int64_t user_id);  // every device signed out
    void set_password(std::int64_t user_id, std::string_view password_hash);

    std::int64_t create_api_token(std::int64_t user_id, std::string_view name, std::string_view token_hash,
                                  std::int64_t now);
    std::optional<user_row> find_by_api_token(std::string_view token_hash);
    // The token's id when its last use was recorded before since (or never): then it is due a
    // touch. Readers may call it; touch_api_token writes.
    std::optional<std::int64_t> api_token_due(std::string_view token_hash, std::int64_t since);
    void touch_api_token(std::int64_t token_id, std::int64_t now);
    std::vector<api_token_row> api_tokens(std::int64_t user_id);
    // False when the user has no such token.
    bool revoke_api_token(std::int64_t user_id, std::int64_t token_id);
    void delete_api_tokens_of(std::int64_t user_id);

    // With count_total false, total stays 0: a profile shows the latest events only, and the
    // most active member's ledger holds a quarter of a million rows at a million posts.
    page_of<ledger_row> reputation_history(std::int64_t user_id, std::int64_t page, std::int64_t pagesize,
                                           bool count_total = true);
    // Sums the ledger of every user into users.reputation; returns how many totals changed.
    int recount(int start_value);

    std::optional<std::string> setting(std::string_view key);
    void set_setting(std::string_view key, std::string_view value);

private:
    connection& db_;
};

// Writes ledger entries and updates the cached totals. Call inside the caller's transaction.
void apply_ledger(connection& db, std::vector<domain::ledger_entry> const& entries, std::optional<std::int64_t> post_id,
                  std::int64_t actor_id, std::int64_t now);

}  // namespace peerdesk::store
