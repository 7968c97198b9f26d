// Ideas: the board, the roadmap and proposing, pages and JSON API; one idea's page and the
// verbs on it are in idea_page.cpp, the actions in idea_actions.cpp.
//
// DESIGN. An idea is a post of kind 'idea' (comments, flags, review, revisions, delete and
// undelete, the spam rules and rate limits act on it as on any post); idea_store keeps what
// only ideas have. A vote is spent while its idea is open: the budget is the count of a member's
// votes on open, public ideas, read in the transaction that adds one, so that two votes at once
// cannot both take the last one. A status change writes its history row, the author's
// notification and reputation, and one fan-out row in one transaction; the voters and
// followers are told by the notification worker in batches (notifications.cpp), never in the
// moderator's request. A merge moves votes, followers and links in one transaction.
#include "server/app/ideas.hpp"
#include "server/app/idea_actions.hpp"

#include "server/app/api_io.hpp"
#include "server/app/frame.hpp"
#include "server/app/new_post.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/search_service.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/store/idea_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;
using store::idea_status;

using namespace idea;

constexpr std::int64_t board_pagesize = 30;
constexpr std::int64_t trending_seconds = 21 * 24 * 3600;  // "votes in recent weeks"
constexpr std::int64_t roadmap_delivered_seconds = 90 * 24 * 3600;

json::object summary_json(store::idea_summary const& i)
{
    return {{"id", i.id},
            {"title", i.title},
            {"status", store::to_sql(i.status)},
            {"votes", i.votes},
            {"demand", i.demand},
            {"comment_count", i.comments},
            {"tags", tags_json(i.tags)},
            {"author", author_json(i.author)},
            {"created_at", domain::rfc3339(i.created_at)},
            {"status_changed_at", domain::rfc3339(i.status_at)},
            {"excerpt", i.excerpt},
            {"url", urls::idea(i.id)}};
}

struct sort_choice {
    std::string_view key;
    std::string_view label;
    store::idea_sort sort;
};
constexpr sort_choice sorts[] = {{"top", "Top", store::idea_sort::top},
                                 {"trending", "Trending", store::idea_sort::trending},
                                 {"newest", "Newest", store::idea_sort::newest}};

response api_list(call& c)
{
    auto listed = read_sorted_query(c, sorts);
    if (auto const* f = std::get_if<failure>(&listed)) return error_response(*f);
    auto const& [q, p, chosen] = std::get<sorted_query<sort_choice>>(listed);
    std::optional<idea_status> status;
    if (auto const s = http::find_field(q, "status"); s && !s->empty()) {
        status = store::parse_idea_status(*s);
        if (!status)
            return error_response({failure_kind::invalid, "invalid_field",
                                   "status is one of new, under_review, planned, in_progress, delivered, declined, "
                                   "duplicate.",
                                   "status"});
    }
    std::optional<std::string> tag;
    if (auto const t = http::find_field(q, "tag"); t && !t->empty()) tag = domain::normalize_tag(*t);
    auto const page = store::idea_store(c.ctx.db.reader())
                          .board(chosen.sort, status, tag, domain::now() - trending_seconds, p.page, p.pagesize);
    return json_response(200, list_json(page, summary_json));
}

new_post_kind proposing()
{
    return {.template_name = "idea_new",
            .heading = "Propose an idea",
            .doing = "propose an idea",
            .held_heading = "Your idea is waiting for a moderator",
            .type = "idea",
            .form_url = urls::new_idea(),
            .url_of = urls::idea,
            .act = propose};
}

response api_create(call& c)
{
    auto created = create_new_post(c, proposing());
    if (auto* refusal = std::get_if<response>(&created)) return std::move(*refusal);
    auto const id = std::get<posted>(created).id;
    auto r = idea_response(c, id, 201);
    r.set("Location", urls::api_idea(id));
    return r;
}

response api_similar(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const title = read_typed_title(c.ctx, c.who, std::get<http::fields>(query));
    if (auto const* f = failed(title)) return error_response(*f);
    auto const ids = similar_idea_ids(c.ctx, std::get<std::string>(title), 8);
    if (auto const* f = failed(ids)) return error_response(*f);
    json::array items;
    for (auto const& i : store::idea_store(c.ctx.db.reader()).summaries_of(std::get<std::vector<std::int64_t>>(ids)))
        if (i.status != idea_status::duplicate) items.push_back(summary_json(i));
    return json_response(200, whole_list_json(std::move(items)));
}

// ---- pages ----

view idea_summary_view(store::idea_summary const& i)
{
    view v;
    v.set("id", i.id)
        .set("url", urls::idea(i.id))
        .set("title", i.title)
        .set("status", status_view(i.status))
        .set("votes", i.votes)
        .set("votes_label", i.votes == 1 ? "vote" : "votes")
        .set("demand", i.demand)
        .set("demand_label", i.demand == 1 ? "question" : "questions")
        .set("comments", i.comments)
        .set("excerpt", i.excerpt)
        .set("tags", tag_views(i.tags))
        .set("author", author_view(i.author))
        .set("proposed", time_view(i.created_at))
        .set("changed", time_view(i.status_at));
    return v;
}

std::vector<view> idea_summary_views(std::vector<store::idea_summary> const& items)
{
    std::vector<view> out;
    for (auto const& i : items) out.push_back(idea_summary_view(i));
    return out;
}

