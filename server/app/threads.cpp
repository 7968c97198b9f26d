// A thread: the question page and what members do on it — answer, comment, vote, accept —
// each page handler beside its API handler.
#include "server/app/frame.hpp"
#include "server/app/inbox.hpp"
#include "server/app/permissions.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/search_service.hpp"
#include "server/app/timing.hpp"
#include "server/app/urls.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/post_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

// What a form on the question page sent back when it failed, to show it again.
struct question_form_state {
    std::string notice;  // a refusal to show at the top
    std::string answer_body;
    std::string answer_error;
    std::int64_t comment_post_id = 0;
    std::string comment_body;
    std::string comment_error;
};

std::vector<view> comment_views(std::vector<store::comment_row> const& comments, std::int64_t viewer_id)
{
    // Top-level comments in order, each followed by its replies.
    std::vector<view> out;
    for (auto const& c : comments) {
        if (c.reply_to) continue;
        view v;
        v.set("id", c.id)
            .set("post_id", c.post_id)
            .set("author", author_view(c.author))
            .set("created", time_view(c.created_at));
        v.set("own", c.author.id == viewer_id);
        v.set_html("body_html", render::stored_markdown_html(c.body_html));
        std::vector<view> replies;
        for (auto const& r : comments) {
            if (r.reply_to != c.id) continue;
            view rv;
            rv.set("id", r.id).set("author", author_view(r.author)).set("created", time_view(r.created_at));
            rv.set("own", r.author.id == viewer_id);
            rv.set_html("body_html", render::stored_markdown_html(r.body_html));
            replies.push_back(std::move(rv));
        }
        v.set("has_replies", !replies.empty()).set("replies", std::move(replies));
        out.push_back(std::move(v));
    }
    return out;
}

// What the viewer may do in a thread is asked of the permissions the actions use, so that the
// page offers only what the server would accept and says what is missing.
struct thread_rights {
    bool locked = false;
    bool restricted = false;  // suspended or silenced: reads only
};

thread_rights rights_in(call& c, store::post_row const& question)
{
    return {question.locked, c.who.user && check_standing(c.who).has_value()};
}

std::string refusal_text(verdict const& v)
{
    return v ? v->message : std::string();
}

view post_view(call& c, store::post_row const& p, store::post_row const& question, question_form_state const& form,
               thread_rights const& rights)
{
    permissions const can(c.ctx, c.who);
    bool const is_answer = p.kind == "answer";
    bool const signed_in = c.who.signed_in();
    // Votes and comments stop in a locked thread and for a member who may not write; the score stays.
    bool const gone = p.deleted_at || question.deleted_at;  // shown to moderators, to undelete only
    bool const interactive = !rights.locked && !rights.restricted && !gone;
    std::string up_needs, down_needs, comment_needs;
    bool may_comment = false;
    if (signed_in && interactive) {
        up_needs = refusal_text(can.may_vote(p, question, 1));
        down_needs = refusal_text(can.may_vote(p, question, -1));
        comment_needs = refusal_text(can.may_comment(p, question));
        may_comment = comment_needs.empty();
    }
    view v;
    v.set("id", p.id)
        .set("kind", p.kind)
        .set("is_answer", is_answer)
        .set("score", p.score)
        .set("author", author_view(p.author))
        .set("created", time_view(p.created_at))
        .set("up_on", p.my_vote == 1)
        .set("down_on", p.my_vote == -1)
        .set("up_value", p.my_vote == 1 ? 0 : 1)
        .set("down_value", p.my_vote == -1 ? 0 : -1)
        .set("comments", comment_views(p.comments, c.who.user ? c.who.user->id : 0))
        .set("has_comments", !p.comments.empty())
        .set("signed_in", signed_in)
        .set("interactive", interactive)
        .set("up_needs", up_needs)
        .set("down_needs", down_needs)
        .set("may_comment", may_comment)
        .set("comment_needs", comment_needs)
        .set("may_edit", !gone && !can.may_edit(p))
        .set("may_flag", !gone && !can.may_flag(p))
        .set("moderator", c.who.is_moderator())
        .set("endorsed", p.endorsed);
    if (p.edited_at) v.set("edited", time_view(*p.edited_at));
    // Only moderators are shown deleted posts, marked so that no one takes them for live ones.
    if (p.deleted_at)
        v.set("deleted", time_view(*p.deleted_at));
    else
        v.set("deleted", false);  // not the question's flag, which the answers' sections would find
    v.set_html("body_html", render::stored_markdown_html(p.body_html));
    if (is_answer) {
        bool const accepted = question.accepted_answer_id == p.id;
        v.set("accepted", accepted).set("may_accept", signed_in && !gone && !can.may_accept(question));
    }
    if (form.comment_post_id == p.id) {
        v.set("comment_body", form.comment_body).set("comment_error", form.comment_error).set("comment_open", true);
    }
    return v;
}

