// Search: the search page, the search API, questions similar to a title being typed and
// related to a question, and the admins' search log.
#include "server/app/frame.hpp"
#include "server/app/permissions.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/search_service.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/post_store.hpp"
#include "server/store/search_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

view hit_view(found_hit const& h)
{
    auto const& r = h.row;
    view v;
    v.set("url", h.url)
        .set("title", r.title)
        .set("score", r.score)
        .set("votes_label", r.score == 1 || r.score == -1 ? "vote" : "votes")
        .set("answer_count", r.answer_count)
        .set("answers_label", r.answer_count == 1 ? "answer" : "answers")
        .set("has_answers", r.answer_count > 0)
        .set("accepted", r.accepted)
        .set("is_answer", !r.is_question && !r.is_idea)
        .set("is_idea", r.is_idea)
        .set("accepted_answer", r.accepted_answer)
        .set("tags", tag_views(r.tags));
    v.set_html("snippet_html", h.snippet);
    return v;
}

response search_page(call& c)
{
    auto const query = query_fields(c);
    view v;
    auto const q = field(query, "q");
    v.set("q", q);
    auto parsed_request = read_search_request(query, query_source::site);
    if (auto const* f = std::get_if<failure>(&parsed_request)) {
        v.set("error", f->message);
        return page(c, *f, "search", "Search", std::move(v));
    }
    auto request = std::get<search_request>(parsed_request);
    std::string_view sort_key = "relevance";
    for (auto const& s : search_sorts)
        if (s.sort == request.sort) sort_key = s.key;
    if (sort_key != "relevance") v.set("sort_key", sort_key);
    bool const has_parameters = !request.tags.empty() || request.answered || request.accepted;
    if (q.empty() && !has_parameters) return page(c, 200, "search", "Search", std::move(v));
    if (auto f = check_rate(c.ctx, c.who, "searches", c.ctx.config.rates.search_per_address, rate_scope::address)) {
        v.set("error", f->message);
        return page(c, 429, "search", "Search", std::move(v));
    }

    // Members share result pages as readers do (the index's generation in the key: a page found
    // before the index took in a change is not shown after it).
    page_state state;
    if (c.ctx.search) state.kept_version = std::to_string(c.ctx.search->readers().generation());
    if (auto kept = kept_page(c, state.kept_version)) return std::move(*kept);
    auto result = find(c.ctx, request);
    if (auto const* f = failed(result)) {
        v.set("error", f->message);
        return page(c, *f, "search", "Search", std::move(v));
    }
    auto const& found = std::get<search_results>(result);
    auto const& parsed = found.parsed;
    auto const full = search::format_query(parsed.text, parsed.filter);
    v.set("q", full);  // parameters become visible filters in the box
    // The words as typed stay as typed while the reader moves through pages, sorts and filters.
    auto search_url = [&](std::string_view text, std::string_view sort) {
        return urls::search(text, sort) + (request.exact ? "&exact=1" : "");
    };
    if (request.exact) v.set("exact", true);

    // Filters are links that change the query text, so that what the box shows is what is searched.
    std::vector<view> filters;
    auto add_filter = [&](std::string_view label, bool on, auto&& toggle) {
        auto f = parsed.filter;
        toggle(f);
        view link;
        link.set("label", label).set("on", on).set("url", search_url(search::format_query(parsed.text, f), sort_key));
        filters.push_back(std::move(link));
    };
    add_filter("Answered", parsed.filter.answered, [](search::filters& f) { f.answered = !f.answered; });
    add_filter("Accepted", parsed.filter.accepted, [](search::filters& f) { f.accepted = !f.accepted; });
    add_filter("Questions", parsed.filter.kind == search::post_kind::question, [](search::filters& f) {
        f.kind = f.kind == search::post_kind::question ? search::post_kind::any : search::post_kind::question;
    });
    add_filter("Answers", parsed.filter.kind == search::post_kind::answer, [](search::filters& f) {
        f.kind = f.kind == search::post_kind::answer ? search::post_kind::any : search::post_kind::answer;
    });
    std::vector<view> tag_filters;
    for (auto const& t : parsed.filter.tags) {
        auto f = parsed.filter;
        std::erase(f.tags, t);
        view link;
        link.set("name", t).set("url", search_url(search::format_query(parsed.text, f), sort_key));
        tag_filters.push_back(std::move(link));
    }
    std::vector<view> tabs;
    for (auto const& s : search_sorts) {
        view t;
        t.set("label", s.label).set("url", search_url(full, s.key)).set("current", s.key == sort_key);
        tabs.push_back(std::move(t));
    }
    std::vector<view> hits;
    for (auto const& h : found.hits) hits.push_back(hit_view(h));
    auto const shown_total = std::min(found.total, max_search_results);
    v.set("searched", true)
        .set("total", (found.total_exact ? "" : "About ") + with_thousands(found.total))
        .set("total_label", found.total == 1 ? "result" : "results")
        .set("filters", filters)
        .set("tag_filters", tag_filters)
        .set("has_filters", full != parsed.text)
        .set("tabs", tabs)
        .set("hits", hits)
        .set("empty", found.hits.empty())
        .set("ask_url", urls::ask(parsed.text.substr(0, 150)))
        .set("pager", pager_view(found.page, found.pagesize, shown_total, search_url(full, sort_key)));
    if (!found.suggestion.empty())
        v.set("suggestion", found.suggestion).set("suggestion_url", urls::search(found.suggestion, sort_key));
    if (found.some_words) v.set("some_words", true);
    if (!found.corrected.empty())
        v.set("corrected", found.corrected)
            .set("typed", full)
            .set("typed_url", urls::search(full, sort_key) + "&exact=1");
    return shared_page(c, 200, "search", full.empty() ? "Search" : full + " · Search", std::move(v), state);
}