std::string board_url(std::string_view sort, std::optional<idea_status> status, std::optional<std::string> const& tag)
{
    std::string url = urls::ideas() + "?sort=" + std::string(sort);
    if (status) url += "&status=" + std::string(store::to_sql(*status));
    if (tag) url += "&tag=" + http::percent_encode(*tag);
    return url;
}

response board_page(call& c)
{
    auto const query = query_fields(c);
    auto const chosen = choice_or_first(query, "sort", sorts);
    std::optional<idea_status> status;
    if (auto const s = http::find_field(query, "status"); s && !s->empty()) status = store::parse_idea_status(*s);
    std::optional<std::string> tag;
    if (auto const t = http::find_field(query, "tag"); t && !t->empty()) tag = domain::normalize_tag(*t);
    auto const page_number = page_param(query);
    auto const data =
        store::idea_store(c.ctx.db.reader())
            .board(chosen.sort, status, tag, domain::now() - trending_seconds, page_number, board_pagesize);
    std::vector<view> tabs;
    for (auto const& s : sorts) {
        view t;
        t.set("label", s.label).set("url", board_url(s.key, status, tag)).set("current", s.key == chosen.key);
        tabs.push_back(std::move(t));
    }
    std::vector<view> filters;
    {
        view all;
        all.set("label", "All").set("url", board_url(chosen.key, std::nullopt, tag)).set("current", !status);
        filters.push_back(std::move(all));
    }
    for (auto const& s : statuses) {
        if (s.status == idea_status::duplicate) continue;
        view f;
        f.set("label", s.label).set("url", board_url(chosen.key, s.status, tag)).set("current", status == s.status);
        filters.push_back(std::move(f));
    }
    view v;
    v.set("heading", tag ? "Ideas tagged [" + *tag + "]" : std::string("Ideas"))
        .set("total", with_thousands(data.total))
        .set("total_label", data.total == 1 ? "idea" : "ideas")
        .set("tabs", tabs)
        .set("filters", filters)
        .set("ideas", idea_summary_views(data.items))
        .set("empty", data.items.empty())
        .set("new_url", urls::new_idea())
        .set("pager", pager_view(page_number, board_pagesize, data.total, board_url(chosen.key, status, tag)));
    if (tag) v.set("tag", *tag).set("all_url", board_url(chosen.key, status, std::nullopt));
    page_state feed;
    feed.feed_url = "/feeds/ideas.atom";
    feed.feed_title = "Idea status changes";
    auto const title = tag ? "Ideas tagged " + *tag : std::string("Ideas");
    // The board is the same for every member but for their votes left: kept for all, the count
    // written into its slot for each.
    if (c.who.signed_in())
        return shared_page(c, 200, "ideas", title, std::move(v), feed, [](render::html_builder& out, call& viewer) {
            auto const left = votes_left(viewer.ctx, viewer.ctx.db.reader(), viewer.who.user->id);
            out.markup(" · <span class=\"votes-left\">you have <b>")
                .number(left)
                .markup("</b> ")
                .markup(left == 1, "vote", "votes")
                .markup(" left</span>");
        });
    return page(c, 200, "ideas", title, std::move(v), feed);
}

response roadmap_page(call& c)
{
    store::idea_store ideas(c.ctx.db.reader());
    auto const now = domain::now();
    view v;
    std::vector<view> columns;
    for (auto const& [status, since, note] :
         {std::tuple{idea_status::planned, std::int64_t{0}, "What the team will build."},
          std::tuple{idea_status::in_progress, std::int64_t{0}, "Being built now."},
          std::tuple{idea_status::delivered, now - roadmap_delivered_seconds, "Delivered in the last 90 days."}}) {
        auto const items = ideas.by_status(status, since, 50);
        view col;
        col.set("label", label_of(status))
            .set("key", store::to_sql(status))
            .set("note", note)
            .set("ideas", idea_summary_views(items))
            .set("empty", items.empty());
        columns.push_back(std::move(col));
    }
    v.set("columns", columns).set("board_url", urls::ideas());
    page_state feed;
    feed.feed_url = "/feeds/ideas.atom";
    feed.feed_title = "Idea status changes";
    return page(c, 200, "roadmap", "Roadmap", std::move(v), feed);
}

response new_idea_page(call& c)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    auto const query = query_fields(c);
    return new_post_form(c, proposing(), 200, {field(query, "title").substr(0, 150), "", ""}, nullptr);
}

response post_new_idea(call& c)
{
    return post_new_post_form(c, proposing());
}

}  // namespace

view idea::status_view(idea_status s)
{
    view v;
    v.set("label", label_of(s))
        .set("key", store::to_sql(s))
        .set("label_lower", lowercase_first(std::string(label_of(s))));
    return v;
}

void add_idea_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/ideas", board_page);
    r.add(method::get, "/ideas/new", new_idea_page);
    r.add(method::post, "/ideas/new", post_new_idea);
    r.add(method::get, "/ideas/roadmap", roadmap_page);
    r.add(method::get, "/api/v1/ideas", api_list);
    r.add(method::post, "/api/v1/ideas", api_create);
    r.add(method::get, "/api/v1/ideas/similar", api_similar);
    idea::add_idea_page_routes(r);
}

}  // namespace peerdesk::app
