// Own content: members edit their comments for a few minutes, delete their comments, and delete
// their own questions and answers while nobody depends on them, with a way back. The rules are
// in own_content.hpp's design note; pages and API handlers sit side by side.
#include "server/app/own_content.hpp"

#include "server/app/api_io.hpp"
#include "server/app/frame.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/notifications.hpp"
#include "server/app/reach.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/store/moderation_store.hpp"

#include <boost/json.hpp>

namespace peerdesk::app {

namespace json = boost::json;
using http::response;
using render::view;

namespace {

failure no_comment()
{
    return {failure_kind::not_found, "not_found", "There is no such comment.", ""};
}

std::string minutes(std::int64_t seconds)
{
    auto const m = seconds / 60;
    return m == 1 ? "1 minute" : std::to_string(m) + " minutes";
}

}  // namespace

verdict may_change_comment(viewer const& who, store::comment_state const& c, comment_change what, std::int64_t now)
{
    if (!who.user) return failure{failure_kind::not_signed_in, "not_signed_in", "Sign in to change a comment.", ""};
    bool const moderator = who.is_moderator();
    bool const own = c.author_id == who.user->id;
    // What a viewer cannot see is not there for them: a hidden comment, one in a deleted thread,
    // and a deleted one but to restore it (which only its author, or a moderator, may).
    if (c.hidden || (!c.thread_live && !moderator)) return no_comment();
    if (c.deleted_at && !moderator && what != comment_change::restore) return no_comment();
    if (!moderator || own)
        if (auto f = check_standing(who)) return f;
    switch (what) {
        case comment_change::edit:
            if (!own) return failure{failure_kind::forbidden, "forbidden", "Only its author can edit a comment.", ""};
            if (c.deleted_at) return failure{failure_kind::conflict, "deleted", "That comment is deleted.", ""};
            if (c.locked) return failure{failure_kind::conflict, "locked", "This thread is locked.", ""};
            if (now - c.created_at > comment_edit_seconds)
                return failure{failure_kind::conflict, "edit_window_closed",
                               "A comment can be edited for " + minutes(comment_edit_seconds) +
                                   " after it is posted; this one was posted " + minutes(now - c.created_at) +
                                   " ago. Delete it and write a new one instead.",
                               ""};
            return std::nullopt;
        case comment_change::remove:
            if (!own && !moderator)
                return failure{failure_kind::forbidden, "forbidden",
                               "Only its author or a moderator can delete a comment.", ""};
            if (c.deleted_at)
                return failure{failure_kind::conflict, "already_deleted", "That comment is deleted already.", ""};
            if (c.locked && !moderator) return failure{failure_kind::conflict, "locked", "This thread is locked.", ""};
            return std::nullopt;
        case comment_change::restore:
            if (!c.deleted_at)
                return failure{failure_kind::conflict, "not_deleted", "That comment is not deleted.", ""};
            if (moderator) return std::nullopt;
            if (c.deleted_by != who.user->id)
                return failure{failure_kind::forbidden, "forbidden", "Only a moderator can restore this comment.", ""};
            if (now - *c.deleted_at > own_undo_seconds)
                return failure{failure_kind::forbidden, "undo_window_closed",
                               "Your own deletion can be undone for a day; ask a moderator to restore it now.", ""};
            if (c.locked) return failure{failure_kind::conflict, "locked", "This thread is locked.", ""};
            return std::nullopt;
    }
    return std::nullopt;
}

verdict may_remove_own_post(viewer const& who, store::post_row const& post, store::post_row const& question)
{
    if (!who.user || post.author.id != who.user->id)
        return failure{failure_kind::forbidden, "forbidden", "Only the author or a moderator can delete a post.", ""};
    if (post.kind == domain::post_kind::question && post.answer_count > 0)
        return failure{
            failure_kind::conflict, "has_answers",
            "A question with answers stays for the people who answered; flag it for a moderator if it must go.", ""};
    if (post.kind == domain::post_kind::answer && question.accepted_answer_id == post.id)
        return failure{failure_kind::conflict, "accepted",
                       "An accepted answer cannot be deleted by its author; flag it for a moderator.", ""};
    if (question.locked) return failure{failure_kind::conflict, "locked", "This thread is locked.", ""};
    return std::nullopt;
}

verdict may_restore_own_post(viewer const& who, store::post_row const& post, std::int64_t by, std::int64_t at,
                             std::int64_t now)
{
    if (!who.user || post.author.id != who.user->id || by != who.user->id)
        return failure{failure_kind::forbidden, "forbidden", "Only a moderator can undelete this post.", ""};
    if (now - at > own_undo_seconds)
        return failure{failure_kind::forbidden, "undo_window_closed",
                       "Your own deletion can be undone for a day; ask a moderator to restore the post now.", ""};
    return std::nullopt;
}

namespace {

// Runs one change of a comment in a transaction, deciding on the state read there.
template <typename Write>
outcome<std::int64_t> change_comment(context& ctx, viewer const& who, std::int64_t comment_id, comment_change what,
                                     Write const& write)
{
    if (!who.user) return failure{failure_kind::not_signed_in, "not_signed_in", "Sign in to change a comment.", ""};
    auto const now = domain::now();
    return ctx.db.write([&](store::connection& c) -> outcome<std::int64_t> {
        auto tx = c.begin_immediate();
        store::own_content_store comments(c);
        auto const found = comments.comment(comment_id);
        if (!found) return no_comment();
        if (auto f = may_change_comment(who, *found, what, now)) return *f;
        write(c, comments, *found, now);
        tx.commit();
        return found->question_id;
    });
}

}  // namespace

outcome<std::int64_t> edit_comment(context& ctx, viewer const& who, std::int64_t comment_id, std::string_view body)
{
    if (!who.user) return failure{failure_kind::not_signed_in, "not_signed_in", "Sign in to edit a comment.", ""};
    // Rendered outside the writer's lock; the rules are checked again inside it.
    std::vector<std::int64_t> mentioned;
    auto text = checked_comment_text(ctx, who, body, mentioned);
    if (auto const* f = failed(text)) return *f;
    auto const& rendered = std::get<store::rendered_body>(text);
    return change_comment(
        ctx, who, comment_id, comment_change::edit,
        [&](store::connection& db, store::own_content_store& s, store::comment_state const& c, std::int64_t now) {
            s.edit_comment(c.id, rendered, now);
            // As a post's edit: a member is told once per comment, so only the
            // newly mentioned hear of it.
            notify_mentions(db, mentioned, who.user->id, c.question_id, c.post_id, c.id, now);
        });
}

outcome<std::int64_t> remove_comment(context& ctx, viewer const& who, std::int64_t comment_id)
{
    return change_comment(
        ctx, who, comment_id, comment_change::remove,
        [&](store::connection& db, store::own_content_store& s, store::comment_state const& c, std::int64_t now) {
            s.set_comment_deleted(c.id, who.user->id, now);
            if (c.author_id != who.user->id)
                store::add_audit(db, {who.user->id, "delete_comment", c.post_id, c.id, c.author_id, "",
                                      json::serialize(json::object{{"body_markdown", c.body_markdown}}), now});
        });
}

outcome<std::int64_t> restore_comment(context& ctx, viewer const& who, std::int64_t comment_id)
{
    return change_comment(
        ctx, who, comment_id, comment_change::restore,
        [&](store::connection& db, store::own_content_store& s, store::comment_state const& c, std::int64_t now) {
            s.set_comment_deleted(c.id, std::nullopt, now);
            if (c.author_id != who.user->id)
                store::add_audit(
                    db, {who.user->id, "undelete_comment", c.post_id, c.id, c.author_id, "", std::nullopt, now});
        });
}

namespace {

// ---- pages ----

// The page after a deletion: done, and the way back while there is one.
response deleted_page(call& c, std::string const& what, std::string const& undo_action, std::string const& back)
{
    view v;
    v.set("what", what).set("undo_action", undo_action).set("back_url", back);
    v.set("undo_hours", own_undo_seconds / 3600);
    return page(c, 200, "own_deleted", "Your " + what + " is deleted", std::move(v));
}

response refused_page(call& c, failure const& f, std::string const& back)
{
    return message_page(c, f, "That did not work", f.message, back, "Back to the thread");
}

std::string thread_back(call&, std::int64_t question_id)
{
    return urls::question(question_id);
}

response comment_edit_page(call& c, std::int64_t id, std::string const& body, std::string const& error,
                           page_status status)
{
    view v;
    v.set("id", id).set("body", body).set("error", error);
    v.set("minutes", comment_edit_seconds / 60);
    return page(c, status, "comment_edit", "Edit your comment", std::move(v));
}

// The comment's state as the viewer may see it, for the pages.
std::optional<store::comment_state> visible_comment(call& c, std::int64_t id)
{
    auto const found = store::own_content_store(c.ctx.db.reader()).comment(id);
    if (!found || found->hidden || !found->thread_live || found->deleted_at) return std::nullopt;
    return found;
}

// A form posted about a comment: the comment's id, its row when there is one, the thread to go
// back to, and the form's fields; or the refusal.
struct comment_form {
    std::int64_t id = 0;
    std::optional<store::comment_state> found;
    std::string back;
    http::fields fields;
};

std::variant<comment_form, response> read_comment_form(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto found = id ? store::own_content_store(c.ctx.db.reader()).comment(*id) : std::nullopt;
    auto back = found ? thread_back(c, found->question_id) : std::string("/questions");
    auto checked = signed_in_form(c, back);
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    if (!id) return message_page(c, 404, "Comment not found", "There is no such comment.");
    return comment_form{*id, std::move(found), std::move(back), std::move(std::get<http::fields>(checked))};
}

// A form posted about a member's own post: the post's id, the post (deleted or not) when there
// is one, and the thread to go back to; or the refusal.
struct own_post_form {
    std::int64_t id = 0;
    std::optional<store::post_row> post;
    std::string back;
};

std::variant<own_post_form, response> read_own_post_form(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto post = id ? store::post_store(c.ctx.db.reader()).find_any_post(*id) : std::nullopt;
    auto back = post ? thread_back(c, post->question_id.value_or(post->id)) : std::string("/questions");
    auto checked = signed_in_form(c, back);
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    if (!id) return message_page(c, 404, "Post not found", "There is no such post.");
    return own_post_form{*id, std::move(post), std::move(back)};
}

response show_comment_edit(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (auto r = require_signed_in(c)) return std::move(*r);
    auto const found = id ? visible_comment(c, *id) : std::nullopt;
    if (!found) return message_page(c, 404, "Comment not found", "There is no such comment.");
    if (auto f = may_change_comment(c.who, *found, comment_change::edit, domain::now()))
        return refused_page(c, *f, comment_location(c, *id).value_or(thread_back(c, found->question_id)));
    return comment_edit_page(c, *id, found->body_markdown, "", 200);
}

response post_comment_edit(call& c)
{
    auto read = read_comment_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& [id, found, back, fields] = std::get<comment_form>(read);
    auto const body = field(fields, "body");
    auto const result = edit_comment(c.ctx, c.who, id, body);
    if (auto const* f = failed(result)) {
        if (f->field == "body") return comment_edit_page(c, id, body, f->message, *f);
        return refused_page(c, *f, back);
    }
    return redirect(comment_location(c, id).value_or(back));
}

response post_comment_delete(call& c)
{
    auto read = read_comment_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& [id, found, back, fields] = std::get<comment_form>(read);
    auto const result = remove_comment(c.ctx, c.who, id);
    if (auto const* f = failed(result)) return refused_page(c, *f, back);
    auto const where = found ? post_location(c, found->post_id) : std::nullopt;
    // Moderators restore from the thread, where they still see what they removed.
    if (c.who.is_moderator() && found && found->author_id != c.who.user->id) return redirect(where.value_or(back));
    return deleted_page(c, "comment", "/comments/" + std::to_string(id) + "/undelete", where.value_or(back));
}

response post_comment_undelete(call& c)
{
    auto read = read_comment_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& [id, found, back, fields] = std::get<comment_form>(read);
    auto const result = restore_comment(c.ctx, c.who, id);
    if (auto const* f = failed(result)) return refused_page(c, *f, back);
    return redirect(comment_location(c, id).value_or(back));
}

response post_own_delete(call& c)
{
    auto read = read_own_post_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& [id, post, back] = std::get<own_post_form>(read);
    auto const result = delete_post(c.ctx, c.who, id, "");
    if (auto const* f = failed(result)) return refused_page(c, *f, back);
    bool const question = post && post->kind == domain::post_kind::question;
    return deleted_page(c, question ? "question" : "answer", "/posts/" + std::to_string(id) + "/undelete",
                        question ? std::string("/questions") : back);
}

response post_own_undelete(call& c)
{
    auto read = read_own_post_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& [id, post, back] = std::get<own_post_form>(read);
    auto const result = undelete_post(c.ctx, c.who, id, "");
    if (auto const* f = failed(result)) return refused_page(c, *f, back);
    return redirect(post_location(c, id).value_or(back));
}

// ---- API ----

response comment_after(call& c, std::int64_t id)
{
    auto const row = store::post_store(c.ctx.db.reader()).find_comment(id);
    if (!row) return error_response(no_comment());
    return json_response(200, comment_json(*row));
}

response edit_comment_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("comment");
    PEERDESK_TRY_BODY(body);
    std::string text;
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    auto const result = edit_comment(c.ctx, c.who, *id, text);
    if (auto const* f = failed(result)) return error_response(*f);
    return comment_after(c, *id);
}

response delete_comment_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("comment");
    auto const result = remove_comment(c.ctx, c.who, *id);
    if (auto const* f = failed(result)) return error_response(*f);
    response r;
    r.status = 204;
    return r;
}

response undelete_comment_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("comment");
    auto const result = restore_comment(c.ctx, c.who, *id);
    if (auto const* f = failed(result)) return error_response(*f);
    return comment_after(c, *id);
}

}  // namespace

void add_own_content_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/comments/{id}/edit", show_comment_edit);
    r.add(method::post, "/comments/{id}/edit", post_comment_edit);
    r.add(method::post, "/comments/{id}/delete", post_comment_delete);
    r.add(method::post, "/comments/{id}/undelete", post_comment_undelete);
    r.add(method::post, "/posts/{id}/delete", post_own_delete);
    r.add(method::post, "/posts/{id}/undelete", post_own_undelete);
    r.add(method::patch, "/api/v1/comments/{id}", edit_comment_api);
    r.add(method::delete_, "/api/v1/comments/{id}", delete_comment_api);
    r.add(method::post, "/api/v1/comments/{id}/undelete", undelete_comment_api);
}

}  // namespace peerdesk::app
