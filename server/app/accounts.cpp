// Accounts: signing up, in and out, the account page, passwords and API tokens.
#include "server/app/frame.hpp"
#include "server/app/inbox.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/user_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

response signin_form(call& c, page_status status, std::string const& login, std::string const& next,
                     std::string const& error)
{
    page_state state;
    ensure_anonymous_csrf(c, state);
    view v;
    v.set("login_value", login).set("next", next).set("next_param", http::percent_encode(next)).set("error", error);
    return page(c, status, "signin", "Sign in", std::move(v), state);
}

response signin_page(call& c)
{
    auto const query = query_fields(c);
    auto const next = safe_next(field(query, "next"));
    if (c.who.signed_in()) return redirect(next);
    return signin_form(c, 200, "", next, "");
}

response post_signin(call& c)
{
    auto const form = form_of(c);
    if (!form) return message_page(c, 400, "Bad form", "The form could not be read; reload the page and try again.");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    auto const login = field(*form, "login"), next = safe_next(field(*form, "next"));
    auto result = sign_in(c.ctx, c.who, login, field(*form, "password"));
    if (auto const* f = failed(result)) return signin_form(c, *f, login, next, f->message);
    auto r = redirect(next);
    r.add("Set-Cookie", session_cookie_header(std::get<session_started>(result).token, c.ctx.config));
    return r;
}

response signup_form(call& c, page_status status, std::string const& username, std::string const& email,
                     std::string const& next, failure const* error)
{
    page_state state;
    ensure_anonymous_csrf(c, state);
    view v;
    v.set("username_value", username)
        .set("email_value", email)
        .set("next", next)
        .set("next_param", http::percent_encode(next));
    if (error) v.set("error", error->message);
    return page(c, status, "signup", "Sign up", std::move(v), state);
}

response signup_page(call& c)
{
    auto const query = query_fields(c);
    auto const next = safe_next(field(query, "next"));
    if (c.who.signed_in()) return redirect(next);
    return signup_form(c, 200, "", "", next, nullptr);
}

response post_signup(call& c)
{
    auto const form = form_of(c);
    if (!form) return message_page(c, 400, "Bad form", "The form could not be read; reload the page and try again.");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    auto const username = field(*form, "username"), email = field(*form, "email"), password = field(*form, "password");
    auto const next = safe_next(field(*form, "next"));
    auto const created = sign_up(c.ctx, c.who, username, email, password);
    if (auto const* f = failed(created)) return signup_form(c, *f, username, email, next, f);
    auto session = sign_in(c.ctx, c.who, username, password);
    if (auto const* f = failed(session)) return signin_form(c, *f, username, next, f->message);
    auto r = redirect(next);
    r.add("Set-Cookie", session_cookie_header(std::get<session_started>(session).token, c.ctx.config));
    return r;
}

response account_form(call& c, page_status status, std::string const& error, bool done,
                      std::string const& token_error = "", std::string const& new_token = "")
{
    view v;
    v.set("username", c.who.user->username).set("error", error).set("done", done);
    std::vector<view> tokens;
    for (auto const& t : store::user_store(c.ctx.db.reader()).api_tokens(c.who.user->id)) {
        view one;
        one.set("id", t.id).set("name", t.name).set("created", time_view(t.created_at));
        if (t.last_used_at) one.set("last_used", time_view(*t.last_used_at));
        tokens.push_back(std::move(one));
    }
    v.set("tokens", tokens)
        .set("has_tokens", !tokens.empty())
        .set("token_error", token_error)
        .set("new_token", new_token);
    auto const saved = http::find_field(query_fields(c), "saved").value_or("") == "notifications";
    v.set_html("notifications_html",
               account_notifications_html(c, saved ? "Your notification preferences are saved." : ""));
    return page(c, status, "account", "Your account", std::move(v));
}

response account_page(call& c)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    return account_form(c, 200, "", false);
}

response post_password(call& c)
{
    auto form = signed_in_form(c, "/account");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    auto const& f = std::get<http::fields>(form);
    auto result = change_password(c.ctx, c.who, field(f, "current_password"), field(f, "new_password"),
                                  field(f, "keep_tokens") == "1" ? api_tokens::keep : api_tokens::end);
    if (auto const* e = failed(result)) return account_form(c, *e, e->message, false);
    // The page after the change belongs to the new session, with its own CSRF token.
    auto const& s = std::get<session_started>(result);
    c.who.session_token = s.token;
    c.who.csrf_token = csrf_for(s.token);
    auto r = account_form(c, 200, "", true);
    r.add("Set-Cookie", session_cookie_header(s.token, c.ctx.config));
    return r;
}

response post_new_token(call& c)
{
    auto form = signed_in_form(c, "/account");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    auto const result = create_api_token(c.ctx, c.who, field(std::get<http::fields>(form), "name"));
    if (auto const* e = failed(result)) return account_form(c, *e, "", false, e->message);
    // Shown once, on this answer only: the server keeps just its hash.
    return account_form(c, 201, "", false, "", std::get<std::string>(result));
}

response post_revoke_token(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto form = signed_in_form(c, "/account");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    if (!id) return account_form(c, 404, "", false, "You have no such API token.");
    auto const revoked = revoke_api_token(c.ctx, c.who, *id);
    if (auto const* e = failed(revoked)) return account_form(c, *e, "", false, e->message);
    return redirect("/account#tokens");
}

