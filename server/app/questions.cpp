// Questions: the lists (newest, active, most votes, unanswered; all or by tag), the tag index,
// and asking — each page beside its API.
#include "server/app/frame.hpp"
#include "server/app/inbox.hpp"
#include "server/app/new_post.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/drafts.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/tag_wiki.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/store/post_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

struct sort_choice {
    std::string_view key;
    std::string_view label;
    store::question_sort sort;
};
constexpr sort_choice sorts[] = {{"newest", "Newest", store::question_sort::newest},
                                 {"active", "Active", store::question_sort::active},
                                 {"votes", "Most votes", store::question_sort::votes},
                                 {"unanswered", "Unanswered", store::question_sort::unanswered}};

response question_list(call& c, std::optional<std::string> tag)
{
    if (auto kept = kept_page(c)) return std::move(*kept);
    auto const query = query_fields(c);
    // A page forgives an unknown sort (an old link) and shows the default.
    auto const chosen = choice_or_first(query, "sort", sorts);
    auto const page_number = page_param(query);
    store::post_store posts(c.ctx.db.reader());
    std::optional<store::tag_row> tag_found;
    if (tag && !(tag_found = posts.find_tag(*tag)))
        return message_page(c, 404, "No such tag", "No question is tagged \"" + *tag + "\" yet.");
    auto const page_data = posts.questions(chosen.sort, tag, page_number, 30);
    std::string const base = tag ? urls::tag(*tag) : urls::questions();
    std::vector<view> tabs;
    for (auto const& s : sorts) {
        view t;
        t.set("label", s.label).set("url", base + "?sort=" + std::string(s.key)).set("current", s.key == chosen.key);
        tabs.push_back(std::move(t));
    }
    view v;
    v.set("heading", tag ? "Questions tagged [" + *tag + "]" : std::string("All questions"))
        .set("total", with_thousands(page_data.total))
        .set("total_label", page_data.total == 1 ? "question" : "questions")
        .set("tabs", tabs)
        .set("questions", summary_views(page_data.items))
        .set("empty", page_data.items.empty())
        .set("pager", pager_view(page_number, 30, page_data.total, base + "?sort=" + std::string(chosen.key)));
    if (tag) {
        v.set("tag", *tag);
        v.set("tag_description", tag_found->description).set("tag_info_url", urls::tag(*tag) + "/info");
    }
    auto const title = tag ? "Questions tagged " + *tag : std::string("Questions");
    // An old link or a typed address can point past the last page: say so, and lead back.
    if (page_data.items.empty() && page_data.total > 0) {
        auto const pages = (page_data.total + 29) / 30;
        auto const first = base + "?sort=" + std::string(chosen.key);
        view past;
        past.set("page", page_number)
            .set("pages", pages)
            .set("pages_label", pages == 1 ? "page" : "pages")
            .set("first_url", first);
        if (pages > 1) past.set("last_url", first + "&page=" + std::to_string(pages)).set("last", pages);
        v.set("past_end", past);
        return page(c, 404, "questions", title + " · page " + std::to_string(page_number), std::move(v));
    }
    page_state feed;
    if (tag) {
        feed.feed_url = "/feeds/tags/" + http::percent_encode(*tag) + ".atom";
        feed.feed_title = "Questions tagged " + *tag;
    }
    // A tag page carries the member's own Follow button (and its CSRF token): the list is kept for
    // all members, the button is written into its slot for each.
    if (tag && c.who.signed_in())
        if (auto const id = store::notification_store(c.ctx.db.reader()).tag_id(*tag))
            return shared_page(c, 200, "questions", title, std::move(v), feed,
                               [id = *id, path = urls::tag(*tag) + "/follow"](render::html_builder& out, call& viewer) {
                                   append_follow_form(out, viewer, store::follow_target::tag, id, path, "tag");
                               });
    return shared_page(c, 200, "questions", title, std::move(v), feed);
}

response home(call& c)
{
    return question_list(c, std::nullopt);
}

