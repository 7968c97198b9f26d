#include "server/app/context.hpp"

#include "server/domain/time.hpp"
#include "server/store/user_store.hpp"

#include <charconv>

namespace peerdesk::app {

domain::actor viewer::actor() const
{
    if (!user) return {};
    return {user->id, in_good_standing() ? user->role : domain::role::member, user->reputation};
}

bool viewer::in_good_standing() const
{
    return user && !user->silenced && !(user->suspended_until && *user->suspended_until > domain::now());
}

// A suspended or silenced moderator holds no moderator power until the suspension ends: every
// check of role goes through here, so standing is checked for every action.
bool viewer::is_moderator() const
{
    return user && (user->role == domain::role::moderator || user->role == domain::role::admin) && in_good_standing();
}

bool viewer::is_admin() const
{
    return user && user->role == domain::role::admin && in_good_standing();
}

int status_of(failure_kind kind)
{
    switch (kind) {
        case failure_kind::malformed:
            return 400;
        case failure_kind::not_signed_in:
            return 401;
        case failure_kind::forbidden:
            return 403;
        case failure_kind::not_found:
            return 404;
        case failure_kind::wrong_method:
            return 405;
        case failure_kind::conflict:
            return 409;
        case failure_kind::gone:
            return 410;
        case failure_kind::too_large:
            return 413;
        case failure_kind::unsupported_media:
            return 415;
        case failure_kind::invalid:
            return 422;
        case failure_kind::rate_limited:
            return 429;
        case failure_kind::internal:
            return 500;
        case failure_kind::unavailable:
            return 503;
    }
    return 500;
}

std::optional<std::int64_t> parse_id(std::string_view text)
{
    std::int64_t value = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) return std::nullopt;
    return value;
}

namespace {

std::optional<setting_error> check_number(setting_spec const& spec, std::string_view value, int& parsed)
{
    auto const [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (ec == std::errc{} && end == value.data() + value.size() && parsed >= spec.min && parsed <= spec.max)
        return std::nullopt;
    return setting_error{setting_problem::bad_value, std::string("setting ") + spec.key +
                                                         " must be a whole number from " + std::to_string(spec.min) +
                                                         " to " + std::to_string(spec.max) + ", not " +
                                                         std::string(value.substr(0, 100))};
}

// site.og_image: empty, a path on this site ("/uploads/….png", not "//host/…"), or an absolute
// http(s) address; printable ASCII without spaces, quotes or angle brackets, as it is printed
// into every page's head.
std::optional<setting_error> check_site_image(std::string_view value)
{
    constexpr std::size_t max = 2000;
    if (value.empty()) return std::nullopt;
    auto const bad = [&](std::string why) {
        return setting_error{setting_problem::bad_value, "setting site.og_image " + why};
    };
    if (value.size() > max) return bad("takes at most " + std::to_string(max) + " characters");
    for (char ch : value)
        if (ch <= ' ' || ch >= 0x7f || ch == '"' || ch == '\'' || ch == '<' || ch == '>' || ch == '\\')
            return bad(
                "is an address: no spaces, quotes, angle brackets or characters outside ASCII "
                "(percent-encode them)");
    bool const path = value.starts_with('/') && !value.starts_with("//");
    auto const host_at = value.starts_with("https://") ? 8 : value.starts_with("http://") ? 7 : 0;
    bool const absolute = host_at > 0 && value.size() > std::size_t(host_at) && value[host_at] != '/';
    if (!path && !absolute)
        return bad("is a path on this site like /uploads/NAME.png, or an address starting with https://");
    return std::nullopt;
}

}  // namespace

std::optional<setting_error> check_setting(std::string_view key, std::string_view value)
{
    for (auto const& spec : setting_specs) {
        int parsed = 0;
        if (key == spec.key) return check_number(spec, value, parsed);
    }
    if (key == "site.og_image") return check_site_image(value);
    for (auto const& spec : text_setting_specs)
        if (key == spec.key) {
            if (value.size() <= text_setting_max) return std::nullopt;
            return setting_error{setting_problem::bad_value, std::string("setting ") + spec.key + " takes at most " +
                                                                 std::to_string(text_setting_max) + " characters"};
        }
    return setting_error{setting_problem::unknown_key, "unknown setting " + std::string(key.substr(0, 100))};
}

std::string load_settings(store::connection& db, settings& s)
{
    store::user_store users(db);
    std::string problems;
    for (auto const& spec : setting_specs) {
        auto const value = users.setting(spec.key);
        if (!value) continue;
        int parsed = 0;
        if (auto const e = check_number(spec, *value, parsed)) {
            problems += e->message + "\n";
            continue;
        }
        spec.apply(s, parsed);
    }
    for (auto const& spec : text_setting_specs)
        if (auto const value = users.setting(spec.key)) {
            if (auto const e = check_setting(spec.key, *value)) {
                problems += e->message + "\n";
                continue;
            }
            spec.apply(s, *value);
        }
    return problems;
}

std::optional<failure> read_number(http::fields const& query, std::string_view name, std::int64_t& out,
                                   std::int64_t max)
{
    auto const v = http::find_field(query, name);
    if (!v || v->empty()) return std::nullopt;
    auto const n = parse_id(*v);
    if (!n || *n > max)
        return failure{failure_kind::invalid, "invalid_field",
                       std::string(name) + " must be a whole number from 1 to " + std::to_string(max) + ".",
                       std::string(name)};
    out = *n;
    return std::nullopt;
}

}  // namespace peerdesk::app
