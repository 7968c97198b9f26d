// Drafts: the ask form and each answer box keep what the member typed on the server, so that a
// closed tab or another device loses nothing. One draft per member and place; the post's own
// write drops it (post_store, in the same transaction). Draft saves change nothing anyone else
// sees, so they leave the page caches alone.
#include "server/app/drafts.hpp"

#include "server/app/api_io.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/store/post_store.hpp"

namespace peerdesk::app {

namespace {
constexpr int max_drafts_per_member = 50;
}

std::variant<draft_place, failure> read_place(context& ctx, std::string_view key)
{
    failure const none{failure_kind::not_found, "no_such_place",
                       "A draft belongs to \"ask\" or to \"answer-<question id>\" of an open question.", "key"};
    if (key == "ask") return draft_place{"ask", std::nullopt};
    if (!key.starts_with("answer-")) return none;
    auto const id = parse_id(key.substr(7));
    if (!id) return none;
    auto const q = store::post_store(ctx.db.reader()).find_post(*id);
    if (!q || q->kind != domain::post_kind::question) return none;
    return draft_place{"answer-" + std::to_string(*id), *id};
}

std::string editor_url(draft_place const& p)
{
    return p.question ? urls::question(*p.question) + "#your-answer" : "/questions/ask";
}

std::optional<failure> save_draft(context& ctx, viewer const& who, draft_place const& place, store::draft_row const& d)
{
    if (auto f = permissions(ctx, who).signed_in("keep drafts")) return *f;
    // As much as the longest post the site takes (in bytes, four to a character), and a title and tags.
    auto const max_body = ctx.config.limits.body_max * 4;
    if (d.body.size() > max_body || d.title.size() > 1000 || d.tags.size() > 1000)
        return failure{failure_kind::too_large, "draft_too_large",
                       "The draft is longer than a post may be (" + std::to_string(ctx.config.limits.body_max) +
                           " characters); shorten it.",
                       d.body.size() > max_body ? "body"
                       : d.title.size() > 1000  ? "title"
                                                : "tags"};
    if (auto f = check_rate(ctx, who, "saving drafts", ctx.config.rates.draft)) return *f;
    ctx.db.write(
        [&](store::connection& c) { store::draft_store(c).put(who.user->id, place.key, d, max_drafts_per_member); },
        store::database::seen::no);
    return std::nullopt;
}

std::optional<store::draft_row> draft_for(context& ctx, viewer const& who, std::string_view place)
{
    if (!who.signed_in()) return std::nullopt;
    return store::draft_store(ctx.db.reader()).find(who.user->id, place);
}

namespace {

using http::method;

boost::json::object draft_json(std::string const& key, store::draft_row const& d)
{
    boost::json::array tags;
    for (auto const& t : domain::split_tags(d.tags)) tags.emplace_back(t);
    return {{"key", key},
            {"title", d.title},
            {"body", d.body},
            {"tags", std::move(tags)},
            {"updated_at", domain::rfc3339(d.updated_at)}};
}

std::variant<draft_place, failure> place_of(call& c)
{
    if (auto f = permissions(c.ctx, c.who).signed_in("keep drafts")) return *f;
    return read_place(c.ctx, c.match["key"]);
}

http::response get_draft(call& c)
{
    auto place = place_of(c);
    if (auto const* f = std::get_if<failure>(&place)) return error_response(*f);
    auto const& p = std::get<draft_place>(place);
    auto const d = draft_for(c.ctx, c.who, p.key);
    if (!d) return error_response({failure_kind::not_found, "no_draft", "There is no draft here.", ""});
    return json_response(200, draft_json(p.key, *d));
}

http::response put_draft(call& c)
{
    auto place = place_of(c);
    if (auto const* f = std::get_if<failure>(&place)) return error_response(*f);
    auto const& p = std::get<draft_place>(place);
    PEERDESK_TRY_BODY(body);
    std::optional<std::string> title, text;
    std::optional<std::vector<std::string>> tags;
    if (auto f = read_string(body, "title", title)) return error_response(*f);
    if (auto f = read_string(body, "body", text)) return error_response(*f);
    if (auto f = read_tags(body, tags)) return error_response(*f);
    if (!text) return error_response({failure_kind::invalid, "invalid_field", "Send the draft's body.", "body"});
    if (p.key != "ask" && (title || tags))
        return error_response(
            {failure_kind::invalid, "invalid_field", "An answer's draft has a body only.", title ? "title" : "tags"});
    std::string joined;
    for (auto const& t : tags.value_or(std::vector<std::string>{})) joined += (joined.empty() ? "" : " ") + t;
    store::draft_row d{title.value_or(""), *text, joined, domain::now()};
    if (auto f = save_draft(c.ctx, c.who, p, d)) return error_response(*f);
    return json_response(200, draft_json(p.key, d));
}

http::response delete_draft(call& c)
{
    auto place = place_of(c);
    if (auto const* f = std::get_if<failure>(&place)) return error_response(*f);
    auto const& p = std::get<draft_place>(place);
    c.ctx.db.write([&](store::connection& conn) { store::draft_store(conn).remove(c.who.user->id, p.key); },
                   store::database::seen::no);
    http::response r;
    r.status = 204;
    return r;
}

}  // namespace

void add_draft_routes(route_table& r)
{
    r.add(method::get, "/api/v1/drafts/{key}", get_draft);
    r.add(method::put, "/api/v1/drafts/{key}", put_draft);
    r.add(method::delete_, "/api/v1/drafts/{key}", delete_draft);
}

}  // namespace peerdesk::app
