#pragma once
// Suspensions' rules: how long one may last, who may change one, and how it is written in the
// audit log and read back from it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerdesk::moderation {

inline constexpr std::int64_t min_suspension_days = 1;
inline constexpr std::int64_t max_suspension_days = 3650;

// The message when days is out of range; nothing when it will do.
std::optional<std::string> check_days(std::int64_t days);
// The end of a suspension of days from now (seconds since the epoch).
std::int64_t suspended_until(std::int64_t now, std::int64_t days);

// What an admin decided stands until an admin changes it; a moderator's decision any moderator
// may change. imposed_by_role: the role of whoever imposed the current restriction, if any.
bool may_change(bool actor_is_admin, std::optional<std::string> const& imposed_by_role);

// The audit log keeps a suspension's length with its reason: "7 days: why".
std::string audit_reason(std::int64_t days, std::string_view reason);
struct audit_suspension {
    std::int64_t days = 0;
    std::string reason;
};
std::optional<audit_suspension> parse_audit_reason(std::string_view text);

}  // namespace peerdesk::moderation
