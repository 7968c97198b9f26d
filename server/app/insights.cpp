// Insights and advocates for moderators and admins: what flows through the community (questions
// and answers, how fast they are answered, what customers search for and do not find, the
// widget's searches and clicks, the tags) and who carries it (rising advocates, the 90-9-1
// picture, who helps whom). Every figure is read from aggregates kept at write time
// (store::insight_store, the search log's daily counts), never from a scan of the posts, so a
// page costs the same few hundred rows at any size of community (the figures and tables are
// read in insight_report.cpp). Charts are SVG drawn here (render/charts) with a table of the
// same numbers beside each, and each table downloads as CSV.
#include "server/app/insight_report.hpp"

#include "server/app/api_io.hpp"
#include "server/app/frame.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/render/charts.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

using namespace insight;

// ---- pages ----

std::string range_query(date_range const& r)
{
    return "from=" + domain::day_text(r.from) + "&to=" + domain::day_text(r.to);
}

view table_view(table const& t, date_range const& r, std::string const& caption)
{
    view v;
    std::vector<view> columns, rows;
    for (auto const& c : t.columns) {
        view col;
        col.set("name", c);
        columns.push_back(std::move(col));
    }
    for (auto const& row : t.rows) {
        std::vector<view> cells;
        for (std::size_t i = 0; i < row.size(); ++i) {
            view cell;
            cell.set("text", row[i]).set("first", i == 0);
            cells.push_back(std::move(cell));
        }
        view rv;
        rv.set("cells", std::move(cells));
        rows.push_back(std::move(rv));
    }
    v.set("id", t.name + "-table")
        .set("caption", caption)
        .set("columns", std::move(columns))
        .set("rows", std::move(rows))
        .set("empty", t.rows.empty())
        .set("csv_url", "/admin/insights/csv/" + t.name + "?" + range_query(r));
    return v;
}

std::vector<std::int64_t> column(table const& t, std::size_t i)
{
    std::vector<std::int64_t> out;
    for (auto const& r : t.rows) out.push_back(std::stoll(r[i]));
    return out;
}

std::vector<std::string> first_column(table const& t)
{
    std::vector<std::string> out;
    for (auto const& r : t.rows) out.push_back(r[0]);
    return out;
}

view range_view(date_range const& r, std::string const& from_text, std::string const& to_text, std::string const& error,
                std::string const& error_field)
{
    view v;
    v.set("from", from_text.empty() ? domain::day_text(r.from) : from_text)
        .set("to", to_text.empty() ? domain::day_text(r.to) : to_text)
        .set("error", error)
        .set("from_error", error_field == "from")
        .set("to_error", error_field == "to")
        .set("days", r.length())
        .set("query", range_query(r));
    return v;
}

// The range from the query, or the page with the form and what to fix (422).
std::variant<date_range, response> page_range(call& c, std::string_view name, std::string const& title)
{
    auto const q = query_fields(c);
    auto range = read_range(q);
    if (auto const* f = std::get_if<failure>(&range)) {
        auto const today = domain::day_of(domain::now());
        view v;
        v.set("range", range_view({today - 29, today}, field(q, "from"), field(q, "to"), f->message, f->field));
        v.set("invalid", true);
        return page(c, *f, name, title, std::move(v));
    }
    return std::get<date_range>(range);
}

