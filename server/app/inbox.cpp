// Notifications, following and their preferences: the actions, then the JSON API, then the
// pages (the inbox, follow buttons, the settings on /account, unsubscribing from mail).
#include "server/app/inbox.hpp"

#include "server/app/api_io.hpp"
#include "server/app/events.hpp"
#include "server/app/frame.hpp"
#include "server/app/member_memo.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/notifications.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace peerdesk::app {

using http::response;
using render::view;
using store::follow_target;

namespace {

// What a member's pages show of their own notifications (see member_memo.hpp). Every
// signed-in page shows the bell's count, and counting joins each unread notification to its
// question, post and comment (one deleted since is not counted): a sixth of a signed-in
// question page. The inbox page joins its 30 rows the same way.
member_memo<std::int64_t>& unread_counts()
{
    static member_memo<std::int64_t> memo(100'000);
    return memo;
}

// An inbox page's content (about 20 KB), for a few hundred members at once.
member_memo<render::safe_html>& kept_inboxes()
{
    static member_memo<render::safe_html> memo(256);
    return memo;
}

namespace json = boost::json;

constexpr std::int64_t unread_cap = 100;
constexpr std::int64_t inbox_pagesize = 30;
constexpr std::int64_t total_cap = 1000;  // the API's total: counted up to here
constexpr std::int64_t following_limit = 200;
constexpr std::size_t mark_read_max = 100;
// Name suggestions while typing a mention: per client address, in memory.
constexpr rate_rule names_per_client{120, 60};
constexpr std::int64_t names_max = 8;

// A write that changes only what signed-in members see: it leaves the anonymous page cache
// valid and tells the live streams through the notification epoch.
template <typename Fn>
void quiet_write(call& c, Fn&& fn)
{
    c.ctx.db.write(std::forward<Fn>(fn), store::database::seen::no);
    advance_notification_epoch();
}

failure not_found(std::string_view what)
{
    return {failure_kind::not_found, "not_found", "There is no such " + std::string(what) + ".", ""};
}

// ---- actions -------------------------------------------------------------------------------

struct follow_subject {
    follow_target target;
    std::int64_t id = 0;
};

// The thing to follow, named as in the URL, or 404.
std::variant<follow_subject, failure> find_subject(call& c, follow_target target)
{
    if (target == follow_target::question) {
        auto const id = parse_id(c.match["id"]);
        auto const post = id ? store::post_store(c.ctx.db.reader()).find_post(*id) : std::nullopt;
        // An idea is followed as its own thread is.
        if (!post || (post->kind != domain::post_kind::question && post->kind != domain::post_kind::idea))
            return not_found("question");
        return follow_subject{target, post->id};
    }
    if (target == follow_target::tag) {
        auto const name = domain::normalize_tag(c.match["name"]);
        auto const id = store::notification_store(c.ctx.db.reader()).tag_id(name);
        if (!id)
            return failure{failure_kind::not_found, "not_found", "There is no tag named " + name.substr(0, 50) + ".",
                           ""};
        return follow_subject{target, *id};
    }
    auto const id = parse_id(c.match["id"]);
    auto const user = id ? store::user_store(c.ctx.db.reader()).find(*id) : std::nullopt;
    if (!user) return not_found("member");
    return follow_subject{target, user->id};
}

std::optional<failure> change_follow(call& c, follow_target target, bool following)
{
    if (auto f = permissions(c.ctx, c.who).signed_in(following ? "follow" : "unfollow")) return f;
    auto found = find_subject(c, target);
    if (auto const* f = std::get_if<failure>(&found)) return *f;
    auto const subject = std::get<follow_subject>(found);
    if (target == follow_target::user && subject.id == c.who.user->id)
        return failure{failure_kind::invalid, "invalid_field",
                       "You cannot follow yourself; your own posts are in your profile.", ""};
    auto const now = domain::now();
    quiet_write(c, [&](store::connection& conn) {
        store::notification_store s(conn);
        if (following)
            s.follow(c.who.user->id, target, subject.id, store::follow_mode::chosen, now);
        else
            s.unfollow(c.who.user->id, target, subject.id);
    });
    return std::nullopt;
}

// The member's deliveries for every kind (choice or default).
json::object preference_map(call& c)
{
    auto& reader = c.ctx.db.reader();
    json::object out;
    for (auto kind : notification_kinds) out[kind] = delivery_for(reader, c.who.user->id, kind);
    return out;
}

// Validates every pair before writing any: a map with one bad value changes nothing.
std::optional<failure> set_preferences(call& c, std::vector<std::pair<std::string, std::string>> const& changes)
{
    if (auto f = permissions(c.ctx, c.who).signed_in("change your notification preferences")) return f;
    if (changes.empty())
        return failure{failure_kind::invalid, "invalid_field",
                       "Send at least one kind with its delivery, such as {\"answer\":\"email\"}.", ""};
    for (auto const& [kind, delivery] : changes) {
        if (!known_kind(kind))
            return failure{failure_kind::invalid, "invalid_field",
                           "Unknown kind " + kind.substr(0, 40) +
                               "; kinds are answer, comment, reply, mention, accepted, reputation, moderation, "
                               "followed_question, followed_tag, followed_user, badge, idea_status.",
                           kind.substr(0, 40)};
        if (!known_delivery(delivery))
            return failure{failure_kind::invalid, "invalid_field",
                           "The delivery for " + kind + " is one of inbox, email, daily, weekly, off.", kind};
    }
    quiet_write(c, [&](store::connection& conn) {
        store::notification_store s(conn);
        for (auto const& [kind, delivery] : changes) s.set_preference(c.who.user->id, kind, delivery);
    });
    return std::nullopt;
}

// ---- JSON API ------------------------------------------------------------------------------

response api_notifications(call& c)
{
    if (auto f = permissions(c.ctx, c.who).signed_in("see your notifications")) return error_response(*f);
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const& q = std::get<http::fields>(query);
    auto paged = read_paging(q);
    if (auto const* f = std::get_if<failure>(&paged)) return error_response(*f);
    auto const p = std::get<paging>(paged);
    bool unread_only = false;
    if (auto const u = http::find_field(q, "unread")) {
        if (*u != "true" && *u != "false")
            return error_response({failure_kind::invalid, "invalid_field", "unread is true or false.", "unread"});
        unread_only = *u == "true";
    }
    store::notification_store s(c.ctx.db.reader());
    auto const user_id = c.who.user->id;
    auto found = s.inbox(user_id, unread_only, p.page, p.pagesize);
    store::page_of<store::notification_row> const page{std::move(found.items), p.page, p.pagesize,
                                                       s.inbox_total(user_id, unread_only, total_cap)};
    auto body = list_json(page, [&](store::notification_row const& n) { return notification_json(n, user_id); });
    body["unread"] = s.unread_count(user_id, unread_cap);
    return json_response(200, body);
}

response api_mark_read(call& c)
{
    if (auto f = permissions(c.ctx, c.who).signed_in("mark notifications read")) return error_response(*f);
    PEERDESK_TRY_BODY(body);
    auto const* all = body.if_contains("all");
    auto const* ids = body.if_contains("ids");
    if ((all == nullptr) == (ids == nullptr))
        return error_response(
            {failure_kind::invalid, "invalid_field", "Send either {\"ids\":[…]} or {\"all\":true}.", "ids"});
    auto const now = domain::now();
    if (all) {
        if (!all->is_bool() || !all->as_bool())
            return error_response({failure_kind::invalid, "invalid_field", "all must be true.", "all"});
        quiet_write(
            c, [&](store::connection& conn) { store::notification_store(conn).mark_all_read(c.who.user->id, now); });
    } else {
        if (!ids->is_array() || ids->as_array().empty() || ids->as_array().size() > mark_read_max)
            return error_response({failure_kind::invalid, "invalid_field",
                                   "ids is a list of 1 to " + std::to_string(mark_read_max) + " notification ids.",
                                   "ids"});
        std::vector<std::int64_t> list;
        for (auto const& v : ids->as_array()) {
            if (!v.is_int64() || v.as_int64() < 1)
                return error_response(
                    {failure_kind::invalid, "invalid_field", "Each id in ids is a positive whole number.", "ids"});
            list.push_back(v.as_int64());
        }
        quiet_write(
            c, [&](store::connection& conn) { store::notification_store(conn).mark_read(c.who.user->id, list, now); });
    }
    response r;
    r.status = 204;
    return r;
}

response api_preferences(call& c)
{
    if (auto f = permissions(c.ctx, c.who).signed_in("see your notification preferences")) return error_response(*f);
    return json_response(200, preference_map(c));
}

response api_update_preferences(call& c)
{
    if (auto f = permissions(c.ctx, c.who).signed_in("change your notification preferences")) return error_response(*f);
    PEERDESK_TRY_BODY(body);
    std::vector<std::pair<std::string, std::string>> changes;
    for (auto const& [key, value] : body) {
        if (!value.is_string())
            return error_response({failure_kind::invalid, "invalid_field",
                                   "The delivery for " + std::string(key).substr(0, 40) +
                                       " is a string: inbox, email, daily, weekly or off.",
                                   std::string(key).substr(0, 40)});
        changes.emplace_back(std::string(key), std::string(value.as_string()));
    }
    if (auto f = set_preferences(c, changes)) return error_response(*f);
    return json_response(200, preference_map(c));
}

template <follow_target Target, bool Following>
response api_follow(call& c)
{
    if (auto f = change_follow(c, Target, Following)) return error_response(*f);
    response r;
    r.status = 204;
    return r;
}

response api_following(call& c)
{
    if (auto f = permissions(c.ctx, c.who).signed_in("see what you follow")) return error_response(*f);
    auto const lists = store::notification_store(c.ctx.db.reader()).following(c.who.user->id, following_limit);
    json::array questions, tags, users;
    for (auto const& q : lists.questions)
        questions.push_back(json::object{{"id", q.id}, {"title", q.title}, {"url", urls::question(q.id)}});
    for (auto const& t : lists.tags) tags.push_back(json::object{{"name", t.name}, {"url", urls::tag(t.name)}});
    for (auto const& u : lists.users)
        users.push_back(json::object{{"id", u.id}, {"username", u.username}, {"url", urls::user(u.id)}});
    return json_response(
        200, json::object{{"questions", std::move(questions)}, {"tags", std::move(tags)}, {"users", std::move(users)}});
}

// Names for the mention suggestions: a prefix of 1 to 30 name characters, at most 8 answers.
response api_usernames(call& c)
{
    if (auto f = permissions(c.ctx, c.who).signed_in("look up members' names")) return error_response(*f);
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const prefix = std::string(http::find_field(std::get<http::fields>(query), "prefix").value_or(""));
    bool const shaped =
        !prefix.empty() && prefix.size() <= 30 && std::all_of(prefix.begin(), prefix.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.';
        });
    if (!shaped)
        return error_response({failure_kind::invalid, "invalid_field",
                               "prefix is the start of a username: 1 to 30 letters, digits, '_', '-' or '.'.",
                               "prefix"});
    if (auto f = check_rate(c.ctx, c.who, "name-lookups", names_per_client, rate_scope::address))
        return error_response(*f);
    json::array items;
    for (auto const& [id, name] : store::notification_store(c.ctx.db.reader()).names_with_prefix(prefix, names_max))
        items.push_back(json::object{{"id", id}, {"username", name}});
    return json_response(200, whole_list_json(std::move(items)));
}

response api_events(call& c)
{
    return event_stream_response(c);
}

// ---- pages ---------------------------------------------------------------------------------

// Kinds whose notifications on one thread are shown together ("3 new answers on …").
std::optional<std::string> group_words(store::notification_row const& n, std::size_t count)
{
    auto const many = std::to_string(count);
    auto const title = "\u201c" + n.title + "\u201d";
    if (n.kind == "answer") return many + " new answers on your question " + title;
    if (n.kind == "comment") return many + " new comments on your posts on " + title;
    if (n.kind == "followed_question")
        return many + (n.comment_id ? " new comments on " : " new answers on ") + title + ", which you follow";
    return std::nullopt;
}

response inbox_page(call& c)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    auto const query = query_fields(c);
    bool const unread_only = http::find_field(query, "unread").value_or("") == "1";
    auto const page_number = page_param(query);
    auto const user_id = c.who.user->id;
    // The member's page as it was a moment ago, while nothing has changed (the key holds the
    // session's CSRF token, which its forms carry).
    auto key = std::to_string(user_id) + '\n' + c.who.csrf_token + '\n' + c.req.query;
    if (auto kept = kept_inboxes().find(c.ctx.db, key)) return framed_page(c, 200, "Notifications", *kept);
    auto const writes = c.ctx.db.any_write_count();
    store::notification_store s(c.ctx.db.reader());
    auto const data = s.inbox(user_id, unread_only, page_number, inbox_pagesize);
    auto const unread = unread_notifications(c.ctx, user_id);
    // Groups keep the place of their newest member; rows are newest first already.
    struct group {
        std::vector<store::notification_row const*> rows;
    };
    std::vector<group> groups;
    std::map<std::string, std::size_t> by_key;
    for (auto const& n : data.items) {
        bool const groupable = n.kind == "answer" || n.kind == "comment" || n.kind == "followed_question";
        auto const key = n.kind + ":" + std::to_string(n.question_id.value_or(0)) + ":" + (n.comment_id ? "c" : "p") +
                         ":" + (n.read ? "r" : "u");
        if (groupable)
            if (auto it = by_key.find(key); it != by_key.end()) {
                groups[it->second].rows.push_back(&n);
                continue;
            }
        if (groupable) by_key[key] = groups.size();
        groups.push_back({{&n}});
    }
    std::vector<view> items;
    for (auto const& g : groups) {
        auto const& newest = *g.rows.front();
        view v;
        auto const words = g.rows.size() > 1 ? group_words(newest, g.rows.size()) : std::nullopt;
        v.set("id", newest.id)
            .set("text", words.value_or(notification_text(newest)))
            .set("kind", newest.kind)
            .set("read", newest.read)
            .set("time", time_view(newest.created_at));
        if (auto const path = notification_path(newest, user_id); !path.empty()) v.set("path", path);
        std::vector<view> ids;
        for (auto const* r : g.rows) {
            view idv;
            idv.set("id", r->id);
            ids.push_back(std::move(idv));
        }
        v.set("ids", std::move(ids));
        items.push_back(std::move(v));
    }
    view v;
    v.set("groups", std::move(items))
        .set("empty", data.items.empty())
        .set("unread", unread >= unread_cap ? std::string("99+") : std::to_string(unread))
        .set("has_unread", unread > 0)
        .set("unread_only", unread_only)
        .set("pager",
             open_pager_view(page_number, data.older, unread_only ? "/notifications?unread=1" : "/notifications"));
    v.set("csrf_token", c.who.csrf_token);
    auto html = render::render_template("notifications", v);
    kept_inboxes().store(c.ctx.db, writes, std::move(key), html);
    return framed_page(c, 200, "Notifications", html);
}

