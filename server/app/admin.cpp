// Admins' pages: the community's settings in the browser, and who moderates.
//
// Settings are the keys `peerdesk settings` knows, checked by the same function
// (check_setting) with the same words; a change is stored with an audit row per key in one
// transaction and then published to the running server (live_settings), so it holds from the
// next request on without a restart. The moderator role is given and taken here; a member's
// role is read from the database on every request, so the change holds from their next one.
#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/frame.hpp"
#include "server/app/live_settings.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/user_store.hpp"

#include <boost/json.hpp>

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

// The groups of the settings page, by the key's first word.
struct setting_group {
    std::string_view prefix;
    std::string_view title;
    std::string_view lede;
};
constexpr setting_group groups[] = {
    {"privilege.", "Privileges", "Reputation a member needs before they may do more."},
    {"spam.", "Spam", "What holds a new member's post for review before anyone sees it."},
    {"flags.", "Flags", "When flags from established members hide a post at once."},
    {"rate.", "Rate limits", "How often one member, address or widget key may act."},
    {"post.", "Posting", "Bounds on what members write."},
    {"search.", "Search", "How search ranks what it finds."},
    {"uploads.", "Images", "What members may upload into their posts."},
    {"ideas.", "Ideas", "How members vote for ideas."},
    {"site.", "Link previews", "What a shared link to the community shows in chats and on social sites."},
};

struct setting_help {
    std::string_view key;
    std::string_view label;
};
constexpr setting_help help[] = {
    {"privilege.upvote", "Vote up"},
    {"privilege.comment", "Comment on other people's posts"},
    {"privilege.downvote", "Vote down"},
    {"privilege.edit", "Edit other people's posts"},
    {"post.max_characters", "Longest post, in characters"},
    {"search.quality_boost", "Weight of votes and acceptance in ranking, in hundredths"},
    {"spam.new_user_reputation", "A member is new below this reputation"},
    {"spam.new_user_max_links", "Links a new member's post may carry"},
    {"spam.hold_first_post", "Hold a new member's first post for review (1 yes, 0 no)"},
    {"spam.blocked_words", "Blocked words (separated by commas or new lines)"},
    {"spam.blocked_domains", "Blocked link domains (separated by commas or new lines)"},
    {"flags.hide_after", "Spam or rude flags that hide a post"},
    {"flags.established_reputation", "Reputation of a member whose flags count"},
    {"rate.questions_per_hour", "Questions per member per hour"},
    {"rate.answers_per_hour", "Answers per member per hour"},
    {"rate.comments_per_hour", "Comments per member per hour"},
    {"rate.votes_per_hour", "Votes per member per hour"},
    {"rate.flags_per_hour", "Flags per member per hour"},
    {"rate.searches_per_minute", "Searches per address per minute"},
    {"rate.signups_per_hour", "Sign-ups per address per hour"},
    {"rate.failed_signins", "Failed sign-ins before sign-in slows down"},
    {"rate.widget_per_key_per_minute", "Widget searches per key per minute"},
    {"rate.widget_per_address_per_minute", "Widget searches per address per minute"},
    {"rate.uploads_per_hour", "Image uploads per member per hour"},
    {"uploads.max_kib", "Largest image, in KiB"},
    {"uploads.max_megapixels", "Most pixels in an image, in millions"},
    {"uploads.quota_mib", "Images one member may keep in all, in MiB"},
    {"uploads.deleted_retention_days", "Days a deleted post's images are still served to readers"},
    {"ideas.vote_budget", "Open votes each member has for ideas"},
    {"site.og_image",
     "Picture of a shared link (a path like /uploads/NAME.png or an https:// address; empty: peerdesk's own)"},
};

std::string label_of(std::string_view key)
{
    for (auto const& h : help)
        if (h.key == key) return std::string(h.label);
    return std::string(key);
}

// Every setting's value as the server uses it now, as text.
std::vector<std::pair<std::string, std::string>> current_values(settings const& s)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (auto const& spec : setting_specs) out.emplace_back(spec.key, std::to_string(spec.read(s)));
    for (auto const& spec : text_setting_specs) out.emplace_back(spec.key, spec.read(s));
    return out;
}

json::object settings_json(settings const& s)
{
    json::object o;
    for (auto const& spec : setting_specs) o[spec.key] = spec.read(s);
    for (auto const& spec : text_setting_specs) o[spec.key] = spec.read(s);
    return o;
}

bool is_number_setting(std::string_view key)
{
    return std::any_of(std::begin(setting_specs), std::end(setting_specs),
                       [&](setting_spec const& s) { return key == s.key; });
}

