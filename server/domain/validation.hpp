#pragma once
// Rules for what users may type: each check returns nothing when the value is fine, or a
// field error whose message says what to fix.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::domain {

struct field_error {
    std::string field;
    std::string message;
};

struct limits {
    std::size_t title_min = 15, title_max = 150;
    std::size_t body_min = 20, body_max = 30000;  // in characters (code points)
    std::size_t comment_min = 5, comment_max = 600;
    std::size_t tags_min = 1, tags_max = 5, tag_length_max = 35;
    std::size_t username_min = 3, username_max = 30;
    std::size_t password_min = 10, password_max = 200;
    std::size_t summary_max = 200;
};

bool valid_utf8(std::string_view s);
// The text with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string to_valid_utf8(std::string_view s);
// Code points in valid UTF-8.
std::size_t length_in_characters(std::string_view s);
// Without leading and trailing ASCII white space.
std::string_view trim(std::string_view s);
// Lower-cased, trimmed, with inner white space turned into '-' ("Dark Mode" → "dark-mode").
std::string normalize_tag(std::string_view tag);

std::optional<field_error> check_username(std::string_view username, limits const& = {});
std::optional<field_error> check_email(std::string_view email);
std::optional<field_error> check_password(std::string_view password, std::string_view username, limits const& = {});
std::optional<field_error> check_title(std::string_view title, limits const& = {});
// `field` names the field in the error ("body").
std::optional<field_error> check_body(std::string_view body, limits const& = {});
std::optional<field_error> check_comment(std::string_view body, limits const& = {});
std::optional<field_error> check_summary(std::string_view summary, limits const& = {});
// Normalises tags in place (lower case, duplicates removed) and checks count and spelling.
std::optional<field_error> check_tags(std::vector<std::string>& tags, limits const& = {});
// Splits "a b, c" into tags as typed in the ask form.
std::vector<std::string> split_tags(std::string_view text);

}  // namespace peerdesk::domain
