// Verified addresses and account recovery (see recovery.hpp): the actions, then the JSON API,
// then the pages.
#include "server/app/recovery.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/frame.hpp"
#include "server/app/mailer.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/mail_store.hpp"
#include "server/store/user_store.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace peerdesk::app {

using http::response;
using render::view;
using store::token_purpose;

namespace {

namespace json = boost::json;

constexpr std::int64_t reset_valid_seconds = 3600;
constexpr std::int64_t verify_valid_seconds = 7 * 24 * 3600;
// Per account: links of one kind in an hour. Per address asked for (known or not): requests in
// an hour, beyond which the answer is 429 for every address alike.
constexpr std::int64_t reset_links_per_hour = 3;
constexpr std::int64_t reset_requests_per_hour = 5;
constexpr std::int64_t verification_links_per_hour = 3;
// Per client address, in memory (off with --rate-limits off).
constexpr rate_rule reset_per_client{20, 3600};

std::string site_name(mail_options const& o)
{
    return o.from.name.empty() ? std::string("peerdesk") : o.from.name;
}

failure mail_off()
{
    return {failure_kind::unavailable, "mail_unavailable",
            "This site is not set up to send mail, so no link can be sent. Ask the site's administrators for help.",
            ""};
}

failure rate_limited(std::int64_t wait, std::string const& what)
{
    auto const seconds = static_cast<int>(std::max<std::int64_t>(1, wait));
    return {failure_kind::rate_limited, "rate_limited",
            what + " Try again in " + std::to_string((seconds + 59) / 60) + " minute(s).", "", seconds};
}

std::string lowercase(std::string_view s)
{
    std::string out(s);
    for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

// A new link's token; only its hash is stored.
std::string new_token(store::mail_store& s, std::int64_t user_id, token_purpose purpose, std::string_view email,
                      std::int64_t now, std::int64_t valid)
{
    auto token = domain::random_token(32);
    s.add_token(domain::sha256(token), user_id, purpose, email, now, now + valid);
    return token;
}

// Whether a link still works: the stored row, or the failure to show.
std::variant<store::account_token_row, failure> check_token(store::connection& c, std::string_view token,
                                                            token_purpose purpose, std::int64_t now)
{
    failure const invalid{failure_kind::not_found, "invalid_token",
                          "This link is not valid. Check that the whole link from the mail was used, or ask for "
                          "a new one.",
                          "token"};
    bool const shaped = !token.empty() && token.size() <= 100 && std::all_of(token.begin(), token.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
    });
    if (!shaped) return invalid;
    store::mail_store s(c);
    auto row = s.find_token(domain::sha256(token));
    if (!row || row->purpose != purpose) return invalid;
    if (row->used_at)
        return failure{failure_kind::gone, "token_used", "This link has been used already; ask for a new one.",
                       "token"};
    if (row->expires_at <= now)
        return failure{failure_kind::gone, "token_expired",
                       purpose == token_purpose::reset_password
                           ? "This link has expired: a reset link works for one hour. Ask for a new one."
                           : "This link has expired: a confirmation link works for seven days. Ask for a new one.",
                       "token"};
    auto const a = s.address(row->user_id);
    if (!a || lowercase(a->email) != lowercase(row->email))
        return failure{failure_kind::gone, "token_stale",
                       "This link was sent to an address the account no longer has; it no longer works.", "token"};
    return std::move(*row);
}

bool queue_reset(store::connection& c, mail_options const& o, std::int64_t user_id, std::int64_t now)
{
    store::mail_store s(c);
    auto const a = s.address(user_id);
    if (!a || !mail::valid_address(a->email)) return false;
    auto const token = new_token(s, user_id, token_purpose::reset_password, a->email, now, reset_valid_seconds);
    outgoing_mail m;
    m.user_id = user_id;
    m.kind = "password_reset";
    m.to = {a->username, a->email};
    m.subject = "Set a new password for " + site_name(o);
    m.template_name = "mail/password_reset";
    m.values.set("username", a->username).set("link", public_link(o, "/password-reset/confirm?token=" + token));
    return enqueue_mail(c, o, std::move(m), now);
}

void queue_change_notice(store::connection& c, mail_options const& o, std::int64_t user_id, std::string const& username,
                         std::string const& old_email, std::string const& new_email, std::int64_t now)
{
    outgoing_mail m;
    m.user_id = user_id;
    m.kind = "email_changed";
    m.to = {username, old_email};
    m.subject = "The address of your " + site_name(o) + " account was changed";
    m.template_name = "mail/email_changed";
    m.values.set("username", username).set("new_email", new_email).set("time", domain::readable_time(now));
    enqueue_mail(c, o, std::move(m), now);
}

// ---- actions -------------------------------------------------------------------------------

// 202 for any well-formed address (or 429 alike for all): see recovery.hpp.
std::optional<failure> request_reset(context& ctx, viewer const& who, std::string_view email)
{
    auto const& o = ctx.config.mail;
    if (!o.enabled) return mail_off();
    if (auto e = domain::check_email(email))
        return failure{failure_kind::invalid, "invalid_field", e->message, e->field};
    if (auto f = check_rate(ctx, who, "password-reset", reset_per_client, rate_scope::address)) return f;
    auto const key = domain::sha256("password-reset:" + lowercase(email));
    auto const now = domain::now();
    auto const wait = ctx.db.write(
        [&](store::connection& c) -> std::optional<std::int64_t> {
            store::mail_store s(c);
            if (s.requests_since(key, "password_reset", now - 3600) >= reset_requests_per_hour)
                return s.oldest_request_since(key, "password_reset", now - 3600).value_or(now) + 3600 - now;
            s.add_request(key, "password_reset", now);
            auto const user = s.user_by_email(email);
            if (!user) return std::nullopt;
            // An address that never confirmed itself is sent nothing but the confirmation (anyone
            // may type anyone's address at sign-up): asked for a reset, it gets the confirmation
            // link again, and once confirmed the member asks for the reset.
            auto const address = s.address(*user);
            if (address && address->verified_at) {
                if (s.tokens_since(*user, token_purpose::reset_password, now - 3600) < reset_links_per_hour)
                    queue_reset(c, o, *user, now);
            } else if (s.tokens_since(*user, token_purpose::verify_email, now - 3600) < verification_links_per_hour) {
                queue_verification(c, o, *user, now);
            }
            return std::nullopt;
        },
        store::database::seen::no);
    if (wait) return rate_limited(*wait, "Too many reset links were asked for this address.");
    return std::nullopt;
}

outcome<session_started> confirm_reset(context& ctx, viewer const& who, std::string_view token,
                                       std::string_view password)
{
    auto const now = domain::now();
    auto checked = check_token(ctx.db.reader(), token, token_purpose::reset_password, now);
    if (auto* f = std::get_if<failure>(&checked)) return *f;
    auto const user_id = std::get<store::account_token_row>(checked).user_id;
    auto const user = store::user_store(ctx.db.reader()).find(user_id);
    if (!user)
        return failure{failure_kind::not_found, "invalid_token", "This link is not valid; ask for a new one.", "token"};
    if (auto e = domain::check_password(password, user->username, ctx.config.limits))
        return failure{failure_kind::invalid, "invalid_field", e->message, "password"};
    auto const hash = domain::hash_password(password);  // slow on purpose: outside the writer
    auto session = domain::random_token();
    auto const refused = ctx.db.write([&](store::connection& c) -> std::optional<failure> {
        // Checked again where it counts: two uses at once find one of them first.
        auto again = check_token(c, token, token_purpose::reset_password, now);
        if (auto* f = std::get_if<failure>(&again)) return *f;
        store::mail_store s(c);
        if (!s.use_token(domain::sha256(token), now))
            return failure{failure_kind::gone, "token_used", "This link has been used already; ask for a new one.",
                           "token"};
        store::user_store users(c);
        users.set_password(user_id, hash);
        // Whoever held the account before (a session, a token) is out.
        users.delete_sessions_of(user_id);
        users.delete_api_tokens_of(user_id);
        s.end_tokens(user_id, token_purpose::reset_password, now);
        // The link reached the address: that proves the address as a confirmation link would.
        s.set_verified(user_id, now);
        users.create_session(domain::sha256(session), user_id, now, now + ctx.config.session_seconds);
        return std::nullopt;
    });
    if (refused) return *refused;
    (void)who;
    return session_started{*store::user_store(ctx.db.reader()).find(user_id), std::move(session)};
}

outcome<std::string> confirm_verification(context& ctx, std::string_view token)
{
    auto const now = domain::now();
    using result = std::variant<std::string, failure>;
    return ctx.db.write([&](store::connection& c) -> result {
        auto checked = check_token(c, token, token_purpose::verify_email, now);
        if (auto* f = std::get_if<failure>(&checked)) return *f;
        auto const& row = std::get<store::account_token_row>(checked);
        store::mail_store s(c);
        s.use_token(domain::sha256(token), now);
        s.set_verified(row.user_id, now);
        return row.email;
    });
}

outcome<std::string> resend_verification(context& ctx, viewer const& who)
{
    if (!who.user) return failure{failure_kind::not_signed_in, "not_signed_in", "Sign in to confirm your address.", ""};
    auto const& o = ctx.config.mail;
    if (!o.enabled) return mail_off();
    auto const a = store::mail_store(ctx.db.reader()).address(who.user->id);
    if (!a) return failure{failure_kind::not_signed_in, "not_signed_in", "Sign in to confirm your address.", ""};
    if (a->verified_at)
        return failure{failure_kind::conflict, "already_verified",
                       "Your address " + a->email + " is confirmed already.", ""};
    if (!mail::valid_address(a->email))
        return failure{failure_kind::invalid, "invalid_field",
                       "Mail cannot be sent to " + a->email + "; change your address to one like name@example.com.",
                       "email"};
    auto const now = domain::now();
    auto const wait = ctx.db.write([&](store::connection& c) -> std::optional<std::int64_t> {
        store::mail_store s(c);
        if (s.tokens_since(who.user->id, token_purpose::verify_email, now - 3600) >= verification_links_per_hour)
            return 3600;
        queue_verification(c, o, who.user->id, now);
        return std::nullopt;
    });
    if (wait)
        return rate_limited(*wait,
                            "Three confirmation links were sent in the last hour; check your mail (and spam folder).");
    return a->email;
}

struct email_changed {
    std::string email;
    bool verification_sent = false;
};

outcome<email_changed> change_email(context& ctx, viewer const& who, std::string_view email,
                                    std::string_view current_password)
{
    if (!who.user) return failure{failure_kind::not_signed_in, "not_signed_in", "Sign in to change your address.", ""};
    if (who.auth == auth_kind::bearer)
        return failure{failure_kind::forbidden, "token_not_allowed",
                       "An API token cannot change the address; sign in in a browser to change it.", ""};
    if (current_password.empty())
        return failure{failure_kind::invalid, "invalid_field", "Enter your current password.", "current_password"};
    if (auto e = domain::check_email(email))
        return failure{failure_kind::invalid, "invalid_field", e->message, "email"};
    if (!mail::valid_address(email))
        return failure{failure_kind::invalid, "invalid_field",
                       "Mail cannot be sent to that address; enter one like name@example.com.", "email"};
    // Wrong passwords are limited as failed sign-ins are; the limit is checked before the
    // password, so that guesses past it learn nothing.
    auto const key = "email-change:u" + std::to_string(who.user->id);
    auto const rule = ctx.config.rates.failed_sign_in;
    auto const ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    if (ctx.limiter)
        if (auto const w = ctx.limiter->check(key, rule, ms)) return rate_limited(*w, "Too many wrong passwords.");
    auto const found = store::user_store(ctx.db.reader()).find_for_login(who.user->username);
    if (!found || !domain::verify_password(current_password, found->second)) {
        if (ctx.limiter) ctx.limiter->hit(key, rule, ms);
        return failure{failure_kind::not_signed_in, "wrong_credentials", "Your current password is not right.",
                       "current_password"};
    }
    auto const& o = ctx.config.mail;
    auto const now = domain::now();
    using result = std::variant<email_changed, failure>;
    return ctx.db.write([&](store::connection& c) -> result {
        store::mail_store s(c);
        auto const before = s.address(who.user->id);
        if (!before)
            return failure{failure_kind::not_signed_in, "not_signed_in", "Sign in to change your address.", ""};
        auto const outcome = s.change_email(who.user->id, email);
        if (outcome == store::email_change_outcome::taken)
            return failure{failure_kind::conflict, "email_taken", "Another account uses that address.", "email"};
        if (outcome == store::email_change_outcome::unchanged) return email_changed{std::string(email), false};
        s.end_tokens(who.user->id, token_purpose::verify_email, now);
        s.end_tokens(who.user->id, token_purpose::reset_password, now);
        bool const sent = queue_verification(c, o, who.user->id, now);
        // The old address hears of it only if it was proven to be the member's.
        if (before->verified_at && lowercase(before->email) != lowercase(email))
            queue_change_notice(c, o, who.user->id, before->username, before->email, std::string(email), now);
        return email_changed{std::string(email), sent};
    });
}

// ---- JSON API ------------------------------------------------------------------------------

response api_request_reset(call& c)
{
    auto body = body_object(c);
    if (auto* f = std::get_if<failure>(&body)) return error_response(*f);
    auto email = string_field(std::get<json::object>(body), "email", 254);
    if (auto* f = std::get_if<failure>(&email)) return error_response(*f);
    if (auto f = request_reset(c.ctx, c.who, std::get<std::string>(email))) return error_response(*f);
    return json_response(202, json::object{{"message",
                                            "If an account uses this address, a link to set a new password is on "
                                            "its way; it works once, for one hour. An address that was never "
                                            "confirmed is sent its confirmation link instead."}});
}

response api_confirm_reset(call& c)
{
    auto body = body_object(c);
    if (auto* f = std::get_if<failure>(&body)) return error_response(*f);
    auto const& o = std::get<json::object>(body);
    auto token = string_field(o, "token", 200);
    if (auto* f = std::get_if<failure>(&token)) return error_response(*f);
    auto password = string_field(o, "password", 1000);
    if (auto* f = std::get_if<failure>(&password)) return error_response(*f);
    auto result = confirm_reset(c.ctx, c.who, std::get<std::string>(token), std::get<std::string>(password));
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& s = std::get<session_started>(result);
    auto r = json_response(
        200, json::object{{"user", user_json(s.user, store::user_store(c.ctx.db.reader()).counts(s.user.id))},
                          {"csrf_token", csrf_for(s.token)}});
    r.add("Set-Cookie", session_cookie_header(s.token, c.ctx.config));
    return r;
}

response api_resend_verification(call& c)
{
    auto result = resend_verification(c.ctx, c.who);
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(202, json::object{{"email", std::get<std::string>(result)}});
}

response api_confirm_verification(call& c)
{
    auto body = body_object(c);
    if (auto* f = std::get_if<failure>(&body)) return error_response(*f);
    auto token = string_field(std::get<json::object>(body), "token", 200);
    if (auto* f = std::get_if<failure>(&token)) return error_response(*f);
    auto result = confirm_verification(c.ctx, std::get<std::string>(token));
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, json::object{{"email", std::get<std::string>(result)}, {"verified", true}});
}

