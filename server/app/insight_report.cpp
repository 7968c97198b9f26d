#include "server/app/insight_report.hpp"

#include "server/app/search_service.hpp"
#include "server/domain/time.hpp"

#include <algorithm>
#include <cctype>

namespace peerdesk::app::insight {
namespace {

constexpr std::int64_t max_range_days = 366;
constexpr std::int64_t members_shown = 10;
constexpr std::int64_t gaps_shown = 25;
constexpr std::int64_t ties_shown = 15;
constexpr std::int64_t tags_shown = 10;

}  // namespace

std::variant<date_range, failure> read_range(http::fields const& q)
{
    auto const today = domain::day_of(domain::now());
    date_range r{today - 29, today};
    auto read = [&](std::string_view name, std::int64_t& out) -> std::optional<failure> {
        auto const v = http::find_field(q, name);
        if (!v || v->empty()) return std::nullopt;
        auto const day = domain::parse_day(*v);
        if (!day)
            return failure{
                failure_kind::invalid, "invalid_field",
                std::string(name) + " is a date written YYYY-MM-DD, for example " + domain::day_text(today) + ".",
                std::string(name)};
        out = *day;
        return std::nullopt;
    };
    bool const from_given = http::find_field(q, "from") && !http::find_field(q, "from")->empty();
    if (auto f = read("to", r.to)) return *f;
    if (!from_given) r.from = r.to - 29;
    if (auto f = read("from", r.from)) return *f;
    if (r.from > r.to) return failure{failure_kind::invalid, "invalid_field", "from is a day on or before to.", "from"};
    if (r.length() > max_range_days)
        return failure{failure_kind::invalid, "invalid_field",
                       "A range is at most 366 days; choose a from closer to to.", "from"};
    return r;
}

namespace {

void add_community(store::connection& db, report& r)
{
    auto const range = r.range;
    store::insight_store insights(db);
    store::search_store searches(db);
    auto kept = insights.days(range.from, range.to);
    std::size_t next = 0;
    for (auto day = range.from; day <= range.to; ++day) {
        store::insight_day_row row{day};
        if (next < kept.size() && kept[next].day == day) row = kept[next++];
        r.total.questions += row.questions;
        r.total.answered += row.answered;
        r.total.answered_24h += row.answered_24h;
        r.total.accepted += row.accepted;
        r.total.answers += row.answers;
        r.total.staff_answers += row.staff_answers;
        r.days.push_back(row);
    }
    std::vector<domain::bucket_count> buckets;
    for (auto const& [b, n] : insights.first_answer_buckets(range.from, range.to)) buckets.push_back({b, n});
    r.p50 = domain::delay_percentile(buckets, 50);
    r.p90 = domain::delay_percentile(buckets, 90);

    auto const today = domain::day_of(domain::now());
    r.unanswered_by_age = {
        {"Asked today", 0}, {"1 to 6 days ago", 0}, {"7 to 29 days ago", 0}, {"30 days ago or more", 0}};
    for (auto const& [day, n] : insights.unanswered_by_day()) {
        auto const age = today - day;
        auto& slot = r.unanswered_by_age[age <= 0 ? 0 : age < 7 ? 1 : age < 30 ? 2 : 3];
        slot.questions += n;
        r.unanswered += n;
    }

    auto tags = insights.tag_trends(range.from, range.to);
    std::erase_if(tags, [](auto const& t) { return t.questions <= 0 && t.before <= 0; });
    r.busiest = tags;
    std::erase_if(r.busiest, [](auto const& t) { return t.questions <= 0; });
    std::sort(r.busiest.begin(), r.busiest.end(), [](auto const& a, auto const& b) {
        return a.questions != b.questions ? a.questions > b.questions : a.tag < b.tag;
    });
    if (r.busiest.size() > tags_shown) r.busiest.resize(tags_shown);
    r.growing = tags;
    std::erase_if(r.growing, [](auto const& t) { return t.questions <= t.before; });
    std::sort(r.growing.begin(), r.growing.end(), [](auto const& a, auto const& b) {
        auto const ga = a.questions - a.before, gb = b.questions - b.before;
        return ga != gb ? ga > gb : a.tag < b.tag;
    });
    if (r.growing.size() > tags_shown) r.growing.resize(tags_shown);

    r.gaps = searches.gaps(range.from, range.to, gaps_shown);
    for (auto const* s : {"site", "api", "widget"}) r.searches[s] = {};
    std::map<std::int64_t, store::search_day_row> widget;
    for (auto const& d : searches.day_totals(range.from, range.to)) {
        auto& t = r.searches[d.source];
        t.searches += d.searches;
        t.no_results += d.no_results;
        t.clicks += d.clicks;
        t.deflected += d.deflected;
        if (d.source == "widget") widget[d.day] = d;
    }
    for (auto day = range.from; day <= range.to; ++day) {
        auto it = widget.find(day);
        r.widget_days.push_back(it != widget.end() ? it->second : store::search_day_row{day, "widget"});
    }
}

void add_advocates(store::connection& db, report& r)
{
    auto const range = r.range;
    store::insight_store insights(db);
    r.top = insights.top_members(range.from, range.to, members_shown);
    r.rising = insights.rising_members(range.to, members_shown);
    // The twelve months to the end of the range, for a picture over time whatever its length.
    auto const last = domain::month_of_day(range.to);
    auto months = insights.answers_by_month(last - 11, last);
    std::size_t m = 0;
    for (auto month = last - 11; month <= last; ++month) {
        share_month s{month, {}};
        if (m < months.size() && months[m].month == month)
            s.p = domain::split_participation(months[m++].answers_per_answerer);
        r.participation.push_back(s);
    }
    // Whole calendar months: the ties are kept per month, not per day.
    r.ties = insights.strongest_ties(domain::month_of_day(range.from), last, ties_shown);
}

}  // namespace

report build_report(context& ctx, date_range range, report_parts parts)
{
    report r;
    r.range = range;
    // The searches counted since the log's last write belong in the figures.
    if (parts != report_parts::advocates && ctx.search) ctx.search->flush_log();
    auto& db = ctx.db.reader();
    if (parts != report_parts::advocates) add_community(db, r);
    if (parts != report_parts::community) add_advocates(db, r);
    return r;
}

// ---- figures in words ----

std::string percent(std::int64_t part, std::int64_t whole)
{
    if (whole <= 0) return "–";
    return std::to_string((part * 100 + whole / 2) / whole) + " %";
}

boost::json::value share(std::int64_t part, std::int64_t whole)
{
    if (whole <= 0) return nullptr;
    return static_cast<double>(part) / static_cast<double>(whole);
}

std::string trend_text(std::int64_t now, std::int64_t before)
{
    if (before == 0) return now > 0 ? "new" : "–";
    if (now > before) return "up from " + std::to_string(before);
    if (now < before) return "down from " + std::to_string(before);
    return "steady";
}

std::string tag_list(std::vector<std::string> const& tags)
{
    std::string out;
    for (auto const& t : tags) out += (out.empty() ? "" : ", ") + t;
    return out;
}

// ---- the tables: one definition for the page, the CSV and the chart beside each ----

table daily_table(report const& r)
{
    table t{"daily", {"Day", "Questions", "Answers", "Answered within 24 h", "Accepted", "Answers by staff"}, {}};
    for (auto const& d : r.days)
        t.rows.push_back({domain::day_text(d.day), std::to_string(d.questions), std::to_string(d.answers),
                          std::to_string(d.answered_24h), std::to_string(d.accepted), std::to_string(d.staff_answers)});
    return t;
}

table summary_table(report const& r)
{
    auto const& t = r.total;
    table out{"summary", {"Figure", "Value"}, {}};
    out.rows = {{"Questions asked", std::to_string(t.questions)},
                {"Answers written", std::to_string(t.answers)},
                {"Time to first answer, median (p50)", r.p50 ? domain::duration_text(*r.p50) : "–"},
                {"Time to first answer, p90", r.p90 ? domain::duration_text(*r.p90) : "–"},
                {"Questions answered within 24 h", percent(t.answered_24h, t.questions)},
                {"Questions with an accepted answer", percent(t.accepted, t.questions)},
                {"Answers from peers (not staff)", percent(t.answers - t.staff_answers, t.answers)},
                {"Questions unanswered now", std::to_string(r.unanswered)}};
    return out;
}

table unanswered_table(report const& r)
{
    table t{"unanswered", {"Asked", "Unanswered questions"}, {}};
    for (auto const& a : r.unanswered_by_age) t.rows.push_back({a.label, std::to_string(a.questions)});
    return t;
}

table tags_table(std::string name, std::vector<store::tag_trend_row> const& rows)
{
    table t{std::move(name), {"Tag", "Questions", "Period before", "Change"}, {}};
    for (auto const& r : rows)
        t.rows.push_back({r.tag, std::to_string(r.questions), std::to_string(r.before),
                          (r.questions >= r.before ? "+" : "") + std::to_string(r.questions - r.before)});
    return t;
}

table gaps_table(report const& r)
{
    table t{"gaps", {"Search", "Searches without results", "Of them in the widget", "Period before", "Trend"}, {}};
    for (auto const& g : r.gaps)
        t.rows.push_back({g.query, std::to_string(g.count), std::to_string(g.widget), std::to_string(g.before),
                          trend_text(g.count, g.before)});
    return t;
}

table widget_table(report const& r)
{
    table t{"widget", {"Day", "Searches", "Clicks", "Ended on an answer", "Without results"}, {}};
    for (auto const& d : r.widget_days)
        t.rows.push_back({domain::day_text(d.day), std::to_string(d.searches), std::to_string(d.clicks),
                          std::to_string(d.deflected), std::to_string(d.no_results)});
    return t;
}

table searches_table(report const& r)
{
    table t{"searches", {"Where", "Searches", "Without results", "Clicks", "Ended on an answer"}, {}};
    for (auto const& [label, source] :
         {std::pair<char const*, char const*>{"Search page", "site"}, {"API", "api"}, {"Widget", "widget"}}) {
        auto const& s = r.searches.at(source);
        t.rows.push_back({label, std::to_string(s.searches), std::to_string(s.no_results), std::to_string(s.clicks),
                          std::to_string(s.deflected)});
    }
    return t;
}

table members_table(std::string name, std::vector<store::member_figures> const& rows, bool growth)
{
    table t{std::move(name), {"Member", "Answers", "Accepted", "Up-votes received"}, {}};
    if (growth) t.columns.insert(t.columns.end(), {"Accepted and up-votes, 30 days before", "Growth"});
    t.columns.push_back("Answers most in");
    for (auto const& m : rows) {
        auto const now = m.accepted + m.upvotes, before = m.accepted_before + m.upvotes_before;
        std::vector<std::string> row{m.username, std::to_string(m.answers), std::to_string(m.accepted),
                                     std::to_string(m.upvotes)};
        if (growth)
            row.insert(row.end(), {std::to_string(before), (now >= before ? "+" : "") + std::to_string(now - before)});
        row.push_back(tag_list(m.top_tags));
        t.rows.push_back(std::move(row));
    }
    return t;
}

table participation_table(report const& r)
{
    table t{"participation",
            {"Month", "Answerers", "Answers", "Top 1 %", "Next 9 %", "The rest", "Share of the top 1 %",
             "Share of the top 10 %"},
            {}};
    for (auto const& m : r.participation)
        t.rows.push_back({domain::month_text(m.month), std::to_string(m.p.answerers), std::to_string(m.p.answers),
                          std::to_string(m.p.top1_answers), std::to_string(m.p.next9_answers),
                          std::to_string(m.p.rest_answers), percent(m.p.top1_answers, m.p.answers),
                          percent(m.p.top1_answers + m.p.next9_answers, m.p.answers)});
    return t;
}

table helps_table(report const& r)
{
    table t{"helps", {"Helper", "Helped", "Answers", "Accepted", "In tags"}, {}};
    for (auto const& h : r.ties)
        t.rows.push_back({h.helper, h.asker, std::to_string(h.answers), std::to_string(h.accepted), tag_list(h.tags)});
    return t;
}

std::optional<table> table_named(report const& r, std::string_view name)
{
    if (name == "summary") return summary_table(r);
    if (name == "daily") return daily_table(r);
    if (name == "unanswered") return unanswered_table(r);
    if (name == "busiest-tags") return tags_table("busiest-tags", r.busiest);
    if (name == "growing-tags") return tags_table("growing-tags", r.growing);
    if (name == "gaps") return gaps_table(r);
    if (name == "searches") return searches_table(r);
    if (name == "widget") return widget_table(r);
    if (name == "rising") return members_table("rising", r.rising, true);
    if (name == "top") return members_table("top", r.top, false);
    if (name == "participation") return participation_table(r);
    if (name == "helps") return helps_table(r);
    return std::nullopt;
}

std::string_view const table_names =
    "summary, daily, unanswered, busiest-tags, growing-tags, gaps, searches, widget, rising, top, participation, "
    "helps";

namespace {

// A cell that a spreadsheet would run as a formula (searches are typed by anyone) starts with '.
std::string csv_cell(std::string const& s)
{
    std::string v = s;
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
        if (!(v[0] == '-' || v[0] == '+') || v.size() == 1 || !std::isdigit(static_cast<unsigned char>(v[1])))
            v = "'" + v;
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

}  // namespace

std::string csv_of(table const& t)
{
    std::string out;
    auto line = [&](std::vector<std::string> const& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_cell(cells[i]);
        out += "\r\n";
    };
    line(t.columns);
    for (auto const& r : t.rows) line(r);
    return out;
}

report_parts parts_of_table(std::string_view name)
{
    bool const advocates = name == "rising" || name == "top" || name == "participation" || name == "helps";
    return advocates ? report_parts::advocates : report_parts::community;
}

}  // namespace peerdesk::app::insight
