#include "server/app/widget.hpp"

#include "server/app/api_io.hpp"
#include "server/app/frame.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/render/templates.hpp"
#include "server/store/post_store.hpp"

#include <algorithm>
#include <cctype>

namespace peerdesk::app {
namespace {

constexpr std::size_t max_origins = 20;

std::string new_key()
{
    return "pk_" + domain::random_token(18);
}

std::optional<failure> check_change(widget_key_change const& c, bool creating)
{
    if (creating && !c.name) return failure{failure_kind::invalid, "invalid_field", "Give the widget a name.", "name"};
    if (c.name) {
        auto const n = domain::trim(*c.name);
        if (n.empty() || n.size() > 100 || !domain::valid_utf8(n))
            return failure{failure_kind::invalid, "invalid_field", "A widget name has 1 to 100 characters.", "name"};
    }
    if (creating && (!c.origins || c.origins->empty()))
        return failure{failure_kind::invalid, "invalid_field",
                       "List the sites the widget may appear on, e.g. https://help.example.com.", "allowed_origins"};
    if (c.origins) {
        if (c.origins->size() > max_origins)
            return failure{failure_kind::invalid, "invalid_field", "At most 20 allowed origins per key.",
                           "allowed_origins"};
        for (auto const& o : *c.origins)
            if (!normalize_origin(o))
                return failure{failure_kind::invalid, "invalid_field",
                               "\"" + o.substr(0, 100) +
                                   "\" is not an origin: write the scheme and host (and port), e.g. "
                                   "https://help.example.com, without a path or wildcard.",
                               "allowed_origins"};
    }
    if (c.default_tag && !c.default_tag->empty() && domain::normalize_tag(*c.default_tag).empty())
        return failure{failure_kind::invalid, "invalid_field", "The default tag is not a tag name.", "default_tag"};
    return std::nullopt;
}

std::vector<std::string> normalized(std::vector<std::string> const& origins)
{
    std::vector<std::string> out;
    for (auto const& o : origins)
        if (auto n = normalize_origin(o); n && std::find(out.begin(), out.end(), *n) == out.end()) out.push_back(*n);
    return out;
}

std::optional<std::string> tag_of(std::optional<std::string> const& t)
{
    if (!t || t->empty()) return std::nullopt;
    return domain::normalize_tag(*t);
}

}  // namespace

std::optional<std::string> normalize_origin(std::string_view text)
{
    std::string s(domain::trim(text));
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view v(s);
    std::string scheme;
    if (v.starts_with("https://"))
        scheme = "https";
    else if (v.starts_with("http://"))
        scheme = "http";
    else
        return std::nullopt;
    v.remove_prefix(scheme.size() + 3);
    if (v.ends_with("/")) v.remove_suffix(1);
    if (v.empty() || v.size() > 253) return std::nullopt;
    std::string_view host = v, port;
    if (auto colon = v.rfind(':'); colon != std::string_view::npos) {
        host = v.substr(0, colon);
        port = v.substr(colon + 1);
        if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
    for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return std::nullopt;
    // The default port is left out, as browsers send it.
    if ((scheme == "https" && port == "443") || (scheme == "http" && port == "80")) port = {};
    return scheme + "://" + std::string(host) + (port.empty() ? "" : ":" + std::string(port));
}

outcome<store::widget_key_row> create_widget_key(context& ctx, viewer const& who, widget_key_change const& input)
{
    if (auto f = permissions(ctx, who).may_administer("manage widget keys")) return *f;
    if (auto f = check_change(input, true)) return *f;
    auto const id = ctx.db.write([&](store::connection& c) {
        return store::widget_store(c).create(new_key(), std::string(domain::trim(*input.name)),
                                             normalized(*input.origins), tag_of(input.default_tag), who.user->id,
                                             domain::now());
    });
    return *store::widget_store(ctx.db.reader()).find(id);
}

outcome<store::widget_key_row> update_widget_key(context& ctx, viewer const& who, std::int64_t id,
                                                 widget_key_change const& change)
{
    if (auto f = permissions(ctx, who).may_administer("manage widget keys")) return *f;
    if (auto f = check_change(change, false)) return *f;
    auto row = store::widget_store(ctx.db.reader()).find(id);
    if (!row)
        return failure{failure_kind::not_found, "not_found", "There is no widget key " + std::to_string(id) + ".", ""};
    if (change.name) row->name = std::string(domain::trim(*change.name));
    if (change.origins) {
        if (change.origins->empty())
            return failure{failure_kind::invalid, "invalid_field",
                           "Keep at least one allowed origin (or disable the key).", "allowed_origins"};
        row->allowed_origins = normalized(*change.origins);
    }
    if (change.default_tag) row->default_tag = tag_of(change.default_tag);
    if (change.enabled) row->enabled = *change.enabled;
    ctx.db.write([&](store::connection& c) { store::widget_store(c).update(*row); });
    return *row;
}

outcome<store::widget_key_row> rotate_widget_key(context& ctx, viewer const& who, std::int64_t id)
{
    if (auto f = permissions(ctx, who).may_administer("manage widget keys")) return *f;
    if (!store::widget_store(ctx.db.reader()).find(id))
        return failure{failure_kind::not_found, "not_found", "There is no widget key " + std::to_string(id) + ".", ""};
    ctx.db.write([&](store::connection& c) { store::widget_store(c).rotate(id, new_key(), domain::now()); });
    return *store::widget_store(ctx.db.reader()).find(id);
}

outcome<store::widget_key_row> widget_key_for(context& ctx, std::string_view key,
                                              std::optional<std::string_view> origin)
{
    if (key.empty() || key.size() > 100)
        return failure{failure_kind::forbidden, "unknown_key", "Send the widget key as key.", "key"};
    auto row = store::widget_store(ctx.db.reader()).find_by_key(key);
    if (!row)
        return failure{failure_kind::forbidden, "unknown_key",
                       "This widget key is not known; copy the snippet from the admin page again.", "key"};
    if (!row->enabled) return failure{failure_kind::forbidden, "disabled_key", "This widget key is disabled.", "key"};
    if (!origin)
        return failure{failure_kind::forbidden, "origin_required",
                       "The widget search answers browsers on the key's allowed sites (they send Origin); servers use "
                       "/api/v1/search.",
                       ""};
    auto const o = normalize_origin(*origin);
    if (!o || std::find(row->allowed_origins.begin(), row->allowed_origins.end(), *o) == row->allowed_origins.end())
        return failure{failure_kind::forbidden, "origin_not_allowed",
                       "This site is not among the widget key's allowed origins.", ""};
    return std::move(*row);
}

}  // namespace peerdesk::app

// ---- pages ---------------------------------------------------------------------------------

namespace peerdesk::app {
namespace {

using http::response;
using render::view;

// The community's own origin as the browser sees it, for snippets and the demo page.
std::string community_origin(call& c)
{
    // Host is what the browser connected to, but a hand-made request may send anything: only
    // a host name, an IPv6 literal and a port may reach a script source or a CSP.
    auto host = c.req.header("host").value_or("127.0.0.1");
    bool const plain = !host.empty() && host.size() <= 200 && std::all_of(host.begin(), host.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == ':' || ch == '[' ||
               ch == ']';
    });
    if (!plain) host = "127.0.0.1";
    return std::string(c.req.secure ? "https://" : "http://") + std::string(host);
}

// Loopback communities can show the demo on a second origin: the same server under the other
// loopback name (127.0.0.1 ↔ localhost), which the browser treats as another site.
std::optional<std::string> demo_origin(call& c)
{
    auto const own = community_origin(c);
    auto const scheme_end = own.find("://") + 3;
    auto const host = own.substr(scheme_end);
    for (auto const& [a, b] :
         {std::pair<std::string, std::string>{"127.0.0.1", "localhost"}, {"localhost", "127.0.0.1"}})
        if (host == a || host.starts_with(a + ":")) return own.substr(0, scheme_end) + b + host.substr(a.size());
    return std::nullopt;
}

std::string snippet(std::string const& origin, std::string const& key)
{
    return "<script src=\"" + origin + "/widget.js\" data-key=\"" + key +
           "\" async></script>\n<div data-peerdesk-search></div>";
}

response admin_widgets_page(call& c, page_status status, std::string const& error)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    if (auto f = permissions(c.ctx, c.who).may_administer("manage widget keys"))
        return message_page(c, *f, "Admins only", f->message);
    auto const origin = community_origin(c);
    auto const demo = demo_origin(c);
    auto const since = domain::now() - 30 * 86400;
    store::widget_store widgets(c.ctx.db.reader());
    std::vector<view> keys;
    for (auto const& k : widgets.list()) {
        auto const usage = widgets.usage(k.id, since);
        std::string origins;
        for (auto const& o : k.allowed_origins) origins += (origins.empty() ? "" : "\n") + o;
        std::vector<view> misses;
        for (auto const& [q, n] : usage.top_no_results) {
            view m;
            m.set("query", q).set("count", n);
            misses.push_back(std::move(m));
        }
        view v;
        v.set("id", k.id)
            .set("name", k.name)
            .set("key", k.key)
            .set("enabled", k.enabled)
            .set("origins", origins)
            .set("default_tag", k.default_tag.value_or(""))
            .set("snippet", snippet(origin, k.key))
            .set("searches", usage.searches)
            .set("clicks", usage.clicks)
            .set("no_results", usage.no_results)
            .set("misses", misses)
            .set("has_misses", !misses.empty());
        if (demo) {
            v.set("demo_url", *demo + "/widget/demo?key=" + http::percent_encode(k.key));
            v.set("demo_origin", *demo);
            v.set("demo_allowed",
                  std::find(k.allowed_origins.begin(), k.allowed_origins.end(), *demo) != k.allowed_origins.end());
        }
        keys.push_back(std::move(v));
    }
    view v;
    v.set("keys", keys).set("has_keys", !keys.empty()).set("error", error).set("community", origin);
    return page(c, status, "admin_widgets", "Search widget", std::move(v));
}

response show_admin_widgets(call& c)
{
    return admin_widgets_page(c, 200, "");
}

std::vector<std::string> lines_of(std::string const& text)
{
    std::vector<std::string> out;
    std::string line;
    for (char ch : text + "\n") {
        if (ch == '\n' || ch == ',' || ch == ' ') {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (!line.empty()) out.push_back(line);
            line.clear();
        } else {
            line += ch;
        }
    }
    return out;
}

response post_admin_widgets(call& c)
{
    auto checked = signed_in_form(c, "/admin/widgets");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    widget_key_change in;
    in.name = field(form, "name");
    in.origins = lines_of(field(form, "allowed_origins"));
    in.default_tag = field(form, "default_tag");
    auto const result = create_widget_key(c.ctx, c.who, in);
    if (auto const* f = failed(result)) return admin_widgets_page(c, *f, f->message);
    return redirect("/admin/widgets#key-" + std::to_string(std::get<store::widget_key_row>(result).id));
}

response post_admin_widget(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Not found", "There is no such widget key.");
    auto checked = signed_in_form(c, "/admin/widgets");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const action = field(form, "action");
    outcome<store::widget_key_row> result =
        failure{failure_kind::invalid, "invalid_field", "Choose an action.", "action"};
    if (action == "rotate") {
        result = rotate_widget_key(c.ctx, c.who, *id);
    } else if (action == "enable" || action == "disable") {
        widget_key_change ch;
        ch.enabled = action == "enable";
        result = update_widget_key(c.ctx, c.who, *id, ch);
    } else if (action == "save") {
        widget_key_change ch;
        ch.origins = lines_of(field(form, "allowed_origins"));
        ch.default_tag = field(form, "default_tag");
        result = update_widget_key(c.ctx, c.who, *id, ch);
    } else if (action == "allow_demo") {
        auto const demo = demo_origin(c);
        auto const row = store::widget_store(c.ctx.db.reader()).find(*id);
        if (demo && row) {
            widget_key_change ch;
            ch.origins = row->allowed_origins;
            ch.origins->push_back(*demo);
            result = update_widget_key(c.ctx, c.who, *id, ch);
        }
    }
    if (auto const* f = failed(result)) return admin_widgets_page(c, *f, f->message);
    return redirect("/admin/widgets#key-" + std::to_string(*id));
}

// A result followed from the widget: counted, then on to the thread.
response widget_go(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto const query = query_fields(c);
    if (!id) return message_page(c, 404, "Question not found", "There is no such question.");
    auto const post = parse_id(field(query, "post"));
    // Only a live question counts as a click: made-up or removed ids would skew what admins see.
    auto const question = store::post_store(c.ctx.db.reader()).find_post(*id);
    if (!question || question->kind != domain::post_kind::question)
        return message_page(c, 404, "Question not found", "There is no such question.");
    // Snippets from before the click beacon link here: counted, without the search they came from.
    if (auto key = store::widget_store(c.ctx.db.reader()).find_by_key(field(query, "key")); key && c.ctx.search)
        c.ctx.search->log_click(key->id, *id, {}, question->answer_count > 0);
    return redirect(post ? urls::post_or_top(*id, *post) : urls::question(*id), 302);
}

// A stand-in for a company's help page, to try the widget before pasting it.
response widget_demo(call& c)
{
    auto const query = query_fields(c);
    // The widget always comes from this server: served on the other loopback name, from the
    // name the admin page used; otherwise from this very origin. The query string never names
    // a script source, or one link would run anyone's script on the community's origin.
    auto const community = demo_origin(c).value_or(community_origin(c));
    view v;
    v.set("key", field(query, "key")).set("community", community);
    response r;
    r.status = 200;
    r.set("Content-Type", "text/html; charset=utf-8");
    r.body = render::render_template("widget_demo", v).str();
    // This page is the host site: it loads the widget from the community, as a customer's would.
    r.set("Content-Security-Policy", "default-src 'none'; script-src " + community + "; connect-src " + community +
                                         "; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
                                         "form-action 'none'; frame-ancestors 'none'");
    return r;
}

// ---- the API ----------------------------------------------------------------------------

namespace json = boost::json;

json::object widget_key_json(store::widget_key_row const& k)
{
    json::array origins;
    for (auto const& o : k.allowed_origins) origins.emplace_back(o);
    json::object o{{"id", k.id},           {"key", k.key},
                   {"name", k.name},       {"allowed_origins", std::move(origins)},
                   {"enabled", k.enabled}, {"created_at", domain::rfc3339(k.created_at)}};
    o["default_tag"] = k.default_tag ? json::value(*k.default_tag) : json::value(nullptr);
    return o;
}

std::variant<widget_key_change, failure> read_widget_change(json::object const& body)
{
    widget_key_change ch;
    if (auto f = read_string(body, "name", ch.name)) return *f;
    if (auto f = read_string(body, "default_tag", ch.default_tag)) return *f;
    if (auto const* v = body.if_contains("allowed_origins"); v && !v->is_null()) {
        if (!v->is_array())
            return failure{failure_kind::invalid, "invalid_field", "allowed_origins is an array of origins.",
                           "allowed_origins"};
        std::vector<std::string> origins;
        for (auto const& o : v->as_array()) {
            if (!o.is_string())
                return failure{failure_kind::invalid, "invalid_field", "Each allowed origin is a string.",
                               "allowed_origins"};
            if (origins.size() > 100) break;
            origins.emplace_back(o.as_string());
        }
        ch.origins = std::move(origins);
    }
    if (auto const* v = body.if_contains("enabled"); v && !v->is_null()) {
        if (!v->is_bool())
            return failure{failure_kind::invalid, "invalid_field", "enabled is true or false.", "enabled"};
        ch.enabled = v->as_bool();
    }
    return ch;
}

response create_widget_key_api(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("manage widget keys")) return error_response(*f);
    PEERDESK_TRY_BODY(body);
    auto change = read_widget_change(body);
    if (auto const* f = std::get_if<failure>(&change)) return error_response(*f);
    auto const result = create_widget_key(c.ctx, c.who, std::get<widget_key_change>(change));
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(201, widget_key_json(std::get<store::widget_key_row>(result)));
}