json::object address_json(context& ctx, std::int64_t user_id)
{
    auto const a = store::mail_store(ctx.db.reader()).address(user_id);
    return {{"email", a ? a->email : ""},
            {"verified", a && a->verified_at.has_value()},
            {"mail_enabled", ctx.config.mail.enabled}};
}

response api_my_email(call& c)
{
    if (!c.who.user)
        return error_response({failure_kind::not_signed_in, "not_signed_in", "Sign in to see your address.", ""});
    return json_response(200, address_json(c.ctx, c.who.user->id));
}

response api_update_me(call& c)
{
    if (!c.who.user)
        return error_response({failure_kind::not_signed_in, "not_signed_in", "Sign in to change your account.", ""});
    auto body = body_object(c);
    if (auto* f = std::get_if<failure>(&body)) return error_response(*f);
    auto const& o = std::get<json::object>(body);
    for (auto const& [key, _] : o)
        if (key != "email" && key != "current_password")
            return error_response(
                {failure_kind::invalid, "invalid_field",
                 "Only email (with current_password) can be changed here, not " + std::string(key).substr(0, 50) + ".",
                 std::string(key).substr(0, 50)});
    auto email = string_field(o, "email", 254);
    if (auto* f = std::get_if<failure>(&email)) return error_response(*f);
    auto password = string_field(o, "current_password", 1000);
    if (auto* f = std::get_if<failure>(&password)) return error_response(*f);
    auto result = change_email(c.ctx, c.who, std::get<std::string>(email), std::get<std::string>(password));
    if (auto const* f = failed(result)) return error_response(*f);
    auto out = address_json(c.ctx, c.who.user->id);
    out["verification_sent"] = std::get<email_changed>(result).verification_sent;
    return json_response(200, out);
}

