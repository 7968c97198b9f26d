#pragma once
// gzip for text responses (zlib: Debian's, and the standard; writing DEFLATE ourselves would
// not be better).
#include <optional>
#include <string>
#include <string_view>

namespace peerdesk::http {

// The gzip form of data at a fast level, or nothing when zlib fails.
std::optional<std::string> gzip(std::string_view data, int level = 4);

// Whether a response of this Content-Type is text that gzip makes smaller.
bool compressible(std::string_view content_type);

// Whether an Accept-Encoding header value admits gzip (and does not refuse it with q=0).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace peerdesk::http
