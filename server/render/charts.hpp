#pragma once
// Charts drawn on the server as accessible SVG: no script and no chart library in the page.
// Each chart has a <title> and a <desc> (role="img", labelled by them), and each mark carries
// its label, series and value (data-label, data-series, data-value) and a <title> a pointer or
// screen reader finds; the page puts a table with the same numbers beside it, and a test holds
// the two together. Text is escaped; coordinates and numbers are written by the code here.
#include "server/render/safe_html.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace peerdesk::render {

struct chart_series {
    std::string name;
    std::vector<std::int64_t> values;  // one per label
};

struct chart {
    // Unique in the page; letters, digits and hyphens. The chart is ID-chart, and the table
    // beside it with the same numbers is ID-table (data-table names it).
    std::string id;
    std::string title;
    std::string description;
    std::vector<std::string> labels;
    std::vector<chart_series> series;
    std::string unit;  // "questions", for the marks' titles
};

// Columns side by side for each label (days, months), a y axis from zero.
safe_html column_chart(chart const& c);
// One horizontal bar per label, for one series (tags, ages).
safe_html bar_chart(chart const& c);
// Columns stacked to the full height: each label's series as shares of its total.
safe_html share_chart(chart const& c);

struct graph_edge {
    std::string from;  // the helper
    std::string to;    // the member helped
    std::int64_t value = 0;
    std::string detail;  // "in printer, drivers"
};
// Who helps whom: helpers in a column on the left, the members they helped on the right, a line
// for each tie as thick as its value.
safe_html tie_graph(std::string const& id, std::string const& title, std::string const& description,
                    std::vector<graph_edge> const& edges);

}  // namespace peerdesk::render
