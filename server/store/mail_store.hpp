#pragma once
// The mail outbox, the single-use links sent by mail (address verification, password reset),
// the record of reset requests, and whether a member's address is verified. Writing methods
// are called with the writer connection, inside the caller's transaction (a mail is queued in
// the transaction of the event that causes it).
#include "server/store/db.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::store {

struct queued_mail {
    std::optional<std::int64_t> user_id;
    std::string kind;
    std::string message_id;
    std::string envelope_from;
    std::string recipient;
    std::string content;
};

struct outbox_row {
    std::int64_t id = 0;
    std::string message_id;
    std::string envelope_from;
    std::string recipient;
    std::string content;
    std::int64_t attempts = 0;
    std::int64_t created_at = 0;
};

// Where a queued message stands (for tests and operators).
struct outbox_counts {
    std::int64_t waiting = 0;
    std::int64_t sent = 0;
    std::int64_t failed = 0;
};

enum class token_purpose { verify_email, reset_password };
std::string_view to_sql(token_purpose p);

struct account_token_row {
    std::int64_t user_id = 0;
    token_purpose purpose = token_purpose::verify_email;
    std::string email;
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    std::optional<std::int64_t> used_at;
};

struct address_row {
    std::string username;
    std::string email;
    std::optional<std::int64_t> verified_at;
};

enum class email_change_outcome { changed, unchanged, taken };

class mail_store {
public:
    explicit mail_store(connection& db) : db_(db) {}

    // ---- the outbox
    std::int64_t enqueue(queued_mail const& m, std::int64_t now);
    // Messages due for an attempt at `now`, oldest first.
    std::vector<outbox_row> due(std::int64_t now, int limit);
    // The earliest time a waiting message is due, if any waits.
    std::optional<std::int64_t> next_due();
    void mark_sent(std::int64_t id, std::int64_t now, std::string_view reply);
    void mark_retry(std::int64_t id, std::int64_t next_attempt_at, std::string_view error);
    void mark_failed(std::int64_t id, std::int64_t now, std::string_view error);
    outbox_counts counts();
    // Messages of this kind queued for this member since `since`.
    std::int64_t queued_since(std::int64_t user_id, std::string_view kind, std::int64_t since);

    // ---- single-use links
    void add_token(std::string_view token_hash, std::int64_t user_id, token_purpose purpose, std::string_view email,
                   std::int64_t now, std::int64_t expires_at);
    std::optional<account_token_row> find_token(std::string_view token_hash);
    // Marks the token used; false when it was used already (a second use in a race).
    bool use_token(std::string_view token_hash, std::int64_t now);
    // Ends every unused link of this purpose for the member (a reset done, an address changed).
    void end_tokens(std::int64_t user_id, token_purpose purpose, std::int64_t now);
    // Links of this purpose made for the member since `since`, and the oldest of them.
    std::int64_t tokens_since(std::int64_t user_id, token_purpose purpose, std::int64_t since);

    // ---- requests by address (reset), counted whether or not an account has the address
    void add_request(std::string_view key_hash, std::string_view purpose, std::int64_t now);
    std::int64_t requests_since(std::string_view key_hash, std::string_view purpose, std::int64_t since);
    std::optional<std::int64_t> oldest_request_since(std::string_view key_hash, std::string_view purpose,
                                                     std::int64_t since);

    // ---- addresses
    std::optional<address_row> address(std::int64_t user_id);
    // The account with this address (any case), if one has it.
    std::optional<std::int64_t> user_by_email(std::string_view email);
    void set_verified(std::int64_t user_id, std::int64_t now);
    // A new address starts unverified. Taken when another account has it.
    email_change_outcome change_email(std::int64_t user_id, std::string_view email);

    // Forgets what is no longer needed: requests older than a day, links ended or expired a
    // week ago, messages sent or given up a month ago. Answers how many rows went.
    std::int64_t prune(std::int64_t now);

private:
    connection& db_;
};

}  // namespace peerdesk::store
