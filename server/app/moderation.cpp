// Moderation: flags, the moderator verbs on posts, the review queue, suspensions, the audit log
// and the list of restricted members — each page beside its API.
#include "moderation/flags.hpp"
#include "moderation/suspension.hpp"
#include "server/app/frame.hpp"
#include "server/app/permissions.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

// The moderator verbs of the question page and the answers' tools: one form, an action field.
response post_moderate(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Post not found", "There is no such post.");
    auto const back_thread = thread_of(c, *id);
    auto const back = back_thread ? urls::question(*back_thread) : std::string("/");
    auto checked = signed_in_form(c, back);
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const action = field(form, "action");
    auto const reason = field(form, "reason");
    outcome<std::int64_t> result = failure{failure_kind::invalid, "invalid_field", "Choose an action.", "action"};
    if (action == "close") {
        std::optional<std::int64_t> dup;
        if (auto const d = field(form, "duplicate_of"); !d.empty()) dup = parse_id(d);
        result = close_question(c.ctx, c.who, *id, reason, dup);
    } else if (action == "reopen")
        result = reopen_question(c.ctx, c.who, *id);
    else if (action == "lock" || action == "unlock")
        result = lock_question(c.ctx, c.who, *id, action == "lock");
    else if (action == "pin" || action == "unpin")
        result = pin_question(c.ctx, c.who, *id, action == "pin");
    else if (action == "endorse" || action == "unendorse")
        result = endorse_answer(c.ctx, c.who, *id, action == "endorse");
    else if (action == "delete")
        result = delete_post(c.ctx, c.who, *id, reason);
    else if (action == "undelete")
        result = undelete_post(c.ctx, c.who, *id, reason);
    if (auto const* f = failed(result)) return message_page(c, *f, "That did not work", f->message);
    // An idea is moderated with the same verbs, and leads back to the ideas.
    auto const post = store::post_store(c.ctx.db.reader()).find_any_post(*id);
    bool const idea = post && post->kind == domain::post_kind::idea;
    if (action == "delete" && back_thread == id) return redirect(idea ? urls::ideas() : "/questions");
    if (idea) return redirect(urls::idea(*id));
    return redirect(urls::question(std::get<std::int64_t>(result)));
}

response post_flag(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Post not found", "There is no such post.");
    auto const thread = thread_of(c, *id);
    auto checked = signed_in_form(c, thread ? urls::question(*thread) : "/");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const result = flag(c.ctx, c.who, *id, std::nullopt, field(form, "reason"), field(form, "note"));
    auto const back = thread ? urls::post(*thread, *id) : std::string("/questions");
    auto const label = thread ? std::string("Back to the thread") : std::string("Back to the questions");
    if (auto const* f = failed(result)) return message_page(c, *f, "Flag not sent", f->message, back, label);
    return message_page(c, 201, "Thank you for the flag",
                        std::get<store::flag_result>(result).hidden
                            ? "The post is hidden until a moderator has looked at it."
                            : "A moderator will look at the post.",
                        back, label);
}

response post_comment_flag(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Comment not found", "There is no such comment.");
    auto const comment = store::post_store(c.ctx.db.reader()).find_comment(*id);
    // A plain number, not an optional: GCC 12 warns that an optional read in a branch below may
    // be uninitialised.
    std::int64_t question = 0;
    if (comment)
        if (auto const t = thread_of(c, comment->post_id)) question = *t;
    auto checked = signed_in_form(c, question ? urls::question(question) : "/");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const result = flag(c.ctx, c.who, std::nullopt, *id, field(form, "reason"), field(form, "note"));
    // A hidden comment is no longer on the page: then the way back is to the post it was on.
    auto const hidden = !failed(result) && std::get<store::flag_result>(result).hidden;
    std::string back = "/questions", label = "Back to the questions";
    if (question && comment) {
        label = "Back to the thread";
        back = hidden ? urls::post(question, comment->post_id) : urls::comment(question, *id);
    }
    if (auto const* f = failed(result)) return message_page(c, *f, "Flag not sent", f->message, back, label);
    return message_page(
        c, 201, "Thank you for the flag",
        hidden ? "The comment is hidden until a moderator has looked at it." : "A moderator will look at the comment.",
        back, label);
}

std::string flag_reason_text(std::string_view reason)
{
    auto const r = moderation::parse_flag_reason(reason);
    return std::string(r ? moderation::words(*r) : reason);
}

