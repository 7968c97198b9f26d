#include "server/domain/time.hpp"

#include <chrono>
#include <ctime>

namespace peerdesk::domain {

std::int64_t now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {

std::tm utc(std::int64_t unix_seconds)
{
    std::time_t const t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}

// "7 Dec 2026": English month names whatever the process's locale, and day before month,
// which no reader takes for another date.
std::string readable_date(std::int64_t unix_seconds)
{
    static constexpr char const* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto const tm = utc(unix_seconds);
    return std::to_string(tm.tm_mday) + " " + months[tm.tm_mon] + " " + std::to_string(tm.tm_year + 1900);
}

}  // namespace

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
    if (delta < -59) {
        auto const ahead = -delta;
        auto in = [](std::int64_t n, char const* unit) {
            return "in " + std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
        };
        if (ahead < 3600) return in(ahead / 60, "minute");
        if (ahead < 86400) return in(ahead / 3600, "hour");
        if (ahead < 86400 * 30) return in(ahead / 86400, "day");
        return readable_date(unix_seconds);
    }
    auto plural = [](std::int64_t n, char const* unit) {
        return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
    };
    if (delta < 60) return "just now";
    if (delta < 3600) return plural(delta / 60, "minute");
    if (delta < 86400) return plural(delta / 3600, "hour");
    if (delta < 86400 * 30) return plural(delta / 86400, "day");
    return readable_date(unix_seconds);
}

std::string readable_time(std::int64_t unix_seconds)
{
    auto const tm = utc(unix_seconds);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, ", %H:%M UTC", &tm);
    return readable_date(unix_seconds) + buffer;
}

}  // namespace peerdesk::domain