// ---- pages ---------------------------------------------------------------------------------

std::string query_token(call& c)
{
    return field(query_fields(c), "token");
}

response token_problem(call& c, failure const& f, std::string const& again_url, std::string const& again_label)
{
    return message_page(c, f,
                        f.kind == failure_kind::not_found ? "This link does not work" : "This link no longer works",
                        f.message, again_url, again_label);
}

response reset_form(call& c, page_status status, std::string const& email, std::string const& error, bool sent)
{
    page_state state;
    if (!c.who.signed_in()) ensure_anonymous_csrf(c, state);
    view v;
    v.set("email_value", email).set("error", error).set("sent", sent).set("mail_off", !c.ctx.config.mail.enabled);
    return page(c, status, "password_reset", "Reset your password", std::move(v), state);
}

response reset_page(call& c)
{
    return reset_form(c, 200, "", "", false);
}

response post_reset(call& c)
{
    auto const form = form_of(c);
    if (!form) return message_page(c, 400, "Bad form", "The form could not be read; reload the page and try again.");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    auto const email = field(*form, "email");
    if (email.size() > 254) return reset_form(c, 422, "", "That address is too long.", false);
    if (auto f = request_reset(c.ctx, c.who, email)) {
        return reset_form(c, *f, email, f->message, false);
    }
    return reset_form(c, 202, email, "", true);
}

