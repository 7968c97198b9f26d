// What members do on a thread — answer, comment, vote, accept — each page handler beside its
// API handler, and the question page's handler (the page itself is thread_page.cpp).
#include "server/app/thread_page.hpp"

#include "server/app/frame.hpp"
#include "server/app/inbox.hpp"
#include "server/app/own_content.hpp"
#include "server/app/people.hpp"
#include "server/app/permissions.hpp"
#include "server/app/reach.hpp"
#include "server/store/notification_store.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/drafts.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/search_service.hpp"
#include "server/app/thread_cache.hpp"
#include "server/app/timing.hpp"
#include "server/app/urls.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/idea_store.hpp"
#include "server/store/member_store.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/reach_store.hpp"

#include <unordered_map>

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

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
    question_form_state state;
    // The one form a link asked to open; signed out, the page has none to open.
    if (c.who.signed_in()) {
        auto const query = query_fields(c);
        for (auto const& [name, what] :
             {std::pair{"comment", open_form::kind::comment}, std::pair{"reply", open_form::kind::reply},
              std::pair{"flag", open_form::kind::flag}, std::pair{"flag_comment", open_form::kind::flag_comment}})
            if (auto const target = http::find_field(query, name))
                if (auto const n = parse_id(*target)) state.open = {what, *n};
        // The answer the member began here (on this device or another) is back in the box.
        if (auto const draft = draft_for(c.ctx, c.who, "answer-" + std::to_string(*id)))
            state.answer_body = draft->body;
    }
    // A form to open decides the page (its link carries no page); else ?page=N.
    std::int64_t page = 0;
    if (state.open.what == open_form::kind::none) {
        auto const query = query_fields(c);
        auto const p = http::find_field(query, "page");
        page = p ? parse_id(*p).value_or(0) : 1;
        if (page <= 0)
            return message_page(c, 404, "No such page", "Pages of a question are numbered from 1.", urls::question(*id),
                                "Back to the question");
    }
    std::optional<std::string_view> given_slug;
    if (!c.match["slug"].empty() || c.req.path.ends_with("/")) given_slug = c.match["slug"];
    if (!carried || !c.who.signed_in()) return question_page(c, *id, 200, state, page, given_slug);
    // Shown once, whatever it holds: the page clears it.
    int status = 200;
    if (auto const fields = http::parse_urlencoded(*carried, 8); fields && field(*fields, "for") == flash_owner(c)) {
        auto const post = parse_id(field(*fields, "post"));
        auto const code = parse_id(field(*fields, "status"));
        if (code && *code >= 400 && *code < 500) {
            if (post) {
                state.open = {open_form::kind::comment, *post};
                state.comment_body = field(*fields, "body");
                state.comment_error = field(*fields, "error");
            }
            state.notice = field(*fields, "notice");
            status = static_cast<int>(*code);
        }
    }
    auto r = question_page(c, *id, status, state, page, given_slug);
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
    return redirect(post_location(c, done.id).value_or(urls::post(*id, done.id)));
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
        state.open = {open_form::kind::comment, form.post_id};
        state.comment_body = body;
        state.comment_error = f->message;
        return question_page(c, form.question_id, *f, state);
    }
    auto const comment_id = std::get<std::int64_t>(result);
    return redirect(comment_location(c, comment_id).value_or(urls::comment(form.question_id, comment_id)));
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
    return redirect(post_location(c, form.post_id).value_or(urls::post(form.question_id, form.post_id)));
}

response post_accept(call& c)
{
    auto read = read_thread_form(c, "Answer");
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<thread_form>(read);
    auto const result = accept(c.ctx, c.who, form.post_id, field(form.fields, "action") != "unaccept");
    if (auto const* f = failed(result)) return refused_notice_redirect(c, form.question_id, *f);
    return redirect(post_location(c, form.post_id).value_or(urls::post(form.question_id, form.post_id)));
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
