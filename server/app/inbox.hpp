#pragma once
// The inbox room's pieces other rooms show: the bell's count in the header, the follow button
// on a question, tag or member page, and the notification settings on /account.
#include "server/app/context.hpp"
#include "server/render/templates.hpp"
#include "server/store/notification_store.hpp"

namespace peerdesk::app {

// Unread notifications the member may see, counted up to 100 (the bell shows "99+"): one
// indexed query.
std::int64_t unread_notifications(context& ctx, std::int64_t user_id);

// A follow or unfollow button (a form that works without JavaScript) for the viewer, or an
// empty view for visitors. `path` is where the form posts, as "/questions/7/follow".
render::view follow_button(call& c, store::follow_target target, std::int64_t target_id, std::string const& path,
                           std::string const& noun);

// The same button written for a page's hole (a shared page filled per viewer): nothing for
// visitors; one indexed query for members.
void append_follow_form(render::html_builder& out, call& c, store::follow_target target, std::int64_t target_id,
                        std::string const& path, std::string_view noun);

// The "Notifications" and "Following" sections of /account.
render::safe_html account_notifications_html(call& c, std::string const& notice = {});

}  // namespace peerdesk::app
