#include "server/domain/validation.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace peerdesk::domain {
namespace {

std::string too(char const* what, std::size_t n, char const* unit)
{
    return std::string(what) + " " + std::to_string(n) + " " + unit;
}

// Control characters other than tab, newline and carriage return make no sense in text and
// can hide content; they are refused rather than silently stripped.
bool has_control_characters(std::string_view s, bool allow_newlines)
{
    for (unsigned char c : s) {
        if (c == '\t' || ((c == '\n' || c == '\r') && allow_newlines)) continue;
        if (c < 0x20 || c == 0x7f) return true;
    }
    return false;
}

// Bidirectional overrides and isolates turn a line's text around, and zero-width characters
// make two different strings look alike: neither belongs in a title.
bool has_invisible_formatting(std::string_view s)
{
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto const a = static_cast<unsigned char>(s[i]);
        if (a == 0xE2 && i + 2 < s.size()) {
            auto const b = static_cast<unsigned char>(s[i + 1]), c = static_cast<unsigned char>(s[i + 2]);
            // U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+2066–U+2069
            if (b == 0x80 && ((c >= 0x8B && c <= 0x8F) || (c >= 0xAA && c <= 0xAE))) return true;
            if (b == 0x81 && ((c >= 0xA0 && c <= 0xA4) || (c >= 0xA6 && c <= 0xA9))) return true;
        }
        if (a == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBB &&
            static_cast<unsigned char>(s[i + 2]) == 0xBF)
            return true;                                                                                 // U+FEFF
        if (a == 0xD8 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x9C) return true;  // U+061C
    }
    return false;
}

std::optional<field_error> check_text(std::string_view field, std::string_view label, std::string_view value,
                                      std::size_t min, std::size_t max, bool multiline)
{
    if (!valid_utf8(value)) return field_error{std::string(field), std::string(label) + " is not valid UTF-8 text."};
    if (has_control_characters(value, multiline))
        return field_error{std::string(field), std::string(label) + " contains control characters; remove them."};
    auto const n = length_in_characters(trim(value));
    if (n == 0) return field_error{std::string(field), std::string(label) + " is required."};
    if (n < min)
        return field_error{std::string(field), std::string(label) + " must be at least " + std::to_string(min) +
                                                   " characters; it has " + std::to_string(n) + "."};
    if (n > max)
        return field_error{std::string(field), std::string(label) + " must be at most " + std::to_string(max) +
                                                   " characters; it has " + std::to_string(n) + "."};
    return std::nullopt;
}

}  // namespace

namespace {

// The length of the valid UTF-8 sequence starting at s[i], or 0 when none starts there.
std::size_t sequence_length(std::string_view s, std::size_t i)
{
    auto const c = static_cast<unsigned char>(s[i]);
    std::size_t extra;
    std::uint32_t cp;
    if (c < 0x80) return 1;
    if ((c & 0xe0) == 0xc0)
        extra = 1, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0)
        extra = 2, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0)
        extra = 3, cp = c & 0x07;
    else
        return 0;
    if (i + extra >= s.size()) return 0;
    for (std::size_t k = 1; k <= extra; ++k) {
        auto const cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return extra + 1;
}

}  // namespace

