// Editing: the edit form, revisions with their differences, redaction, and the Markdown preview.
#include "server/app/frame.hpp"
#include "server/app/permissions.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/diff.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/store/post_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

response edit_form(call& c, page_status status, store::post_row const& post, std::string const& title,
                   std::string const& body, std::string const& tags, std::string const& summary, failure const* error)
{
    view v;
    v.set("id", post.id)
        .set("is_question", post.kind != domain::post_kind::answer)  // a title and tags: questions and ideas
        .set("title_value", title)
        .set("body_value", body)
        .set("tags_value", tags)
        .set("summary_value", summary)
        .set("back_url", urls::question(post.question_id.value_or(post.id)));
    if (error) v.set("error", error->message);
    return page(c, status, "edit",
                post.kind == domain::post_kind::question ? "Edit question"
                : post.kind == domain::post_kind::idea   ? "Edit idea"
                                                         : "Edit answer",
                std::move(v));
}

std::string join_tags(std::vector<std::string> const& tags)
{
    std::string out;
    for (auto const& t : tags) out += (out.empty() ? "" : " ") + t;
    return out;
}

response edit_page(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto const post = id ? store::post_store(c.ctx.db.reader()).find_post(*id) : std::nullopt;
    if (!post) return message_page(c, 404, "Post not found", "There is no such post.");
    if (auto r = require_signed_in(c)) return std::move(*r);
    if (auto f = permissions(c.ctx, c.who).may_edit(*post))
        return message_page(c, *f, "You cannot edit this", f->message);
    return edit_form(c, 200, *post, post->title, post->body_markdown, join_tags(post->tags), "", nullptr);
}