response new_password_form(call& c, page_status status, std::string const& token, std::string const& error)
{
    page_state state;
    if (!c.who.signed_in()) ensure_anonymous_csrf(c, state);
    auto checked = check_token(c.ctx.db.reader(), token, token_purpose::reset_password, domain::now());
    if (auto* f = std::get_if<failure>(&checked)) return token_problem(c, *f, "/password-reset", "Ask for a new link");
    auto const a = store::mail_store(c.ctx.db.reader()).address(std::get<store::account_token_row>(checked).user_id);
    view v;
    v.set("token", token).set("error", error).set("username", a ? a->username : "");
    return page(c, status, "password_reset_confirm", "Set a new password", std::move(v), state);
}

response confirm_reset_page(call& c)
{
    return new_password_form(c, 200, query_token(c), "");
}

response post_confirm_reset(call& c)
{
    auto const form = form_of(c);
    if (!form) return message_page(c, 400, "Bad form", "The form could not be read; reload the page and try again.");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    auto const token = field(*form, "token");
    auto result = confirm_reset(c.ctx, c.who, token, field(*form, "password"));
    if (auto const* f = failed(result)) {
        if (f->field == "token") return token_problem(c, *f, "/password-reset", "Ask for a new link");
        return new_password_form(c, *f, token, f->message);
    }
    // Signed in with a new session: the browser lands on the questions as the member.
    auto r = redirect("/");
    r.add("Set-Cookie", session_cookie_header(std::get<session_started>(result).token, c.ctx.config));
    return r;
}

