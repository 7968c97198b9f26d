#include "server/render/charts.hpp"

#include "server/render/templates.hpp"

#include <algorithm>
#include <map>

namespace peerdesk::render {
namespace {

// Coordinates in tenths of a pixel, written as decimals.
html_builder& at(html_builder& b, std::int64_t tenths)
{
    if (tenths < 0) {
        b.markup("-");
        tenths = -tenths;
    }
    b.number(tenths / 10);
    if (tenths % 10) b.markup(".").number(tenths % 10);
    return b;
}

// 1, 2 or 5 times a power of ten, at least n: the top of an axis.
std::int64_t nice_top(std::int64_t n)
{
    if (n <= 1) return 1;
    std::int64_t p = 1;
    while (true) {
        for (std::int64_t f : {1, 2, 5})
            if (f * p >= n) return f * p;
        p *= 10;
    }
}

void open_svg(html_builder& b, chart const& c, std::int64_t width, std::int64_t height)
{
    b.markup("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" id=\"")
        .text(c.id)
        .markup("-chart\" data-table=\"")
        .text(c.id)
        .markup("-table\" viewBox=\"0 0 ")
        .number(width)
        .markup(" ")
        .number(height)
        .markup("\" aria-labelledby=\"")
        .text(c.id)
        .markup("-chart-title ")
        .text(c.id)
        .markup("-chart-desc\"><title id=\"")
        .text(c.id)
        .markup("-chart-title\">")
        .text(c.title)
        .markup("</title><desc id=\"")
        .text(c.id)
        .markup("-chart-desc\">")
        .text(c.description)
        .markup("</desc>");
}

// The series' class: s0, s1, … (colours in app.css).
void series_class(html_builder& b, std::size_t i)
{
    b.markup("s").number(static_cast<std::int64_t>(std::min<std::size_t>(i, 5)));
}

void mark(html_builder& b, chart const& c, std::size_t label, std::size_t series, std::int64_t x, std::int64_t y,
          std::int64_t w, std::int64_t h, std::string const& extra = {})
{
    auto const value = c.series[series].values[label];
    b.markup("<rect class=\"mark ");
    series_class(b, series);
    b.markup("\" x=\"");
    at(b, x).markup("\" y=\"");
    at(b, y).markup("\" width=\"");
    at(b, std::max<std::int64_t>(w, 1)).markup("\" height=\"");
    at(b, std::max<std::int64_t>(h, 0)).markup("\" data-label=\"").text(c.labels[label]);
    b.markup("\" data-series=\"").text(c.series[series].name).markup("\" data-value=\"").number(value);
    b.markup("\"><title>").text(c.labels[label]).markup(" — ").text(c.series[series].name).markup(": ").number(value);
    if (!c.unit.empty()) b.markup(" ").text(c.unit);
    b.text(extra).markup("</title></rect>");
}

void legend(html_builder& b, chart const& c, std::int64_t x, std::int64_t y)
{
    for (std::size_t s = 0; s < c.series.size(); ++s) {
        b.markup("<rect class=\"");
        series_class(b, s);
        b.markup("\" x=\"");
        at(b, x).markup("\" y=\"");
        at(b, y - 90).markup("\" width=\"10\" height=\"10\"/><text class=\"legend\" x=\"");
        at(b, x + 140).markup("\" y=\"");
        at(b, y).markup("\">").text(c.series[s].name).markup("</text>");
        x += 140 + static_cast<std::int64_t>(c.series[s].name.size()) * 70 + 200;
    }
}

}  // namespace

// A grid line across the plot at y and the start of its label at the left: the caller writes
// the value and closes the text.
html_builder& grid_line(html_builder& b, std::int64_t left, std::int64_t right_x, std::int64_t y)
{
    b.markup("<line class=\"grid\" x1=\"");
    at(b, left).markup("\" x2=\"");
    at(b, right_x).markup("\" y1=\"");
    at(b, y).markup("\" y2=\"");
    at(b, y).markup("\"/><text class=\"axis\" text-anchor=\"end\" x=\"");
    at(b, left - 80).markup("\" y=\"");
    return at(b, y + 40).markup("\">");
}

// A column's label under the plot, centred on x.
void column_label(html_builder& b, std::int64_t x, std::int64_t y, std::string const& label)
{
    b.markup("<text class=\"axis\" text-anchor=\"middle\" x=\"");
    at(b, x).markup("\" y=\"");
    at(b, y).markup("\">").text(label).markup("</text>");
}

safe_html column_chart(chart const& c)
{
    constexpr std::int64_t width = 6400, height = 2600, left = 520, right = 100, top = 400, bottom = 420;
    std::int64_t most = 0;
    for (auto const& s : c.series)
        for (auto v : s.values) most = std::max(most, v);
    auto const axis = nice_top(most);
    auto const plot_w = width - left - right, plot_h = height - top - bottom;
    auto const n = std::max<std::int64_t>(1, static_cast<std::int64_t>(c.labels.size()));
    auto const group = plot_w / n;
    auto const series = std::max<std::int64_t>(1, static_cast<std::int64_t>(c.series.size()));
    auto const bar = std::max<std::int64_t>(4, group * 8 / 10 / series);

    html_builder b;
    open_svg(b, c, width / 10, height / 10);
    legend(b, c, left, 220);
    // The axis: zero, half (when it is a whole number) and the top, with lines across.
    for (std::int64_t step = 0; step <= 2; ++step) {
        if (step == 1 && axis % 2 != 0) continue;
        auto const value = axis * step / 2;
        auto const y = top + plot_h - plot_h * step / 2;
        grid_line(b, left, width - right, y).number(value).markup("</text>");
    }
    // At most five labels under the columns, evenly spread, so that they never overlap.
    auto const every = (n + 4) / 5;
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(c.labels.size()); ++i) {
        auto const x0 = left + group * i + (group - bar * series) / 2;
        for (std::int64_t s = 0; s < static_cast<std::int64_t>(c.series.size()); ++s) {
            auto const v = c.series[static_cast<std::size_t>(s)].values[static_cast<std::size_t>(i)];
            auto const h = plot_h * v / axis;
            mark(b, c, static_cast<std::size_t>(i), static_cast<std::size_t>(s), x0 + bar * s, top + plot_h - h, bar,
                 h);
        }
        if (i % every == 0) {
            column_label(b, left + group * i + group / 2, height - bottom + 200, c.labels[static_cast<std::size_t>(i)]);
        }
    }
    b.markup("</svg>");
    return std::move(b).done();
}