response post_mark_read(call& c)
{
    auto form = signed_in_form(c, "/notifications");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    auto const& f = std::get<http::fields>(form);
    auto const now = domain::now();
    if (field(f, "all") == "1") {
        quiet_write(
            c, [&](store::connection& conn) { store::notification_store(conn).mark_all_read(c.who.user->id, now); });
    } else {
        std::vector<std::int64_t> ids;
        for (auto const& [k, value] : f)
            if (k == "id")
                if (auto id = parse_id(value); id && ids.size() < mark_read_max) ids.push_back(*id);
        if (ids.empty())
            return message_page(c, 422, "Nothing to mark", "Choose a notification to mark as read.", "/notifications",
                                "Back to your notifications");
        quiet_write(
            c, [&](store::connection& conn) { store::notification_store(conn).mark_read(c.who.user->id, ids, now); });
    }
    auto const back = safe_next(field(f, "next"));
    return redirect(back.empty() ? "/notifications" : back);
}

template <follow_target Target>
response post_follow_form(call& c)
{
    auto back = safe_next(c.req.path.substr(0, c.req.path.size() - std::string_view("/follow").size()));
    auto form = signed_in_form(c, back.empty() ? "/" : back);
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    auto const& f = std::get<http::fields>(form);
    auto const action = field(f, "action");
    if (action != "follow" && action != "unfollow")
        return message_page(c, 422, "Not understood", "The form asks to follow or to unfollow; reload the page.");
    if (auto e = change_follow(c, Target, action == "follow"))
        return message_page(c, *e, action == "follow" ? "Not followed" : "Not unfollowed", e->message);
    return redirect(back.empty() ? "/" : back);
}