bool valid_utf8(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        // Eight ASCII bytes at a time: almost every text the site shows is mostly ASCII, and
        // every value a page prints is checked.
        std::uint64_t word;
        if (i + 8 <= s.size() && (std::memcpy(&word, s.data() + i, 8), (word & 0x8080808080808080ULL) == 0)) {
            i += 8;
            continue;
        }
        auto const n = sequence_length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string to_valid_utf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        auto const n = sequence_length(s, i);
        if (n == 0) {
            out += "\xef\xbf\xbd";
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::size_t length_in_characters(std::string_view s)
{
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::string_view trim(std::string_view s)
{
    auto const space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

std::string normalize_tag(std::string_view tag)
{
    std::string out;
    for (char c : trim(tag)) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c == ' ' || c == '\t') {
            if (!out.empty() && out.back() != '-') out.push_back('-');
            continue;
        }
        out.push_back(c);
    }
    return out;
}

std::optional<field_error> check_username(std::string_view username, limits const& l)
{
    auto const n = username.size();
    if (n == 0) return field_error{"username", "Choose a username."};
    if (n < l.username_min || n > l.username_max)
        return field_error{"username", "A username has " + std::to_string(l.username_min) + " to " +
                                           std::to_string(l.username_max) + " characters."};
    for (char c : username) {
        bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '-' || c == '.';
        if (!ok) return field_error{"username", "A username may use only letters, digits, '_', '-' and '.'."};
    }
    if (!std::isalnum(static_cast<unsigned char>(username.front())))
        return field_error{"username", "A username starts with a letter or a digit."};
    return std::nullopt;
}

std::optional<field_error> check_email(std::string_view email)
{
    auto const at = email.find('@');
    bool const ok = email.size() <= 254 && at != std::string_view::npos && at > 0 &&
                    email.find('@', at + 1) == std::string_view::npos &&
                    email.find('.', at + 2) != std::string_view::npos && email.back() != '.' &&
                    std::none_of(email.begin(), email.end(), [](char c) {
                        return static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == '"' ||
                               static_cast<unsigned char>(c) >= 0x7f;
                    });
    if (email.empty()) return field_error{"email", "Enter your email address."};
    if (!ok) return field_error{"email", "Enter an email address like name@example.com."};
    return std::nullopt;
}

std::optional<field_error> check_password(std::string_view password, std::string_view username, limits const& l)
{
    static constexpr std::array<std::string_view, 12> common = {
        "password12", "password123", "1234567890", "qwertyuiop", "0123456789", "1111111111",
        "iloveyou12", "letmein123",  "passw0rd12", "abcdefghij", "1q2w3e4r5t", "qwerty1234"};
    if (password.size() < l.password_min)
        return field_error{"password", "Use a password of at least " + std::to_string(l.password_min) + " characters."};
    if (password.size() > l.password_max)
        return field_error{"password", "Use a password of at most " + std::to_string(l.password_max) + " characters."};
    if (!valid_utf8(password)) return field_error{"password", "The password is not valid UTF-8 text."};
    if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password.front(); }) ||
        std::find(common.begin(), common.end(), password) != common.end())
        return field_error{"password", "That password is too easy to guess; choose a less common one."};
    if (!username.empty() && password.find(username) != std::string_view::npos)
        return field_error{"password", "The password must not contain your username."};
    return std::nullopt;
}

std::optional<field_error> check_title(std::string_view title, limits const& l)
{
    if (valid_utf8(title) && has_invisible_formatting(title))
        return field_error{"title", "The title contains invisible direction or zero-width characters; remove them."};
    return check_text("title", "The title", title, l.title_min, l.title_max, false);
}

std::optional<field_error> check_body(std::string_view body, limits const& l)
{
    return check_text("body", "The body", body, l.body_min, l.body_max, true);
}

std::optional<field_error> check_comment(std::string_view body, limits const& l)
{
    return check_text("body", "A comment", body, l.comment_min, l.comment_max, true);
}

std::optional<field_error> check_summary(std::string_view summary, limits const& l)
{
    if (!valid_utf8(summary)) return field_error{"summary", "The edit summary is not valid UTF-8 text."};
    if (has_control_characters(summary, false))
        return field_error{"summary", "The edit summary contains control characters; remove them."};
    if (length_in_characters(summary) > l.summary_max)
        return field_error{"summary", too("The edit summary must be at most", l.summary_max, "characters.")};
    return std::nullopt;
}

std::optional<field_error> check_tags(std::vector<std::string>& tags, limits const& l)
{
    std::vector<std::string> normalized;
    for (auto const& t : tags) {
        auto n = normalize_tag(t);
        if (n.empty()) continue;
        if (std::find(normalized.begin(), normalized.end(), n) == normalized.end()) normalized.push_back(std::move(n));
    }
    if (normalized.size() < l.tags_min)
        return field_error{"tags", "Add at least " + std::to_string(l.tags_min) + " tag, such as \"billing\"."};
    if (normalized.size() > l.tags_max)
        return field_error{"tags", "Use at most " + std::to_string(l.tags_max) + " tags; you gave " +
                                       std::to_string(normalized.size()) + "."};
    for (auto const& t : normalized) {
        if (t.size() > l.tag_length_max)
            return field_error{"tags", "The tag \"" + t.substr(0, 40) + "\" is longer than " +
                                           std::to_string(l.tag_length_max) + " characters."};
        for (char c : t) {
            bool const ok =
                (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '#' || c == '.';
            if (!ok)
                return field_error{"tags", "Tags use only lower-case letters, digits and - + # . (\"" +
                                               (valid_utf8(t) ? t.substr(0, 40) : std::string("?")) + "\" does not)."};
        }
        if (t.front() == '-' || t.front() == '.')
            return field_error{"tags", "A tag starts with a letter, a digit, '+' or '#'."};
    }
    tags = std::move(normalized);
    return std::nullopt;
}

std::vector<std::string> split_tags(std::string_view text)
{
    std::vector<std::string> out;
    std::string current;
    for (char c : text) {
        if (c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r') {
            if (!current.empty()) out.push_back(std::move(current));
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    if (!current.empty()) out.push_back(std::move(current));
    return out;
}

}  // namespace peerdesk::domain
