#pragma once
// Reputation rules and privileges: pure decisions, no storage. The store turns the ledger
// entries decided here into rows of reputation_events.
#include "server/domain/posts.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace peerdesk::domain {

enum class role { member, moderator, admin };
enum class privilege { upvote, comment_everywhere, downvote, edit_others };

role parse_role(std::string_view text);  // unknown text is a member
std::string_view role_name(role r);

// Stack Exchange's values as defaults.
struct reputation_rules {
    int start = 1;
    int upvoted = 10;
    int downvoted = -2;
    int voter_downvotes_answer = -1;
    int answer_accepted = 15;
    int asker_accepts = 2;
    // Once per idea each: the company answering "we will build it" and "it is built".
    int idea_planned = 10;
    int idea_delivered = 20;
};

// Reputation needed for each privilege; moderators and admins hold every privilege.
struct privilege_thresholds {
    int upvote = 15;
    int comment_everywhere = 50;
    int downvote = 125;
    int edit_others = 2000;
    int required(privilege p) const;
};

struct actor {
    std::int64_t id = 0;
    role user_role = role::member;
    std::int64_t reputation = 1;
};

// Why an action was refused, said so that the user knows what it takes.
struct refusal {
    std::string message;
};

std::optional<refusal> check_privilege(actor const& who, privilege p, privilege_thresholds const& t);
std::string_view privilege_description(privilege p);  // "vote up", "comment on others' posts", …

struct ledger_entry {
    std::int64_t user_id;
    int delta;
    std::string reason;
};

// Reputation as people see it: never below 1, as on Stack Exchange. The ledger keeps every
// row and its sum may be lower (a penalty larger than what was earned). Decisions such as
// privileges read the sum itself, so that a penalty is not forgiven by the floor.
std::int64_t shown_reputation(std::int64_t ledger_sum);

// The words for a ledger row's reason ("upvote" → "upvoted"); every reason this program
// writes has words, and an unknown one (from a newer version) reads as "other change".
std::string_view ledger_reason_text(std::string_view reason);

// The reason written when a moderator removes a member's post as spam or abuse.
inline constexpr std::string_view spam_penalty_reason = "removed_as_spam_or_abuse";

// The entries for changing `voter`'s vote on a post from old_value to new_value (each -1, 0
// or 1): the reverse of the old vote's entries, then the new vote's.
std::vector<ledger_entry> vote_entries(post_kind kind, std::int64_t author_id, std::int64_t voter_id, int old_value,
                                       int new_value, reputation_rules const& r);

// The entries for moving a question's acceptance from one answer's author to another's (either
// may be absent). No reputation moves when the asker accepts their own answer.
std::vector<ledger_entry> accept_entries(std::int64_t asker_id, std::optional<std::int64_t> old_answer_author,
                                         std::optional<std::int64_t> new_answer_author, reputation_rules const& r);

}  // namespace peerdesk::domain