// What moderators did to the thread, in words for its readers.
std::vector<view> history_views(call& c, std::int64_t question_id)
{
    std::vector<view> out;
    for (auto const& r : store::moderation_store(c.ctx.db.reader()).thread_history(question_id)) {
        auto const& a = r.entry.action;
        bool const on_question = r.entry.post_id == question_id;
        std::string what, reason;
        if (a == "accept_on_behalf")
            what = "accepted an answer on the asker’s behalf";
        else if (a == "unaccept_on_behalf")
            what = "withdrew the acceptance on the asker’s behalf";
        else if (a == "close")
            what = "closed the question as " + close_reason_text(r.entry.reason.substr(0, r.entry.reason.find(' ')));
        else if (a == "reopen")
            what = "reopened the question";
        else if (a == "lock")
            what = "locked the thread";
        else if (a == "unlock")
            what = "unlocked the thread";
        else if (a == "endorse")
            what = "endorsed an answer";
        else if (a == "delete")
            what = on_question ? "deleted the question" : "deleted an answer", reason = r.entry.reason;
        else if (a == "undelete")
            what = on_question ? "restored the question" : "restored an answer", reason = r.entry.reason;
        else if (a == "edit")
            what = on_question ? "edited the question" : "edited an answer", reason = r.entry.reason;
        else
            continue;
        view v;
        v.set("actor", r.actor_name)
            .set("actor_id", r.entry.actor_id)
            .set("what", what)
            .set("reason", reason)
            .set("when", time_view(r.entry.created_at));
        out.push_back(std::move(v));
    }
    return out;
}

// Questions like this one, beside it; none when search cannot answer just now.
std::vector<view> related_views(call& c, store::post_row const& question)
{
    timing::span span("related");
    auto const found = related_questions(c.ctx, question);
    std::vector<view> out;
    if (failed(found)) return out;
    for (auto const& r : std::get<std::vector<store::hit_row>>(found)) {
        if (out.size() == 6) break;  // a column beside the thread; the API gives all of them
        view v;
        v.set("url", urls::question(r.question_id))
            .set("title", r.title)
            .set("answer_count", r.answer_count)
            .set("answers_label", r.answer_count == 1 ? "answer" : "answers")
            .set("accepted", r.accepted);
        out.push_back(std::move(v));
    }
    return out;
}