safe_html bar_chart(chart const& c)
{
    constexpr std::int64_t width = 6400, left = 1800, right = 700, row = 280, top = 100;
    auto const n = static_cast<std::int64_t>(c.labels.size());
    auto const height = top + std::max<std::int64_t>(1, n) * row + 100;
    std::int64_t most = 1;
    if (!c.series.empty())
        for (auto v : c.series[0].values) most = std::max(most, v);
    html_builder b;
    open_svg(b, c, width / 10, height / 10);
    for (std::int64_t i = 0; i < n && !c.series.empty(); ++i) {
        auto const v = c.series[0].values[static_cast<std::size_t>(i)];
        auto const w = (width - left - right) * v / most;
        auto const y = top + row * i;
        b.markup("<text class=\"axis\" text-anchor=\"end\" x=\"");
        at(b, left - 80).markup("\" y=\"");
        at(b, y + 170).markup("\">").text(c.labels[static_cast<std::size_t>(i)]).markup("</text>");
        mark(b, c, static_cast<std::size_t>(i), 0, left, y + 40, w, row - 80);
        b.markup("<text class=\"value\" x=\"");
        at(b, left + w + 80).markup("\" y=\"");
        at(b, y + 170).markup("\">").number(v).markup("</text>");
    }
    b.markup("</svg>");
    return std::move(b).done();
}

safe_html share_chart(chart const& c)
{
    constexpr std::int64_t width = 6400, height = 2600, left = 520, right = 100, top = 400, bottom = 420;
    auto const plot_w = width - left - right, plot_h = height - top - bottom;
    auto const n = std::max<std::int64_t>(1, static_cast<std::int64_t>(c.labels.size()));
    auto const group = plot_w / n;
    auto const bar = std::max<std::int64_t>(4, group * 7 / 10);
    html_builder b;
    open_svg(b, c, width / 10, height / 10);
    legend(b, c, left, 220);
    for (std::int64_t step = 0; step <= 2; ++step) {
        auto const y = top + plot_h - plot_h * step / 2;
        grid_line(b, left, width - right, y).number(step * 50).markup(" %</text>");
    }
    auto const every = (n + 4) / 5;
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(c.labels.size()); ++i) {
        std::int64_t total = 0;
        for (auto const& s : c.series) total += s.values[static_cast<std::size_t>(i)];
        auto const x = left + group * i + (group - bar) / 2;
        std::int64_t below = 0;
        for (std::size_t s = 0; s < c.series.size(); ++s) {
            auto const v = c.series[s].values[static_cast<std::size_t>(i)];
            auto const h0 = total ? plot_h * below / total : 0;
            below += v;
            auto const h1 = total ? plot_h * below / total : 0;
            auto const share = total ? (v * 100 + total / 2) / total : 0;
            mark(b, c, static_cast<std::size_t>(i), s, x, top + plot_h - h1, bar, h1 - h0,
                 " (" + std::to_string(share) + " %)");
        }
        if (i % every == 0) {
            column_label(b, left + group * i + group / 2, height - bottom + 200, c.labels[static_cast<std::size_t>(i)]);
        }
    }
    b.markup("</svg>");
    return std::move(b).done();
}

