#include "server/domain/time.hpp"

#include <chrono>
#include <ctime>
#include <string>

namespace peerdesk::domain {

std::int64_t now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {

// A UTC date and time of day from seconds since 1970, without gmtime_r (which takes glibc's
// time zone lock and made three formatted times cost 10,000 instructions): Howard Hinnant's
// days-to-civil algorithm, exact for the proleptic Gregorian calendar.
struct civil {
    std::int64_t year;
    int month;  // 1-12
    int day;    // 1-31
    int hour, minute, second;
};

civil utc(std::int64_t unix_seconds)
{
    auto days = unix_seconds / 86400;
    auto secs = unix_seconds % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    days += 719468;
    auto const era = (days >= 0 ? days : days - 146096) / 146097;
    auto const doe = days - era * 146097;
    auto const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    auto const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    auto const mp = (5 * doy + 2) / 153;
    auto const day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    auto const month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    auto const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    return {
        year, month, day, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60)};
}

void two_digits(std::string& out, int n)
{
    out += static_cast<char>('0' + n / 10);
    out += static_cast<char>('0' + n % 10);
}

// "7 Dec 2026": English month names whatever the process's locale, and day before month,
// which no reader takes for another date.
std::string readable_date(civil const& c)
{
    static constexpr char const* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::string out = std::to_string(c.day);
    out += ' ';
    out += months[c.month - 1];
    out += ' ';
    out += std::to_string(c.year);
    return out;
}

std::string readable_date(std::int64_t unix_seconds)
{
    return readable_date(utc(unix_seconds));
}

}  // namespace

std::string rfc3339(std::int64_t unix_seconds)
{
    auto const c = utc(unix_seconds);
    std::string out;
    out.reserve(20);
    if (c.year >= 0 && c.year < 10000) {
        auto const y = static_cast<int>(c.year);
        two_digits(out, y / 100);
        two_digits(out, y % 100);
    } else {
        out += std::to_string(c.year);
    }
    out += '-';
    two_digits(out, c.month);
    out += '-';
    two_digits(out, c.day);
    out += 'T';
    two_digits(out, c.hour);
    out += ':';
    two_digits(out, c.minute);
    out += ':';
    two_digits(out, c.second);
    out += 'Z';
    return out;
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
    auto const c = utc(unix_seconds);
    auto out = readable_date(c);
    out += ", ";
    two_digits(out, c.hour);
    out += ':';
    two_digits(out, c.minute);
    out += " UTC";
    return out;
}

}  // namespace peerdesk::domain