response list_widget_keys_api(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("manage widget keys")) return error_response(*f);
    json::array items;
    for (auto const& k : store::widget_store(c.ctx.db.reader()).list()) items.push_back(widget_key_json(k));
    auto const n = static_cast<std::int64_t>(items.size());
    return json_response(200, json::object{{"items", std::move(items)}, {"page", 1}, {"pagesize", n}, {"total", n}});
}

response update_widget_key_api(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("manage widget keys")) return error_response(*f);
    auto const id = id_param(c);
    if (!id) return bad_id("widget key");
    PEERDESK_TRY_BODY(body);
    auto change = read_widget_change(body);
    if (auto const* f = std::get_if<failure>(&change)) return error_response(*f);
    auto const result = update_widget_key(c.ctx, c.who, *id, std::get<widget_key_change>(change));
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, widget_key_json(std::get<store::widget_key_row>(result)));
}

response rotate_widget_key_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("widget key");
    auto const result = rotate_widget_key(c.ctx, c.who, *id);
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, widget_key_json(std::get<store::widget_key_row>(result)));
}

response widget_key_usage_api(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("manage widget keys")) return error_response(*f);
    auto const id = id_param(c);
    if (!id || !store::widget_store(c.ctx.db.reader()).find(*id)) return bad_id("widget key");
    if (c.ctx.search) c.ctx.search->flush_log();
    auto const u = store::widget_store(c.ctx.db.reader()).usage(*id, domain::now() - 30 * 86400);
    json::array misses;
    for (auto const& [q, n] : u.top_no_results) misses.push_back(json::object{{"query", q}, {"count", n}});
    return json_response(200, json::object{{"days", 30},
                                           {"searches", u.searches},
                                           {"clicks", u.clicks},
                                           {"no_results", u.no_results},
                                           {"top_no_results", std::move(misses)}});
}

