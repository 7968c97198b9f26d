#include "server/domain/reputation.hpp"

namespace peerdesk::domain {

role parse_role(std::string_view text)
{
    if (text == "admin") return role::admin;
    if (text == "moderator") return role::moderator;
    return role::member;
}

std::string_view role_name(role r)
{
    switch (r) {
        case role::admin:
            return "admin";
        case role::moderator:
            return "moderator";
        case role::member:
            break;
    }
    return "member";
}

int privilege_thresholds::required(privilege p) const
{
    switch (p) {
        case privilege::upvote:
            return upvote;
        case privilege::comment_everywhere:
            return comment_everywhere;
        case privilege::downvote:
            return downvote;
        case privilege::edit_others:
            return edit_others;
    }
    return 0;
}

std::string_view privilege_description(privilege p)
{
    switch (p) {
        case privilege::upvote:
            return "Voting up";
        case privilege::comment_everywhere:
            return "Commenting on other people's posts";
        case privilege::downvote:
            return "Voting down";
        case privilege::edit_others:
            return "Editing other people's posts";
    }
    return "This action";
}

std::optional<refusal> check_privilege(actor const& who, privilege p, privilege_thresholds const& t)
{
    if (who.user_role != role::member) return std::nullopt;
    int const needed = t.required(p);
    if (who.reputation >= needed) return std::nullopt;
    return refusal{std::string(privilege_description(p)) + " needs " + std::to_string(needed) +
                   " reputation; you have " + std::to_string(shown_reputation(who.reputation)) + "."};
}

std::int64_t shown_reputation(std::int64_t ledger_sum)
{
    return ledger_sum < 1 ? 1 : ledger_sum;
}

std::string_view ledger_reason_text(std::string_view reason)
{
    if (reason == "upvote") return "upvoted";
    if (reason == "upvote_undone") return "upvote taken back";
    if (reason == "downvote") return "downvoted";
    if (reason == "downvote_undone") return "downvote taken back";
    if (reason == "downvote_cast") return "downvoted an answer";
    if (reason == "downvote_cast_undone") return "took back a downvote";
    if (reason == "accepted") return "answer accepted";
    if (reason == "accepted_undone") return "acceptance withdrawn";
    if (reason == "accept") return "accepted an answer";
    if (reason == "accept_undone") return "withdrew an acceptance";
    if (reason == spam_penalty_reason) return "post removed by a moderator as spam or abuse";
    if (reason == "idea_planned") return "idea planned";
    if (reason == "idea_delivered") return "idea delivered";
    return "other change";
}

std::vector<ledger_entry> vote_entries(post_kind kind, std::int64_t author_id, std::int64_t voter_id, int old_value,
                                       int new_value, reputation_rules const& r)
{
    std::vector<ledger_entry> out;
    auto const add_for = [&](int value, int sign, bool undo) {
        std::string const suffix = undo ? "_undone" : "";
        if (value > 0) {
            out.push_back({author_id, sign * r.upvoted, "upvote" + suffix});
        } else if (value < 0) {
            out.push_back({author_id, sign * r.downvoted, "downvote" + suffix});
            if (kind == post_kind::answer && r.voter_downvotes_answer != 0)
                out.push_back({voter_id, sign * r.voter_downvotes_answer, "downvote_cast" + suffix});
        }
    };
    if (old_value == new_value) return out;
    add_for(old_value, -1, true);
    add_for(new_value, +1, false);
    return out;
}

std::vector<ledger_entry> accept_entries(std::int64_t asker_id, std::optional<std::int64_t> old_answer_author,
                                         std::optional<std::int64_t> new_answer_author, reputation_rules const& r)
{
    std::vector<ledger_entry> out;
    if (old_answer_author && *old_answer_author != asker_id) {
        out.push_back({*old_answer_author, -r.answer_accepted, "accepted_undone"});
        out.push_back({asker_id, -r.asker_accepts, "accept_undone"});
    }
    if (new_answer_author && *new_answer_author != asker_id) {
        out.push_back({*new_answer_author, r.answer_accepted, "accepted"});
        out.push_back({asker_id, r.asker_accepts, "accept"});
    }
    return out;
}

}  // namespace peerdesk::domain
