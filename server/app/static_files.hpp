#pragma once
// Files under static/, compiled into the binary, served with content-hash ETags.
#include "server/http/message.hpp"

#include <optional>
#include <string>

namespace peerdesk::app {

// The URL for a static file with its content hash ("/static/app.css?v=1a2b3c4d"); such URLs
// may be cached for a year.
std::string static_url(std::string_view name);

// A response for /static/NAME, or nothing when the path is not a static file.
std::optional<http::response> serve_static(http::request const& req);

}  // namespace peerdesk::app