response tag_page(call& c)
{
    auto const name = domain::normalize_tag(c.match["name"]);
    // A synonym's address is its tag's ("wifi" → "wireless").
    if (auto const target = tag_synonym_target(c.ctx, name)) return redirect(urls::tag(*target), 301);
    return question_list(c, name);
}

response tags_page(call& c)
{
    auto const query = query_fields(c);
    auto const page_number = page_param(query);
    auto const data = store::post_store(c.ctx.db.reader()).tags(page_number, 60);
    std::vector<view> items;
    for (auto const& t : data.items) {
        view v;
        v.set("name", t.name).set("url", urls::tag(t.name)).set("count", t.question_count);
        v.set("count_label", t.question_count == 1 ? "question" : "questions");
        v.set("description", t.description).set("info_url", urls::tag(t.name) + "/info");
        items.push_back(std::move(v));
    }
    view v;
    v.set("tags", items).set("empty", items.empty()).set("pager", pager_view(page_number, 60, data.total, "/tags"));
    return page(c, 200, "tags", "Tags", std::move(v));
}

response list_questions(call& c)
{
    auto listed = read_sorted_query(c, sorts);
    if (auto const* f = std::get_if<failure>(&listed)) return error_response(*f);
    auto const& [q, p, chosen] = std::get<sorted_query<sort_choice>>(listed);
    std::optional<std::string> tag;
    if (auto const t = http::find_field(q, "tag")) tag = domain::normalize_tag(*t);
    auto const page = store::post_store(c.ctx.db.reader()).questions(chosen.sort, tag, p.page, p.pagesize);
    return json_response(200, list_json(page, summary_json));
}

response list_tags(call& c)
{
    auto listed = read_list_query(c);
    if (auto const* f = std::get_if<failure>(&listed)) return error_response(*f);
    auto const& [q, p] = std::get<list_query>(listed);
    if (auto suggested = tag_suggestions(c, q, p.pagesize)) return std::move(*suggested);
    auto const page = store::post_store(c.ctx.db.reader()).tags(p.page, p.pagesize);
    return json_response(
        200, list_json(page, [](store::tag_row const& t) {
            return json::object{{"name", t.name}, {"count", t.question_count}, {"description", t.description}};
        }));
}

new_post_kind asking()
{
    return {.template_name = "ask",
            .heading = "Ask a question",
            .doing = "ask a question",
            .held_heading = "Your question is waiting for a moderator",
            .type = "question",
            .form_url = urls::ask(),
            .url_of = urls::question,
            .act = ask};
}

response ask_page(call& c)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    auto const query = query_fields(c);
    auto const title = field(query, "title").substr(0, 150);
    // The question the member began (on this device or another) is back in the form.
    if (auto const draft = draft_for(c.ctx, c.who, "ask"); draft && title.empty())
        return new_post_form(c, asking(), 200, {draft->title, draft->body, draft->tags}, nullptr);
    return new_post_form(c, asking(), 200, {title, "", ""}, nullptr);
}

response post_ask(call& c)
{
    return post_new_post_form(c, asking());
}

response create_question(call& c)
{
    auto created = create_new_post(c, asking());
    if (auto* refusal = std::get_if<response>(&created)) return std::move(*refusal);
    auto const id = std::get<posted>(created).id;
    auto r = question_response(c, id, 201);
    r.set("Location", urls::api_question(id));
    return r;
}

}  // namespace

void add_question_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/", home);
    r.add(method::get, "/questions", home);
    r.add(method::get, "/questions/ask", ask_page);
    r.add(method::post, "/questions/ask", post_ask);
    r.add(method::get, "/tags", tags_page);
    r.add(method::get, "/tags/{name}", tag_page);
    r.add(method::get, "/api/v1/questions", list_questions);
    r.add(method::post, "/api/v1/questions", create_question);
    r.add(method::get, "/api/v1/tags", list_tags);
}

}  // namespace peerdesk::app
