#pragma once
// multipart/form-data bodies (RFC 7578), as browsers send a form with a file field.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::http {

struct form_part {
    std::string name;
    std::optional<std::string> filename;  // present for a file field, even when empty
    std::string content_type;             // as the client said; never trusted for a file's kind
    std::string_view data;                // points into the body it was parsed from
};

// The boundary from a Content-Type of multipart/form-data, or nothing for any other type.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Splits the body at the boundary. Nothing when the body is not well formed, or has more than
// max_parts parts. The parts point into body, which must outlive them.
std::optional<std::vector<form_part>> parse_multipart(std::string_view body, std::string_view boundary,
                                                      std::size_t max_parts = 16);

}  // namespace peerdesk::http
