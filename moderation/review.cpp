#include "moderation/review.hpp"

#include <algorithm>

namespace peerdesk::moderation {

std::optional<review_action> parse_review_action(std::string_view text)
{
    if (text == "approve") return review_action::approve;
    if (text == "reject") return review_action::reject;
    if (text == "dismiss") return review_action::dismiss;
    if (text == "delete") return review_action::remove;
    return std::nullopt;
}

std::string_view code(review_action a)
{
    switch (a) {
        case review_action::approve:
            return "approve";
        case review_action::reject:
            return "reject";
        case review_action::dismiss:
            return "dismiss";
        case review_action::remove:
            return "delete";
    }
    return "dismiss";
}

review_decision decide(review_action action, review_facts const& facts)
{
    review_decision d;
    d.keep = action == review_action::approve || action == review_action::dismiss;
    bool const abuse = facts.held || std::any_of(facts.flags.begin(), facts.flags.end(), serious);
    d.penalise = action == review_action::reject && abuse;
    return d;
}

}  // namespace peerdesk::moderation
