// Members: the profile page with its reputation history and moderators' panel, and the API.
#include "server/app/frame.hpp"
#include "server/app/inbox.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/people.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/member_store.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

// A member's standing as moderators see it on the profile, with the forms that change it;
// the forms appear only where suspend_user would accept them.
view moderation_panel(call& c, store::user_row const& user)
{
    view v;
    bool const silenced = user.silenced;
    bool const suspended = !silenced && user.suspended_until && *user.suspended_until > domain::now();
    v.set("restricted", silenced || suspended);
    if (silenced) v.set("status", "Silenced until a moderator lifts it.");
    if (suspended) v.set("status", "Suspended until " + domain::readable_time(*user.suspended_until) + ".");
    if (silenced || suspended) {
        v.set("reason", user.suspension_reason);
        if (auto last = store::moderation_store(c.ctx.db.reader()).latest_restriction(user.id))
            v.set("by", last->actor_name)
                .set("by_id", last->entry.actor_id)
                .set("since", time_view(last->entry.created_at));
    }
    bool const self = c.who.user->id == user.id;
    v.set("may_suspend", !self && (user.role == domain::role::member || c.who.is_admin()));
    v.set("self", self);
    v.set("audit_url", "/audit?user=" + http::percent_encode(user.username));
    v.set("back", urls::user(user.id));
    return v;
}

response user_page(call& c)
{
    auto const id = parse_id(c.match["id"]);
    store::user_store users(c.ctx.db.reader());
    auto const user = id ? users.find(*id) : std::nullopt;
    if (!user) return message_page(c, 404, "User not found", "There is no such user.");
    auto const counts = users.counts(*id);
    auto const history = users.reputation_history(*id, 1, 30, false);
    std::vector<view> events;
    for (auto const& e : history.items) {
        view v;
        v.set("delta", (e.delta > 0 ? "+" : "") + std::to_string(e.delta))
            .set("positive", e.delta > 0)
            .set("reason", domain::ledger_reason_text(e.reason))
            .set("created", time_view(e.created_at));
        if (e.question_id) {
            v.set("url", e.post_id ? urls::post_or_top(*e.question_id, *e.post_id) : urls::question(*e.question_id));
            v.set("post_title", e.question_title.value_or("a post"));
        }
        events.push_back(std::move(v));
    }
    store::post_store posts(c.ctx.db.reader());
    auto const asked = posts.questions_by(*id, 1, 20);
    auto const answered = posts.answered_by(*id, 1, 20);
    view v;
    v.set("user", author_view({user->id, user->username, user->reputation}))
        .set("role", std::string(domain::role_name(user->role)))
        .set("is_staff", user->role != domain::role::member)
        .set("joined", time_view(user->created_at))
        .set("questions_count", counts.questions)
        .set("answers_count", counts.answers)
        .set("accepted_count", counts.accepted_answers)
        .set("events", events)
        .set("has_events", !events.empty())
        .set("asked", summary_views(asked.items))
        .set("has_asked", !asked.items.empty())
        .set("answered", summary_views(answered.items))
        .set("has_answered", !answered.items.empty())
        .set("is_me", c.who.user && c.who.user->id == user->id);
    // Badges, top tags and whom they helped, as the member worker last counted them.
    auto const figures = store::member_store(c.ctx.db.reader()).profile(*id).value_or(store::member_profile{});
    v.set("medals", medals_view(figures.bronze, figures.silver, figures.gold));
    auto badges = user_badge_views(c.ctx.db.reader(), *id);
    v.set("has_badges", !badges.empty()).set("badges", std::move(badges));
    std::vector<view> top_tags;
    for (auto const& t : figures.tags) {
        view tv;
        tv.set("name", t.name)
            .set("url", urls::tag(t.name))
            .set("answers", t.answers)
            .set("score", t.score)
            .set("members_url", "/users?tag=" + http::percent_encode(t.name));
        top_tags.push_back(std::move(tv));
    }
    v.set("has_top_tags", !top_tags.empty()).set("top_tags", std::move(top_tags));
    std::vector<view> helped;
    for (auto const& h : figures.helped_most) {
        view hv;
        hv.set("username", h.username)
            .set("url", urls::user(h.user_id))
            .set("answers", h.answers)
            .set("answers_label", h.answers == 1 ? "answer" : "answers");
        helped.push_back(std::move(hv));
    }
    v.set("helped_count", figures.helped).set("has_helped", !helped.empty()).set("helped", std::move(helped));
    if (c.who.is_moderator()) v.set("mod_panel", moderation_panel(c, *user));
    v.set("follow", follow_button(c, store::follow_target::user, user->id, urls::user(user->id) + "/follow", "member"));
    return page(
        c, 200, "user", user->username, std::move(v),
        {.feed_url = "/feeds/users/" + std::to_string(user->id) + ".atom", .feed_title = "Posts by " + user->username});
}

response show_user(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("user");
    store::user_store users(c.ctx.db.reader());
    auto const user = users.find(*id);
    if (!user) return bad_id("user");
    auto body = user_json(*user, users.counts(*id));
    store::member_store members(c.ctx.db.reader());
    auto const figures = members.profile(*id).value_or(store::member_profile{});
    boost::json::array badges;
    for (auto const& a : members.badges_of(*id))
        if (auto const* b = domain::find_badge(a.badge))
            badges.push_back({{"id", b->id},
                              {"name", badge_title(*b, a.tag)},
                              {"class", std::string(domain::to_string(b->klass))},
                              {"awarded_at", domain::rfc3339(a.created_at)}});
    body["badges"] = std::move(badges);
    body["badge_counts"] = badge_counts_json(figures.bronze, figures.silver, figures.gold);
    json::array tags;
    for (auto const& t : figures.tags)
        tags.push_back({{"name", t.name}, {"answers", t.answers}, {"score", t.score}, {"accepted", t.accepted}});
    body["top_tags"] = std::move(tags);
    json::array helped;
    for (auto const& h : figures.helped_most)
        helped.push_back({{"id", h.user_id}, {"username", h.username}, {"answers", h.answers}});
    body["helped"] = figures.helped;
    body["helped_most"] = std::move(helped);
    return json_response(200, body);
}

response user_reputation(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("user");
    auto listed = read_list_query(c);
    if (auto const* f = std::get_if<failure>(&listed)) return error_response(*f);
    auto const& [q, p] = std::get<list_query>(listed);
    store::user_store users(c.ctx.db.reader());
    if (!users.find(*id)) return bad_id("user");
    auto const page = users.reputation_history(*id, p.page, p.pagesize);
    return json_response(200, list_json(page, [](store::ledger_row const& row) {
                             json::object o{{"delta", row.delta},
                                            {"reason", row.reason},
                                            {"created_at", domain::rfc3339(row.created_at)}};
                             o["post_id"] = row.post_id ? json::value(*row.post_id) : json::value(nullptr);
                             return o;
                         }));
}

}  // namespace

void add_user_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/users/{id}", user_page);
    r.add(method::get, "/api/v1/users/{id}", show_user);
    r.add(method::get, "/api/v1/users/{id}/reputation", user_reputation);
}

}  // namespace peerdesk::app