response review_page(call& c)
{
    if (auto r = require_moderator_page(c)) return std::move(*r);
    auto const query = query_fields(c);
    auto const page_number = page_param(query);
    auto const data = store::moderation_store(c.ctx.db.reader()).review_queue(page_number, 20);
    std::vector<view> items;
    for (auto const& r : data.items) {
        view v;
        std::vector<view> flags, notes;
        for (auto const& f : r.flags) {
            view fv;
            fv.set("reason", flag_reason_text(f.reason)).set("count", f.count);
            flags.push_back(std::move(fv));
        }
        for (auto const& f : r.flaggers) {
            view nv;
            nv.set("user", author_view(f.user)).set("reason", flag_reason_text(f.reason)).set("note", f.note);
            notes.push_back(std::move(nv));
        }
        v.set("id", r.id)
            .set("state", r.deleted ? "deleted" : r.state)
            .set("state_label", r.deleted           ? "deleted"
                                : r.state == "live" ? "flagged"
                                                    : r.state)
            .set("type", r.post_kind == "question" ? "Question"
                         : r.post_kind == "answer" ? "Answer"
                         : r.post_kind == "idea"   ? "Idea"
                                                   : "Comment")
            .set("title", r.title)
            .set("url", r.post_kind == "answer" ? urls::post_or_top(r.question_id, *r.post_id)
                        : r.post_kind == "idea" ? urls::idea(r.question_id)
                                                : urls::question(r.question_id))
            .set("author", author_view(r.author))
            .set("created", time_view(r.created_at))
            .set("held_reason", r.kind == "held" ? r.reason : "")
            .set("flags", flags)
            .set("has_flags", !flags.empty())
            .set("flaggers", notes)
            .set("has_flaggers", !notes.empty());
        v.set_html("body_html", render::stored_markdown_html(r.body_html));
        items.push_back(std::move(v));
    }
    view v;
    v.set("items", items)
        .set("empty", items.empty())
        .set("total", data.total)
        .set("total_label", data.total == 1 ? "item" : "items")
        .set("penalty", c.ctx.config.spam_penalty)
        .set("pager", pager_view(page_number, 20, data.total, "/review"));
    return page(c, 200, "review", "Review queue", std::move(v));
}

response post_review(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Not found", "There is no such review item.");
    auto checked = signed_in_form(c, "/review");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const result = review(c.ctx, c.who, *id, field(form, "action"), field(form, "note"));
    if (auto const* f = failed(result)) return message_page(c, *f, "That did not work", f->message);
    return redirect("/review");
}

