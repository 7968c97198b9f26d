#pragma once
// The figures of the insights and advocates pages, read from the kept aggregates
// (store::insight_store, the search log's daily counts) for a range of days, and the tables
// the pages, the charts beside them and the CSV downloads share. Used by insights.cpp.
#include "server/app/context.hpp"
#include "server/domain/insights.hpp"
#include "server/http/forms.hpp"
#include "server/store/insight_store.hpp"
#include "server/store/search_store.hpp"

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace peerdesk::app::insight {

// UTC days, both included.
struct date_range {
    std::int64_t from = 0, to = 0;
    std::int64_t length() const { return to - from + 1; }
};

// from and to (YYYY-MM-DD) from a query: the last 30 days by default, at most 366; a failure
// naming the field otherwise.
std::variant<date_range, failure> read_range(http::fields const& q);

struct age_row {
    std::string label;
    std::int64_t questions = 0;
};

struct share_month {
    std::int64_t month = 0;
    domain::participation p;
};

struct report {
    date_range range;
    std::vector<store::insight_day_row> days;  // every day of the range
    store::insight_day_row total;
    std::optional<std::int64_t> p50, p90;
    std::int64_t unanswered = 0;
    std::vector<age_row> unanswered_by_age;
    std::vector<store::tag_trend_row> busiest, growing;
    std::vector<store::content_gap> gaps;
    std::map<std::string, store::search_counts> searches;  // by source
    std::vector<store::search_day_row> widget_days;        // every day of the range
    std::vector<store::member_figures> top, rising;
    std::vector<share_month> participation;
    std::vector<store::help_tie_row> ties;
};

// What a page needs: each page reads only its own figures; the API reads both.
enum class report_parts { community, advocates, all };
report build_report(context& ctx, date_range range, report_parts parts = report_parts::all);

// ---- figures in words ----
std::string percent(std::int64_t part, std::int64_t whole);       // "62 %", "–" of nothing
boost::json::value share(std::int64_t part, std::int64_t whole);  // 0–1, null of nothing
std::string trend_text(std::int64_t now, std::int64_t before);
std::string tag_list(std::vector<std::string> const& tags);

// ---- the tables: one definition for the page, the CSV and the chart beside each ----
struct table {
    std::string name;  // in the CSV's address and the table's id
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
};
table daily_table(report const& r);
table summary_table(report const& r);
table unanswered_table(report const& r);
table tags_table(std::string name, std::vector<store::tag_trend_row> const& rows);
table gaps_table(report const& r);
table widget_table(report const& r);
table searches_table(report const& r);
table members_table(std::string name, std::vector<store::member_figures> const& rows, bool growth);
table participation_table(report const& r);
table helps_table(report const& r);
// A table by its name in the CSV's address, and which page's figures it needs.
std::optional<table> table_named(report const& r, std::string_view name);
report_parts parts_of_table(std::string_view name);
extern std::string_view const table_names;
// RFC 4180, CRLF line ends; a cell a spreadsheet would run as a formula starts with '.
std::string csv_of(table const& t);

}  // namespace peerdesk::app::insight