response question_page(call& c, std::int64_t id, page_status status, question_form_state const& form)
{
    std::optional<std::int64_t> viewer_id;
    if (c.who.user) viewer_id = c.who.user->id;
    auto const t =
        store::post_store(c.ctx.db.reader())
            .thread(id, viewer_id, c.who.is_moderator() ? store::deleted_posts::shown : store::deleted_posts::hidden);
    if (!t) return message_page(c, 404, "Question not found", "There is no question " + std::to_string(id) + ".");
    auto const rights = rights_in(c, t->question);
    std::vector<view> answers;
    std::int64_t live_answers = 0;
    for (auto const& a : t->answers) {
        answers.push_back(post_view(c, a, t->question, form, rights));
        if (!a.deleted_at) ++live_answers;
    }
    view v;
    v.set("id", t->question.id)
        .set("title", t->question.title)
        .set("url", urls::question(id))
        .set("tags", tag_views(t->question.tags))
        .set("question", post_view(c, t->question, t->question, form, rights))
        .set("answers", std::move(answers))
        .set("answer_count", live_answers)
        .set("answers_label", live_answers == 1 ? "Answer" : "Answers")
        .set("has_answers", !t->answers.empty())
        .set("deleted_question", t->question.deleted_at.has_value())
        .set("has_accepted", t->question.accepted_answer_id.has_value())
        .set("asked", time_view(t->question.created_at))
        .set("active", time_view(t->question.last_activity_at))
        .set("signed_in", c.who.signed_in())
        .set("may_answer",
             c.who.signed_in() && !t->question.deleted_at && !permissions(c.ctx, c.who).may_answer(t->question))
        .set("answer_body", form.answer_body)
        .set("answer_error", form.answer_error)
        .set("notice", form.notice)
        .set("signin_url", urls::signin(urls::question(id)))
        .set("signup_url", urls::signup(urls::question(id)));
    if (t->question.deleted_at) v.set("deleted", time_view(*t->question.deleted_at));
    if (c.who.user && !rights.restricted && !rights.locked && !t->question.deleted_at) {
        // New members learn what reputation opens before they reach for a control.
        std::vector<std::string> missing;
        for (auto p : {domain::privilege::upvote, domain::privilege::comment_everywhere, domain::privilege::downvote}) {
            auto const needed = c.ctx.config.thresholds.required(p);
            if (!domain::check_privilege(c.who.actor(), p, c.ctx.config.thresholds)) continue;
            missing.push_back(std::string(domain::privilege_description(p)) + " needs " + std::to_string(needed));
        }
        if (!missing.empty()) {
            std::string text;
            for (std::size_t k = 0; k < missing.size(); ++k)
                text += (k == 0                    ? ""
                         : k + 1 == missing.size() ? " and "
                                                   : ", ") +
                        (k == 0 ? missing[k] : lowercase_first(missing[k]));
            text += " reputation; you have " + std::to_string(c.who.user->reputation) + ". Answers that help earn it.";
            v.set("privilege_hint", text);
        }
    }
    if (c.who.user && rights.restricted) v.set("standing_notice", standing_short(*c.who.user, "answer"));
    auto related = related_views(c, t->question);
    v.set("has_related", !related.empty()).set("related", std::move(related));
    auto const& q = t->question;
    v.set("moderator", c.who.is_moderator()).set("locked", q.locked).set("pinned", q.pinned);
    if (q.closed_at) {
        view closed;
        closed.set("reason_text", close_reason_text(q.close_reason.value_or("")));
        if (q.duplicate_of)
            if (auto original = store::post_store(c.ctx.db.reader()).find_post(*q.duplicate_of))
                closed.set("duplicate_url", urls::question(original->id)).set("duplicate_title", original->title);
        v.set("closed", std::move(closed));
    }
    auto history = history_views(c, id);
    v.set("has_history", !history.empty()).set("history", std::move(history));
    v.set("follow", follow_button(c, store::follow_target::question, id, "/questions/" + std::to_string(id) + "/follow",
                                  "question"));
    return page(
        c, status, "question", t->question.title, std::move(v),
        {.feed_url = "/feeds/questions/" + std::to_string(id) + ".atom", .feed_title = "Answers to this question"});
}

// A refused comment, vote or acceptance is answered with a redirect to its thread, so that the
// address is the thread's and a reload sends nothing again (POST, redirect, GET). What was typed and what
// was wrong ride along in a cookie for that thread alone: short-lived, read once, and tied to
// the session, so that no other site or visitor can put words on the page.
constexpr std::string_view flash_cookie = "peerdesk_flash";
constexpr std::size_t flash_limit = 3000;  // browsers keep cookies up to about 4 KB

std::string flash_owner(call const& c)
{
    return c.who.csrf_token.substr(0, 16);
}

std::string flash_cookie_header(call const& c, std::int64_t question_id, std::string_view value, int max_age)
{
    return std::string(flash_cookie) + "=" + std::string(value) + "; Path=" + urls::question(question_id) +
           "; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax" +
           (c.ctx.config.secure_cookies ? "; Secure" : "");
}

// The redirect for a refused vote or acceptance: its message is shown at the top of the thread.
response refused_notice_redirect(call& c, std::int64_t question_id, failure const& f)
{
    auto const value = "for=" + http::percent_encode(flash_owner(c)) + "&status=" + std::to_string(f.status()) +
                       "&notice=" + http::percent_encode(f.message.substr(0, 1000));
    auto r = redirect(urls::question(question_id));
    r.add("Set-Cookie", flash_cookie_header(c, question_id, value, 120));
    return r;
}

