#pragma once
// Members' kept figures and badges (schema/0014_members_badges.sql): the facts a member's
// badges and figures are computed from, the figures kept for the members list and profiles,
// badge awards, the reputation gained per calendar period, and the outbox of members to
// recompute. Reading methods take any connection; writing ones the writer, inside the caller's
// transaction.
#include "server/domain/badges.hpp"
#include "server/store/db.hpp"
#include "server/store/models.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::store {

struct helped_row {
    std::int64_t user_id = 0;
    std::string username;
    std::int64_t answers = 0;
};

// A member as the members list shows them.
struct member_row {
    std::int64_t id = 0;
    std::string username;
    std::int64_t reputation = 0;
    std::int64_t created_at = 0;
    std::int64_t reputation_change = 0;  // gained in the period asked for (this week when none)
    std::int64_t answers = 0;
    std::int64_t accepted = 0;
    std::int64_t questions = 0;
    std::vector<std::string> top_tags;
    std::int64_t bronze = 0, silver = 0, gold = 0;
    std::int64_t tag_answers = 0, tag_score = 0;  // when listed for a tag
};

enum class member_order { reputation, newest, name, gained, tag };

struct member_query {
    member_order order = member_order::reputation;
    std::string name;                              // part of the username, any case; empty: everyone
    domain::period period = domain::period::week;  // for gained, and for reputation_change
    std::int64_t period_starts = 0;
    std::int64_t tag_id = 0;  // for tag
    std::int64_t page = 1;
    std::int64_t pagesize = 30;
};

struct badge_award_row {
    std::string badge;
    std::int64_t tag_id = 0;
    std::string tag;
    std::optional<std::int64_t> post_id;
    std::optional<std::int64_t> question_id;  // the post's thread, for a link
    std::int64_t created_at = 0;
};

struct badge_count_row {
    std::string badge;
    std::int64_t tag_id = 0;
    std::string tag;
    std::int64_t holders = 0;
};

struct badge_holder_row {
    author_ref user;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> post_id;
    std::optional<std::int64_t> question_id;
};

// The figures on a profile.
struct member_profile {
    std::int64_t questions = 0, answers = 0, accepted = 0, helped = 0;
    std::int64_t bronze = 0, silver = 0, gold = 0;
    std::vector<domain::tag_figures> tags;  // by score, at most ten
    std::vector<helped_row> helped_most;    // at most five
};

struct ledger_entry_row {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::int64_t delta = 0;
    std::int64_t created_at = 0;
};

class member_store {
public:
    explicit member_store(connection& db) : db_(db) {}

    // ---- the worker's reads ----
    // The outbox in order: up to `limit` members (once each) and the last seq taken for them.
    struct outbox_batch {
        std::vector<std::int64_t> user_ids;
        std::int64_t last_seq = 0;
    };
    static constexpr std::int64_t outbox_rows_per_member = 50;
    outbox_batch outbox(std::int64_t limit);
    domain::member_facts facts(std::int64_t user_id);
    std::vector<helped_row> helped(std::int64_t user_id);  // every asker helped, most first
    std::vector<ledger_entry_row> ledger_after(std::int64_t id, std::int64_t limit);
    std::int64_t cursor(std::string_view name);
    // Work waiting for the worker: outbox rows and ledger rows not yet folded (for /metrics).
    std::int64_t pending();
    std::vector<std::int64_t> all_user_ids();

    // What is kept for a member now, so that saving writes only what changed.
    struct kept_figures {
        std::vector<domain::tag_figures> tags;
        std::vector<helped_row> helped;
    };
    kept_figures kept(std::int64_t user_id);

    // ---- the worker's writes ----
    // Writes the member's figures; of their rows per tag and per member helped, only those that
    // differ from `before` (a member who helped thousands is not written again in full).
    void save(std::int64_t user_id, domain::member_facts const& f, std::vector<helped_row> const& helped,
              kept_figures const& before);
    // True when newly awarded.
    bool award(std::int64_t user_id, domain::earned_badge const& b, std::int64_t now);
    void recount_badges(std::int64_t user_id);
    void forget_outbox(std::int64_t last_seq);
    void add_gain(domain::period p, std::int64_t starts, std::int64_t user_id, std::int64_t gained);
    void set_cursor(std::string_view name, std::int64_t value);
    // Recount: the leaderboard folded again from the whole ledger, every member recomputed.
    void start_over();

    // ---- pages ----
    page_of<member_row> members(member_query const& q);
    std::optional<member_profile> profile(std::int64_t user_id);
    std::vector<badge_award_row> badges_of(std::int64_t user_id);
    std::vector<badge_count_row> badge_counts();
    page_of<badge_holder_row> holders(std::string_view badge, std::int64_t tag_id, std::int64_t page,
                                      std::int64_t pagesize);
    // Bronze, silver and gold held by each of these members (absent: none).
    struct counts_row {
        std::int64_t user_id = 0, bronze = 0, silver = 0, gold = 0;
    };
    std::vector<counts_row> badge_counts_of(std::vector<std::int64_t> const& user_ids);
    std::optional<std::int64_t> tag_id(std::string_view name);

private:
    connection& db_;
};

}  // namespace peerdesk::store