response post_suspend(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Not found", "There is no such member.");
    auto checked = signed_in_form(c, urls::user(*id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const days_text = std::string(domain::trim(field(form, "days")));
    // The profile's form names its choice; the review queue's older form leaves days empty to silence.
    auto const chosen = field(form, "kind");
    auto kind = chosen == "suspend"   ? suspension::suspend
                : chosen == "silence" ? suspension::silence
                : days_text.empty()   ? suspension::silence
                                      : suspension::suspend;
    if (field(form, "lift") == "1") kind = suspension::lift;
    std::int64_t days = 0;
    if (kind == suspension::suspend) days = parse_id(days_text).value_or(0);
    auto const result = suspend_user(c.ctx, c.who, *id, kind, days, field(form, "reason"));
    if (auto const* f = failed(result)) return message_page(c, *f, "That did not work", f->message);
    return redirect(safe_next(field(form, "back")));
}

struct audit_action_name {
    std::string_view code;
    std::string_view label;
};
constexpr audit_action_name audit_actions[] = {{"accept_on_behalf", "accepted for the asker"},
                                               {"unaccept_on_behalf", "withdrew an acceptance for the asker"},
                                               {"close", "closed"},
                                               {"reopen", "reopened"},
                                               {"lock", "locked"},
                                               {"unlock", "unlocked"},
                                               {"pin", "pinned"},
                                               {"unpin", "unpinned"},
                                               {"endorse", "endorsed"},
                                               {"unendorse", "withdrew an endorsement"},
                                               {"delete", "deleted"},
                                               {"undelete", "undeleted"},
                                               {"edit", "edited a member's post"},
                                               {"review_approve", "approved in review"},
                                               {"review_reject", "rejected in review"},
                                               {"review_dismiss", "dismissed flags"},
                                               {"review_delete", "deleted in review"},
                                               {"suspend", "suspended"},
                                               {"silence", "silenced"},
                                               {"lift_suspension", "lifted a suspension"},
                                               {"redact_revision", "redacted a revision"},
                                               {"change_setting", "changed a setting"},
                                               {"change_role", "changed a member's role"}};

// An audit row in words: what was done (with a link when it points somewhere) and why. The
// log keeps codes and the reason as written; this is how moderators read them.
void describe_audit(store::audit_row const& r, view& v)
{
    auto const& a = r.entry.action;
    auto reason = r.entry.reason;
    std::string what(a);
    for (auto const& n : audit_actions)
        if (n.code == a) what = n.label;
    if (a == "close") {
        // Written as "duplicate of 12" or as the bare reason.
        auto const space = reason.find(' ');
        auto const code = reason.substr(0, space);
        what = "closed as " + close_reason_text(code);
        if (code == "duplicate" && space != std::string::npos) {
            auto const original = parse_id(std::string_view(reason).substr(reason.rfind(' ') + 1));
            if (original) {
                what += " of";
                v.set("what_url", urls::question(*original)).set("what_link", "question " + std::to_string(*original));
            }
        }
        reason.clear();
    } else if (a == "suspend") {
        if (auto const s = moderation::parse_audit_reason(reason)) {
            what = "suspended for " + std::to_string(s->days) + (s->days == 1 ? " day" : " days");
            reason = s->reason;
        }
    } else if (a == "silence") {
        what = "silenced until lifted";
    }
    v.set("what", what).set("reason", reason).set("code", a);
}

// The audit log's filters, the same for the page and the API: moderator and post by id, the
// action by its code, and a member (by or to whom) by name, or by id when no one has that name.
std::variant<store::audit_filter, failure> read_audit_filter(call& c, http::fields const& query)
{
    store::audit_filter filter;
    auto id_field = [&](std::string_view name, std::optional<std::int64_t>& out) -> std::optional<failure> {
        // The field's text is kept: trim answers a view into it.
        auto const raw = field(query, name);
        auto const text = domain::trim(raw);
        if (text.empty()) return std::nullopt;
        out = parse_id(text);
        if (!out)
            return failure{failure_kind::invalid, "invalid_field", std::string(name) + " is an id (a whole number).",
                           std::string(name)};
        return std::nullopt;
    };
    if (auto f = id_field("moderator", filter.actor_id)) return *f;
    if (auto f = id_field("post", filter.post_id)) return *f;
    if (auto const action = field(query, "action"); !action.empty()) {
        if (std::none_of(std::begin(audit_actions), std::end(audit_actions),
                         [&](audit_action_name const& a) { return a.code == action; }))
            return failure{failure_kind::invalid, "invalid_field",
                           "There is no action called “" + action.substr(0, 40) + "”.", "action"};
        filter.action = action;
    }
    auto const user = std::string(domain::trim(field(query, "user")));
    if (!user.empty()) {
        store::user_store users(c.ctx.db.reader());
        auto found = user.size() <= 100 ? users.find_by_username(user) : std::nullopt;
        if (!found)
            if (auto id = parse_id(user)) found = users.find(*id);
        if (!found)
            return failure{
                failure_kind::not_found, "not_found",
                "No member is called “" + user.substr(0, 100) + "”; check the spelling, or leave the name empty.",
                "user"};
        filter.actor_or_user_id = found->id;
    }
    return filter;
}

response audit_page(call& c)
{
    if (auto r = require_moderator_page(c)) return std::move(*r);
    auto const query = query_fields(c);
    auto const page_number = page_param(query);
    auto const moderator = field(query, "moderator"), post = field(query, "post"),
               user = std::string(domain::trim(field(query, "user"))), action = field(query, "action");
    auto filter = read_audit_filter(c, query);
    auto const* refused = std::get_if<failure>(&filter);
    std::string const error = refused ? refused->message : std::string();
    std::int64_t total = 0;
    auto const rows = refused ? std::vector<store::audit_row>{}
                              : store::moderation_store(c.ctx.db.reader())
                                    .audit(std::get<store::audit_filter>(filter), page_number, 50, total);
    std::vector<view> out;
    for (auto const& r : rows) {
        view v;
        v.set("when", time_view(r.entry.created_at))
            .set("actor", r.actor_name)
            .set("actor_id", r.entry.actor_id)
            .set("before", r.entry.before.value_or(""));
        describe_audit(r, v);
        if (r.entry.post_id && r.question_id)
            v.set("post_id", *r.entry.post_id)
                .set("post_kind", *r.entry.post_id == *r.question_id ? "question" : "answer")
                .set("post_url", urls::post_or_top(*r.question_id, *r.entry.post_id));
        if (r.entry.comment_id) v.set("comment_id", *r.entry.comment_id);
        if (r.user_name) v.set("user_name", *r.user_name).set("user_id", *r.entry.user_id);
        out.push_back(std::move(v));
    }
    std::vector<view> actions;
    for (auto const& a : audit_actions) {
        view av;
        av.set("name", a.code).set("label", a.label).set("selected", a.code == action);
        actions.push_back(std::move(av));
    }
    std::string base = "/audit?moderator=" + http::percent_encode(moderator) +
                       "&action=" + http::percent_encode(action) + "&post=" + http::percent_encode(post) +
                       "&user=" + http::percent_encode(user);
    view v;
    v.set("rows", out)
        .set("actions", actions)
        .set("f_moderator", moderator)
        .set("f_post", post)
        .set("f_user", user)
        .set("error", error)
        .set("total", total)
        .set("total_label", total == 1 ? "action" : "actions")
        .set("pager", pager_view(page_number, 50, total, base));
    return page(c, refused ? page_status(*refused) : page_status(200), "audit", "Audit log", std::move(v));
}

// Members who may not write now, with when that ends, why, and who decided.
response suspended_page(call& c)
{
    if (auto r = require_moderator_page(c)) return std::move(*r);
    auto const query = query_fields(c);
    auto const page_number = page_param(query);
    auto const data = store::moderation_store(c.ctx.db.reader()).restricted_users(domain::now(), page_number, 50);
    std::vector<view> items;
    for (auto const& r : data.items) {
        view v;
        v.set("user", author_view(r.user))
            .set("until", r.silenced ? std::string("until a moderator lifts it")
                                     : "until " + domain::readable_time(r.suspended_until.value_or(0)))
            .set("kind", r.silenced ? "Silenced" : "Suspended")
            .set("reason", r.reason);
        if (r.actor_id) v.set("actor_id", *r.actor_id).set("actor", r.actor_name);
        if (r.since) v.set("since", time_view(*r.since));
        items.push_back(std::move(v));
    }
    view v;
    v.set("items", items)
        .set("empty", items.empty())
        .set("total", data.total)
        .set("total_label", data.total == 1 ? "member" : "members")
        .set("pager", pager_view(page_number, 50, data.total, "/moderation/suspended"));
    return page(c, 200, "suspended", "Suspended members", std::move(v));
}

response flag_target(call& c, bool comment)
{
    auto const id = id_param(c);
    if (!id) return bad_id(comment ? "comment" : "post");
    PEERDESK_TRY_BODY(body);
    std::string reason;
    std::optional<std::string> note;
    if (auto f = require_string(body, "reason", reason)) return error_response(*f);
    if (auto f = read_string(body, "note", note)) return error_response(*f);
    auto const result =
        flag(c.ctx, c.who, comment ? std::nullopt : id, comment ? id : std::nullopt, reason, note.value_or(""));
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& r = std::get<store::flag_result>(result);
    json::object o{{"id", r.id}, {"reason", reason}, {"note", note.value_or("")}, {"hidden", r.hidden}};
    o[comment ? "comment_id" : "post_id"] = *id;
    return json_response(201, o);
}
response flag_post(call& c)
{
    return flag_target(c, false);
}
response flag_comment(call& c)
{
    return flag_target(c, true);
}

// Runs a moderator verb on the post in the path and answers its thread.
template <typename Fn>
response moderate(call& c, Fn&& fn)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    auto parsed = optional_body(c);
    if (auto const* f = std::get_if<failure>(&parsed)) return error_response(*f);
    auto const& body = std::get<json::object>(parsed);
    auto const result = fn(*id, body);
    if (auto const* f = failed(result)) return error_response(*f);
    return question_response(c, std::get<std::int64_t>(result), 200);
}

response delete_post_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    auto parsed = optional_body(c);
    if (auto const* f = std::get_if<failure>(&parsed)) return error_response(*f);
    auto const result = delete_post(c.ctx, c.who, *id, reason_of(std::get<json::object>(parsed)));
    if (auto const* f = failed(result)) return error_response(*f);
    response r;
    r.status = 204;
    return r;
}