// Checks every change (nothing is stored when one is wrong), stores them with an audit row each
// in one transaction, then publishes the settings to the running server.
std::optional<failure> change_settings(call& c, std::vector<std::pair<std::string, std::string>> const& changes)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("change the community's settings")) return f;
    if (changes.empty())
        return failure{failure_kind::invalid, "invalid_field", "Send at least one setting to change.", ""};
    if (changes.size() > std::size(setting_specs) + std::size(text_setting_specs))
        return failure{failure_kind::invalid, "invalid_field", "Send each setting once.", ""};
    for (auto const& [key, value] : changes)
        if (auto const e = check_setting(key, value)) {
            auto message = e->message;
            message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
            return failure{failure_kind::invalid,
                           e->problem == setting_problem::unknown_key ? "unknown_setting" : "invalid_setting",
                           message + ".", key.substr(0, 100)};
        }
    if (!c.ctx.live)
        return failure{failure_kind::unavailable, "unavailable", "Settings cannot be changed here; try again later.",
                       "", 5};
    auto& live = *c.ctx.live;
    auto const actor = c.who.user->id;
    std::uint64_t version = 0;
    auto const next = c.ctx.db.write([&](store::connection& conn) {
        auto tx = conn.begin_immediate();
        store::user_store users(conn);
        auto const now = domain::now();
        settings before = live.current();
        for (auto const& [key, value] : changes) {
            auto const old = current_values(before);
            auto const it = std::find_if(old.begin(), old.end(), [&](auto const& kv) { return kv.first == key; });
            auto const was = it == old.end() ? std::string() : it->second;
            if (was == value && users.setting(key)) continue;
            users.set_setting(key, value);
            store::add_audit(conn, {.actor_id = actor,
                                    .action = "change_setting",
                                    .reason = key + ": " + was + " → " + value,
                                    .before = json::serialize(json::object{{"key", key}, {"value", was}}),
                                    .created_at = now});
        }
        settings after = before;
        load_settings(conn, after);
        version = live.next_version();
        tx.commit();
        return after;
    });
    live.publish(next, version);
    // This thread's own copy follows at once, so the answer shows what now holds.
    c.ctx.config = live.current();
    return std::nullopt;
}

response settings_page(call& c, page_status status, std::string const& error, std::string const& error_key,
                       std::vector<std::pair<std::string, std::string>> const& sent)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    if (auto f = permissions(c.ctx, c.who).may_administer("change the community's settings"))
        return message_page(c, *f, "Admins only", f->message);
    settings const defaults{};
    auto const now = current_values(c.ctx.config);
    std::vector<view> group_views;
    for (auto const& g : groups) {
        std::vector<view> items;
        for (auto const& [key, value] : now) {
            if (!key.starts_with(g.prefix)) continue;
            view v;
            std::string shown = value;
            for (auto const& [k, text] : sent)
                if (k == key) shown = text;
            std::string id = "setting-" + key;
            std::replace(id.begin(), id.end(), '.', '-');
            v.set("key", key).set("id", id).set("label", label_of(key)).set("value", shown);
            v.set("invalid", key == error_key);
            if (key == error_key) v.set("error", error);
            for (auto const& spec : setting_specs)
                if (key == spec.key)
                    v.set("number", true)
                        .set("min", spec.min)
                        .set("max", spec.max)
                        .set("default", std::to_string(spec.read(defaults)));
            items.push_back(std::move(v));
        }
        view gv;
        gv.set("title", std::string(g.title))
            .set("lede", std::string(g.lede))
            .set("id", "group-" + std::string(g.prefix.substr(0, g.prefix.size() - 1)))
            .set("settings", items);
        group_views.push_back(std::move(gv));
    }
    view v;
    v.set("groups", group_views).set("error", error_key.empty() ? error : "");
    auto const q = query_fields(c);
    if (field(q, "saved") == "1" && error.empty()) v.set("saved", true);
    return page(c, status, "admin_settings", "Settings", std::move(v));
}

response show_settings(call& c)
{
    return settings_page(c, 200, "", "", {});
}

response post_settings(call& c)
{
    auto checked = signed_in_form(c, "/admin/settings");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    // Only what differs from the value in force is a change: the page sends every field.
    std::vector<std::pair<std::string, std::string>> sent, changes;
    auto const now = current_values(c.ctx.config);
    for (auto const& [key, value] : now) {
        auto const found = http::find_field(form, key);
        if (!found) continue;
        std::string text(*found);
        if (is_number_setting(key)) text = std::string(domain::trim(text));
        sent.emplace_back(key, text);
        if (text != value) changes.emplace_back(key, text);
    }
    if (changes.empty()) return redirect("/admin/settings?saved=1");
    if (auto f = change_settings(c, changes)) return settings_page(c, *f, f->message, f->field, sent);
    return redirect("/admin/settings?saved=1");
}

response api_settings(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("read the community's settings")) return error_response(*f);
    return json_response(200, settings_json(c.ctx.config));
}

