#pragma once
// The JSON API's input and output, shared by every room: reading bodies and query strings with
// a clear 4xx for each mistake, and the JSON shapes of ../shared/API.md.
#include "server/app/actions.hpp"
#include "server/app/search_service.hpp"
#include "server/store/models.hpp"

#include <boost/json.hpp>

#include <variant>

namespace peerdesk::app {

// ---- reading input ----
std::variant<boost::json::object, failure> body_object(call& c);
// An optional JSON body (DELETE and the moderator verbs may come without one).
std::variant<boost::json::object, failure> optional_body(call& c);
// Reads an optional string field; a present field of another type is an error.
std::optional<failure> read_string(boost::json::object const& o, std::string_view key, std::optional<std::string>& out);
std::optional<failure> require_string(boost::json::object const& o, std::string_view key, std::string& out);
// A required string field of at most max bytes.
std::variant<std::string, failure> string_field(boost::json::object const& o, std::string_view key,
                                                std::size_t max = 1000);
std::optional<failure> read_tags(boost::json::object const& o, std::optional<std::vector<std::string>>& out);
// The optional "reason" a moderator gives.
std::string reason_of(boost::json::object const& body);

struct paging {
    std::int64_t page = 1;
    std::int64_t pagesize = 30;
};
std::variant<paging, failure> read_paging(http::fields const& query);
std::variant<http::fields, failure> query_of(call& c);
// A list's query string: its fields and the page asked for, or the failure naming what to fix.
struct list_query {
    http::fields fields;
    paging page;
};
std::variant<list_query, failure> read_list_query(call& c);
// The entry of a table of choices (each with a `key`, as the lists' sorts) that a query's field
// names: the first when the field is absent or empty, else the failure that lists the keys.
template <typename Choice, std::size_t N>
std::variant<Choice, failure> read_choice(http::fields const& q, std::string_view field, Choice const (&table)[N])
{
    auto const key = http::find_field(q, field);
    if (!key || key->empty()) return table[0];
    for (auto const& choice : table)
        if (choice.key == *key) return choice;
    std::string keys;
    for (auto const& choice : table) keys += (keys.empty() ? "" : ", ") + std::string(choice.key);
    return failure{failure_kind::invalid, "invalid_field", std::string(field) + " is one of " + keys + ".",
                   std::string(field)};
}
// A sorted list's query: its fields, the page and the sort named from the table.
template <typename Choice>
struct sorted_query {
    http::fields fields;
    paging page;
    Choice sort;
};
template <typename Choice, std::size_t N>
std::variant<sorted_query<Choice>, failure> read_sorted_query(call& c, Choice const (&sorts)[N])
{
    auto listed = read_list_query(c);
    if (auto const* f = std::get_if<failure>(&listed)) return *f;
    auto& [fields, page] = std::get<list_query>(listed);
    auto sorted = read_choice(fields, "sort", sorts);
    if (auto const* f = std::get_if<failure>(&sorted)) return *f;
    return sorted_query<Choice>{std::move(fields), page, std::get<Choice>(sorted)};
}
// The same for a page, which forgives an unknown key (an old link) and shows the first.
template <typename Choice, std::size_t N>
Choice choice_or_first(http::fields const& q, std::string_view field, Choice const (&table)[N])
{
    auto chosen = read_choice(q, field, table);
    if (auto const* c = std::get_if<Choice>(&chosen)) return *c;
    return table[0];
}
std::optional<std::int64_t> id_param(call& c, std::string_view name = "id");
http::response bad_id(std::string_view what);

// Parses the JSON body into `name`, or answers the failure.
#define PEERDESK_TRY_BODY(name)                                                          \
    auto name##_parsed = body_object(c);                                                 \
    if (auto const* f = std::get_if<failure>(&name##_parsed)) return error_response(*f); \
    auto const& name = std::get<boost::json::object>(name##_parsed)

// ---- writing output ----
boost::json::object author_json(store::author_ref const& a);
boost::json::object user_json(store::user_row const& u, store::user_counts const& counts);
boost::json::array tags_json(std::vector<std::string> const& tags);
boost::json::object comment_json(store::comment_row const& c);
boost::json::object post_json(store::post_row const& p, bool with_viewer);
boost::json::object question_json(store::question_thread const& t, bool with_viewer);
boost::json::object summary_json(store::question_summary const& q);
boost::json::object hit_json(store::hit_row const& h);
// {items:[hit + snippet_html, url], page, pagesize, total, query, suggestion?}
boost::json::object search_json(search_results const& found);
// Questions like a title or a question: {items:[hit + url], page: 1, pagesize, total}.
boost::json::object similar_json(std::vector<store::hit_row> const& rows);

// A page of a list: {items, page, pagesize, total}.
template <typename T, typename Fn>
boost::json::object list_json(store::page_of<T> const& page, Fn&& item)
{
    boost::json::array items;
    for (auto const& i : page.items) items.push_back(item(i));
    return {{"items", std::move(items)}, {"page", page.page}, {"pagesize", page.pagesize}, {"total", page.total}};
}
// A whole list on one page: {items, page: 1, pagesize: n, total: n}.
boost::json::object whole_list_json(boost::json::array items);

// The thread as the viewer sees it, or 404.
http::response question_response(call& c, std::int64_t id, int status);
// 202: stored, but waiting for a moderator before anyone else sees it.
http::response held_response(posted const& p, std::string_view type);

}  // namespace peerdesk::app