response undelete_post_api(call& c)
{
    return moderate(
        c, [&](std::int64_t id, json::object const& b) { return undelete_post(c.ctx, c.who, id, reason_of(b)); });
}

response close_api(call& c)
{
    return moderate(c, [&](std::int64_t id, json::object const& b) -> outcome<std::int64_t> {
        std::optional<std::int64_t> dup;
        if (auto const* v = b.if_contains("duplicate_of"); v && !v->is_null()) {
            if (!v->is_int64() || v->as_int64() < 1)
                return failure{failure_kind::invalid, "invalid_field",
                               "duplicate_of must be a question id (a whole number).", "duplicate_of"};
            dup = v->as_int64();
        }
        return close_question(c.ctx, c.who, id, reason_of(b), dup);
    });
}
response reopen_api(call& c)
{
    return moderate(c, [&](std::int64_t id, json::object const&) { return reopen_question(c.ctx, c.who, id); });
}
// Lock, pin and endorse, set (on) or cleared: one handler each, from one template.
template <outcome<std::int64_t> (*Action)(context&, viewer const&, std::int64_t, bool), bool On>
response toggle_api(call& c)
{
    return moderate(c, [&](std::int64_t id, json::object const&) { return Action(c.ctx, c.who, id, On); });
}

json::object review_json(store::review_row const& r)
{
    json::object flags;
    for (auto const& f : r.flags) flags[f.reason] = f.count;
    json::array notes;
    for (auto const& n : r.notes) notes.emplace_back(n);
    json::object o{{"id", r.id},
                   {"kind", r.kind},
                   {"reason", r.reason},
                   {"type", r.post_kind},
                   {"question_id", r.question_id},
                   {"title", r.title},
                   {"body_html", r.body_html},
                   {"author", author_json(r.author)},
                   {"state", r.state},
                   {"deleted", r.deleted},
                   {"flags", std::move(flags)},
                   {"notes", std::move(notes)},
                   {"created_at", domain::rfc3339(r.created_at)}};
    o["post_id"] = r.post_id ? json::value(*r.post_id) : json::value(nullptr);
    o["comment_id"] = r.comment_id ? json::value(*r.comment_id) : json::value(nullptr);
    return o;
}