response post_preferences_form(call& c)
{
    auto form = signed_in_form(c, "/account#notifications");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    auto const& f = std::get<http::fields>(form);
    std::vector<std::pair<std::string, std::string>> changes;
    for (auto const& [k, value] : f)
        if (k != "csrf_token") changes.emplace_back(k, value);
    if (auto e = set_preferences(c, changes))
        return message_page(c, *e, "Preferences not saved", e->message, "/account#notifications",
                            "Back to your account");
    return redirect("/account?saved=notifications#notifications");
}

// The unsubscribe link of a mail: a page that asks to confirm (a GET changes nothing, since
// mail scanners open links), and the one-click POST of RFC 8058, which needs no session.
response unsubscribe_page(call& c)
{
    auto const token = std::string(c.match["token"]);
    auto const request = read_unsubscribe_token(c.ctx.db.reader(), token);
    if (!request)
        return message_page(c, 404, "Link not valid",
                            "This unsubscribe link is not valid. Check that the whole link from the mail was used, "
                            "or change what you receive on your account page.");
    view v;
    v.set("token", token).set("digest", request->scope == "digest");
    return page(c, 200, "unsubscribe", "Stop these mails", std::move(v));
}

response post_unsubscribe(call& c)
{
    auto const token = std::string(c.match["token"]);
    auto const request = read_unsubscribe_token(c.ctx.db.reader(), token);
    if (!request)
        return text_response(404, "text/plain; charset=utf-8",
                             "This unsubscribe link is not valid; change what you receive on your account page.\n");
    quiet_write(c, [&](store::connection& conn) { apply_unsubscribe(conn, *request); });
    auto const what = request->scope == "digest" ? "digests" : "notification mails";
    // A mail client's one-click POST reads only the status; a person who pressed the button
    // on the page gets a page.
    if (auto const fields = form_of(c); fields && http::find_field(*fields, "confirm"))
        return message_page(c, 200, "Unsubscribed",
                            std::string("You will receive no more ") + what +
                                ". Your inbox on the site keeps every notification; change this on your account page.");
    return text_response(200, "text/plain; charset=utf-8", std::string("Unsubscribed: no more ") + what + ".\n");
}

}  // namespace

