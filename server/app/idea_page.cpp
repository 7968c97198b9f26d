// One idea: its page (votes, status history, linked questions, comments, and the moderators'
// status and merge forms), the forms posted from it, and its side of the JSON API.
#include "server/app/idea_actions.hpp"
#include "server/app/ideas.hpp"

#include "server/app/api_io.hpp"
#include "server/app/frame.hpp"
#include "server/app/inbox.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/render/markdown.hpp"
#include "server/store/idea_store.hpp"
#include "server/store/notification_store.hpp"
#include "server/store/post_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

using namespace idea;

std::optional<json::object> idea_json(call& c, std::int64_t id)
{
    auto& db = c.ctx.db.reader();
    auto const post = find_idea(c.ctx, id);
    if (!post) return std::nullopt;
    store::idea_store ideas(db);
    auto const facts = ideas.facts(id);
    if (!facts) return std::nullopt;
    json::object o{{"id", id},
                   {"title", post->title},
                   {"body_markdown", post->body_markdown},
                   {"body_html", post->body_html},
                   {"status", store::to_sql(facts->status)},
                   {"votes", facts->votes},
                   {"demand", facts->demand},
                   {"tags", tags_json(post->tags)},
                   {"author", author_json(post->author)},
                   {"created_at", domain::rfc3339(post->created_at)},
                   {"url", urls::idea(id)}};
    o["merged_into"] = facts->merged_into ? json::value(*facts->merged_into) : json::value(nullptr);
    if (c.who.signed_in()) {
        o["my_vote"] = ideas.voted(id, c.who.user->id) ? 1 : 0;
        o["votes_left"] = votes_left(c.ctx, c.ctx.db.reader(), c.who.user->id);
    } else {
        o["my_vote"] = 0;
    }
    json::array history;
    for (auto const& h : ideas.history(id))
        history.push_back(json::object{{"status", store::to_sql(h.status)},
                                       {"response_markdown", h.response_markdown},
                                       {"response_html", h.response_html},
                                       {"by", author_json(h.actor)},
                                       {"created_at", domain::rfc3339(h.created_at)}});
    o["status_history"] = std::move(history);
    json::array linked;
    for (auto const& q : ideas.linked_questions(id, linked_limit))
        linked.push_back(json::object{{"id", q.id},
                                      {"title", q.title},
                                      {"answer_count", q.answer_count},
                                      {"accepted", q.accepted},
                                      {"url", urls::question(q.id)}});
    o["linked_questions"] = std::move(linked);
    json::array comments;
    for (auto const& cm : store::post_store(db).idea_comments(id)) comments.push_back(comment_json(cm));
    o["comments"] = std::move(comments);
    return o;
}

}  // namespace

response idea_response(call& c, std::int64_t id, int status)
{
    auto const o = idea_json(c, id);
    if (!o) return error_response(no_idea());
    return json_response(status, *o);
}

namespace {

response api_show(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    return idea_response(c, *id, 200);
}

template <bool Voting>
response api_vote(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    auto const result = idea_vote(c.ctx, c.who, *id, Voting);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& v = std::get<vote_state>(result);
    return json_response(
        200, json::object{{"votes", v.votes}, {"my_vote", v.my_vote ? 1 : 0}, {"votes_left", v.votes_left}});
}

// An optional whole number in a JSON body: absent → nothing; anything but a positive integer
// → the failure.
std::variant<std::optional<std::int64_t>, failure> id_field(json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    if (!v || v->is_null()) return std::optional<std::int64_t>{};
    if (v->is_int64() && v->get_int64() > 0) return std::optional<std::int64_t>(v->get_int64());
    if (v->is_uint64() && v->get_uint64() > 0 && v->get_uint64() < (1ull << 62))
        return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_uint64()));
    return failure{failure_kind::invalid, "invalid_field",
                   std::string(key) + " must be a positive whole number (an id).", std::string(key)};
}

response api_status(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    PEERDESK_TRY_BODY(body);
    std::string status, text;
    if (auto f = require_string(body, "status", status)) return error_response(*f);
    if (auto f = require_string(body, "response", text)) return error_response(*f);
    auto const result = change_status(c.ctx, c.who, *id, status, text);
    if (auto const* f = failed(result)) return error_response(*f);
    return idea_response(c, *id, 200);
}

response api_merge(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    PEERDESK_TRY_BODY(body);
    auto into = id_field(body, "into");
    if (auto const* f = std::get_if<failure>(&into)) return error_response(*f);
    std::optional<std::string> text;
    if (auto f = read_string(body, "response", text)) return error_response(*f);
    auto const result = merge_idea(c.ctx, c.who, *id, std::get<std::optional<std::int64_t>>(into), text.value_or(""));
    if (auto const* f = failed(result)) return error_response(*f);
    return idea_response(c, std::get<std::int64_t>(result), 200);
}