response insights_page(call& c)
{
    if (auto r = require_moderator_page(c)) return std::move(*r);
    auto got = page_range(c, "admin_insights", "Insights");
    if (auto* refusal = std::get_if<response>(&got)) return std::move(*refusal);
    auto const range = std::get<date_range>(got);
    auto const r = build_report(c.ctx, range, report_parts::community);
    auto const period = domain::day_text(range.from) + " to " + domain::day_text(range.to);

    view v;
    v.set("range", range_view(range, "", "", "", ""));
    bool const admin = !permissions(c.ctx, c.who).may_administer();
    if (field(query_fields(c), "forgotten") == "1")
        v.set("notice", "The search was forgotten on every day it was kept.");
    auto const& t = r.total;
    v.set("questions", with_thousands(t.questions))
        .set("answers", with_thousands(t.answers))
        .set("p50", r.p50 ? domain::duration_text(*r.p50) : "–")
        .set("p90", r.p90 ? domain::duration_text(*r.p90) : "–")
        .set("within_24h", percent(t.answered_24h, t.questions))
        .set("accepted_rate", percent(t.accepted, t.questions))
        .set("peer_share", percent(t.answers - t.staff_answers, t.answers))
        .set("unanswered", with_thousands(r.unanswered));
    v.set("summary", table_view(summary_table(r), range, "Figures for " + period));

    auto const daily = daily_table(r);
    render::chart qa{"daily",
                     "Questions and answers per day",
                     "Questions asked and answers written each day from " + period + ".",
                     first_column(daily),
                     {{"Questions", column(daily, 1)}, {"Answers", column(daily, 2)}},
                     ""};
    v.set_html("daily_chart_html", render::column_chart(qa));
    v.set("daily", table_view(daily, range, "Questions and answers per day"));

    auto const ages = unanswered_table(r);
    render::chart age{"unanswered",
                      "Unanswered questions by age",
                      "Live questions without an answer now, by when they were asked.",
                      first_column(ages),
                      {{"Unanswered questions", column(ages, 1)}},
                      "questions"};
    v.set_html("unanswered_chart_html", render::bar_chart(age));
    v.set("unanswered_table", table_view(ages, range, "Unanswered questions by age"));

    std::vector<view> gaps;
    for (auto const& g : r.gaps) {
        view gv;
        gv.set("query", g.query)
            .set("count", g.count)
            .set("widget", g.widget)
            .set("before", g.before)
            .set("trend", trend_text(g.count, g.before))
            .set("ask_url", urls::ask(g.query));
        gv.set("idea_url", urls::new_idea(g.query));
        gv.set("may_forget", admin);
        gaps.push_back(std::move(gv));
    }
    v.set("gaps", std::move(gaps))
        .set("has_gaps", !r.gaps.empty())
        .set("gaps_csv_url", "/admin/insights/csv/gaps?" + range_query(range));
    v.set("searches", table_view(searches_table(r), range, "Searches by where they were made"));

    auto const& w = r.searches.at("widget");
    v.set("widget_searches", with_thousands(w.searches))
        .set("widget_clicks", with_thousands(w.clicks))
        .set("widget_deflected", with_thousands(w.deflected))
        .set("widget_click_rate", percent(w.clicks, w.searches))
        .set("deflection", percent(w.deflected, w.searches));
    auto const widget = widget_table(r);
    render::chart wc{
        "widget",
        "The widget's searches and clicks per day",
        "Searches in the widget, results followed, and searches that ended on an answer, each day from " + period + ".",
        first_column(widget),
        {{"Searches", column(widget, 1)}, {"Clicks", column(widget, 2)}, {"Ended on an answer", column(widget, 3)}},
        ""};
    v.set_html("widget_chart_html", render::column_chart(wc));
    v.set("widget", table_view(widget, range, "The widget per day"));

    auto const busiest = tags_table("busiest-tags", r.busiest);
    render::chart tc{"busiest-tags",
                     "The busiest tags",
                     "Questions asked per tag from " + period + ", the busiest first.",
                     first_column(busiest),
                     {{"Questions", column(busiest, 1)}},
                     "questions"};
    v.set_html("tags_chart_html", render::bar_chart(tc));
    v.set("busiest", table_view(busiest, range, "The busiest tags"));
    v.set("growing",
          table_view(tags_table("growing-tags", r.growing), range,
                     "The fastest-growing tags, against the " + std::to_string(range.length()) + " days before"));
    return page(c, 200, "admin_insights", "Insights", std::move(v));
}

response advocates_page(call& c)
{
    if (auto r = require_moderator_page(c)) return std::move(*r);
    auto got = page_range(c, "admin_advocates", "Advocates");
    if (auto* refusal = std::get_if<response>(&got)) return std::move(*refusal);
    auto const range = std::get<date_range>(got);
    auto const r = build_report(c.ctx, range, report_parts::advocates);
    view v;
    v.set("range", range_view(range, "", "", "", ""));
    v.set("rising",
          table_view(members_table("rising", r.rising, true), range,
                     "Rising advocates: the 30 days to " + domain::day_text(range.to) + " against the 30 days before"));
    v.set("top", table_view(members_table("top", r.top, false), range, "Who answered most"));
    auto const shares = participation_table(r);
    render::chart pc{"participation",
                     "Who writes the answers, month by month",
                     "Answers written by the most active 1 % of answerers, the next 9 % and the rest, for the twelve "
                     "months to " +
                         domain::month_text(domain::month_of_day(range.to)) + ".",
                     first_column(shares),
                     {{"Top 1 %", column(shares, 3)}, {"Next 9 %", column(shares, 4)}, {"The rest", column(shares, 5)}},
                     "answers"};
    v.set_html("participation_chart_html", render::share_chart(pc));
    v.set("participation", table_view(shares, range, "Answers by the top 1 %, the next 9 % and the rest"));
    std::vector<render::graph_edge> edges;
    for (auto const& h : r.ties)
        edges.push_back({h.helper, h.asker, h.answers, h.tags.empty() ? "" : "in " + tag_list(h.tags)});
    v.set_html("helps_chart_html",
               render::tie_graph("helps", "Who helps whom",
                                 "The strongest ties: lines from each helper to the member they answered, thicker for "
                                 "more answers.",
                                 edges));
    v.set("helps", table_view(helps_table(r), range, "Who helps whom"));
    v.set("has_ties", !r.ties.empty());
    return page(c, 200, "admin_advocates", "Advocates", std::move(v));
}

