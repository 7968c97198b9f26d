#pragma once
// Server-rendered HTML pages; usable without JavaScript.
#include "server/app/context.hpp"
#include "server/render/templates.hpp"

#include <variant>

namespace peerdesk::app {

http::response page_not_found(call& c);

// The page frame shared by every page handler.
struct page_state {
    std::string anonymous_csrf;  // set when the page carries a signed-out form
    bool new_cookie = false;
};
// Renders templates/NAME.html with v inside the layout.
http::response page(call& c, int status, std::string_view name, std::string const& title, render::view v,
                    page_state const& state = {});
http::response message_page(call& c, int status, std::string const& title, std::string const& message);
// The same with a link back to where the reader was, instead of the question list.
http::response message_page(call& c, int status, std::string const& title, std::string const& message,
                            std::string const& back_url, std::string const& back_label);
// A form field, or an empty text.
std::string field(http::fields const& f, std::string_view name);
// Signed-out visitors go to the sign-in page and come back to `back` (default: this page).
std::optional<http::response> require_signed_in(call& c, std::string const& back = {});
// Signed in, a readable form, a matching CSRF token: the fields, or the refusal.
std::variant<http::fields, http::response> signed_in_form(call& c, std::string const& back);
render::view time_view(std::int64_t t);
// A count for people: 232100 → "232,100".
std::string with_thousands(std::int64_t n);

}  // namespace peerdesk::app