response api_link(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    PEERDESK_TRY_BODY(body);
    auto question = id_field(body, "question_id");
    if (auto const* f = std::get_if<failure>(&question)) return error_response(*f);
    auto const result = link_question(c.ctx, c.who, *id, std::get<std::optional<std::int64_t>>(question));
    if (auto const* f = failed(result)) return error_response(*f);
    return idea_response(c, *id, 201);
}

struct idea_form_state {
    std::string notice;        // a refused vote or action, at the top
    std::string comment_body;  // a refused comment, kept
    std::string comment_error;
    std::string status_response;  // a refused status change, kept
    std::string status_error;
    std::string merge_error;
    std::string link_error;
};

// Only what a moderator needs to decide on undeleting: what it said, and the button.
response deleted_idea_page(call& c, store::post_row const& post)
{
    view v;
    v.set("id", post.id)
        .set("url", urls::idea(post.id))
        .set("title", post.title)
        .set("deleted", time_view(*post.deleted_at))
        .set("author", author_view(post.author))
        .set("proposed", time_view(post.created_at))
        .set("board_url", urls::ideas());
    v.set_html("body_html", render::stored_markdown_html(post.body_html));
    return page(c, 200, "idea_deleted", post.title, std::move(v));
}

response idea_page(call& c, std::int64_t id, page_status status, idea_form_state const& form)
{
    auto& db = c.ctx.db.reader();
    store::idea_store ideas(db);
    auto const facts = ideas.facts(id);
    if (facts && facts->live && facts->merged_into) return redirect(urls::idea(*facts->merged_into), 301);
    // Moderators open a deleted idea, marked as such, to undelete it; everyone else gets "not found".
    auto const post = find_idea(c.ctx, id, c.who.is_moderator());
    if (!post || !facts)
        return message_page(c, 404, "Idea not found", "There is no such idea.", urls::ideas(), "the ideas");
    if (post->deleted_at) return deleted_idea_page(c, *post);
    permissions const can(c.ctx, c.who);
    view v;
    v.set("id", id)
        .set("url", urls::idea(id))
        .set("title", post->title)
        .set("status", status_view(facts->status))
        .set("open", !store::closes(facts->status))
        .set("votes", facts->votes)
        .set("votes_label", facts->votes == 1 ? "vote" : "votes")
        .set("demand", facts->demand)
        .set("demand_label", facts->demand == 1 ? "question asks" : "questions ask")
        .set("tags", tag_views(post->tags))
        .set("author", author_view(post->author))
        .set("proposed", time_view(post->created_at))
        .set("board_url", urls::ideas())
        .set("revisions_url", urls::revisions(id));
    v.set_html("body_html", render::stored_markdown_html(post->body_html));
    if (post->edited_at) v.set("edited", time_view(*post->edited_at));
    std::vector<view> history;
    for (auto const& h : ideas.history(id)) {
        view hv;
        hv.set("status", status_view(h.status)).set("by", author_view(h.actor)).set("at", time_view(h.created_at));
        hv.set_html("response_html", render::stored_markdown_html(h.response_html));
        history.push_back(std::move(hv));
    }
    v.set("history", history).set("has_history", !history.empty());
    std::vector<view> linked;
    for (auto const& q : ideas.linked_questions(id, linked_limit)) {
        view lv;
        lv.set("title", q.title)
            .set("url", urls::question(q.id))
            .set("answers", q.answer_count)
            .set("answers_label", q.answer_count == 1 ? "answer" : "answers")
            .set("accepted", q.accepted);
        linked.push_back(std::move(lv));
    }
    v.set("linked", linked).set("has_linked", !linked.empty());
    // Comments: the post's own, as on a question.
    std::vector<view> comments;
    for (auto const& cm : store::post_store(db).idea_comments(id)) {
        view cv;
        cv.set("id", cm.id).set("author", author_view(cm.author)).set("at", time_view(cm.created_at));
        cv.set_html("body_html", render::stored_markdown_html(cm.body_html));
        comments.push_back(std::move(cv));
    }
    v.set("comments", comments).set("has_comments", !comments.empty());
    if (!form.notice.empty()) v.set("notice", form.notice);
    if (c.who.signed_in()) {
        v.set("signed_in", true);
        auto const voted = ideas.voted(id, c.who.user->id);
        auto const left = votes_left(c.ctx, c.ctx.db.reader(), c.who.user->id);
        v.set("voted", voted)
            .set("votes_left", left)
            .set("votes_left_label", left == 1 ? "vote" : "votes")
            .set("own", post->author.id == c.who.user->id);
        if (!can.may_edit(*post)) v.set("edit_url", urls::edit(id));
        v.set("comment_body", form.comment_body);
        if (!form.comment_error.empty()) v.set("comment_error", form.comment_error);
        if (auto const f = can.may_write("comment")) v.set("comment_refused", f->message);
        v.set("follow", follow_button(c, store::follow_target::question, id, urls::idea(id) + "/follow", "idea"));
        if (c.who.is_moderator()) {
            std::vector<view> choices;
            for (auto const& s : statuses) {
                if (s.status == store::idea_status::duplicate) continue;
                view o;
                o.set("key", store::to_sql(s.status)).set("label", s.label).set("selected", s.status == facts->status);
                choices.push_back(std::move(o));
            }
            v.set("moderator", true).set("choices", choices).set("status_response", form.status_response);
            if (!form.status_error.empty()) v.set("status_error", form.status_error);
            if (!form.merge_error.empty()) v.set("merge_error", form.merge_error);
        }
        if (!form.link_error.empty()) v.set("link_error", form.link_error);
    } else {
        v.set("signin_url", urls::signin(urls::idea(id)));
    }
    return page(c, status, "idea", post->title, std::move(v));
}