response insights_csv(call& c)
{
    if (auto r = require_moderator_page(c)) return std::move(*r);
    auto const name = std::string(c.match["table"]);
    auto const q = query_fields(c);
    auto range = read_range(q);
    if (auto const* f = std::get_if<failure>(&range)) return message_page(c, *f, "Choose other dates", f->message);
    auto const r = build_report(c.ctx, std::get<date_range>(range), parts_of_table(name));
    auto const t = table_named(r, name);
    if (!t)
        return message_page(c, 404, "No such table", "The tables to download are " + std::string(table_names) + ".");
    response out;
    out.status = 200;
    out.set("Content-Type", "text/csv; charset=utf-8");
    auto const& d = std::get<date_range>(range);
    out.set("Content-Disposition", "attachment; filename=\"insights-" + name + "-" + domain::day_text(d.from) + "-" +
                                       domain::day_text(d.to) + ".csv\"");
    out.set("Cache-Control", "no-store");
    out.body = csv_of(*t);
    return out;
}

// Admins forget a logged search on every day (a visitor typed personal data into the box, say).
// Not written to the audit log: the log would keep the very text being forgotten.
outcome<std::int64_t> forget_search(context& ctx, viewer const& who, std::string const& query)
{
    if (auto f = permissions(ctx, who).may_administer("forget searches")) return *f;
    if (query.size() > 500 || domain::normalize_logged_query(query).empty())
        return failure{failure_kind::invalid, "invalid_field",
                       "Send the search to forget as query (at most 500 bytes).", "query"};
    return ctx.db.write([&](store::connection& db) { return store::search_store(db).forget_query(query); },
                        store::database::seen::no);
}

response post_forget_search(call& c)
{
    auto checked = signed_in_form(c, "/admin/insights");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const result = forget_search(c.ctx, c.who, field(form, "query"));
    if (auto const* f = failed(result)) return message_page(c, *f, "Not forgotten", f->message);
    auto back = "/admin/insights?forgotten=1";
    auto const from = field(form, "from"), to = field(form, "to");
    if (domain::parse_day(from) && domain::parse_day(to)) return redirect(back + ("&from=" + from + "&to=" + to));
    return redirect(back);
}

// ---- the API ----

response forget_search_api(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::optional<std::string> query;
    if (auto f = read_string(body, "query", query)) return error_response(*f);
    auto const result = forget_search(c.ctx, c.who, query.value_or(""));
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, json::object{{"query", domain::normalize_logged_query(*query)},
                                           {"forgotten", std::get<std::int64_t>(result)}});
}

// Rising members also carry the 30 days before and their growth.
json::object member_json(store::member_figures const& m, bool growth)
{
    json::array tags;
    for (auto const& t : m.top_tags) tags.emplace_back(t);
    json::object o{{"id", m.user_id},        {"username", m.username}, {"answers", m.answers},
                   {"accepted", m.accepted}, {"upvotes", m.upvotes},   {"top_tags", std::move(tags)}};
    if (growth) {
        o["accepted_before"] = m.accepted_before;
        o["upvotes_before"] = m.upvotes_before;
        o["growth"] = (m.accepted + m.upvotes) - (m.accepted_before + m.upvotes_before);
    }
    return o;
}

