#include "moderation/suspension.hpp"

#include <charconv>

namespace peerdesk::moderation {

std::optional<std::string> check_days(std::int64_t days)
{
    if (days >= min_suspension_days && days <= max_suspension_days) return std::nullopt;
    return "days must be a whole number from " + std::to_string(min_suspension_days) + " to " +
           std::to_string(max_suspension_days) + ".";
}

std::int64_t suspended_until(std::int64_t now, std::int64_t days)
{
    return now + days * 86400;
}

bool may_change(bool actor_is_admin, std::optional<std::string> const& imposed_by_role)
{
    return actor_is_admin || imposed_by_role != "admin";
}

std::string audit_reason(std::int64_t days, std::string_view reason)
{
    return std::to_string(days) + " days: " + std::string(reason);
}

std::optional<audit_suspension> parse_audit_reason(std::string_view text)
{
    auto const colon = text.find(" days: ");
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    audit_suspension out;
    auto const digits = text.substr(0, colon);
    auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.days);
    if (ec != std::errc() || end != digits.data() + digits.size() || out.days < 1) return std::nullopt;
    out.reason = std::string(text.substr(colon + 7));
    return out;
}

}  // namespace peerdesk::moderation