safe_html tie_graph(std::string const& id, std::string const& title, std::string const& description,
                    std::vector<graph_edge> const& edges)
{
    std::vector<std::string> helpers, helped;
    auto place = [](std::vector<std::string>& side, std::string const& name) {
        auto it = std::find(side.begin(), side.end(), name);
        if (it == side.end()) {
            side.push_back(name);
            return static_cast<std::int64_t>(side.size() - 1);
        }
        return static_cast<std::int64_t>(it - side.begin());
    };
    std::vector<std::pair<std::int64_t, std::int64_t>> ends;
    std::int64_t most = 1;
    for (auto const& e : edges) {
        ends.emplace_back(place(helpers, e.from), place(helped, e.to));
        most = std::max(most, e.value);
    }
    constexpr std::int64_t width = 6400, row = 320, top = 700, left_x = 2000, right_x = 4400;
    auto const rows = static_cast<std::int64_t>(std::max<std::size_t>({helpers.size(), helped.size(), 1}));
    auto const height = top + rows * row + 100;
    chart c;
    c.id = id;
    c.title = title;
    c.description = description;
    html_builder b;
    open_svg(b, c, width / 10, height / 10);
    b.markup("<text class=\"legend\" text-anchor=\"end\" x=\"");
    at(b, left_x).markup("\" y=\"350\">Helpers</text><text class=\"legend\" x=\"");
    at(b, right_x).markup("\" y=\"350\">Helped</text>");
    for (std::size_t i = 0; i < edges.size(); ++i) {
        auto const& e = edges[i];
        auto const y1 = top + ends[i].first * row, y2 = top + ends[i].second * row;
        auto const stroke = 15 + 65 * e.value / most;  // 1.5 to 8 pixels
        b.markup("<path class=\"tie\" d=\"M");
        at(b, left_x + 100).markup(" ");
        at(b, y1).markup(" C");
        at(b, (left_x + right_x) / 2).markup(" ");
        at(b, y1).markup(" ");
        at(b, (left_x + right_x) / 2).markup(" ");
        at(b, y2).markup(" ");
        at(b, right_x - 100).markup(" ");
        at(b, y2).markup("\" stroke-width=\"");
        at(b, stroke).markup("\" data-label=\"").text(e.from + " → " + e.to);
        b.markup("\" data-series=\"Answers\" data-value=\"").number(e.value);
        b.markup("\"><title>").text(e.from + " helped " + e.to + ": ").number(e.value);
        b.markup(e.value == 1, " answer", " answers");
        if (!e.detail.empty()) b.markup(", ").text(e.detail);
        b.markup("</title></path>");
    }
    for (std::size_t i = 0; i < helpers.size(); ++i) {
        auto const y = top + static_cast<std::int64_t>(i) * row;
        b.markup("<circle class=\"node s0\" r=\"5\" cx=\"");
        at(b, left_x + 100).markup("\" cy=\"");
        at(b, y).markup("\"/><text class=\"axis\" text-anchor=\"end\" x=\"");
        at(b, left_x).markup("\" y=\"");
        at(b, y + 40).markup("\">").text(helpers[i]).markup("</text>");
    }
    for (std::size_t i = 0; i < helped.size(); ++i) {
        auto const y = top + static_cast<std::int64_t>(i) * row;
        b.markup("<circle class=\"node s1\" r=\"5\" cx=\"");
        at(b, right_x - 100).markup("\" cy=\"");
        at(b, y).markup("\"/><text class=\"axis\" x=\"");
        at(b, right_x).markup("\" y=\"");
        at(b, y + 40).markup("\">").text(helped[i]).markup("</text>");
    }
    b.markup("</svg>");
    return std::move(b).done();
}

}  // namespace peerdesk::render
