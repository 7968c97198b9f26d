#pragma once
#include <cstdint>
#include <string>

namespace peerdesk::domain {

// Seconds since the Unix epoch, UTC.
std::int64_t now();
// "2026-11-23T10:43:00Z".
std::string rfc3339(std::int64_t unix_seconds);
// "3 minutes ago", "2 days ago", "in 3 days", or a date ("7 Nov 2026") beyond a month;
// relative to `reference`.
std::string relative_time(std::int64_t unix_seconds, std::int64_t reference);
// The exact time for people to read, in UTC: "7 Dec 2026, 04:30 UTC".
std::string readable_time(std::int64_t unix_seconds);

}  // namespace peerdesk::domain
