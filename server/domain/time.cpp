#include "server/domain/time.hpp"

#include <chrono>
#include <ctime>

namespace peerdesk::domain {

std::int64_t now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string rfc3339(std::int64_t unix_seconds)
{
    std::time_t const t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

std::string relative_time(std::int64_t unix_seconds, std::int64_t reference)
{
    auto const delta = reference - unix_seconds;
    auto plural = [](std::int64_t n, char const* unit) {
        return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
    };
    if (delta < 60) return "just now";
    if (delta < 3600) return plural(delta / 60, "minute");
    if (delta < 86400) return plural(delta / 3600, "hour");
    if (delta < 86400 * 30) return plural(delta / 86400, "day");
    return rfc3339(unix_seconds).substr(0, 10);
}

}  // namespace peerdesk::domain