// CORS for the key's allowed origins only: the browser on any other site gets no answer it may read.
void allow_origin(response& r, std::string_view origin)
{
    r.set("Access-Control-Allow-Origin", std::string(origin));
    r.set("Access-Control-Max-Age", "600");
}

// A request from a page on one of the key's allowed origins: its query, the key and the origin;
// or the refusal, which the browser may not read either.
struct widget_request {
    http::fields query;
    store::widget_key_row key;
    std::string origin;
};

std::variant<widget_request, response> read_widget_request(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const origin = c.req.header("origin");
    auto key = widget_key_for(c.ctx, http::find_field(std::get<http::fields>(query), "key").value_or(""), origin);
    if (auto const* f = failed(key)) {
        auto r = error_response(*f);
        r.set("Vary", "Origin");
        return r;
    }
    return widget_request{std::move(std::get<http::fields>(query)), std::move(std::get<store::widget_key_row>(key)),
                          std::string(*origin)};
}

// Any answer to such a request, refusals too: readable by that origin only, and never kept.
response widget_answer(response r, std::string_view origin)
{
    allow_origin(r, origin);
    r.set("Vary", "Origin");
    r.set("Cache-Control", "no-store");
    return r;
}

response widget_search_api(call& c)
{
    auto read = read_widget_request(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& [q, k, origin] = std::get<widget_request>(read);
    auto const respond = [&origin](response r) { return widget_answer(std::move(r), origin); };
    // Per key (all visitors of the company's site together) and per visitor's address.
    if (auto f = check_rate(c.ctx, c.who, "searches through this site's widget", c.ctx.config.rates.widget_per_key,
                            rate_scope::address, std::to_string(k.id)))
        return respond(error_response(*f));
    if (auto f = check_rate(c.ctx, c.who, "searches from your address", c.ctx.config.rates.widget_per_address,
                            rate_scope::address))
        return respond(error_response(*f));
    search_request request;
    request.source = query_source::widget;
    request.widget_key = k.id;
    request.pagesize = 8;
    if (auto const text = http::find_field(q, "q")) request.q = std::string(*text);
    if (auto f = read_number(q, "pagesize", request.pagesize, 20)) return respond(error_response(*f));
    if (k.default_tag) request.tags.push_back(*k.default_tag);
    if (domain::trim(request.q).empty())
        return respond(json_response(
            200, json::object{{"items", json::array()}, {"page", 1}, {"pagesize", request.pagesize}, {"total", 0}}));
    auto const found = find(c.ctx, request);
    if (auto const* f = failed(found)) return respond(error_response(*f));
    auto body = search_json(std::get<search_results>(found));
    // Results lead straight to the thread; the widget reports the click with POST /widget/clicks.
    for (auto& item : body["items"].as_array()) {
        auto& o = item.as_object();
        o["url"] = urls::post_or_top(o["question_id"].as_int64(), o["post_id"].as_int64());
    }
    body["ask_url"] = urls::ask(request.q.substr(0, 150));
    return respond(json_response(200, body));
}

constexpr std::size_t max_click_body = 1024;

// The widget's click beacon: a result followed, with the search it came from. A plain-text body
// (the widget sends no Content-Type, so browsers send it without a preflight), from a page on one
// of the key's allowed origins, rate-limited like the widget's searches, and small.
response widget_click_api(call& c)
{
    auto read = read_widget_request(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& [query, k, origin] = std::get<widget_request>(read);
    auto const respond = [&origin](response r) { return widget_answer(std::move(r), origin); };
    if (auto f = check_rate(c.ctx, c.who, "clicks through this site's widget", c.ctx.config.rates.widget_per_key,
                            rate_scope::address, "clicks-" + std::to_string(k.id)))
        return respond(error_response(*f));
    if (auto f = check_rate(c.ctx, c.who, "widget clicks from your address", c.ctx.config.rates.widget_per_address,
                            rate_scope::address, "clicks"))
        return respond(error_response(*f));
    if (c.req.body.size() > max_click_body)
        return respond(error_response({failure_kind::too_large, "too_large",
                                       "A click report is at most 1024 bytes: {\"q\", \"question_id\"}.", ""}));
    boost::system::error_code ec;
    auto const parsed = json::parse(c.req.body, ec);
    if (ec || !parsed.is_object())
        return respond(error_response({failure_kind::malformed, "invalid_json",
                                       "Send the click as a JSON object {\"q\", \"question_id\"}.", ""}));
    auto const& body = parsed.as_object();
    auto const* id = body.if_contains("question_id");
    if (!id || !id->is_int64() || id->as_int64() <= 0)
        return respond(error_response({failure_kind::invalid, "invalid_field",
                                       "question_id is the id of the question followed.", "question_id"}));
    std::string q;
    if (auto const* v = body.if_contains("q"); v && !v->is_null()) {
        if (!v->is_string() || v->as_string().size() > 500)
            return respond(error_response(
                {failure_kind::invalid, "invalid_field", "q is the search text, at most 500 bytes.", "q"}));
        q = std::string(v->as_string());
    }
    // Only a live question counts: made-up ids would skew what admins see.
    auto const question = store::post_store(c.ctx.db.reader()).find_post(id->as_int64());
    if (!question || question->kind != domain::post_kind::question)
        return respond(
            error_response({failure_kind::not_found, "not_found", "There is no such question.", "question_id"}));
    if (c.ctx.search) c.ctx.search->log_click(k.id, question->id, std::move(q), question->answer_count > 0);
    response r;
    r.status = 204;
    return respond(std::move(r));
}

// Preflight: the widget sends plain GETs, but a host page's fetch wrappers may still ask.
response widget_search_options(call& c)
{
    response r;
    r.status = 204;
    auto const origin = c.req.header("origin");
    auto const q = query_fields(c);
    if (origin && !failed(widget_key_for(c.ctx, http::find_field(q, "key").value_or(""), origin))) {
        allow_origin(r, *origin);
        r.set("Access-Control-Allow-Methods", "GET");
    }
    r.set("Vary", "Origin");
    return r;
}

}  // namespace

void add_widget_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/admin/widgets", show_admin_widgets);
    r.add(method::post, "/admin/widgets", post_admin_widgets);
    r.add(method::post, "/admin/widgets/{id}", post_admin_widget);
    r.add(method::get, "/widget/go/{id}", widget_go);
    r.add(method::get, "/widget/demo", widget_demo);
    r.add(method::post, "/api/v1/admin/widget-keys", create_widget_key_api);
    r.add(method::get, "/api/v1/admin/widget-keys", list_widget_keys_api);
    r.add(method::patch, "/api/v1/admin/widget-keys/{id}", update_widget_key_api);
    r.add(method::post, "/api/v1/admin/widget-keys/{id}/rotate", rotate_widget_key_api);
    r.add(method::get, "/api/v1/admin/widget-keys/{id}/usage", widget_key_usage_api);
    r.add(method::get, "/api/v1/widget/search", widget_search_api);
    r.add(method::options, "/api/v1/widget/search", widget_search_options);
    r.add(method::post, "/api/v1/widget/clicks", widget_click_api);
}

}  // namespace peerdesk::app
