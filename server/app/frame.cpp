// The page frame: the layout every page is rendered in, messages, the checks every form
// shares, and the small views several rooms show (authors, times, tags, summaries, pagers).
#include "server/app/frame.hpp"

#include "server/app/actions.hpp"
#include "server/app/auth.hpp"
#include "server/app/inbox.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/page_cache.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/static_files.hpp"
#include "server/app/thread_cache.hpp"
#include "server/app/urls.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/post_store.hpp"

#include <algorithm>

namespace peerdesk::app {

using http::response;
using render::view;

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

response page(call& c, page_status status, std::string_view name, std::string const& title, view v,
              page_state const& state)
{
    auto const& csrf = c.who.signed_in() ? c.who.csrf_token : state.anonymous_csrf;
    if (!csrf.empty()) v.set("csrf_token", csrf);
    return framed_page(c, status, title, render::render_template(name, v), state);
}

response framed_page(call& c, page_status status, std::string const& title, render::safe_html const& body,
                     page_state const& state)
{
    auto const& csrf = c.who.signed_in() ? c.who.csrf_token : state.anonymous_csrf;
    view layout;
    layout.set("title", title);
    layout.set("css_url", static_url("app.css"));
    layout.set("js_url", static_url("app.js"));
    layout.set("icon_url", static_url("favicon.svg"));
    layout.set("feed_url", state.feed_url.empty() ? std::string("/feeds/questions.atom") : state.feed_url)
        .set("feed_title", state.feed_url.empty() ? std::string("Newest questions") : state.feed_title);
    if (!csrf.empty()) layout.set("csrf_token", csrf);
    layout.set("theme_js_url", static_url("theme.js"));
    set_head(c, status.code, title, state.head, layout);
    if (c.who.user) {
        view u;
        u.set("id", c.who.user->id)
            .set("username", c.who.user->username)
            .set("reputation", domain::shown_reputation(c.who.user->reputation));
        u.set("moderator", c.who.is_moderator()).set("admin", c.who.is_admin());
        auto const unread = unread_notifications(c.ctx, c.who.user->id);
        u.set("unread", unread >= 100 ? std::string("99+") : std::to_string(unread))
            .set("unread_number", unread)
            .set("has_unread", unread > 0);
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
    response r;
    r.status = status.code;
    if (status.retry_after > 0) r.set("Retry-After", std::to_string(status.retry_after));
    r.set("Content-Type", "text/html; charset=utf-8");
    // A member's page must not stay on a shared computer's disk after they sign out.
    r.set("Cache-Control", c.who.signed_in() ? "no-store" : "no-cache");
    r.body = render::render_around("layout", std::move(layout), "content_html", body).take();
    // A page with one visitor's CSRF token or account in it is theirs alone.
    if (!csrf.empty() || c.who.signed_in()) r.set(page_cache::private_header, "1");
    if (state.new_cookie) r.add("Set-Cookie", anonymous_csrf_cookie_header(state.anonymous_csrf, c.ctx.config));
    return r;
}

namespace {

// Members in good standing share list pages' content (restricted members are told why on the
// page's layout, which stays theirs).
bool shares_bodies(call const& c)
{
    return c.ctx.bodies && c.who.signed_in() && c.req.verb == http::method::get;
}

std::string body_key(call const& c, std::string_view version)
{
    auto key = c.req.path + '?' + c.req.query;
    if (!version.empty()) (key += '#') += version;
    return key;
}

}  // namespace

namespace {

response framed_body(call& c, page_status status, body_cache::body const& b, page_state const& state)
{
    if (!b.part) return framed_page(c, status, b.title, b.html, state);
    render::html_builder out;
    out.reserve(b.slotted.bytes() + 512);
    out.shared(b.slotted, 0);
    b.part(out, c);
    out.shared(b.slotted, 1);
    return framed_page(c, status, b.title, std::move(out).done(), state);
}

}  // namespace

std::optional<response> kept_page(call& c, std::string_view kept_version)
{
    if (!shares_bodies(c)) return std::nullopt;
    auto const b = c.ctx.bodies->find(body_key(c, kept_version));
    if (!b) return std::nullopt;
    page_state state;
    state.feed_url = b->feed_url;
    state.feed_title = b->feed_title;
    return framed_body(c, 200, *b, state);
}

response shared_page(call& c, page_status status, std::string_view name, std::string const& title, view v,
                     page_state const& state, body_cache::viewer_part part)
{
    auto b = std::make_shared<body_cache::body>();
    b->writes = c.ctx.db.write_count();
    b->at = std::chrono::steady_clock::now();
    b->title = title;
    b->feed_url = state.feed_url;
    b->feed_title = state.feed_title;
    if (part) {
        v.set("viewer_slot", true);
        b->slotted = render::render_slotted(name, std::move(v));
        if (b->slotted.holes.size() != 1 || b->slotted.holes[0] != "viewer")
            throw std::runtime_error("template " + std::string(name) + " has no single viewer slot");
        b->part = std::move(part);
    } else {
        b->html = render::render_template(name, v);
    }
    if (status.code == 200 && shares_bodies(c)) c.ctx.bodies->store(body_key(c, state.kept_version), b);
    return framed_body(c, status, *b, state);
}

response message_page(call& c, page_status status, std::string const& title, std::string const& message)
{
    view v;
    v.set("heading", title).set("message", message);
    return page(c, status, "message", title, std::move(v));
}

// A message after an action on a thread leads back to where the reader was.
response message_page(call& c, page_status status, std::string const& title, std::string const& message,
                      std::string const& back_url, std::string const& back_label)
{
    view v;
    v.set("heading", title).set("message", message).set("back_url", back_url).set("back_label", back_label);
    return page(c, status, "message", title, std::move(v));
}

http::fields query_fields(call& c)
{
    return http::parse_urlencoded(c.req.query).value_or(http::fields{});
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
    return redirect(urls::signin(next.size() < 300 ? next : "/"));
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

std::optional<response> require_moderator_page(call& c)
{
    if (auto r = require_signed_in(c)) return r;
    if (auto f = permissions(c.ctx, c.who).may_moderate("see this page"))
        return message_page(c, *f, "Moderators only", f->message);
    return std::nullopt;
}

// The question a post belongs to (itself for a question).
std::optional<std::int64_t> thread_of(call& c, std::int64_t post_id)
{
    auto const post = store::post_store(c.ctx.db.reader()).find_post(post_id);
    if (!post) return std::nullopt;
    return post->question_id.value_or(post->id);
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
        v.set("name", t).set("url", urls::tag(t));
        out.push_back(std::move(v));
    }
    return out;
}

view summary_view(store::question_summary const& q)
{
    view v;
    v.set("id", q.id)
        .set("title", q.title)
        .set("url", urls::question(q.id))
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

view open_pager_view(std::int64_t page, bool more, std::string const& base)
{
    auto const join = base.find('?') == std::string::npos ? "?" : "&";
    view v;
    v.set("page", page).set("several", page > 1 || more);
    if (page > 1) v.set("prev_url", base + join + "page=" + std::to_string(page - 1));
    if (more) v.set("next_url", base + join + "page=" + std::to_string(page + 1));
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

http::response page_not_found(call& c)
{
    return message_page(c, 404, "Page not found",
                        "There is nothing at this address. Try the question list or the tags.");
}

}  // namespace peerdesk::app