response show_idea(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Idea not found", "There is no such idea.", urls::ideas(), "the ideas");
    return idea_page(c, *id, 200, {});
}

// A form about one idea: its id and the checked fields, or the refusal.
struct idea_form {
    std::int64_t id = 0;
    http::fields fields;
};

std::variant<idea_form, response> read_idea_form(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Idea not found", "There is no such idea.", urls::ideas(), "the ideas");
    auto checked = signed_in_form(c, urls::idea(*id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    return idea_form{*id, std::move(std::get<http::fields>(checked))};
}

response post_vote_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    auto const action = field(form.fields, "action");
    if (action != "vote" && action != "unvote")
        return message_page(c, 422, "Not understood", "The form asks to vote or to take a vote back; reload the page.");
    auto const result = idea_vote(c.ctx, c.who, form.id, action == "vote");
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.notice = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(form.id));
}

response post_status_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    auto const text = field(form.fields, "response");
    auto const result = change_status(c.ctx, c.who, form.id, field(form.fields, "status"), text);
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.status_response = text;
        state.status_error = f->message;
        if (f->kind == failure_kind::forbidden || f->kind == failure_kind::not_found) state.notice = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(form.id) + "#history");
}

response post_merge_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    auto into_text = field(form.fields, "into");
    // "#12" and an idea's address are read as the idea's id.
    if (auto const slash = into_text.rfind('/'); slash != std::string::npos) into_text = into_text.substr(slash + 1);
    if (!into_text.empty() && into_text.front() == '#') into_text = into_text.substr(1);
    auto const result =
        merge_idea(c.ctx, c.who, form.id, parse_id(domain::trim(into_text)), field(form.fields, "response"));
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.merge_error = f->message;
        if (f->kind == failure_kind::forbidden || f->kind == failure_kind::not_found) state.notice = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(std::get<std::int64_t>(result)));
}

response post_link_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    auto text = std::string(domain::trim(field(form.fields, "question")));
    // A question's address ("/questions/12/…" or a full link) or its number.
    if (auto const at = text.find("/questions/"); at != std::string::npos) {
        text = text.substr(at + 11);
        text = text.substr(0, text.find_first_of("/?#"));
    }
    if (!text.empty() && text.front() == '#') text = text.substr(1);
    auto const result = link_question(c.ctx, c.who, form.id, parse_id(text));
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.link_error = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(form.id) + "#linked");
}

response post_comment_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    if (!find_idea(c.ctx, form.id))
        return message_page(c, 404, "Idea not found", "There is no such idea.", urls::ideas(), "the ideas");
    auto const body = field(form.fields, "body");
    auto const result = comment(c.ctx, c.who, form.id, body, std::nullopt);
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.comment_body = body;
        state.comment_error = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(form.id) + "#comment-" + std::to_string(std::get<std::int64_t>(result)));
}

}  // namespace

void idea::add_idea_page_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/ideas/{id}", show_idea);
    r.add(method::post, "/ideas/{id}/vote", post_vote_form);
    r.add(method::post, "/ideas/{id}/status", post_status_form);
    r.add(method::post, "/ideas/{id}/merge", post_merge_form);
    r.add(method::post, "/ideas/{id}/links", post_link_form);
    r.add(method::post, "/ideas/{id}/comments", post_comment_form);
    r.add(method::get, "/api/v1/ideas/{id}", api_show);
    r.add(method::post, "/api/v1/ideas/{id}/vote", api_vote<true>);
    r.add(method::delete_, "/api/v1/ideas/{id}/vote", api_vote<false>);
    r.add(method::post, "/api/v1/ideas/{id}/status", api_status);
    r.add(method::post, "/api/v1/ideas/{id}/merge", api_merge);
    r.add(method::post, "/api/v1/ideas/{id}/links", api_link);
}

}  // namespace peerdesk::app
