#include "server/domain/time.hpp"

#include <doctest/doctest.h>

#include <ctime>
#include <string>

using namespace peerdesk::domain;

namespace {
constexpr std::int64_t dec7 = 1796617800;  // 2026-12-07T04:30:00Z
}

TEST_CASE("a time reads as a date in words with the hour in UTC")
{
    CHECK(rfc3339(dec7) == "2026-12-07T04:30:00Z");
    CHECK(readable_time(dec7) == "7 Dec 2026, 04:30 UTC");
}

TEST_CASE("recent times are relative, older ones a date in words, future ones ahead")
{
    CHECK(relative_time(dec7, dec7 + 10) == "just now");
    CHECK(relative_time(dec7, dec7 + 3 * 3600) == "3 hours ago");
    CHECK(relative_time(dec7, dec7 + 86400) == "1 day ago");
    CHECK(relative_time(dec7, dec7 + 40 * 86400) == "7 Dec 2026");
    CHECK(relative_time(dec7 + 3 * 86400, dec7) == "in 3 days");
    CHECK(relative_time(dec7 + 90 * 60, dec7) == "in 1 hour");
}

TEST_CASE("times are written as the C library writes them, across centuries, leap days and before 1970")
{
    using namespace peerdesk::domain;
    for (std::int64_t t : {0LL, 59LL, 951782400LL, 951868799LL, 4107542400LL, -1LL, -86400LL * 365 * 30 - 7,
                           1709164800LL, 253402300799LL}) {
        std::time_t const tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        char iso[40];
        std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
        char clock[16];
        std::strftime(clock, sizeof clock, ", %H:%M UTC", &tm);
        static constexpr char const* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        CAPTURE(t);
        CHECK(rfc3339(t) == iso);
        CHECK(readable_time(t) ==
              std::to_string(tm.tm_mday) + " " + months[tm.tm_mon] + " " + std::to_string(tm.tm_year + 1900) + clock);
    }
    // Every day of four years, leap and century rules included.
    for (std::int64_t t = 946684800LL - 86400LL * 400; t < 946684800LL + 86400LL * 1100; t += 86400 + 3599) {
        std::time_t const tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        char iso[40];
        std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
        REQUIRE(rfc3339(t) == iso);
    }
}