response review_queue_api(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_moderate("see the review queue")) return error_response(*f);
    auto listed = read_list_query(c);
    if (auto const* f = std::get_if<failure>(&listed)) return error_response(*f);
    auto const& [q, p] = std::get<list_query>(listed);
    auto const page = store::moderation_store(c.ctx.db.reader()).review_queue(p.page, p.pagesize);
    return json_response(200, list_json(page, review_json));
}

response review_action_api(call& c)
{
    auto const id = id_param(c, "id");
    if (!id) return error_response({failure_kind::not_found, "not_found", "There is no such review item.", ""});
    PEERDESK_TRY_BODY(body);
    std::string action;
    std::optional<std::string> note;
    if (auto f = require_string(body, "action", action)) return error_response(*f);
    if (auto f = read_string(body, "note", note)) return error_response(*f);
    auto const result = review(c.ctx, c.who, *id, action, note.value_or(""));
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, json::object{{"id", *id}, {"outcome", std::get<std::string>(result)}});
}

response suspend_common(call& c, suspension kind)
{
    auto const id = id_param(c);
    if (!id) return bad_id("user");
    auto parsed = optional_body(c);
    if (auto const* f = std::get_if<failure>(&parsed)) return error_response(*f);
    auto const& body = std::get<json::object>(parsed);
    std::int64_t days = 0;
    if (kind == suspension::suspend) {
        auto const* d = body.if_contains("days");
        if (!d || !d->is_int64())
            return error_response({failure_kind::invalid, "invalid_field", *moderation::check_days(0), "days"});
        days = d->as_int64();
    }
    auto const result = suspend_user(c.ctx, c.who, *id, kind, days, reason_of(body));
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& u = std::get<store::user_row>(result);
    auto o = user_json(u, store::user_store(c.ctx.db.reader()).counts(u.id));
    o["suspended_until"] = u.suspended_until ? json::value(domain::rfc3339(*u.suspended_until)) : json::value(nullptr);
    o["silenced"] = u.silenced;
    o["suspension_reason"] = u.suspension_reason;
    return json_response(200, o);
}
response suspend_api(call& c)
{
    return suspend_common(c, suspension::suspend);
}
response silence_api(call& c)
{
    return suspend_common(c, suspension::silence);
}
response unsuspend_api(call& c)
{
    return suspend_common(c, suspension::lift);
}

