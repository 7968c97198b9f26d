#include "server/domain/insights.hpp"

#include "server/domain/validation.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace peerdesk::domain {
namespace {

// Howard Hinnant's civil calendar algorithms (public domain), for days since 1970-01-01.
struct civil {
    std::int64_t year;
    unsigned month;  // 1..12
    unsigned day;    // 1..31
};

civil civil_from_days(std::int64_t z)
{
    z += 719468;
    std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
    auto const doe = static_cast<unsigned>(z - era * 146097);
    unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t const y = static_cast<std::int64_t>(yoe) + era * 400;
    unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned const mp = (5 * doy + 2) / 153;
    unsigned const d = doy - (153 * mp + 2) / 5 + 1;
    unsigned const m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
    auto const yoe = static_cast<unsigned>(y - era * 400);
    unsigned const doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr std::int64_t hour = 3600, two_days = 2 * 86400, year = 365 * 86400;
constexpr int minute_buckets = 60;                                          // 0 .. 59 min
constexpr int quarter_buckets = static_cast<int>((two_days - hour) / 900);  // 1 h .. 48 h
constexpr int hour_buckets = static_cast<int>((year - two_days) / hour);    // 2 d .. 365 d

}  // namespace

std::int64_t month_of_day(std::int64_t day)
{
    auto const c = civil_from_days(day);
    return c.year * 12 + c.month - 1;
}

std::int64_t first_day_of_month(std::int64_t month)
{
    return days_from_civil(month / 12, static_cast<unsigned>(month % 12) + 1, 1);
}

std::string day_text(std::int64_t day)
{
    auto const c = civil_from_days(day);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month, c.day);
    return buf;
}

std::string month_text(std::int64_t month)
{
    static constexpr char const* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return std::string(names[month % 12]) + " " + std::to_string(month / 12);
}

std::optional<std::int64_t> parse_day(std::string_view t)
{
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    auto number = [&](std::size_t from, std::size_t n) -> std::optional<unsigned> {
        unsigned v = 0;
        for (std::size_t i = from; i < from + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return std::nullopt;
            v = v * 10 + static_cast<unsigned>(t[i] - '0');
        }
        return v;
    };
    auto const y = number(0, 4), m = number(5, 2), d = number(8, 2);
    if (!y || !m || !d || *y < 1970 || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
    auto const day = days_from_civil(*y, *m, *d);
    auto const back = civil_from_days(day);  // 2026-02-30 comes back as March: not a date
    if (back.month != *m || back.day != *d) return std::nullopt;
    return day;
}

int delay_bucket(std::int64_t s)
{
    if (s < 0) s = 0;
    if (s < hour) return static_cast<int>(s / 60);
    if (s < two_days) return minute_buckets + static_cast<int>((s - hour) / 900);
    if (s < year) return minute_buckets + quarter_buckets + static_cast<int>((s - two_days) / hour);
    return minute_buckets + quarter_buckets + hour_buckets;
}

std::int64_t bucket_floor(int b)
{
    if (b < minute_buckets) return std::int64_t{b} * 60;
    b -= minute_buckets;
    if (b < quarter_buckets) return hour + std::int64_t{b} * 900;
    b -= quarter_buckets;
    if (b < hour_buckets) return two_days + std::int64_t{b} * hour;
    return year;
}

std::optional<std::int64_t> delay_percentile(std::vector<bucket_count> buckets, int p)
{
    std::sort(buckets.begin(), buckets.end(), [](auto const& a, auto const& b) { return a.bucket < b.bucket; });
    std::int64_t total = 0;
    for (auto const& b : buckets) total += std::max<std::int64_t>(b.count, 0);
    if (total == 0) return std::nullopt;
    // Nearest rank: the smallest value with at least p % of the counted values at or below it.
    std::int64_t const rank = std::max<std::int64_t>(1, (total * p + 99) / 100);
    std::int64_t seen = 0;
    for (auto const& b : buckets) {
        seen += std::max<std::int64_t>(b.count, 0);
        if (seen >= rank) return bucket_floor(b.bucket);
    }
    return bucket_floor(buckets.back().bucket);
}

std::string duration_text(std::int64_t s)
{
    if (s < 60) return std::to_string(s) + " s";
    if (s < hour) return std::to_string(s / 60) + " min";
    if (s < 86400) {
        auto const m = (s % hour) / 60;
        return std::to_string(s / hour) + " h" + (m ? " " + std::to_string(m) + " min" : "");
    }
    auto const h = (s % 86400) / hour;
    return std::to_string(s / 86400) + " d" + (h ? " " + std::to_string(h) + " h" : "");
}

std::string normalize_logged_query(std::string_view text)
{
    if (!valid_utf8(text)) return {};
    std::string out;
    bool space = false;
    for (char ch : text) {
        auto const c = static_cast<unsigned char>(ch);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ch;
    }
    if (out.size() > 100) {
        std::size_t cut = 100;
        // Back to the start of a character: continuation bytes are 10xxxxxx.
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
        while (!out.empty() && out.back() == ' ') out.pop_back();
    }
    return out;
}

participation split_participation(std::vector<std::int64_t> counts)
{
    std::erase_if(counts, [](std::int64_t n) { return n <= 0; });
    std::sort(counts.begin(), counts.end(), std::greater<>());
    participation p;
    p.answerers = static_cast<std::int64_t>(counts.size());
    auto const top = (p.answerers + 99) / 100;                         // the top 1 %, rounded up
    auto const top10 = std::min(p.answerers, (p.answerers + 9) / 10);  // the top 10 %
    for (std::int64_t i = 0; i < p.answerers; ++i) {
        auto const n = counts[static_cast<std::size_t>(i)];
        p.answers += n;
        if (i < top)
            p.top1_answers += n;
        else if (i < top10)
            p.next9_answers += n;
        else
            p.rest_answers += n;
    }
    return p;
}

}  // namespace peerdesk::domain
