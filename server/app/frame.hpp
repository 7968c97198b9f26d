#pragma once
// The page frame every HTML page shares: the layout, messages, the checks every form makes, and
// the small views several rooms show. Pages are usable without JavaScript.
#include "server/app/context.hpp"
#include "server/app/reach.hpp"
#include "server/app/thread_cache.hpp"
#include "server/render/templates.hpp"
#include "server/store/models.hpp"

#include <variant>

namespace peerdesk::app {

http::response page_not_found(call& c);

// A page's status, and for a refusal that passes (a rate limit) when to try again.
struct page_status {
    int code = 200;
    int retry_after = 0;
    page_status(int status) : code(status) {}
    page_status(failure const& f) : code(f.status()), retry_after(f.retry_after) {}
};

struct page_state {
    std::string anonymous_csrf;  // set when the page carries a signed-out form
    bool new_cookie = false;
    std::string feed_url;  // the page's Atom feed, linked from its head (else the newest questions')
    std::string feed_title;
    page_head head;  // what search engines and link previews read (reach.hpp)
    // For a shared page that depends on more than the database (a search: the index's
    // generation): kept under its address and this.
    std::string kept_version;
};
// The CSRF value a signed-out visitor's forms carry, created on first need.
std::string ensure_anonymous_csrf(call& c, page_state& state);
// Renders templates/NAME.html with v inside the layout.
http::response page(call& c, page_status status, std::string_view name, std::string const& title, render::view v,
                    page_state const& state = {});
// A page whose content is rendered already, inside the layout.
http::response framed_page(call& c, page_status status, std::string const& title, render::safe_html const& body,
                           page_state const& state = {});
// For pages whose content is the same for every viewer (lists): a member's page from the kept
// content, when there is one; shared_page renders the content without the viewer's token, keeps
// it for members, and frames it.
// With a viewer part, the template (given viewer_slot) marks its place as
// {{{viewer_html}}}viewer{{{viewer_html}}} (see templates/questions.html).
std::optional<http::response> kept_page(call& c, std::string_view kept_version = {});
http::response shared_page(call& c, page_status status, std::string_view name, std::string const& title, render::view v,
                           page_state const& state = {}, body_cache::viewer_part part = {});
http::response message_page(call& c, page_status status, std::string const& title, std::string const& message);
// The same with a link back to where the reader was, instead of the question list.
http::response message_page(call& c, page_status status, std::string const& title, std::string const& message,
                            std::string const& back_url, std::string const& back_label);

// ---- forms ----
// The query string's fields; a malformed one reads as empty (pages forgive, the API refuses).
http::fields query_fields(call& c);
// A form post's fields, or nothing when the body is not a well-formed form.
std::optional<http::fields> form_of(call& c);
// A form field, or an empty text.
std::string field(http::fields const& f, std::string_view name);
// The refusal page when the form's CSRF token does not match.
std::optional<http::response> refuse_without_csrf(call& c, http::fields const& f);
// Signed-out visitors go to the sign-in page and come back to `back` (default: this page).
std::optional<http::response> require_signed_in(call& c, std::string const& back = {});
// Signed in, a readable form, a matching CSRF token: the fields, or the refusal.
std::variant<http::fields, http::response> signed_in_form(call& c, std::string const& back);
// Signed in as a moderator in good standing, or the page that says why not.
std::optional<http::response> require_moderator_page(call& c);
// A same-site path to return to after signing in, never another host.
std::string safe_next(std::string_view next);

// ---- words and views ----
// "You cannot DOING until …": beside a form a suspended or silenced member may not use.
std::string standing_short(store::user_row const& u, std::string_view doing);
std::string lowercase_first(std::string s);
// The question a post belongs to (itself for a question), when the post is live.
std::optional<std::int64_t> thread_of(call& c, std::int64_t post_id);
render::view author_view(store::author_ref const& a);
render::view time_view(std::int64_t t);
std::vector<render::view> tag_views(std::vector<std::string> const& tags);
render::view summary_view(store::question_summary const& q);
std::vector<render::view> summary_views(std::vector<store::question_summary> const& items);
render::view pager_view(std::int64_t page, std::int64_t pagesize, std::int64_t total, std::string const& base);
// Pages whose number is not counted (a count would cost more than the page): previous and next.
render::view open_pager_view(std::int64_t page, bool more, std::string const& base);
// A count for people: 232100 → "232,100".
std::string with_thousands(std::int64_t n);
// ?page=N, 1 when absent or out of range.
std::int64_t page_param(http::fields const& q);

}  // namespace peerdesk::app