std::int64_t unread_notifications(context& ctx, std::int64_t user_id)
{
    auto key = std::to_string(user_id);
    if (auto const kept = unread_counts().find(ctx.db, key)) return *kept;
    auto const writes = ctx.db.any_write_count();
    auto const count = store::notification_store(ctx.db.reader()).unread_count(user_id, unread_cap);
    unread_counts().store(ctx.db, writes, std::move(key), count);
    return count;
}

view follow_button(call& c, follow_target target, std::int64_t target_id, std::string const& path,
                   std::string const& noun)
{
    view v;
    if (!c.who.signed_in()) return v;
    if (target == follow_target::user && target_id == c.who.user->id) return v;
    bool const following = store::notification_store(c.ctx.db.reader()).follows(c.who.user->id, target, target_id);
    v.set("shown", true)
        .set("path", path)
        .set("following", following)
        .set("noun", noun)
        .set("csrf_token", c.who.csrf_token);
    return v;
}

void append_follow_form(render::html_builder& out, call& c, follow_target target, std::int64_t target_id,
                        std::string const& path, std::string_view noun)
{
    // The markup of templates/partials/follow.html, without a template run per request.
    if (!c.who.signed_in()) return;
    if (target == follow_target::user && target_id == c.who.user->id) return;
    bool const following = store::notification_store(c.ctx.db.reader()).follows(c.who.user->id, target, target_id);
    out.markup("<form method=\"post\" action=\"")
        .text(path)
        .markup("\" class=\"inline follow\">\n  <input type=\"hidden\" name=\"csrf_token\" value=\"")
        .text(c.who.csrf_token)
        .markup("\">\n  ");
    if (following)
        out.markup(
               "<input type=\"hidden\" name=\"action\" value=\"unfollow\"><button type=\"submit\" "
               "class=\"button\" aria-pressed=\"true\" title=\"You hear of new activity on this ")
            .text(noun)
            .markup("; press to stop\">Following</button>");
    else
        out.markup(
               "<input type=\"hidden\" name=\"action\" value=\"follow\"><button type=\"submit\" "
               "class=\"button\" aria-pressed=\"false\">Follow this ")
            .text(noun)
            .markup("</button>");
    out.markup("\n</form>");
}

