#pragma once
// Query strings, form bodies and cookies: parsing of the text browsers send.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerdesk::http {

using fields = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes (and '+' as a space when plus_is_space). Nothing for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
std::string percent_encode(std::string_view text);

// "a=1&b=two" → {{"a","1"},{"b","two"}}; nothing when an escape is malformed. At most
// max_fields pairs are read; more make the whole input invalid.
std::optional<fields> parse_urlencoded(std::string_view text, std::size_t max_fields = 100);

// "a=1; b=2" → {{"a","1"},{"b","2"}}; malformed pieces are skipped, as browsers do.
fields parse_cookies(std::string_view header);

// The first value for a name, if any.
std::optional<std::string_view> find_field(fields const& f, std::string_view name);

}  // namespace peerdesk::http
