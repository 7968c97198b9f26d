#include "server/domain/time.hpp"

#include <doctest/doctest.h>

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