render::safe_html account_notifications_html(call& c, std::string const& notice)
{
    view v;
    auto& reader = c.ctx.db.reader();
    std::vector<view> kinds;
    static constexpr std::pair<std::string_view, std::string_view> labels[] = {
        {"answer", "An answer to my question"},
        {"comment", "A comment on my post"},
        {"reply", "A reply to my comment"},
        {"mention", "A mention of me"},
        {"accepted", "My answer accepted"},
        {"reputation", "Reputation I earned (summed per day)"},
        {"moderation", "A moderator's decision on my post or account"},
        {"followed_question", "Activity on questions I follow"},
        {"followed_tag", "New questions in tags I follow"},
        {"followed_user", "Posts by members I follow"},
    };
    for (auto const& [kind, label] : labels) {
        auto const current = delivery_for(reader, c.who.user->id, kind);
        std::vector<view> options;
        for (auto d : deliveries) {
            view o;
            o.set("value", d).set("selected", d == current);
            options.push_back(std::move(o));
        }
        view k;
        k.set("kind", kind).set("label", label).set("options", std::move(options));
        kinds.push_back(std::move(k));
    }
    auto const lists = store::notification_store(reader).following(c.who.user->id, following_limit);
    std::vector<view> questions, tags, users;
    for (auto const& q : lists.questions) {
        view x;
        x.set("title", q.title)
            .set("url", urls::question(q.id))
            .set("follow_path", "/questions/" + std::to_string(q.id) + "/follow");
        questions.push_back(std::move(x));
    }
    for (auto const& t : lists.tags) {
        view x;
        x.set("name", t.name).set("url", urls::tag(t.name)).set("follow_path", urls::tag(t.name) + "/follow");
        tags.push_back(std::move(x));
    }
    for (auto const& u : lists.users) {
        view x;
        x.set("username", u.username).set("url", urls::user(u.id)).set("follow_path", urls::user(u.id) + "/follow");
        users.push_back(std::move(x));
    }
    v.set("kinds", std::move(kinds))
        .set("csrf_token", c.who.csrf_token)
        .set("mail_on", c.ctx.config.mail.enabled)
        .set("notice", notice)
        .set("has_questions", !questions.empty())
        .set("questions", std::move(questions))
        .set("has_tags", !tags.empty())
        .set("tags", std::move(tags))
        .set("has_users", !users.empty())
        .set("users", std::move(users));
    return render::render_template("account_notifications", v);
}