// The redirect for a refused comment, or nothing when what was typed is too long to carry.
std::optional<response> refused_comment_redirect(call& c, std::int64_t question_id, std::int64_t post_id,
                                                 failure const& f, std::string const& body)
{
    auto const value = "for=" + http::percent_encode(flash_owner(c)) + "&post=" + std::to_string(post_id) +
                       "&status=" + std::to_string(f.status()) + "&error=" + http::percent_encode(f.message) +
                       "&body=" + http::percent_encode(body);
    if (value.size() > flash_limit) return std::nullopt;
    auto r = redirect(urls::add_comment(question_id, post_id));
    r.add("Set-Cookie", flash_cookie_header(c, question_id, value, 120));
    return r;
}

response show_question(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Question not found", "There is no such question.");
    auto const cookie = c.req.header("cookie");
    auto const cookies = cookie ? http::parse_cookies(*cookie) : http::fields{};
    auto const carried = http::find_field(cookies, flash_cookie);
    if (!carried || !c.who.signed_in()) return question_page(c, *id, 200, {});
    // Shown once, whatever it holds: the page clears it.
    question_form_state state;
    int status = 200;
    if (auto const fields = http::parse_urlencoded(*carried, 8); fields && field(*fields, "for") == flash_owner(c)) {
        auto const post = parse_id(field(*fields, "post"));
        auto const code = parse_id(field(*fields, "status"));
        if (code && *code >= 400 && *code < 500) {
            if (post) {
                state.comment_post_id = *post;
                state.comment_body = field(*fields, "body");
                state.comment_error = field(*fields, "error");
            }
            state.notice = field(*fields, "notice");
            status = static_cast<int>(*code);
        }
    }
    auto r = question_page(c, *id, status, state);
    r.add("Set-Cookie", flash_cookie_header(c, *id, "", 0));
    return r;
}

