#include "server/app/permissions.hpp"

#include "server/app/moderation_actions.hpp"
#include "server/domain/time.hpp"

namespace peerdesk::app {
namespace {

failure forbidden(std::string message)
{
    return {failure_kind::forbidden, "forbidden", std::move(message), ""};
}

}  // namespace

verdict check_standing(viewer const& who)
{
    if (!who.user) return std::nullopt;
    auto const& u = *who.user;
    if (u.silenced)
        return failure{
            failure_kind::forbidden, "silenced",
            "Your account is silenced until a moderator lifts it: you can read, but not post, comment, vote or "
            "flag. Reason: " +
                u.suspension_reason,
            ""};
    if (u.suspended_until && *u.suspended_until > domain::now())
        return failure{failure_kind::forbidden, "suspended",
                       "Your account is suspended until " + domain::readable_time(*u.suspended_until) +
                           ". Reason: " + u.suspension_reason,
                       ""};
    return std::nullopt;
}

verdict permissions::signed_in(std::string_view doing) const
{
    if (who_.user) return std::nullopt;
    return failure{failure_kind::not_signed_in, "not_signed_in", "Sign in to " + std::string(doing) + ".", ""};
}

verdict permissions::may_write(std::string_view doing) const
{
    if (auto f = signed_in(doing)) return f;
    return check_standing(who_);
}

verdict permissions::may_moderate(std::string_view what) const
{
    if (auto f = signed_in(what)) return f;
    if (auto f = check_standing(who_)) return f;
    if (!who_.is_moderator()) return forbidden("Only moderators can " + std::string(what) + ".");
    return std::nullopt;
}

verdict permissions::may_administer(std::string_view what) const
{
    if (auto f = signed_in(what)) return f;
    if (auto f = check_standing(who_)) return f;
    if (!who_.is_admin()) return forbidden("Only admins can " + std::string(what) + ".");
    return std::nullopt;
}

verdict permissions::lacks(domain::privilege p) const
{
    if (!who_.user) return signed_in(domain::privilege_description(p));
    if (auto r = domain::check_privilege(who_.actor(), p, config_.thresholds))
        return failure{failure_kind::forbidden, "missing_privilege", r->message, ""};
    return std::nullopt;
}

namespace {

failure locked_thread()
{
    return {failure_kind::conflict, "locked", "This thread is locked: no new answers, comments or votes.", ""};
}

}  // namespace

verdict permissions::may_vote(store::post_row const& post, store::post_row const& question, int value) const
{
    if (auto f = may_write("vote")) return f;
    if (question.locked) return locked_thread();
    if (post.author.id == who_.user->id)
        return failure{failure_kind::forbidden, "own_post", "You cannot vote on your own post.", ""};
    if (value == 1) return lacks(domain::privilege::upvote);
    if (value == -1) return lacks(domain::privilege::downvote);
    return std::nullopt;
}

verdict permissions::may_comment(store::post_row const& post, store::post_row const& question) const
{
    if (auto f = may_write("comment")) return f;
    if (question.locked) return locked_thread();
    // Everyone may comment on their own posts and on answers to their own questions.
    if (post.author.id == who_.user->id || question.author.id == who_.user->id) return std::nullopt;
    return lacks(domain::privilege::comment_everywhere);
}

verdict permissions::may_edit(store::post_row const& post) const
{
    if (auto f = may_write("edit")) return f;
    if (post.author.id == who_.user->id) return std::nullopt;
    return lacks(domain::privilege::edit_others);
}

verdict permissions::may_accept(store::post_row const& question) const
{
    if (auto f = signed_in("accept an answer")) return f;
    // A moderator may act for the asker; the asker must be in good standing.
    if (question.author.id == who_.user->id) return check_standing(who_);
    if (who_.is_moderator()) return std::nullopt;
    return failure{failure_kind::forbidden, "not_asker",
                   "Only the person who asked (or a moderator) can accept an answer.", ""};
}

verdict permissions::may_answer(store::post_row const& question) const
{
    if (auto f = may_write("answer")) return f;
    if (question.locked) return locked_thread();
    if (question.closed_at)
        return failure{failure_kind::conflict, "closed",
                       "This question is closed as " + close_reason_text(question.close_reason.value_or("")) +
                           "; it takes no new answers.",
                       ""};
    return std::nullopt;
}

verdict permissions::may_flag(store::post_row const& post) const
{
    if (auto f = may_write("flag")) return f;
    if (post.author.id == who_.user->id)
        return failure{failure_kind::forbidden, "own_post",
                       "You cannot flag what you wrote; edit or delete it instead.", ""};
    return std::nullopt;
}

verdict permissions::may_suspend(store::user_row const& target) const
{
    if (auto f = may_moderate("suspend members")) return f;
    if (target.id == who_.user->id)
        return failure{failure_kind::invalid, "invalid_field", "You cannot suspend yourself.", ""};
    if (target.role != domain::role::member && !who_.is_admin())
        return forbidden("Only an admin can suspend a moderator or an admin.");
    return std::nullopt;
}

}  // namespace peerdesk::app
