// What tags mean: each tag's short description and longer wiki (edited by moderators and members
// with the edit privilege, every edit a revision), its synonyms (a moderator maps "wifi" to
// "wireless"; post_store resolves them whenever tags are set), and the suggestions the tag field
// shows while typing. Descriptions are plain text, escaped wherever they are shown; the wiki is
// Markdown rendered once, at write time, like a post.
#include "server/app/tag_wiki.hpp"

#include "server/app/api_io.hpp"
#include "server/app/frame.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/render/markdown.hpp"
#include "server/store/tag_store.hpp"

namespace peerdesk::app {
namespace {

using http::method;
using http::response;
using render::view;
namespace json = boost::json;

constexpr std::size_t description_max = 300;  // characters: a line in the tag field's suggestions
constexpr std::size_t wiki_max = 20000;

std::string info_url(std::string_view name)
{
    return urls::tag(name) + "/info";
}

// Moderators, and members with the privilege to edit others' posts.
verdict may_edit_tag(context& ctx, viewer const& who)
{
    permissions p(ctx, who);
    if (auto f = p.may_write("edit tag descriptions")) return f;
    if (who.is_moderator()) return std::nullopt;
    return p.lacks(domain::privilege::edit_others);
}

std::size_t characters(std::string_view s)
{
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Checks, renders and stores an edit; the failure names the field.
std::optional<failure> edit_tag(context& ctx, viewer const& who, store::tag_info const& tag, std::string description,
                                std::string wiki)
{
    if (auto f = may_edit_tag(ctx, who)) return f;
    for (auto& c : description)
        if (c == '\r' || c == '\n' || c == '\t') c = ' ';
    if (characters(description) > description_max)
        return failure{failure_kind::invalid, "invalid_field",
                       "Keep the description to " + std::to_string(description_max) + " characters: one sentence.",
                       "description"};
    if (characters(wiki) > wiki_max)
        return failure{failure_kind::invalid, "invalid_field",
                       "Keep the wiki to " + std::to_string(wiki_max) + " characters.", "wiki"};
    auto rendered = render::render_markdown(wiki);
    if (!rendered.value) return failure{failure_kind::invalid, "invalid_field", rendered.error, "wiki"};
    if (auto f = check_rate(ctx, who, "editing tags", ctx.config.rates.comment)) return f;
    ctx.db.write([&](store::connection& c) {
        store::tag_store(c).edit(tag.id, who.user->id, description, wiki, rendered.value->html.str(), domain::now());
    });
    return std::nullopt;
}

std::optional<failure> add_synonym(context& ctx, viewer const& who, store::tag_info const& tag, std::string name)
{
    if (auto f = permissions(ctx, who).may_moderate("map tag synonyms")) return f;
    name = domain::normalize_tag(name);
    std::vector<std::string> one{name};
    if (auto e = domain::check_tags(one, ctx.config.limits))
        return failure{failure_kind::invalid, "invalid_field", e->message, "name"};
    auto const outcome = ctx.db.write([&](store::connection& c) {
        return store::tag_store(c).add_synonym(one.front(), tag, who.user->id, domain::now());
    });
    switch (outcome) {
        case store::synonym_outcome::added:
            return std::nullopt;
        case store::synonym_outcome::same_tag:
            return failure{failure_kind::invalid, "invalid_field", "A tag cannot be its own synonym.", "name"};
        case store::synonym_outcome::target_is_synonym:
            return failure{failure_kind::conflict, "conflict", tag.name + " is itself a synonym.", "name"};
        case store::synonym_outcome::name_has_synonyms:
            return failure{failure_kind::conflict, "conflict",
                           one.front() + " has synonyms of its own; remove them first.", "name"};
        case store::synonym_outcome::exists:
            return failure{failure_kind::conflict, "conflict", one.front() + " is already a synonym.", "name"};
    }
    return std::nullopt;
}

std::optional<failure> remove_synonym(context& ctx, viewer const& who, store::tag_info const& tag,
                                      std::string const& name)
{
    if (auto f = permissions(ctx, who).may_moderate("map tag synonyms")) return f;
    bool const removed =
        ctx.db.write([&](store::connection& c) { return store::tag_store(c).remove_synonym(name, tag.id); });
    if (!removed)
        return failure{failure_kind::not_found, "not_found", name + " is not a synonym of " + tag.name + ".", "name"};
    return std::nullopt;
}

json::object tag_json(store::tag_info const& t)
{
    json::array synonyms;
    for (auto const& s : t.synonyms) synonyms.emplace_back(s);
    json::object o{{"name", t.name},
                   {"count", t.question_count},
                   {"description", t.description},
                   {"wiki_markdown", t.wiki_markdown},
                   {"wiki_html", t.wiki_html},
                   {"synonyms", std::move(synonyms)},
                   {"url", urls::tag(t.name)}};
    o["edited_at"] = t.edited_at ? json::value(domain::rfc3339(*t.edited_at)) : json::value(nullptr);
    return o;
}

// The tag by the name in the address: a synonym answers with a redirect to its tag.
struct found_tag {
    std::optional<store::tag_info> tag;
    std::optional<std::string> synonym_of;
};
found_tag lookup(call& c)
{
    auto const name = domain::normalize_tag(c.match["name"]);
    store::tag_store tags(c.ctx.db.reader());
    if (auto target = tags.synonym_target(name)) return {std::nullopt, std::move(target)};
    return {tags.find(name), std::nullopt};
}

response tag_not_found_api(call& c)
{
    return error_response({failure_kind::not_found, "not_found",
                           "There is no tag " + domain::normalize_tag(c.match["name"]).substr(0, 40) + ".", ""});
}

// ---- API ----

response get_tag(call& c)
{
    auto found = lookup(c);
    if (found.synonym_of) {
        auto r = redirect("/api/v1/tags/" + http::percent_encode(*found.synonym_of), 301);
        return r;
    }
    if (!found.tag) return tag_not_found_api(c);
    return json_response(200, tag_json(*found.tag));
}

response patch_tag(call& c)
{
    auto found = lookup(c);
    if (found.synonym_of)
        return error_response({failure_kind::conflict, "synonym",
                               "This name is a synonym of " + *found.synonym_of + "; edit that tag.", ""});
    if (!found.tag) return tag_not_found_api(c);
    PEERDESK_TRY_BODY(body);
    std::optional<std::string> description, wiki;
    if (auto f = read_string(body, "description", description)) return error_response(*f);
    if (auto f = read_string(body, "wiki", wiki)) return error_response(*f);
    if (!description && !wiki)
        return error_response(
            {failure_kind::invalid, "invalid_field", "Send a description, a wiki, or both.", "description"});
    if (auto f = edit_tag(c.ctx, c.who, *found.tag, description.value_or(found.tag->description),
                          wiki.value_or(found.tag->wiki_markdown)))
        return error_response(*f);
    return json_response(200, tag_json(*store::tag_store(c.ctx.db.reader()).find(found.tag->name)));
}

response tag_revisions_api(call& c)
{
    auto found = lookup(c);
    if (!found.tag) return tag_not_found_api(c);
    json::array items;
    for (auto const& r : store::tag_store(c.ctx.db.reader()).revisions(found.tag->id, 100))
        items.push_back(json::object{{"id", r.id},
                                     {"author", json::object{{"id", r.author_id}, {"username", r.author}}},
                                     {"description", r.description},
                                     {"wiki_markdown", r.wiki_markdown},
                                     {"created_at", domain::rfc3339(r.created_at)}});
    return json_response(200, whole_list_json(std::move(items)));
}

response post_synonym_api(call& c)
{
    auto found = lookup(c);
    if (!found.tag) return tag_not_found_api(c);
    PEERDESK_TRY_BODY(body);
    auto name = string_field(body, "name", 100);
    if (auto const* f = std::get_if<failure>(&name)) return error_response(*f);
    if (auto f = add_synonym(c.ctx, c.who, *found.tag, std::get<std::string>(name))) return error_response(*f);
    return json_response(201, tag_json(*store::tag_store(c.ctx.db.reader()).find(found.tag->name)));
}

response delete_synonym_api(call& c)
{
    auto found = lookup(c);
    if (!found.tag) return tag_not_found_api(c);
    if (auto f = remove_synonym(c.ctx, c.who, *found.tag, domain::normalize_tag(c.match["synonym"])))
        return error_response(*f);
    http::response r;
    r.status = 204;
    return r;
}

// ---- pages ----

response info_page(call& c, store::tag_info const& t, page_status status, failure const* error,
                   std::string const& description, std::string const& wiki)
{
    view v;
    v.set("name", t.name).set("url", urls::tag(t.name)).set("info_url", info_url(t.name));
    v.set("count", t.question_count).set("count_label", t.question_count == 1 ? "question" : "questions");
    v.set("description", t.description);
    v.set_html("wiki_html", render::stored_markdown_html(t.wiki_html));
    std::vector<view> synonyms;
    for (auto const& s : t.synonyms) synonyms.push_back(view().set("name", s));
    v.set("synonyms", synonyms).set("has_synonyms", !synonyms.empty());
    v.set("may_edit", !may_edit_tag(c.ctx, c.who)).set("may_moderate", c.who.is_moderator());
    v.set("description_value", description).set("wiki_value", wiki);
    if (error) v.set("error", error->message).set("error_" + error->field, true);
    std::vector<view> revisions;
    for (auto const& r : store::tag_store(c.ctx.db.reader()).revisions(t.id, 20)) {
        view rv;
        rv.set("author", r.author).set("author_url", urls::user(r.author_id)).set("description", r.description);
        rv.set("when", time_view(r.created_at));
        revisions.push_back(std::move(rv));
    }
    v.set("revisions", revisions).set("has_revisions", !revisions.empty());
    return page(c, status, "tag_info", "About the tag " + t.name, std::move(v));
}

response show_info(call& c)
{
    auto found = lookup(c);
    if (found.synonym_of) return redirect(info_url(*found.synonym_of), 301);
    if (!found.tag) return message_page(c, 404, "No such tag", "There is no tag by that name.");
    return info_page(c, *found.tag, 200, nullptr, found.tag->description, found.tag->wiki_markdown);
}

response post_info(call& c)
{
    auto found = lookup(c);
    if (!found.tag) return message_page(c, 404, "No such tag", "There is no tag by that name.");
    auto checked = signed_in_form(c, info_url(found.tag->name));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const description = field(form, "description"), wiki = field(form, "wiki");
    if (auto f = edit_tag(c.ctx, c.who, *found.tag, description, wiki))
        return info_page(c, *found.tag, *f, &*f, description, wiki);
    return redirect(info_url(found.tag->name));
}

response post_synonyms(call& c)
{
    auto found = lookup(c);
    if (!found.tag) return message_page(c, 404, "No such tag", "There is no tag by that name.");
    auto checked = signed_in_form(c, info_url(found.tag->name));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const removing = field(form, "remove");
    auto f = removing.empty() ? add_synonym(c.ctx, c.who, *found.tag, field(form, "name"))
                              : remove_synonym(c.ctx, c.who, *found.tag, removing);
    if (f) return info_page(c, *found.tag, *f, &*f, found.tag->description, found.tag->wiki_markdown);
    return redirect(info_url(found.tag->name));
}

}  // namespace

// The tag field's suggestions (GET /api/v1/tags?q=…): tags whose name, or a synonym's, begins
// with what was typed, most used first, with their descriptions.
std::optional<response> tag_suggestions(call& c, http::fields const& query, std::int64_t pagesize)
{
    auto const q = http::find_field(query, "q");
    if (!q) return std::nullopt;
    auto const prefix = domain::normalize_tag(*q);
    json::array items;
    if (!prefix.empty() && prefix.size() <= 35)
        for (auto const& t : store::tag_store(c.ctx.db.reader()).suggest(prefix, static_cast<int>(pagesize)))
            items.push_back(
                json::object{{"name", t.name}, {"count", t.question_count}, {"description", t.description}});
    return json_response(200, whole_list_json(std::move(items)));
}

std::optional<std::string> tag_synonym_target(context& ctx, std::string_view name)
{
    return store::tag_store(ctx.db.reader()).synonym_target(name);
}

void add_tag_wiki_routes(route_table& r)
{
    r.add(method::get, "/api/v1/tags/{name}", get_tag);
    r.add(method::patch, "/api/v1/tags/{name}", patch_tag);
    r.add(method::get, "/api/v1/tags/{name}/revisions", tag_revisions_api);
    r.add(method::post, "/api/v1/tags/{name}/synonyms", post_synonym_api);
    r.add(method::delete_, "/api/v1/tags/{name}/synonyms/{synonym}", delete_synonym_api);
    r.add(method::get, "/tags/{name}/info", show_info);
    r.add(method::post, "/tags/{name}/info", post_info);
    r.add(method::post, "/tags/{name}/synonyms", post_synonyms);
}

}  // namespace peerdesk::app