response verify_page(call& c)
{
    page_state state;
    if (!c.who.signed_in()) ensure_anonymous_csrf(c, state);
    auto const token = query_token(c);
    auto checked = check_token(c.ctx.db.reader(), token, token_purpose::verify_email, domain::now());
    if (auto* f = std::get_if<failure>(&checked))
        return token_problem(c, *f, "/account/email", "Your address and a new link");
    view v;
    v.set("token", token).set("email", std::get<store::account_token_row>(checked).email);
    return page(c, 200, "verify_email", "Confirm your address", std::move(v), state);
}

response post_verify(call& c)
{
    auto const form = form_of(c);
    if (!form) return message_page(c, 400, "Bad form", "The form could not be read; reload the page and try again.");
    if (auto r = refuse_without_csrf(c, *form)) return std::move(*r);
    auto result = confirm_verification(c.ctx, field(*form, "token"));
    if (auto const* f = failed(result)) return token_problem(c, *f, "/account/email", "Your address and a new link");
    return message_page(c, 200, "Address confirmed",
                        "Thank you: " + std::get<std::string>(result) +
                            " is confirmed as your address. Mail about what you follow can reach you there.");
}

response email_form(call& c, page_status status, std::string const& notice, std::string const& error,
                    std::string const& change_error, std::string const& email_value)
{
    auto const a = store::mail_store(c.ctx.db.reader()).address(c.who.user->id);
    view v;
    v.set("email", a ? a->email : "")
        .set("verified", a && a->verified_at.has_value())
        .set("mail_off", !c.ctx.config.mail.enabled)
        .set("notice", notice)
        .set("error", error)
        .set("change_error", change_error)
        .set("email_value", email_value)
        .set("username", c.who.user->username);
    return page(c, status, "account_email", "Your e-mail address", std::move(v));
}

