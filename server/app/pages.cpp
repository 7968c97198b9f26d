// HTML pages: each handler gathers a view and renders a template inside the layout. Forms
// post here and are answered with a redirect (303) or with the form again and its message.
#include "server/app/pages.hpp"
#include "server/app/timing.hpp"

#include "server/app/actions.hpp"
#include "server/app/application.hpp"
#include "server/app/auth.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/search_service.hpp"
#include "server/app/static_files.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/diff.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/render/templates.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/user_store.hpp"

#include <ctime>

namespace peerdesk::app {

using http::response;
using render::view;

// The page frame (declared in pages.hpp): shared with the widget's pages.

namespace {

std::string lowercase_first(std::string s)
{
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
    return s;
}

// In one line beside a form the member may not use (the banner above says why), the end in
// the same words as every time on the site.
std::string standing_short(store::user_row const& u, std::string_view doing)
{
    if (u.silenced) return "You cannot " + std::string(doing) + " while your account is silenced.";
    return "You cannot " + std::string(doing) + " until " + domain::readable_time(u.suspended_until.value_or(0)) +
           ", when your suspension ends.";
}

}  // namespace

// ---- page frame ----------------------------------------------------------------------------

// The CSRF value a signed-out visitor's forms carry, created on first need.
std::string ensure_anonymous_csrf(call& c, page_state& state)
{
    if (!state.anonymous_csrf.empty()) return state.anonymous_csrf;
    if (auto existing = anonymous_csrf(c.req)) {
        state.anonymous_csrf = *existing;
    } else {
        state.anonymous_csrf = domain::random_token(18);
        state.new_cookie = true;
    }
    return state.anonymous_csrf;
}

response page(call& c, int status, std::string_view name, std::string const& title, view v, page_state const& state)
{
    auto const csrf = c.who.signed_in() ? c.who.csrf_token : state.anonymous_csrf;
    if (!csrf.empty()) v.set("csrf_token", csrf);
    auto const body = render::render_template(name, v);
    view layout;
    layout.set("title", title);
    layout.set("css_url", static_url("app.css"));
    layout.set("js_url", static_url("app.js"));
    layout.set("icon_url", static_url("favicon.svg"));
    if (!csrf.empty()) layout.set("csrf_token", csrf);
    if (c.who.user) {
        view u;
        u.set("id", c.who.user->id)
            .set("username", c.who.user->username)
            .set("reputation", domain::shown_reputation(c.who.user->reputation));
        u.set("moderator", c.who.is_moderator()).set("admin", c.who.is_admin());
        if (c.who.is_moderator())
            if (auto const open = store::moderation_store(c.ctx.db.reader()).open_review_count(); open > 0)
                u.set("review_count", open);
        layout.set("user", std::move(u));
        // Suspended and silenced members read on, and are told on every page why they cannot post.
        if (auto f = check_standing(c.who)) {
            view standing;
            standing.set("message", f->message);
            if (f->code == "suspended" && c.who.user->suspended_until) {
                auto const until = *c.who.user->suspended_until;
                view when;
                when.set("iso", domain::rfc3339(until))
                    .set("exact", domain::readable_time(until))
                    .set("ago", domain::relative_time(until, domain::now()));
                standing.set("until", when).set("reason", c.who.user->suspension_reason);
            }
            layout.set("standing", std::move(standing));
        } else {
            layout.set("may_ask", true);
        }
    }
    // After signing in from the header, come back here; a form's address is no page to return to.
    bool const revisitable = c.req.verb == http::method::get && c.req.target.size() < 300 &&
                             !c.req.path.starts_with("/signin") && !c.req.path.starts_with("/signup");
    layout.set("signin_next", http::percent_encode(revisitable ? c.req.target : "/"));
    layout.set_html("content_html", body);
    response r;
    r.status = status;
    r.set("Content-Type", "text/html; charset=utf-8");
    // A member's page must not stay on a shared computer's disk after they sign out.
    r.set("Cache-Control", c.who.signed_in() ? "no-store" : "no-cache");
    r.body = render::render_template("layout", layout).str();
    // A page with one visitor's CSRF token or account in it is theirs alone.
    if (!csrf.empty() || c.who.signed_in()) r.set(page_cache::private_header, "1");
    if (state.new_cookie) r.add("Set-Cookie", anonymous_csrf_cookie_header(state.anonymous_csrf, c.ctx.config));
    return r;
}

response message_page(call& c, int status, std::string const& title, std::string const& message)
{
    view v;
    v.set("heading", title).set("message", message);
    return page(c, status, "message", title, std::move(v));
}

// A message after an action on a thread leads back to where the reader was.
response message_page(call& c, int status, std::string const& title, std::string const& message,
                      std::string const& back_url, std::string const& back_label)
{
    view v;
    v.set("heading", title).set("message", message).set("back_url", back_url).set("back_label", back_label);
    return page(c, status, "message", title, std::move(v));
}

std::string question_url(std::int64_t id)
{
    return "/questions/" + std::to_string(id);
}

// A form post: parsed fields, or nothing when the body is not a well-formed form.
std::optional<http::fields> form_of(call& c)
{
    auto const type = c.req.header("content-type");
    if (!type || type->find("application/x-www-form-urlencoded") == std::string_view::npos) return std::nullopt;
    return http::parse_urlencoded(c.req.body, 50);
}

std::string field(http::fields const& f, std::string_view name)
{
    auto const v = http::find_field(f, name);
    return v ? std::string(*v) : std::string();
}

// Checks the form's CSRF token; the refusal page when it does not match.
std::optional<response> refuse_without_csrf(call& c, http::fields const& f)
{
    if (csrf_ok(c, http::find_field(f, "csrf_token"))) return std::nullopt;
    return message_page(c, 403, "Please try again",
                        "This form had expired or came from another site. Go back, reload the page and send it again.");
}

// Signed-out visitors go to the sign-in page, which sends them back to `back` (by default
// the page they asked for) afterwards.
std::optional<response> require_signed_in(call& c, std::string const& back)
{
    if (c.who.signed_in()) return std::nullopt;
    auto const& next = back.empty() ? c.req.target : back;
    return redirect("/signin?next=" + http::percent_encode(next.size() < 300 ? next : "/"));
}

// The checks every signed-in form shares: signed in (else to the sign-in page, then back to
// `back`, the page the form was on), a readable form, and its CSRF token. The fields, or the
// response that refuses.
std::variant<http::fields, response> signed_in_form(call& c, std::string const& back)
{
    if (auto r = require_signed_in(c, back)) return std::move(*r);
    auto form = form_of(c);
    if (!form) return message_page(c, 400, "Bad form", "The form could not be read; reload the page and try again.");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    return std::move(*form);
}

// A same-site path to return to after signing in, never another host.
std::string safe_next(std::string_view next)
{
    // Browsers drop tabs and new lines inside a URL and read a backslash as a slash, so
    // "/<TAB>/evil.example" would leave the site: any of them, or a space, refuses the target.
    if (next.empty() || next.size() > 1000 || next.front() != '/' || next.starts_with("//") ||
        std::any_of(next.begin(), next.end(), [](char ch) {
            auto const u = static_cast<unsigned char>(ch);
            return u <= 0x20 || u == 0x7f || ch == '\\';
        }))
        return "/";
    return std::string(next);
}

// ---- shared views --------------------------------------------------------------------------

view author_view(store::author_ref const& a)
{
    view v;
    v.set("id", a.id).set("username", a.username).set("reputation", domain::shown_reputation(a.reputation));
    return v;
}

view time_view(std::int64_t t)
{
    view v;
    v.set("iso", domain::rfc3339(t))
        .set("ago", domain::relative_time(t, domain::now()))
        .set("exact", domain::readable_time(t));
    return v;
}

std::vector<view> tag_views(std::vector<std::string> const& tags)
{
    std::vector<view> out;
    for (auto const& t : tags) {
        view v;
        v.set("name", t).set("url", "/tags/" + http::percent_encode(t));
        out.push_back(std::move(v));
    }
    return out;
}

view summary_view(store::question_summary const& q)
{
    view v;
    v.set("id", q.id)
        .set("title", q.title)
        .set("url", question_url(q.id))
        .set("score", q.score)
        .set("answer_count", q.answer_count)
        .set("answers_label", q.answer_count == 1 ? "answer" : "answers")
        .set("votes_label", q.score == 1 || q.score == -1 ? "vote" : "votes")
        .set("has_answers", q.answer_count > 0)
        .set("accepted", q.accepted)
        .set("excerpt", q.excerpt)
        .set("tags", tag_views(q.tags))
        .set("author", author_view(q.author))
        .set("asked", time_view(q.created_at))
        .set("active", time_view(q.last_activity_at))
        .set("pinned", q.pinned)
        .set("closed", q.closed);
    return v;
}

std::vector<view> summary_views(std::vector<store::question_summary> const& items)
{
    std::vector<view> out;
    for (auto const& q : items) out.push_back(summary_view(q));
    return out;
}

view pager_view(std::int64_t page, std::int64_t pagesize, std::int64_t total, std::string const& base)
{
    auto const pages = std::max<std::int64_t>(1, (total + pagesize - 1) / pagesize);
    auto const join = base.find('?') == std::string::npos ? "?" : "&";
    view v;
    v.set("page", page).set("pages", pages).set("several", pages > 1);
    if (page > 1) v.set("prev_url", base + join + "page=" + std::to_string(page - 1));
    if (page < pages) v.set("next_url", base + join + "page=" + std::to_string(page + 1));
    return v;
}

// 232100 → "232,100".
std::string with_thousands(std::int64_t n)
{
    auto const digits = std::to_string(n);
    std::size_t const sign = n < 0 ? 1 : 0;
    std::string out(digits, 0, sign);
    for (std::size_t i = sign; i < digits.size(); ++i) {
        if (i > sign && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::int64_t page_param(http::fields const& q)
{
    auto const p = http::find_field(q, "page");
    auto const n = p ? parse_id(*p) : std::nullopt;
    return n && *n <= 100000 ? *n : 1;
}

namespace {

// ---- question lists ------------------------------------------------------------------------

struct sort_choice {
    std::string_view key;
    std::string_view label;
    store::question_sort sort;
};
constexpr sort_choice sorts[] = {{"newest", "Newest", store::question_sort::newest},
                                 {"active", "Active", store::question_sort::active},
                                 {"votes", "Most votes", store::question_sort::votes},
                                 {"unanswered", "Unanswered", store::question_sort::unanswered}};

response question_list(call& c, std::optional<std::string> tag)
{
    auto const query = http::parse_urlencoded(c.req.query).value_or(http::fields{});
    auto const sort_key = http::find_field(query, "sort").value_or("newest");
    auto chosen = sorts[0];
    for (auto const& s : sorts)
        if (s.key == sort_key) chosen = s;
    auto const page_number = page_param(query);
    store::post_store posts(c.ctx.db.reader());
    if (tag && !posts.find_tag(*tag))
        return message_page(c, 404, "No such tag", "No question is tagged \"" + *tag + "\" yet.");
    auto const page_data = posts.questions(chosen.sort, tag, page_number, 30);
    std::string const base = tag ? "/tags/" + http::percent_encode(*tag) : "/questions";
    std::vector<view> tabs;
    for (auto const& s : sorts) {
        view t;
        t.set("label", s.label).set("url", base + "?sort=" + std::string(s.key)).set("current", s.key == chosen.key);
        tabs.push_back(std::move(t));
    }
    view v;
    v.set("heading", tag ? "Questions tagged [" + *tag + "]" : std::string("All questions"))
        .set("total", with_thousands(page_data.total))
        .set("total_label", page_data.total == 1 ? "question" : "questions")
        .set("tabs", tabs)
        .set("questions", summary_views(page_data.items))
        .set("empty", page_data.items.empty())
        .set("pager", pager_view(page_number, 30, page_data.total, base + "?sort=" + std::string(chosen.key)));
    if (tag) v.set("tag", *tag);
    auto const title = tag ? "Questions tagged " + *tag : std::string("Questions");
    // An old link or a typed address can point past the last page: say so, and lead back.
    if (page_data.items.empty() && page_data.total > 0) {
        auto const pages = (page_data.total + 29) / 30;
        auto const first = base + "?sort=" + std::string(chosen.key);
        view past;
        past.set("page", page_number)
            .set("pages", pages)
            .set("pages_label", pages == 1 ? "page" : "pages")
            .set("first_url", first);
        if (pages > 1) past.set("last_url", first + "&page=" + std::to_string(pages)).set("last", pages);
        v.set("past_end", past);
        return page(c, 404, "questions", title + " · page " + std::to_string(page_number), std::move(v));
    }
    return page(c, 200, "questions", title, std::move(v));
}

response home(call& c)
{
    return question_list(c, std::nullopt);
}

response tag_page(call& c)
{
    return question_list(c, domain::normalize_tag(c.match["name"]));
}

response tags_page(call& c)
{
    auto const query = http::parse_urlencoded(c.req.query).value_or(http::fields{});
    auto const page_number = page_param(query);
    auto const data = store::post_store(c.ctx.db.reader()).tags(page_number, 60);
    std::vector<view> items;
    for (auto const& t : data.items) {
        view v;
        v.set("name", t.name).set("url", "/tags/" + http::percent_encode(t.name)).set("count", t.question_count);
        v.set("count_label", t.question_count == 1 ? "question" : "questions");
        items.push_back(std::move(v));
    }
    view v;
    v.set("tags", items).set("empty", items.empty()).set("pager", pager_view(page_number, 60, data.total, "/tags"));
    return page(c, 200, "tags", "Tags", std::move(v));
}

// ---- the question page ---------------------------------------------------------------------

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

// What the viewer may do in a thread, decided once per page with the checks the actions use,
// so that the page offers only what the server would accept and says what is missing.
struct thread_rights {
    bool locked = false;
    bool restricted = false;                                  // suspended or silenced: reads only
    std::string upvote_needs, downvote_needs, comment_needs;  // empty when the privilege is held
};

thread_rights rights_in(call& c, store::post_row const& question)
{
    thread_rights r;
    r.locked = question.locked;
    if (!c.who.user) return r;
    r.restricted = check_standing(c.who).has_value();
    auto const needs = [&](domain::privilege p) {
        auto const refusal = domain::check_privilege(c.who.actor(), p, c.ctx.config.thresholds);
        return refusal ? refusal->message : std::string();
    };
    r.upvote_needs = needs(domain::privilege::upvote);
    r.downvote_needs = needs(domain::privilege::downvote);
    r.comment_needs = needs(domain::privilege::comment_everywhere);
    return r;
}

view post_view(call& c, store::post_row const& p, store::post_row const& question, question_form_state const& form,
               thread_rights const& rights)
{
    bool const is_answer = p.kind == "answer";
    bool const signed_in = c.who.signed_in();
    bool const own = c.who.user && c.who.user->id == p.author.id;
    // Votes and comments stop in a locked thread and for a member who may not write; the score stays.
    bool const gone = p.deleted_at || question.deleted_at;  // shown to moderators, to undelete only
    bool const interactive = !rights.locked && !rights.restricted && !gone;
    std::string up_needs, down_needs;
    if (signed_in && own)
        up_needs = down_needs = "You cannot vote on your own post.";
    else if (signed_in)
        up_needs = rights.upvote_needs, down_needs = rights.downvote_needs;
    // Everyone may comment on their own posts and on answers to their own questions.
    bool const comment_own = own || (c.who.user && question.author.id == c.who.user->id);
    bool const may_comment = signed_in && interactive && (comment_own || rights.comment_needs.empty());
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
        .set("comment_needs", signed_in && interactive && !may_comment ? rights.comment_needs : std::string())
        .set("may_edit", !rights.restricted && !gone && may_edit(c.ctx, c.who, p))
        .set("may_flag", !rights.restricted && !gone && c.who.user && !own)
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
        bool const may_accept =
            c.who.user && (c.who.is_moderator() || (question.author.id == c.who.user->id && !rights.restricted));
        v.set("accepted", accepted).set("may_accept", may_accept && !gone);
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
    auto text = question.title;
    for (auto const& t : question.tags) text += " " + t;
    timing::span span("related");
    auto const found = related_questions(c.ctx, question.id, text, 6);
    std::vector<view> out;
    if (failed(found)) return out;
    for (auto const& r : std::get<std::vector<store::hit_row>>(found)) {
        view v;
        v.set("url", question_url(r.question_id))
            .set("title", r.title)
            .set("answer_count", r.answer_count)
            .set("answers_label", r.answer_count == 1 ? "answer" : "answers")
            .set("accepted", r.accepted);
        out.push_back(std::move(v));
    }
    return out;
}

response question_page(call& c, std::int64_t id, int status, question_form_state const& form)
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
        .set("url", question_url(id))
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
        .set("may_answer", c.who.signed_in() && !rights.restricted && !t->question.deleted_at)
        .set("answer_body", form.answer_body)
        .set("answer_error", form.answer_error)
        .set("notice", form.notice)
        .set("signin_url", "/signin?next=" + http::percent_encode(question_url(id)))
        .set("signup_url", "/signup?next=" + http::percent_encode(question_url(id)));
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
                closed.set("duplicate_url", question_url(original->id)).set("duplicate_title", original->title);
        v.set("closed", std::move(closed));
    }
    auto history = history_views(c, id);
    v.set("has_history", !history.empty()).set("history", std::move(history));
    return page(c, status, "question", t->question.title, std::move(v));
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
    return std::string(flash_cookie) + "=" + std::string(value) + "; Path=" + question_url(question_id) +
           "; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax" +
           (c.ctx.config.secure_cookies ? "; Secure" : "");
}

// The redirect for a refused vote or acceptance: its message is shown at the top of the thread.
response refused_notice_redirect(call& c, std::int64_t question_id, failure const& f)
{
    auto const value = "for=" + http::percent_encode(flash_owner(c)) + "&status=" + std::to_string(f.status) +
                       "&notice=" + http::percent_encode(f.message.substr(0, 1000));
    auto r = redirect(question_url(question_id));
    r.add("Set-Cookie", flash_cookie_header(c, question_id, value, 120));
    return r;
}

// The redirect for a refused comment, or nothing when what was typed is too long to carry.
std::optional<response> refused_comment_redirect(call& c, std::int64_t question_id, std::int64_t post_id,
                                                 failure const& f, std::string const& body)
{
    auto const value = "for=" + http::percent_encode(flash_owner(c)) + "&post=" + std::to_string(post_id) +
                       "&status=" + std::to_string(f.status) + "&error=" + http::percent_encode(f.message) +
                       "&body=" + http::percent_encode(body);
    if (value.size() > flash_limit) return std::nullopt;
    auto r = redirect(question_url(question_id) + "#add-comment-" + std::to_string(post_id));
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

// The question a post belongs to (itself for a question).
std::optional<std::int64_t> thread_of(call& c, std::int64_t post_id)
{
    auto const post = store::post_store(c.ctx.db.reader()).find_post(post_id);
    if (!post) return std::nullopt;
    return post->question_id.value_or(post->id);
}

response post_answer(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Question not found", "There is no such question.");
    auto checked = signed_in_form(c, question_url(*id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const* form = &std::get<http::fields>(checked);
    auto const body = field(*form, "body");
    auto const result = answer(c.ctx, c.who, *id, body);
    if (auto const* f = failed(result)) {
        question_form_state state;
        state.answer_body = body;
        state.answer_error = f->message;
        return question_page(c, *id, f->status, state);
    }
    auto const& done = std::get<posted>(result);
    if (done.held) return message_page(c, 200, "Your answer is waiting for a moderator", *done.held);
    return redirect(question_url(*id) + "#answer-" + std::to_string(done.id));
}

response post_comment(call& c)
{
    auto const post_id = parse_id(c.match["id"]);
    auto const question_id = post_id ? thread_of(c, *post_id) : std::nullopt;
    if (!question_id) return message_page(c, 404, "Post not found", "There is no such post.");
    auto checked = signed_in_form(c, question_url(*question_id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const* form = &std::get<http::fields>(checked);
    auto const body = field(*form, "body");
    std::optional<std::int64_t> reply_to;
    if (auto const r = http::find_field(*form, "reply_to"); r && !r->empty()) reply_to = parse_id(*r);
    auto const result = comment(c.ctx, c.who, *post_id, body, reply_to);
    if (auto const* f = failed(result)) {
        if (auto r = refused_comment_redirect(c, *question_id, *post_id, *f, body)) return std::move(*r);
        question_form_state state;
        state.comment_post_id = *post_id;
        state.comment_body = body;
        state.comment_error = f->message;
        return question_page(c, *question_id, f->status, state);
    }
    return redirect(question_url(*question_id) + "#comment-" + std::to_string(std::get<std::int64_t>(result)));
}

response post_vote(call& c)
{
    auto const post_id = parse_id(c.match["id"]);
    auto const question_id = post_id ? thread_of(c, *post_id) : std::nullopt;
    if (!question_id) return message_page(c, 404, "Post not found", "There is no such post.");
    auto checked = signed_in_form(c, question_url(*question_id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const* form = &std::get<http::fields>(checked);
    auto const value = field(*form, "value");
    int const v = value == "1" ? 1 : value == "-1" ? -1 : value == "0" ? 0 : 2;
    auto const result = vote(c.ctx, c.who, *post_id, v);
    if (auto const* f = failed(result)) return refused_notice_redirect(c, *question_id, *f);
    return redirect(question_url(*question_id) + "#post-" + std::to_string(*post_id));
}

response post_accept(call& c)
{
    auto const answer_id = parse_id(c.match["id"]);
    auto const question_id = answer_id ? thread_of(c, *answer_id) : std::nullopt;
    if (!question_id) return message_page(c, 404, "Answer not found", "There is no such answer.");
    auto checked = signed_in_form(c, question_url(*question_id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const* form = &std::get<http::fields>(checked);
    auto const result = accept(c.ctx, c.who, *answer_id, field(*form, "action") != "unaccept");
    if (auto const* f = failed(result)) return refused_notice_redirect(c, *question_id, *f);
    return redirect(question_url(*question_id) + "#answer-" + std::to_string(*answer_id));
}

// ---- search --------------------------------------------------------------------------------

struct search_choice {
    std::string_view key;
    std::string_view label;
    search::sort_order sort;
};
constexpr search_choice search_sorts[] = {{"relevance", "Best match", search::sort_order::relevance},
                                          {"newest", "Newest", search::sort_order::newest},
                                          {"votes", "Most votes", search::sort_order::votes}};

std::string search_url(std::string const& q, std::string_view sort)
{
    std::string url = "/search?q=" + http::percent_encode(q);
    if (sort != "relevance") url += "&sort=" + std::string(sort);
    return url;
}

view hit_view(found_hit const& h)
{
    auto const& r = h.row;
    view v;
    v.set("url", h.url)
        .set("title", r.title)
        .set("score", r.score)
        .set("votes_label", r.score == 1 || r.score == -1 ? "vote" : "votes")
        .set("answer_count", r.answer_count)
        .set("answers_label", r.answer_count == 1 ? "answer" : "answers")
        .set("has_answers", r.answer_count > 0)
        .set("accepted", r.accepted)
        .set("is_answer", !r.is_question)
        .set("accepted_answer", r.accepted_answer)
        .set("tags", tag_views(r.tags));
    v.set_html("snippet_html", h.snippet);
    return v;
}

response search_page(call& c)
{
    auto const query = http::parse_urlencoded(c.req.query).value_or(http::fields{});
    view v;
    auto const q = field(query, "q");
    v.set("q", q);
    auto parsed_request = read_search_request(query, query_source::site);
    if (auto const* f = std::get_if<failure>(&parsed_request)) {
        v.set("error", f->message);
        return page(c, f->status, "search", "Search", std::move(v));
    }
    auto request = std::get<search_request>(parsed_request);
    std::string_view sort_key = "relevance";
    for (auto const& s : search_sorts)
        if (s.sort == request.sort) sort_key = s.key;
    if (sort_key != "relevance") v.set("sort_key", sort_key);
    bool const has_parameters = !request.tags.empty() || request.answered || request.accepted;
    if (q.empty() && !has_parameters) return page(c, 200, "search", "Search", std::move(v));
    if (auto f = check_rate(c.ctx, c.who, "searches", c.ctx.config.rates.search_per_address, true)) {
        v.set("error", f->message);
        return page(c, 429, "search", "Search", std::move(v));
    }

    auto result = find(c.ctx, request);
    if (auto const* f = failed(result)) {
        v.set("error", f->message);
        return page(c, f->status, "search", "Search", std::move(v));
    }
    auto const& found = std::get<search_results>(result);
    auto const& parsed = found.parsed;
    auto const full = search::format_query(parsed.text, parsed.filter);
    v.set("q", full);  // parameters become visible filters in the box

    // Filters are links that change the query text, so that what the box shows is what is searched.
    std::vector<view> filters;
    auto add_filter = [&](std::string_view label, bool on, auto&& toggle) {
        auto f = parsed.filter;
        toggle(f);
        view link;
        link.set("label", label).set("on", on).set("url", search_url(search::format_query(parsed.text, f), sort_key));
        filters.push_back(std::move(link));
    };
    add_filter("Answered", parsed.filter.answered, [](search::filters& f) { f.answered = !f.answered; });
    add_filter("Accepted", parsed.filter.accepted, [](search::filters& f) { f.accepted = !f.accepted; });
    add_filter("Questions", parsed.filter.kind == search::post_kind::question, [](search::filters& f) {
        f.kind = f.kind == search::post_kind::question ? search::post_kind::any : search::post_kind::question;
    });
    add_filter("Answers", parsed.filter.kind == search::post_kind::answer, [](search::filters& f) {
        f.kind = f.kind == search::post_kind::answer ? search::post_kind::any : search::post_kind::answer;
    });
    std::vector<view> tag_filters;
    for (auto const& t : parsed.filter.tags) {
        auto f = parsed.filter;
        std::erase(f.tags, t);
        view link;
        link.set("name", t).set("url", search_url(search::format_query(parsed.text, f), sort_key));
        tag_filters.push_back(std::move(link));
    }
    std::vector<view> tabs;
    for (auto const& s : search_sorts) {
        view t;
        t.set("label", s.label).set("url", search_url(full, s.key)).set("current", s.key == sort_key);
        tabs.push_back(std::move(t));
    }
    std::vector<view> hits;
    for (auto const& h : found.hits) hits.push_back(hit_view(h));
    auto const shown_total = std::min(found.total, max_search_results);
    v.set("searched", true)
        .set("total", (found.total_exact ? "" : "About ") + with_thousands(found.total))
        .set("total_label", found.total == 1 ? "result" : "results")
        .set("filters", filters)
        .set("tag_filters", tag_filters)
        .set("has_filters", full != parsed.text)
        .set("tabs", tabs)
        .set("hits", hits)
        .set("empty", found.hits.empty())
        .set("ask_url", "/questions/ask?title=" + http::percent_encode(parsed.text.substr(0, 150)))
        .set("pager", pager_view(found.page, found.pagesize, shown_total, search_url(full, sort_key)));
    if (!found.suggestion.empty())
        v.set("suggestion", found.suggestion).set("suggestion_url", search_url(found.suggestion, sort_key));
    return page(c, 200, "search", full.empty() ? "Search" : full + " · Search", std::move(v));
}

// ---- moderation ----------------------------------------------------------------------------

// The moderator verbs of the question page and the answers' tools: one form, an action field.
response post_moderate(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Post not found", "There is no such post.");
    auto const back_thread = thread_of(c, *id);
    auto const back = back_thread ? question_url(*back_thread) : std::string("/");
    auto checked = signed_in_form(c, back);
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const action = field(form, "action");
    auto const reason = field(form, "reason");
    outcome<std::int64_t> result = failure{422, "invalid_field", "Choose an action.", "action"};
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
    if (auto const* f = failed(result)) return message_page(c, f->status, "That did not work", f->message);
    if (action == "delete" && back_thread == id) return redirect("/questions");
    return redirect(question_url(std::get<std::int64_t>(result)));
}

response post_flag(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Post not found", "There is no such post.");
    auto const thread = thread_of(c, *id);
    auto checked = signed_in_form(c, thread ? question_url(*thread) : "/");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const result = flag(c.ctx, c.who, *id, std::nullopt, field(form, "reason"), field(form, "note"));
    auto const back = thread ? question_url(*thread) + (*thread == *id ? "#post-" : "#answer-") + std::to_string(*id)
                             : std::string("/questions");
    auto const label = thread ? std::string("Back to the thread") : std::string("Back to the questions");
    if (auto const* f = failed(result)) return message_page(c, f->status, "Flag not sent", f->message, back, label);
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
    auto checked = signed_in_form(c, question ? question_url(question) : "/");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const result = flag(c.ctx, c.who, std::nullopt, *id, field(form, "reason"), field(form, "note"));
    // A hidden comment is no longer on the page: then the way back is to the post it was on.
    auto const hidden = !failed(result) && std::get<store::flag_result>(result).hidden;
    std::string back = "/questions", label = "Back to the questions";
    if (question && comment) {
        label = "Back to the thread";
        back = question_url(question) +
               (hidden ? (comment->post_id == question ? "#post-" : "#answer-") + std::to_string(comment->post_id)
                       : "#comment-" + std::to_string(*id));
    }
    if (auto const* f = failed(result)) return message_page(c, f->status, "Flag not sent", f->message, back, label);
    return message_page(
        c, 201, "Thank you for the flag",
        hidden ? "The comment is hidden until a moderator has looked at it." : "A moderator will look at the comment.",
        back, label);
}

std::string flag_reason_text(std::string_view reason)
{
    if (reason == "spam") return "spam";
    if (reason == "rude") return "rude or abusive";
    if (reason == "off_topic") return "off-topic";
    if (reason == "needs_improvement") return "needs improvement";
    if (reason == "other") return "something else";
    return std::string(reason);
}

std::optional<response> require_moderator_page(call& c)
{
    if (auto r = require_signed_in(c)) return r;
    if (!c.who.is_moderator()) return message_page(c, 403, "Moderators only", "This page is for moderators.");
    return std::nullopt;
}

response review_page(call& c)
{
    if (auto r = require_moderator_page(c)) return std::move(*r);
    auto const query = http::parse_urlencoded(c.req.query).value_or(http::fields{});
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
                                                   : "Comment")
            .set("title", r.title)
            .set("url",
                 question_url(r.question_id) + (r.post_kind == "answer" ? "#answer-" + std::to_string(*r.post_id) : ""))
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
    if (auto const* f = failed(result)) return message_page(c, f->status, "That did not work", f->message);
    return redirect("/review");
}

response post_suspend(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Not found", "There is no such member.");
    auto checked = signed_in_form(c, "/users/" + std::to_string(*id));
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
    if (auto const* f = failed(result)) return message_page(c, f->status, "That did not work", f->message);
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
                                               {"lift_suspension", "lifted a suspension"}};

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
                v.set("what_url", question_url(*original)).set("what_link", "question " + std::to_string(*original));
            }
        }
        reason.clear();
    } else if (a == "suspend") {
        // Written as "7 days: why".
        auto const colon = reason.find(" days: ");
        auto const days =
            colon == std::string::npos ? std::nullopt : parse_id(std::string_view(reason).substr(0, colon));
        if (days) {
            what = "suspended for " + std::to_string(*days) + (*days == 1 ? " day" : " days");
            reason = reason.substr(colon + 7);
        }
    } else if (a == "silence") {
        what = "silenced until lifted";
    }
    v.set("what", what).set("reason", reason).set("code", a);
}

response audit_page(call& c)
{
    if (auto r = require_moderator_page(c)) return std::move(*r);
    auto const query = http::parse_urlencoded(c.req.query).value_or(http::fields{});
    auto const page_number = page_param(query);
    store::audit_filter filter;
    auto const moderator = field(query, "moderator"), post = field(query, "post"),
               user = std::string(domain::trim(field(query, "user"))), action = field(query, "action");
    filter.actor_id = parse_id(moderator);
    filter.post_id = parse_id(post);
    if (!action.empty()) filter.action = action;
    std::string error;
    if (!user.empty()) {
        // A name, as moderators know members; a number is taken as an id when no one has that name.
        store::user_store users(c.ctx.db.reader());
        auto found = user.size() <= 100 ? users.find_by_username(user) : std::nullopt;
        if (!found)
            if (auto id = parse_id(user)) found = users.find(*id);
        if (found)
            filter.actor_or_user_id = found->id;
        else
            error = "No member is called “" + user.substr(0, 100) + "”; check the spelling, or leave the name empty.";
    }
    std::int64_t total = 0;
    auto const rows = error.empty() ? store::moderation_store(c.ctx.db.reader()).audit(filter, page_number, 50, total)
                                    : std::vector<store::audit_row>{};
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
                .set("post_url",
                     question_url(*r.question_id) +
                         (*r.entry.post_id != *r.question_id ? "#answer-" + std::to_string(*r.entry.post_id) : ""));
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
    return page(c, error.empty() ? 200 : 404, "audit", "Audit log", std::move(v));
}

// Members who may not write now, with when that ends, why, and who decided.
response suspended_page(call& c)
{
    if (auto r = require_moderator_page(c)) return std::move(*r);
    auto const query = http::parse_urlencoded(c.req.query).value_or(http::fields{});
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

// ---- asking and editing --------------------------------------------------------------------

response ask_form(call& c, int status, std::string const& title, std::string const& body, std::string const& tags,
                  failure const* error)
{
    view v;
    v.set("title_value", title).set("body_value", body).set("tags_value", tags);
    // A member who may not post reads why here instead of filling in a form for nothing; a
    // refused post keeps its text in the form, so the notice stands beside it only then.
    if (c.who.user && check_standing(c.who) && !error)
        v.set("standing_notice", standing_short(*c.who.user, "ask a question"));
    if (error) {
        v.set("error", error->message);
        v.set("error_" + (error->field.empty() ? std::string("form") : error->field), true);
    }
    return page(c, status, "ask", "Ask a question", std::move(v));
}

response ask_page(call& c)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    auto const query = http::parse_urlencoded(c.req.query).value_or(http::fields{});
    return ask_form(c, 200, field(query, "title").substr(0, 150), "", "", nullptr);
}

response post_ask(call& c)
{
    auto checked = signed_in_form(c, "/questions/ask");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const* form = &std::get<http::fields>(checked);
    auto const title = field(*form, "title"), body = field(*form, "body"), tags = field(*form, "tags");
    auto const result = ask(c.ctx, c.who, title, body, domain::split_tags(tags));
    if (auto const* f = failed(result)) return ask_form(c, f->status, title, body, tags, f);
    auto const& done = std::get<posted>(result);
    if (done.held) return message_page(c, 200, "Your question is waiting for a moderator", *done.held);
    return redirect(question_url(done.id));
}

response edit_form(call& c, int status, store::post_row const& post, std::string const& title, std::string const& body,
                   std::string const& tags, std::string const& summary, failure const* error)
{
    view v;
    v.set("id", post.id)
        .set("is_question", post.kind == "question")
        .set("title_value", title)
        .set("body_value", body)
        .set("tags_value", tags)
        .set("summary_value", summary)
        .set("back_url", question_url(post.question_id.value_or(post.id)));
    if (error) v.set("error", error->message);
    return page(c, status, "edit", post.kind == "question" ? "Edit question" : "Edit answer", std::move(v));
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
    if (!may_edit(c.ctx, c.who, *post)) {
        auto const r = domain::check_privilege(c.who.actor(), domain::privilege::edit_others, c.ctx.config.thresholds);
        return message_page(c, 403, "You cannot edit this yet", r ? r->message : "You cannot edit this post.");
    }
    return edit_form(c, 200, *post, post->title, post->body_markdown, join_tags(post->tags), "", nullptr);
}

response post_edit(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto const post = id ? store::post_store(c.ctx.db.reader()).find_post(*id) : std::nullopt;
    if (!post) return message_page(c, 404, "Post not found", "There is no such post.");
    auto checked = signed_in_form(c, "/posts/" + std::to_string(*id) + "/edit");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const* form = &std::get<http::fields>(checked);
    edit_request e;
    auto const title = field(*form, "title"), body = field(*form, "body"), tags = field(*form, "tags"),
               summary = field(*form, "summary");
    e.body = body;
    e.summary = summary;
    if (post->kind == "question") {
        e.title = title;
        e.tags = domain::split_tags(tags);
    }
    auto const result = edit(c.ctx, c.who, *id, std::move(e));
    if (auto const* f = failed(result)) return edit_form(c, f->status, *post, title, body, tags, summary, f);
    auto const anchor = post->kind == "answer" ? "#answer-" + std::to_string(*id) : std::string();
    return redirect(question_url(std::get<std::int64_t>(result)) + anchor);
}

response post_redact_revision(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Revision not found", "There is no such revision.");
    auto checked = signed_in_form(c, "/");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const result = redact_revision(c.ctx, c.who, *id, field(form, "reason"));
    if (auto const* f = failed(result)) return message_page(c, f->status, "That did not work", f->message);
    return redirect("/posts/" + std::to_string(std::get<std::int64_t>(result)) + "/revisions");
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
    auto const title = post->kind == "question" ? post->title : std::string("an answer");
    view v;
    v.set("revisions", items)
        .set("deleted", deleted)
        .set("title", title)
        .set("back_url", question_url(question_id) + (post->kind == "answer" ? "#answer-" + std::to_string(*id) : ""));
    return page(c, 200, "revisions", "Revisions of " + title, std::move(v));
}

// ---- users ---------------------------------------------------------------------------------

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
    v.set("may_suspend", !self && (user.role == "member" || c.who.is_admin()));
    v.set("self", self);
    v.set("audit_url", "/audit?user=" + http::percent_encode(user.username));
    v.set("back", "/users/" + std::to_string(user.id));
    return v;
}

response user_page(call& c)
{
    auto const id = parse_id(c.match["id"]);
    store::user_store users(c.ctx.db.reader());
    auto const user = id ? users.find(*id) : std::nullopt;
    if (!user) return message_page(c, 404, "User not found", "There is no such user.");
    auto const counts = users.counts(*id);
    auto const history = users.reputation_history(*id, 1, 30);
    std::vector<view> events;
    for (auto const& e : history.items) {
        view v;
        v.set("delta", (e.delta > 0 ? "+" : "") + std::to_string(e.delta))
            .set("positive", e.delta > 0)
            .set("reason", domain::ledger_reason_text(e.reason))
            .set("created", time_view(e.created_at));
        if (e.question_id) {
            v.set("url", question_url(*e.question_id) +
                             (e.post_id && e.post_id != e.question_id ? "#answer-" + std::to_string(*e.post_id) : ""));
            v.set("post_title", e.question_title.value_or("a post"));
        }
        events.push_back(std::move(v));
    }
    store::post_store posts(c.ctx.db.reader());
    auto const asked = posts.questions_by(*id, 1, 20);
    auto const answered = posts.answered_by(*id, 1, 20);
    view v;
    v.set("user", author_view({user->id, user->username, user->reputation}))
        .set("role", user->role)
        .set("is_staff", user->role != "member")
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
    if (c.who.is_moderator()) v.set("mod_panel", moderation_panel(c, *user));
    return page(c, 200, "user", user->username, std::move(v));
}

// ---- signing in and up ---------------------------------------------------------------------

response signin_form(call& c, int status, std::string const& login, std::string const& next, std::string const& error)
{
    page_state state;
    ensure_anonymous_csrf(c, state);
    view v;
    v.set("login_value", login).set("next", next).set("next_param", http::percent_encode(next)).set("error", error);
    return page(c, status, "signin", "Sign in", std::move(v), state);
}

response signin_page(call& c)
{
    auto const query = http::parse_urlencoded(c.req.query).value_or(http::fields{});
    auto const next = safe_next(field(query, "next"));
    if (c.who.signed_in()) return redirect(next);
    return signin_form(c, 200, "", next, "");
}

response post_signin(call& c)
{
    auto const form = form_of(c);
    if (!form) return message_page(c, 400, "Bad form", "The form could not be read; reload the page and try again.");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    auto const login = field(*form, "login"), next = safe_next(field(*form, "next"));
    auto result = sign_in(c.ctx, c.who, login, field(*form, "password"));
    if (auto const* f = failed(result))
        return signin_form(c, f->status == 401 ? 401 : f->status, login, next, f->message);
    auto r = redirect(next);
    r.add("Set-Cookie", session_cookie_header(std::get<session_started>(result).token, c.ctx.config));
    return r;
}

response signup_form(call& c, int status, std::string const& username, std::string const& email,
                     std::string const& next, failure const* error)
{
    page_state state;
    ensure_anonymous_csrf(c, state);
    view v;
    v.set("username_value", username)
        .set("email_value", email)
        .set("next", next)
        .set("next_param", http::percent_encode(next));
    if (error) v.set("error", error->message);
    return page(c, status, "signup", "Sign up", std::move(v), state);
}

response signup_page(call& c)
{
    auto const query = http::parse_urlencoded(c.req.query).value_or(http::fields{});
    auto const next = safe_next(field(query, "next"));
    if (c.who.signed_in()) return redirect(next);
    return signup_form(c, 200, "", "", next, nullptr);
}

response post_signup(call& c)
{
    auto const form = form_of(c);
    if (!form) return message_page(c, 400, "Bad form", "The form could not be read; reload the page and try again.");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    auto const username = field(*form, "username"), email = field(*form, "email"), password = field(*form, "password");
    auto const next = safe_next(field(*form, "next"));
    auto const created = sign_up(c.ctx, c.who, username, email, password);
    if (auto const* f = failed(created)) return signup_form(c, f->status, username, email, next, f);
    auto session = sign_in(c.ctx, c.who, username, password);
    if (auto const* f = failed(session)) return signin_form(c, f->status, username, next, f->message);
    auto r = redirect(next);
    r.add("Set-Cookie", session_cookie_header(std::get<session_started>(session).token, c.ctx.config));
    return r;
}

response account_form(call& c, int status, std::string const& error, bool done, std::string const& token_error = "",
                      std::string const& new_token = "")
{
    view v;
    v.set("username", c.who.user->username).set("error", error).set("done", done);
    std::vector<view> tokens;
    for (auto const& t : store::user_store(c.ctx.db.reader()).api_tokens(c.who.user->id)) {
        view one;
        one.set("id", t.id).set("name", t.name).set("created", time_view(t.created_at));
        if (t.last_used_at) one.set("last_used", time_view(*t.last_used_at));
        tokens.push_back(std::move(one));
    }
    v.set("tokens", tokens)
        .set("has_tokens", !tokens.empty())
        .set("token_error", token_error)
        .set("new_token", new_token);
    return page(c, status, "account", "Your account", std::move(v));
}

response account_page(call& c)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    return account_form(c, 200, "", false);
}

response post_password(call& c)
{
    auto form = signed_in_form(c, "/account");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    auto const& f = std::get<http::fields>(form);
    auto result = change_password(c.ctx, c.who, field(f, "current_password"), field(f, "new_password"),
                                  field(f, "keep_tokens") == "1" ? api_tokens::keep : api_tokens::end);
    if (auto const* e = failed(result)) return account_form(c, e->status, e->message, false);
    // The page after the change belongs to the new session, with its own CSRF token.
    auto const& s = std::get<session_started>(result);
    c.who.session_token = s.token;
    c.who.csrf_token = csrf_for(s.token);
    auto r = account_form(c, 200, "", true);
    r.add("Set-Cookie", session_cookie_header(s.token, c.ctx.config));
    return r;
}

response post_new_token(call& c)
{
    auto form = signed_in_form(c, "/account");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    auto const result = create_api_token(c.ctx, c.who, field(std::get<http::fields>(form), "name"));
    if (auto const* e = failed(result)) return account_form(c, e->status, "", false, e->message);
    // Shown once, on this answer only: the server keeps just its hash.
    return account_form(c, 201, "", false, "", std::get<std::string>(result));
}

response post_revoke_token(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto form = signed_in_form(c, "/account");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    if (!id) return account_form(c, 404, "", false, "You have no such API token.");
    auto const revoked = revoke_api_token(c.ctx, c.who, *id);
    if (auto const* e = failed(revoked)) return account_form(c, e->status, "", false, e->message);
    return redirect("/account#tokens");
}

response post_signout(call& c)
{
    auto const form = form_of(c);
    if (!form) return redirect("/");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    sign_out(c.ctx, c.who);
    auto r = redirect("/");
    r.add("Set-Cookie", clear_session_cookie_header(c.ctx.config));
    return r;
}

}  // namespace

http::response page_not_found(call& c)
{
    return message_page(c, 404, "Page not found",
                        "There is nothing at this address. Try the question list or the tags.");
}

void add_page_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/", home);
    r.add(method::get, "/questions", home);
    r.add(method::get, "/questions/ask", ask_page);
    r.add(method::post, "/questions/ask", post_ask);
    r.add(method::get, "/questions/{id}", show_question);
    r.add(method::get, "/questions/{id}/{slug}", show_question);
    r.add(method::post, "/questions/{id}/answers", post_answer);
    r.add(method::post, "/posts/{id}/comments", post_comment);
    r.add(method::post, "/posts/{id}/vote", post_vote);
    r.add(method::get, "/posts/{id}/edit", edit_page);
    r.add(method::post, "/posts/{id}/edit", post_edit);
    r.add(method::get, "/posts/{id}/revisions", revisions_page);
    r.add(method::post, "/revisions/{id}/redact", post_redact_revision);
    r.add(method::post, "/answers/{id}/accept", post_accept);
    r.add(method::get, "/search", search_page);
    r.add(method::post, "/posts/{id}/moderate", post_moderate);
    r.add(method::post, "/posts/{id}/flag", post_flag);
    r.add(method::post, "/comments/{id}/flag", post_comment_flag);
    r.add(method::get, "/review", review_page);
    r.add(method::post, "/review/{id}", post_review);
    r.add(method::post, "/users/{id}/suspend", post_suspend);
    r.add(method::get, "/audit", audit_page);
    r.add(method::get, "/moderation/suspended", suspended_page);
    r.add(method::get, "/tags", tags_page);
    r.add(method::get, "/tags/{name}", tag_page);
    r.add(method::get, "/users/{id}", user_page);
    r.add(method::get, "/signin", signin_page);
    r.add(method::post, "/signin", post_signin);
    r.add(method::get, "/signup", signup_page);
    r.add(method::post, "/signup", post_signup);
    r.add(method::post, "/signout", post_signout);
    r.add(method::get, "/account", account_page);
    r.add(method::post, "/account/password", post_password);
    r.add(method::post, "/account/tokens", post_new_token);
    r.add(method::post, "/account/tokens/{id}/revoke", post_revoke_token);
}

}  // namespace peerdesk::app