response insights_api(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_moderate("see insights")) return error_response(*f);
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto range = read_range(std::get<http::fields>(query));
    if (auto const* f = std::get_if<failure>(&range)) return error_response(*f);
    auto const r = build_report(c.ctx, std::get<date_range>(range));
    auto const& t = r.total;

    json::array days;
    for (auto const& d : r.days)
        days.push_back({{"day", domain::day_text(d.day)},
                        {"questions", d.questions},
                        {"answers", d.answers},
                        {"answered_within_24h", d.answered_24h},
                        {"accepted", d.accepted},
                        {"staff_answers", d.staff_answers}});
    json::array ages;
    for (auto const& a : r.unanswered_by_age) ages.push_back({{"asked", a.label}, {"questions", a.questions}});
    auto tag_rows = [](std::vector<store::tag_trend_row> const& rows) {
        json::array out;
        for (auto const& x : rows) out.push_back({{"tag", x.tag}, {"questions", x.questions}, {"before", x.before}});
        return out;
    };
    json::array gaps;
    for (auto const& g : r.gaps) {
        json::object o{{"query", g.query},
                       {"count", g.count},
                       {"widget", g.widget},
                       {"before", g.before},
                       {"trend", trend_text(g.count, g.before)},
                       {"last_at", domain::rfc3339(g.last_at)},
                       {"ask_url", urls::ask(g.query)}};
        o["idea_url"] = urls::new_idea(g.query);
        gaps.push_back(std::move(o));
    }
    json::object searches;
    for (auto const& [source, s] : r.searches)
        searches[source] = {{"searches", s.searches}, {"no_results", s.no_results}};
    auto const& w = r.searches.at("widget");
    json::array widget_days;
    for (auto const& d : r.widget_days)
        widget_days.push_back({{"day", domain::day_text(d.day)},
                               {"searches", d.searches},
                               {"clicks", d.clicks},
                               {"deflected", d.deflected},
                               {"no_results", d.no_results}});
    json::array top, rising, participation, helps;
    for (auto const& m : r.top) top.push_back(member_json(m, false));
    for (auto const& m : r.rising) rising.push_back(member_json(m, true));
    for (auto const& m : r.participation)
        participation.push_back({{"month", domain::day_text(domain::first_day_of_month(m.month)).substr(0, 7)},
                                 {"answerers", m.p.answerers},
                                 {"answers", m.p.answers},
                                 {"top1", m.p.top1_answers},
                                 {"next9", m.p.next9_answers},
                                 {"rest", m.p.rest_answers}});
    for (auto const& h : r.ties) {
        json::array tags;
        for (auto const& x : h.tags) tags.emplace_back(x);
        helps.push_back({{"helper", {{"id", h.helper_id}, {"username", h.helper}}},
                         {"helped", {{"id", h.asker_id}, {"username", h.asker}}},
                         {"count", h.answers},
                         {"accepted", h.accepted},
                         {"tags", std::move(tags)}});
    }
    auto optional_seconds = [](std::optional<std::int64_t> s) { return s ? json::value(*s) : json::value(nullptr); };
    json::object out{{"from", domain::day_text(r.range.from)},
                     {"to", domain::day_text(r.range.to)},
                     {"questions", t.questions},
                     {"answers", t.answers},
                     {"time_to_first_answer", {{"p50_s", optional_seconds(r.p50)}, {"p90_s", optional_seconds(r.p90)}}},
                     {"answered_within_24h", share(t.answered_24h, t.questions)},
                     {"accepted_rate", share(t.accepted, t.questions)},
                     {"peer_answer_share", share(t.answers - t.staff_answers, t.answers)},
                     {"unanswered", r.unanswered},
                     {"unanswered_by_age", std::move(ages)},
                     {"days", std::move(days)},
                     {"top_contributors", std::move(top)},
                     {"rising_contributors", std::move(rising)},
                     {"participation", std::move(participation)},
                     {"content_gaps", std::move(gaps)},
                     {"searches", std::move(searches)},
                     {"widget",
                      {{"searches", w.searches},
                       {"clicks", w.clicks},
                       {"deflected", w.deflected},
                       {"no_results", w.no_results},
                       {"deflection_rate", share(w.deflected, w.searches)},
                       {"days", std::move(widget_days)}}},
                     {"tags", {{"busiest", tag_rows(r.busiest)}, {"growing", tag_rows(r.growing)}}},
                     {"helps", std::move(helps)}};
    return json_response(200, out);
}

}  // namespace

void add_insight_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/admin/insights", insights_page);
    r.add(method::get, "/admin/advocates", advocates_page);
    r.add(method::get, "/admin/insights/csv/{table}", insights_csv);
    r.add(method::post, "/admin/insights/forget", post_forget_search);
    r.add(method::get, "/api/v1/admin/insights", insights_api);
    r.add(method::post, "/api/v1/admin/searches/forget", forget_search_api);
}

}  // namespace peerdesk::app
