#pragma once
#include <cstdint>
#include <string>

namespace peerdesk::domain {

// Seconds since the Unix epoch, UTC.
std::int64_t now();
// "2026-11-23T10:43:00Z".
std::string rfc3339(std::int64_t unix_seconds);
// "3 minutes ago", "2 days ago", or a date for older times; relative to `reference`.
std::string relative_time(std::int64_t unix_seconds, std::int64_t reference);

}  // namespace peerdesk::domain