response post_answer(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Question not found", "There is no such question.");
    auto checked = signed_in_form(c, urls::question(*id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const* form = &std::get<http::fields>(checked);
    auto const body = field(*form, "body");
    auto const result = answer(c.ctx, c.who, *id, body);
    if (auto const* f = failed(result)) {
        question_form_state state;
        state.answer_body = body;
        state.answer_error = f->message;
        return question_page(c, *id, *f, state);
    }
    auto const& done = std::get<posted>(result);
    if (done.held) return message_page(c, 200, "Your answer is waiting for a moderator", *done.held);
    return redirect(urls::post(*id, done.id));
}

// A form posted about one post of a thread: the post, its thread and the checked fields, or the
// response that refuses (no such post, signed out, an unreadable form, a wrong CSRF token).
struct thread_form {
    std::int64_t post_id = 0;
    std::int64_t question_id = 0;
    http::fields fields;
};

std::variant<thread_form, response> read_thread_form(call& c, std::string const& what)
{
    auto const post_id = parse_id(c.match["id"]);
    auto const question_id = post_id ? thread_of(c, *post_id) : std::nullopt;
    if (!question_id)
        return message_page(c, 404, what + " not found", "There is no such " + lowercase_first(what) + ".");
    auto checked = signed_in_form(c, urls::question(*question_id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    return thread_form{*post_id, *question_id, std::move(std::get<http::fields>(checked))};
}

response post_comment(call& c)
{
    auto read = read_thread_form(c, "Post");
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<thread_form>(read);
    auto const body = field(form.fields, "body");
    std::optional<std::int64_t> reply_to;
    if (auto const r = http::find_field(form.fields, "reply_to"); r && !r->empty()) reply_to = parse_id(*r);
    auto const result = comment(c.ctx, c.who, form.post_id, body, reply_to);
    if (auto const* f = failed(result)) {
        if (auto r = refused_comment_redirect(c, form.question_id, form.post_id, *f, body)) return std::move(*r);
        question_form_state state;
        state.comment_post_id = form.post_id;
        state.comment_body = body;
        state.comment_error = f->message;
        return question_page(c, form.question_id, *f, state);
    }
    return redirect(urls::comment(form.question_id, std::get<std::int64_t>(result)));
}

response post_vote(call& c)
{
    auto read = read_thread_form(c, "Post");
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<thread_form>(read);
    auto const value = field(form.fields, "value");
    int const v = value == "1" ? 1 : value == "-1" ? -1 : value == "0" ? 0 : 2;
    auto const result = vote(c.ctx, c.who, form.post_id, v);
    if (auto const* f = failed(result)) return refused_notice_redirect(c, form.question_id, *f);
    return redirect(urls::post(form.question_id, form.post_id));
}

response post_accept(call& c)
{
    auto read = read_thread_form(c, "Answer");
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<thread_form>(read);
    auto const result = accept(c.ctx, c.who, form.post_id, field(form.fields, "action") != "unaccept");
    if (auto const* f = failed(result)) return refused_notice_redirect(c, form.question_id, *f);
    return redirect(urls::post(form.question_id, form.post_id));
}

response show_question_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("question");
    return question_response(c, *id, 200);
}

response create_answer(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("question");
    PEERDESK_TRY_BODY(body);
    std::string text;
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    auto const result = answer(c.ctx, c.who, *id, text);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& done = std::get<posted>(result);
    if (done.held) return held_response(done, "answer");
    auto const answer_id = done.id;
    auto const post = store::post_store(c.ctx.db.reader()).find_post(answer_id);
    auto r = json_response(201, post_json(*post, false));
    r.set("Location", urls::api_question(*id));
    return r;
}

response accept_common(call& c, bool accepting)
{
    auto const id = id_param(c);
    if (!id) return bad_id("answer");
    auto const result = accept(c.ctx, c.who, *id, accepting);
    if (auto const* f = failed(result)) return error_response(*f);
    return question_response(c, std::get<std::int64_t>(result), 200);
}

response accept_answer(call& c)
{
    return accept_common(c, true);
}
response unaccept_answer(call& c)
{
    return accept_common(c, false);
}

response create_comment(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    PEERDESK_TRY_BODY(body);
    std::string text;
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    std::optional<std::int64_t> reply_to;
    if (auto const* v = body.if_contains("reply_to"); v && !v->is_null()) {
        if (!v->is_int64() || v->as_int64() <= 0)
            return error_response(
                {failure_kind::invalid, "invalid_field", "reply_to must be a comment id.", "reply_to"});
        reply_to = v->as_int64();
    }
    auto const result = comment(c.ctx, c.who, *id, text, reply_to);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const row = store::post_store(c.ctx.db.reader()).find_comment(std::get<std::int64_t>(result));
    return json_response(201, comment_json(*row));
}

response cast_vote(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    PEERDESK_TRY_BODY(body);
    auto const* v = body.if_contains("value");
    if (!v || !v->is_int64())
        return error_response(
            {failure_kind::invalid, "invalid_field", "value must be 1 (up), -1 (down) or 0 (take back).", "value"});
    auto const result = vote(c.ctx, c.who, *id, static_cast<int>(std::clamp<std::int64_t>(v->as_int64(), -2, 2)));
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& r = std::get<store::vote_result>(result);
    return json_response(200, json::object{{"score", r.score}, {"my_vote", r.my_vote}});
}

}  // namespace

void add_thread_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/questions/{id}", show_question);
    r.add(method::get, "/questions/{id}/{slug}", show_question);
    r.add(method::post, "/questions/{id}/answers", post_answer);
    r.add(method::post, "/posts/{id}/comments", post_comment);
    r.add(method::post, "/posts/{id}/vote", post_vote);
    r.add(method::post, "/answers/{id}/accept", post_accept);
    r.add(method::get, "/api/v1/questions/{id}", show_question_api);
    r.add(method::post, "/api/v1/questions/{id}/answers", create_answer);
    r.add(method::post, "/api/v1/answers/{id}/accept", accept_answer);
    r.add(method::delete_, "/api/v1/answers/{id}/accept", unaccept_answer);
    r.add(method::post, "/api/v1/posts/{id}/comments", create_comment);
    r.add(method::post, "/api/v1/posts/{id}/vote", cast_vote);
}

}  // namespace peerdesk::app