response post_edit(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto const post = id ? store::post_store(c.ctx.db.reader()).find_post(*id) : std::nullopt;
    if (!post) return message_page(c, 404, "Post not found", "There is no such post.");
    auto checked = signed_in_form(c, urls::edit(*id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const* form = &std::get<http::fields>(checked);
    edit_request e;
    auto const title = field(*form, "title"), body = field(*form, "body"), tags = field(*form, "tags"),
               summary = field(*form, "summary");
    e.body = body;
    e.summary = summary;
    if (post->kind != domain::post_kind::answer) {
        e.title = title;
        e.tags = domain::split_tags(tags);
    }
    auto const result = edit(c.ctx, c.who, *id, std::move(e));
    if (auto const* f = failed(result)) return edit_form(c, *f, *post, title, body, tags, summary, f);
    return redirect(urls::post_or_top(std::get<std::int64_t>(result), *id));
}

response post_redact_revision(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Revision not found", "There is no such revision.");
    auto checked = signed_in_form(c, "/");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const result = redact_revision(c.ctx, c.who, *id, field(form, "reason"));
    if (auto const* f = failed(result)) return message_page(c, *f, "That did not work", f->message);
    return redirect(urls::revisions(std::get<std::int64_t>(result)));
}

response revisions_page(call& c)
{
    auto const id = parse_id(c.match["id"]);
    store::post_store posts(c.ctx.db.reader());
    // A post in a deleted thread is deleted: only moderators read it, marked as such.
    auto const moderator = c.who.is_moderator();
    auto const post = id ? (moderator ? posts.find_any_post(*id) : posts.find_post(*id)) : std::nullopt;
    if (!post) return message_page(c, 404, "Post not found", "There is no such post.");
    bool deleted = post->deleted_at.has_value();
    if (!deleted && post->question_id)
        if (auto q = posts.find_any_post(*post->question_id); q && q->deleted_at) deleted = true;
    auto const revisions = posts.revisions(*id);
    std::vector<view> items;
    // Newest first; each revision shows what changed from the one before it.
    for (std::size_t k = revisions.size(); k-- > 0;) {
        auto const& r = revisions[k];
        auto const* previous = k > 0 ? &revisions[k - 1] : nullptr;
        std::vector<view> lines;
        for (auto const& l : domain::diff_lines(previous ? previous->body_markdown : "", r.body_markdown)) {
            view line;
            bool const added = l.change == domain::line_change::added && previous;
            bool const removed = l.change == domain::line_change::removed;
            line.set("kind", added     ? "added"
                             : removed ? "removed"
                                       : "same")
                .set("mark", added     ? "+ "
                             : removed ? "− "
                                       : "  ")
                .set("text", l.text);
            lines.push_back(std::move(line));
        }
        auto const title = r.title.value_or(""), tags = r.tags.value_or("");
        view v;
        v.set("id", r.id)
            .set("redacted", r.redacted)
            .set("may_redact", moderator && !r.redacted && k + 1 < revisions.size())
            .set("number", r.number)
            .set("author", author_view(r.author))
            .set("created", time_view(r.created_at))
            .set("summary", r.summary.empty() ? (previous ? "No summary" : "Original post") : r.summary)
            .set("is_original", previous == nullptr)
            .set("title", title)
            .set("tags", tags)
            .set("lines", lines)
            .set("title_changed", previous && previous->title.value_or("") != title)
            .set("old_title", previous ? previous->title.value_or("") : "")
            .set("tags_changed", previous && previous->tags.value_or("") != tags)
            .set("old_tags", previous ? previous->tags.value_or("") : "");
        items.push_back(std::move(v));
    }
    auto const question_id = post->question_id.value_or(post->id);
    auto const title = post->kind != domain::post_kind::answer ? post->title : std::string("an answer");
    view v;
    v.set("revisions", items)
        .set("deleted", deleted)
        .set("title", title)
        .set("back_url", urls::post_or_top(question_id, *id));
    return page(c, 200, "revisions", "Revisions of " + title, std::move(v));
}

response edit_post_common(call& c, bool question)
{
    auto const id = id_param(c);
    if (!id) return bad_id(question ? "question" : "answer");
    auto const post = store::post_store(c.ctx.db.reader()).find_post(*id);
    if (!post || (post->kind == domain::post_kind::question) != question)
        return bad_id(question ? "question" : "answer");
    PEERDESK_TRY_BODY(body);
    edit_request e;
    std::optional<std::string> summary;
    if (auto f = read_string(body, "body", e.body)) return error_response(*f);
    if (auto f = read_string(body, "summary", summary)) return error_response(*f);
    if (question) {
        if (auto f = read_string(body, "title", e.title)) return error_response(*f);
        if (auto f = read_tags(body, e.tags)) return error_response(*f);
    } else if (body.contains("title") || body.contains("tags")) {
        return error_response(
            {failure_kind::invalid, "invalid_field", "An answer has no title or tags; send body.", "body"});
    }
    e.summary = summary.value_or("");
    auto const result = edit(c.ctx, c.who, *id, std::move(e));
    if (auto const* f = failed(result)) return error_response(*f);
    if (question) return question_response(c, *id, 200);
    auto const updated = store::post_store(c.ctx.db.reader()).find_post(*id);
    return json_response(200, post_json(*updated, false));
}

response edit_question(call& c)
{
    return edit_post_common(c, true);
}
response edit_answer(call& c)
{
    return edit_post_common(c, false);
}

response revisions_response(call& c, std::int64_t id)
{
    store::post_store posts(c.ctx.db.reader());
    // A post in a deleted thread is deleted: only moderators read it, marked as such.
    auto const post = c.who.is_moderator() ? posts.find_any_post(id) : posts.find_post(id);
    if (!post) return bad_id("post");
    bool deleted = post->deleted_at.has_value();
    if (!deleted && post->question_id)
        if (auto q = posts.find_any_post(*post->question_id); q && q->deleted_at) deleted = true;
    auto const revisions = posts.revisions(id);
    json::array items;
    for (auto const& r : revisions) {
        json::object o{{"id", r.id},
                       {"number", r.number},
                       {"author", author_json(r.author)},
                       {"body_markdown", r.body_markdown},
                       {"summary", r.summary},
                       {"created_at", domain::rfc3339(r.created_at)},
                       {"redacted", r.redacted}};
        if (r.title) o["title"] = *r.title;
        if (r.tags) {
            json::array tags;
            std::string_view rest = *r.tags;
            while (!rest.empty()) {
                auto const space = rest.find(' ');
                tags.emplace_back(rest.substr(0, space));
                rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
            }
            o["tags"] = std::move(tags);
        }
        items.push_back(std::move(o));
    }
    auto const total = static_cast<std::int64_t>(items.size());
    json::object out{{"items", std::move(items)}, {"page", 1}, {"pagesize", total}, {"total", total}};
    if (deleted) out["post_deleted"] = true;
    return json_response(200, std::move(out));
}

response post_revisions(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    return revisions_response(c, *id);
}

response redact_revision_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("revision");
    auto parsed = optional_body(c);
    if (auto const* f = std::get_if<failure>(&parsed)) return error_response(*f);
    auto const result = redact_revision(c.ctx, c.who, *id, reason_of(std::get<json::object>(parsed)));
    if (auto const* f = failed(result)) return error_response(*f);
    return revisions_response(c, std::get<std::int64_t>(result));
}

response render_preview(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string text;
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    auto const result = preview(c.ctx, text);
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, json::object{{"body_html", std::get<std::string>(result)}});
}

}  // namespace

void add_editing_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/posts/{id}/edit", edit_page);
    r.add(method::post, "/posts/{id}/edit", post_edit);
    r.add(method::get, "/posts/{id}/revisions", revisions_page);
    r.add(method::post, "/revisions/{id}/redact", post_redact_revision);
    r.add(method::patch, "/api/v1/questions/{id}", edit_question);
    r.add(method::patch, "/api/v1/answers/{id}", edit_answer);
    r.add(method::get, "/api/v1/posts/{id}/revisions", post_revisions);
    r.add(method::post, "/api/v1/revisions/{id}/redact", redact_revision_api);
    r.add(method::post, "/api/v1/preview", render_preview);
}

}  // namespace peerdesk::app