response post_signout(call& c)
{
    auto const form = form_of(c);
    if (!form) return redirect("/");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    sign_out(c.ctx, c.who);
    auto r = redirect("/");
    r.add("Set-Cookie", clear_session_cookie_header(c.ctx.config));
    return r;
}

response create_user(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string username, email, password;
    if (auto f = require_string(body, "username", username)) return error_response(*f);
    if (auto f = require_string(body, "email", email)) return error_response(*f);
    if (auto f = require_string(body, "password", password)) return error_response(*f);
    auto const result = sign_up(c.ctx, c.who, username, email, password);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& user = std::get<store::user_row>(result);
    auto r = json_response(201, user_json(user, {}));
    r.set("Location", urls::api_user(user.id));
    return r;
}

response create_session(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string login, password;
    if (auto f = require_string(body, "login", login)) return error_response(*f);
    if (auto f = require_string(body, "password", password)) return error_response(*f);
    auto result = sign_in(c.ctx, c.who, login, password);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& s = std::get<session_started>(result);
    auto const counts = store::user_store(c.ctx.db.reader()).counts(s.user.id);
    auto r = json_response(200, json::object{{"user", user_json(s.user, counts)}, {"csrf_token", csrf_for(s.token)}});
    r.add("Set-Cookie", session_cookie_header(s.token, c.ctx.config));
    return r;
}

response delete_session(call& c)
{
    sign_out(c.ctx, c.who);
    response r;
    r.status = 204;
    r.add("Set-Cookie", clear_session_cookie_header(c.ctx.config));
    return r;
}

response change_password_api(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string current, replacement;
    if (auto f = require_string(body, "current_password", current)) return error_response(*f);
    if (auto f = require_string(body, "new_password", replacement)) return error_response(*f);
    bool keep = false;
    if (auto const* k = body.if_contains("keep_tokens")) {
        if (!k->is_bool())
            return error_response(
                {failure_kind::invalid, "invalid_field", "keep_tokens is true or false.", "keep_tokens"});
        keep = k->as_bool();
    }
    auto result = change_password(c.ctx, c.who, current, replacement, keep ? api_tokens::keep : api_tokens::end);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& s = std::get<session_started>(result);
    auto r = json_response(200, json::object{{"csrf_token", csrf_for(s.token)}});
    r.add("Set-Cookie", session_cookie_header(s.token, c.ctx.config));
    return r;
}

response me(call& c)
{
    if (!c.who.user) return error_response({failure_kind::not_signed_in, "not_signed_in", "Sign in first.", ""});
    auto o = user_json(*c.who.user, store::user_store(c.ctx.db.reader()).counts(c.who.user->id));
    o["email"] = c.who.user->email;
    o["csrf_token"] = c.who.csrf_token;
    return json_response(200, o);
}

response create_token(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string name;
    if (auto f = require_string(body, "name", name)) return error_response(*f);
    auto const result = create_api_token(c.ctx, c.who, name);
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(201, json::object{{"token", std::get<std::string>(result)}, {"name", name}});
}

response list_tokens(call& c)
{
    auto const result = list_api_tokens(c.ctx, c.who);
    if (auto const* f = failed(result)) return error_response(*f);
    json::array items;
    for (auto const& t : std::get<std::vector<store::api_token_row>>(result)) {
        json::object o{{"id", t.id}, {"name", t.name}, {"created_at", domain::rfc3339(t.created_at)}};
        o["last_used_at"] = t.last_used_at ? json::value(domain::rfc3339(*t.last_used_at)) : json::value(nullptr);
        items.push_back(std::move(o));
    }
    auto const n = static_cast<std::int64_t>(items.size());
    return json_response(200, json::object{{"items", std::move(items)}, {"page", 1}, {"pagesize", n}, {"total", n}});
}

response revoke_token(call& c)
{
    auto const id = id_param(c);
    if (!id) return error_response({failure_kind::not_found, "not_found", "You have no such API token.", ""});
    auto const result = revoke_api_token(c.ctx, c.who, *id);
    if (auto const* f = failed(result)) return error_response(*f);
    response r;
    r.status = 204;
    return r;
}

}  // namespace

void add_account_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/signin", signin_page);
    r.add(method::post, "/signin", post_signin);
    r.add(method::get, "/signup", signup_page);
    r.add(method::post, "/signup", post_signup);
    r.add(method::post, "/signout", post_signout);
    r.add(method::get, "/account", account_page);
    r.add(method::post, "/account/password", post_password);
    r.add(method::post, "/account/tokens", post_new_token);
    r.add(method::post, "/account/tokens/{id}/revoke", post_revoke_token);
    r.add(method::post, "/api/v1/users", create_user);
    r.add(method::post, "/api/v1/session", create_session);
    r.add(method::delete_, "/api/v1/session", delete_session);
    r.add(method::get, "/api/v1/me", me);
    r.add(method::put, "/api/v1/me/password", change_password_api);
    r.add(method::post, "/api/v1/tokens", create_token);
    r.add(method::get, "/api/v1/tokens", list_tokens);
    r.add(method::delete_, "/api/v1/tokens/{id}", revoke_token);
}

}  // namespace peerdesk::app