response api_change_settings(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("change the community's settings")) return error_response(*f);
    auto body = body_object(c);
    if (auto const* f = std::get_if<failure>(&body)) return error_response(*f);
    std::vector<std::pair<std::string, std::string>> changes;
    for (auto const& [key, value] : std::get<json::object>(body)) {
        std::string const name(key);
        if (value.is_int64()) {
            changes.emplace_back(name, std::to_string(value.as_int64()));
        } else if (value.is_string()) {
            changes.emplace_back(name, std::string(value.as_string()));
        } else {
            if (auto const e = check_setting(name, ""); e && e->problem == setting_problem::unknown_key)
                return error_response({failure_kind::invalid, "unknown_setting",
                                       "Unknown setting " + name.substr(0, 100) + ".", name.substr(0, 100)});
            return error_response(
                {failure_kind::invalid, "invalid_setting",
                 "Setting " + name + (is_number_setting(name) ? " takes a whole number." : " takes text."), name});
        }
    }
    if (auto f = change_settings(c, changes)) return error_response(*f);
    return json_response(200, settings_json(c.ctx.config));
}

// ---- moderators ----

std::optional<failure> change_role(call& c, std::int64_t user_id, std::string const& role, store::user_row& out)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("give or take the moderator role")) return f;
    if (role != "member" && role != "moderator")
        return failure{failure_kind::invalid, "invalid_field", "The role is member or moderator.", "role"};
    store::user_store users(c.ctx.db.reader());
    auto const target = users.find(user_id);
    if (!target) return failure{failure_kind::not_found, "not_found", "There is no such member.", ""};
    if (target->role == domain::role::admin)
        return failure{failure_kind::conflict, "conflict",
                       target->username + " is an admin; an admin's role is not changed here.", "role"};
    out = *target;
    auto const wanted = domain::parse_role(role);
    if (target->role == wanted) return std::nullopt;
    auto const actor = c.who.user->id;
    c.ctx.db.write([&](store::connection& conn) {
        auto tx = conn.begin_immediate();
        store::user_store(conn).set_role(user_id, role);
        store::add_audit(conn, {.actor_id = actor,
                                .action = "change_role",
                                .user_id = user_id,
                                .reason = std::string(domain::role_name(target->role)) + " → " + role,
                                .created_at = domain::now()});
        tx.commit();
    });
    out.role = wanted;
    return std::nullopt;
}

response moderators_page(call& c, page_status status, std::string const& error)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    if (auto f = permissions(c.ctx, c.who).may_administer("give or take the moderator role"))
        return message_page(c, *f, "Admins only", f->message);
    std::vector<view> staff;
    for (auto const& u : store::user_store(c.ctx.db.reader()).staff()) {
        view v;
        v.set("user", author_view({u.id, u.username, u.reputation}))
            .set("role", std::string(domain::role_name(u.role)))
            .set("is_moderator", u.role == domain::role::moderator);
        staff.push_back(std::move(v));
    }
    view v;
    v.set("staff", staff).set("error", error);
    if (field(query_fields(c), "done") == "1" && error.empty()) v.set("done", true);
    return page(c, status, "admin_moderators", "Moderators", std::move(v));
}

response show_moderators(call& c)
{
    return moderators_page(c, 200, "");
}

response post_moderators(call& c)
{
    auto checked = signed_in_form(c, "/admin/moderators");
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    auto const name = std::string(domain::trim(field(form, "username")));
    if (name.empty() || name.size() > 100)
        return moderators_page(c, 422, "Write the username of the member to change.");
    auto const target = store::user_store(c.ctx.db.reader()).find_by_username(name);
    if (!target) return moderators_page(c, 404, "No member is called “" + name + "”; check the spelling.");
    store::user_row changed;
    if (auto f = change_role(c, target->id, field(form, "role"), changed)) return moderators_page(c, *f, f->message);
    return redirect("/admin/moderators?done=1");
}

response api_change_role(call& c)
{
    if (auto f = permissions(c.ctx, c.who).may_administer("give or take the moderator role")) return error_response(*f);
    auto const id = id_param(c);
    if (!id) return bad_id("user");
    auto body = body_object(c);
    if (auto const* f = std::get_if<failure>(&body)) return error_response(*f);
    std::string role;
    if (auto f = require_string(std::get<json::object>(body), "role", role)) return error_response(*f);
    store::user_row changed;
    if (auto f = change_role(c, *id, role, changed)) return error_response(*f);
    store::user_store users(c.ctx.db.reader());
    return json_response(200, user_json(changed, users.counts(*id)));
}

}  // namespace

void add_admin_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/admin/settings", show_settings);
    r.add(method::post, "/admin/settings", post_settings);
    r.add(method::get, "/api/v1/admin/settings", api_settings);
    r.add(method::patch, "/api/v1/admin/settings", api_change_settings);
    r.add(method::get, "/admin/moderators", show_moderators);
    r.add(method::post, "/admin/moderators", post_moderators);
    r.add(method::put, "/api/v1/users/{id}/role", api_change_role);
}

}  // namespace peerdesk::app