response audit_api(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_moderate("see the audit log")) return error_response(*f);
    auto listed = read_list_query(c);
    if (auto const* f = std::get_if<failure>(&listed)) return error_response(*f);
    auto const& [q, p] = std::get<list_query>(listed);
    auto filter = read_audit_filter(c, q);
    if (auto const* f = std::get_if<failure>(&filter)) return error_response(*f);
    std::int64_t total = 0;
    auto const rows = store::moderation_store(c.ctx.db.reader())
                          .audit(std::get<store::audit_filter>(filter), p.page, p.pagesize, total);
    json::array items;
    for (auto const& r : rows) {
        json::object o{{"id", r.id},
                       {"actor", {{"id", r.entry.actor_id}, {"username", r.actor_name}}},
                       {"action", r.entry.action},
                       {"reason", r.entry.reason},
                       {"created_at", domain::rfc3339(r.entry.created_at)}};
        o["post_id"] = r.entry.post_id ? json::value(*r.entry.post_id) : json::value(nullptr);
        o["comment_id"] = r.entry.comment_id ? json::value(*r.entry.comment_id) : json::value(nullptr);
        o["user_id"] = r.entry.user_id ? json::value(*r.entry.user_id) : json::value(nullptr);
        o["before"] = r.entry.before ? json::parse(*r.entry.before) : json::value(nullptr);
        items.push_back(std::move(o));
    }
    return json_response(
        200, json::object{{"items", std::move(items)}, {"page", p.page}, {"pagesize", p.pagesize}, {"total", total}});
}

}  // namespace

void add_moderation_routes(route_table& r)
{
    using http::method;
    r.add(method::post, "/posts/{id}/moderate", post_moderate);
    r.add(method::post, "/posts/{id}/flag", post_flag);
    r.add(method::post, "/comments/{id}/flag", post_comment_flag);
    r.add(method::get, "/review", review_page);
    r.add(method::post, "/review/{id}", post_review);
    r.add(method::post, "/users/{id}/suspend", post_suspend);
    r.add(method::get, "/audit", audit_page);
    r.add(method::get, "/moderation/suspended", suspended_page);
    r.add(method::post, "/api/v1/posts/{id}/flags", flag_post);
    r.add(method::post, "/api/v1/comments/{id}/flags", flag_comment);
    r.add(method::delete_, "/api/v1/posts/{id}", delete_post_api);
    r.add(method::post, "/api/v1/posts/{id}/undelete", undelete_post_api);
    r.add(method::post, "/api/v1/questions/{id}/close", close_api);
    r.add(method::post, "/api/v1/questions/{id}/reopen", reopen_api);
    r.add(method::post, "/api/v1/questions/{id}/lock", toggle_api<lock_question, true>);
    r.add(method::post, "/api/v1/questions/{id}/unlock", toggle_api<lock_question, false>);
    r.add(method::post, "/api/v1/questions/{id}/pin", toggle_api<pin_question, true>);
    r.add(method::post, "/api/v1/questions/{id}/unpin", toggle_api<pin_question, false>);
    r.add(method::post, "/api/v1/answers/{id}/endorse", toggle_api<endorse_answer, true>);
    r.add(method::delete_, "/api/v1/answers/{id}/endorse", toggle_api<endorse_answer, false>);
    r.add(method::get, "/api/v1/review", review_queue_api);
    r.add(method::post, "/api/v1/review/{id}", review_action_api);
    r.add(method::post, "/api/v1/users/{id}/suspend", suspend_api);
    r.add(method::post, "/api/v1/users/{id}/silence", silence_api);
    r.add(method::post, "/api/v1/users/{id}/unsuspend", unsuspend_api);
    r.add(method::get, "/api/v1/audit", audit_api);
}

}  // namespace peerdesk::app