void add_notification_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/api/v1/notifications", api_notifications);
    r.add(method::post, "/api/v1/notifications/read", api_mark_read);
    r.add(method::get, "/api/v1/me/preferences", api_preferences);
    r.add(method::patch, "/api/v1/me/preferences", api_update_preferences);
    r.add(method::get, "/api/v1/me/following", api_following);
    r.add(method::post, "/api/v1/questions/{id}/follow", api_follow<follow_target::question, true>);
    r.add(method::delete_, "/api/v1/questions/{id}/follow", api_follow<follow_target::question, false>);
    r.add(method::post, "/api/v1/ideas/{id}/follow", api_follow<follow_target::question, true>);
    r.add(method::delete_, "/api/v1/ideas/{id}/follow", api_follow<follow_target::question, false>);
    r.add(method::post, "/api/v1/tags/{name}/follow", api_follow<follow_target::tag, true>);
    r.add(method::delete_, "/api/v1/tags/{name}/follow", api_follow<follow_target::tag, false>);
    r.add(method::post, "/api/v1/users/{id}/follow", api_follow<follow_target::user, true>);
    r.add(method::delete_, "/api/v1/users/{id}/follow", api_follow<follow_target::user, false>);
    r.add(method::get, "/api/v1/usernames", api_usernames);
    r.add(method::get, "/api/v1/events", api_events);
    r.add(method::get, "/notifications", inbox_page);
    r.add(method::post, "/notifications/read", post_mark_read);
    r.add(method::post, "/questions/{id}/follow", post_follow_form<follow_target::question>);
    r.add(method::post, "/ideas/{id}/follow", post_follow_form<follow_target::question>);
    r.add(method::post, "/tags/{name}/follow", post_follow_form<follow_target::tag>);
    r.add(method::post, "/users/{id}/follow", post_follow_form<follow_target::user>);
    r.add(method::post, "/account/notifications", post_preferences_form);
    r.add(method::get, "/unsubscribe/{token}", unsubscribe_page);
    r.add(method::post, "/unsubscribe/{token}", post_unsubscribe);
}

}  // namespace peerdesk::app
