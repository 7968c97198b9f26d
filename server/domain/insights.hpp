#pragma once
// The arithmetic of insights, facts in and figures out: calendar days and months, the buckets
// that times to a first answer are counted in and the percentiles read back from them, the
// normal form a logged search takes, and the 90-9-1 split of a community's answers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::domain {

// UTC days since 1970-01-01.
inline std::int64_t day_of(std::int64_t unix_seconds)
{
    return unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
}
// year * 12 + month - 1 of a day.
std::int64_t month_of_day(std::int64_t day);
// The first day of a month as above.
std::int64_t first_day_of_month(std::int64_t month);
// "2026-12-07".
std::string day_text(std::int64_t day);
// "Dec 2026".
std::string month_text(std::int64_t month);
// A day from "YYYY-MM-DD" (a real date from 1970 to 9999); nothing otherwise.
std::optional<std::int64_t> parse_day(std::string_view text);

// Times to a first answer are counted in buckets: whole minutes under an hour, quarter hours
// under two days, hours up to a year, and a last bucket beyond. A bucket stands for its lower
// bound, so a percentile is exact to the minute for fast answers and to the hour for slow ones.
int delay_bucket(std::int64_t seconds);
std::int64_t bucket_floor(int bucket);

struct bucket_count {
    int bucket = 0;
    std::int64_t count = 0;
};
// The nearest-rank percentile (0 < p <= 100) of the counted delays, as a bucket's lower bound;
// nothing when nothing was counted. buckets need not be sorted or distinct.
std::optional<std::int64_t> delay_percentile(std::vector<bucket_count> buckets, int p);

// "1 h 30 min", "45 min", "2 d 3 h", "30 s".
std::string duration_text(std::int64_t seconds);

// The form a search is logged and grouped under: lower-case (ASCII letters), spaces collapsed,
// trimmed, at most 100 bytes cut on a character boundary. Empty for text that is not UTF-8.
std::string normalize_logged_query(std::string_view text);

// Of the answers in a period, the shares written by the most active 1 % of answerers, the next
// 9 % and the rest (answerer counts rounded up, so one answerer of ten is the top 1 %).
struct participation {
    std::int64_t answerers = 0;
    std::int64_t answers = 0;
    std::int64_t top1_answers = 0;
    std::int64_t next9_answers = 0;
    std::int64_t rest_answers = 0;
};
participation split_participation(std::vector<std::int64_t> answers_per_answerer);

}  // namespace peerdesk::domain