response search_posts(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto request = read_search_request(std::get<http::fields>(query), query_source::api);
    if (auto const* f = std::get_if<failure>(&request)) return error_response(*f);
    if (auto f = check_rate(c.ctx, c.who, "searches", c.ctx.config.rates.search_per_address, rate_scope::address))
        return error_response(*f);
    auto const found = find(c.ctx, std::get<search_request>(request));
    if (auto const* f = failed(found)) return error_response(*f);
    return json_response(200, search_json(std::get<search_results>(found)));
}

constexpr std::size_t similar_limit = 8;

response similar_to_title(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const title = read_typed_title(c.ctx, c.who, std::get<http::fields>(query));
    if (auto const* f = failed(title)) return error_response(*f);
    auto const found = similar_questions(c.ctx, std::get<std::string>(title), std::nullopt, similar_limit, true);
    if (auto const* f = failed(found)) return error_response(*f);
    return json_response(200, similar_json(std::get<std::vector<store::hit_row>>(found)));
}

response related_questions(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("question");
    auto const post = store::post_store(c.ctx.db.reader()).find_post(*id);
    if (!post || post->kind != domain::post_kind::question) return bad_id("question");
    auto const found = related_questions(c.ctx, *post);
    if (auto const* f = failed(found)) return error_response(*f);
    return json_response(200, similar_json(std::get<std::vector<store::hit_row>>(found)));
}

// Admins: what customers searched for, most asked first; no_hits=true lists only the searches
// that found nothing (the questions the community has not answered yet).
response search_log(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("see the search log")) return error_response(*f);
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const& q = std::get<http::fields>(query);
    std::int64_t days = 30;
    if (auto const d = http::find_field(q, "days")) {
        auto const n = parse_id(*d);
        if (!n || *n > 3650)
            return error_response(
                {failure_kind::invalid, "invalid_field", "days must be a whole number from 1 to 3650.", "days"});
        days = *n;
    }
    bool no_hits = false;
    if (auto const v = http::find_field(q, "no_hits")) no_hits = *v == "1" || *v == "true";
    auto const since = domain::now() - days * 86400;
    if (c.ctx.search) c.ctx.search->flush_log();
    store::search_store log(c.ctx.db.reader());
    auto const rows = no_hits ? log.no_hit_queries(since, 100) : log.top_queries(since, 100);
    json::array items;
    for (auto const& r : rows)
        items.push_back(json::object{{"query", r.query}, {"count", r.count}, {"last_at", domain::rfc3339(r.last_at)}});
    auto const n = static_cast<std::int64_t>(items.size());
    return json_response(200, json::object{{"items", std::move(items)}, {"page", 1}, {"pagesize", n}, {"total", n}});
}

}  // namespace

void add_search_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/search", search_page);
    r.add(method::get, "/api/v1/search", search_posts);
    r.add(method::get, "/api/v1/similar", similar_to_title);
    r.add(method::get, "/api/v1/admin/searches", search_log);
    r.add(method::get, "/api/v1/questions/{id}/similar", related_questions);
}

}  // namespace peerdesk::app