response email_page(call& c)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    return email_form(c, 200, "", "", "", "");
}

response post_resend(call& c)
{
    auto form = signed_in_form(c, "/account/email");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    auto result = resend_verification(c.ctx, c.who);
    if (auto const* f = failed(result)) {
        return email_form(c, *f, "", f->message, "", "");
    }
    return email_form(c, 202, "A new confirmation link is on its way to " + std::get<std::string>(result) + ".", "", "",
                      "");
}

response post_change_email(call& c)
{
    auto form = signed_in_form(c, "/account/email");
    if (auto* r = std::get_if<response>(&form)) return std::move(*r);
    auto const& f = std::get<http::fields>(form);
    auto const email = field(f, "email");
    auto result = change_email(c.ctx, c.who, email, field(f, "current_password"));
    if (auto const* e = failed(result)) return email_form(c, *e, "", "", e->message, email);
    auto const& changed = std::get<email_changed>(result);
    return email_form(c, 200,
                      changed.verification_sent
                          ? "Your address is now " + changed.email + ". A link to confirm it is on its way there."
                          : "Your address is now " + changed.email + ".",
                      "", "", "");
}

}  // namespace

bool queue_verification(store::connection& c, mail_options const& o, std::int64_t user_id, std::int64_t now)
{
    if (!o.enabled) return false;
    store::mail_store s(c);
    auto const a = s.address(user_id);
    if (!a || a->verified_at || !mail::valid_address(a->email)) return false;
    auto const token = new_token(s, user_id, token_purpose::verify_email, a->email, now, verify_valid_seconds);
    outgoing_mail m;
    m.user_id = user_id;
    m.kind = "verify_email";
    m.to = {a->username, a->email};
    m.subject = "Confirm your address for " + site_name(o);
    m.template_name = "mail/verify_email";
    m.values.set("username", a->username)
        .set("email", a->email)
        .set("link", public_link(o, "/verify-email?token=" + token));
    return enqueue_mail(c, o, std::move(m), now);
}

void add_recovery_routes(route_table& r)
{
    using http::method;
    r.add(method::post, "/api/v1/password-reset", api_request_reset);
    r.add(method::post, "/api/v1/password-reset/confirm", api_confirm_reset);
    r.add(method::post, "/api/v1/me/email/verification", api_resend_verification);
    r.add(method::post, "/api/v1/email-verification/confirm", api_confirm_verification);
    r.add(method::get, "/api/v1/me/email", api_my_email);
    r.add(method::patch, "/api/v1/me", api_update_me);
    r.add(method::get, "/password-reset", reset_page);
    r.add(method::post, "/password-reset", post_reset);
    r.add(method::get, "/password-reset/confirm", confirm_reset_page);
    r.add(method::post, "/password-reset/confirm", post_confirm_reset);
    r.add(method::get, "/verify-email", verify_page);
    r.add(method::post, "/verify-email", post_verify);
    r.add(method::get, "/account/email", email_page);
    r.add(method::post, "/account/email", post_change_email);
    r.add(method::post, "/account/email/verification", post_resend);
}

}  // namespace peerdesk::app
