#pragma once
// The review queue's decisions: what approving, rejecting, dismissing or deleting an item means
// for the post and its author. The action takes the decision inside its write transaction, on
// the item as it is then, and carries it out.
#include <optional>
#include <string_view>
#include <vector>

#include "moderation/flags.hpp"

namespace peerdesk::moderation {

enum class review_action { approve, reject, dismiss, remove };

std::optional<review_action> parse_review_action(std::string_view code);  // "delete" is remove
std::string_view code(review_action a);

struct review_facts {
    bool held = false;               // held by the spam rules before anyone saw it
    std::vector<flag_reason> flags;  // the open flags' reasons
};

struct review_decision {
    bool keep = false;      // the post or comment stays, shown again if it was hidden or held
    bool penalise = false;  // its author loses the spam penalty
};

// Approve and dismiss keep; reject and delete remove. Removal costs the author only when the
// item was spam or abuse: held by the spam rules, or flagged as spam or rude.
review_decision decide(review_action action, review_facts const& facts);

}  // namespace peerdesk::moderation
