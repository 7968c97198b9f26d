#pragma once
// What a viewer may do, answered in one place: the actions ask before they write, and the pages
// ask before they offer a control, so that a page never offers what the server would refuse
// and says what is missing instead. Each answer is nothing (allowed) or the failure to show:
// 401 when signed out, 403 with the reason (standing, role, privilege), 409 for a locked thread.
#include "server/app/context.hpp"
#include "server/domain/reputation.hpp"
#include "server/store/models.hpp"

namespace peerdesk::app {

using verdict = std::optional<failure>;

// A suspended or silenced member's refusal, saying why and until when; nothing otherwise
// (signed out included: that is a separate answer).
verdict check_standing(viewer const& who);

class permissions {
public:
    permissions(context const& ctx, viewer const& who) : config_(ctx.config), who_(who) {}
    permissions(settings const& config, viewer const& who) : config_(config), who_(who) {}

    // Signed in ("Sign in to DOING.").
    verdict signed_in(std::string_view doing) const;
    // Signed in and in good standing: the condition of every write.
    verdict may_write(std::string_view doing) const;
    // A moderator (or admin) in good standing.
    verdict may_moderate(std::string_view what = "do that") const;
    verdict may_administer(std::string_view what = "do that") const;
    // The privilege's refusal (reputation needed), or nothing when held.
    verdict lacks(domain::privilege p) const;

    // On posts; `question` is the post's thread (the post itself when it is the question).
    verdict may_vote(store::post_row const& post, store::post_row const& question, int value) const;
    verdict may_comment(store::post_row const& post, store::post_row const& question) const;
    verdict may_edit(store::post_row const& post) const;
    verdict may_accept(store::post_row const& question) const;
    verdict may_answer(store::post_row const& question) const;
    verdict may_flag(store::post_row const& post) const;
    // Moderators see deleted posts (to undelete them) and every member's standing.
    bool sees_deleted() const { return who_.is_moderator(); }
    verdict may_suspend(store::user_row const& target) const;

    viewer const& who() const { return who_; }

private:
    settings const& config_;
    viewer const& who_;
};

}  // namespace peerdesk::app
