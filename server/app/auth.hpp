#pragma once
// Who is asking (session cookie or bearer token) and whether a state change is allowed (CSRF).
#include "server/app/context.hpp"

namespace peerdesk::app {

inline constexpr std::string_view session_cookie = "peerdesk_session";
// A random value set for signed-out visitors, echoed by their forms (double-submit CSRF).
inline constexpr std::string_view anonymous_csrf_cookie = "peerdesk_csrf";

viewer authenticate(http::request const& req, context& ctx);

// The CSRF token for a session token.
std::string csrf_for(std::string_view session_token);

// True when a state-changing request may proceed: bearer-authenticated requests need no
// token; cookie-authenticated ones must carry the session's token (in X-CSRF-Token, or as
// `form_token` from a form); signed-out form posts must echo the peerdesk_csrf cookie.
bool csrf_ok(call const& c, std::optional<std::string_view> form_token);

// Set-Cookie values.
std::string session_cookie_header(std::string_view token, settings const& s);
std::string clear_session_cookie_header(settings const& s);
std::string anonymous_csrf_cookie_header(std::string_view value, settings const& s);

// The anonymous CSRF value this request carries, if any.
std::optional<std::string> anonymous_csrf(http::request const& req);

}  // namespace peerdesk::app
