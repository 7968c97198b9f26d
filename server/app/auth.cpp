#include "server/app/auth.hpp"

#include "server/app/member_memo.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/user_store.hpp"

namespace peerdesk::app {

std::string csrf_for(std::string_view session_token)
{
    return domain::base64url(domain::sha256("peerdesk-csrf:" + std::string(session_token))).substr(0, 32);
}

namespace {

// A session as a request found it: every signed-in page looks its cookie up (a hash, a join of
// sessions and users, and the CSRF token's hash: about a tenth of a signed-in question page).
// Signing out, a suspension or a role change is a write, which forgets every entry; an expiry
// is seen at most 5 s late. About 250 bytes an entry.
struct seen_session {
    store::user_row user;
    std::string csrf_token;
};

member_memo<seen_session>& seen_sessions()
{
    static member_memo<seen_session> memo(20'000);
    return memo;
}

}  // namespace

viewer authenticate(http::request const& req, context& ctx)
{
    viewer v;
    v.address = req.remote_address;
    store::user_store users(ctx.db.reader());
    if (auto const auth = req.header("authorization")) {
        constexpr std::string_view bearer = "Bearer ";
        if (auth->starts_with(bearer)) {
            auto const token = auth->substr(bearer.size());
            if (!token.empty() && token.size() < 200) {
                auto const hash = domain::sha256(token);
                v.user = users.find_by_api_token(hash);
                if (v.user) {
                    v.auth = auth_kind::bearer;
                    // Last use to the hour: one write an hour per token, not one per request.
                    auto const now = domain::now();
                    if (auto const id = users.api_token_due(hash, now - 3600))
                        ctx.db.write([&](store::connection& c) { store::user_store(c).touch_api_token(*id, now); });
                }
            }
        }
        return v;  // a bearer request never falls back to the cookie
    }
    if (auto const cookie = req.header("cookie")) {
        auto const cookies = http::parse_cookies(*cookie);
        if (auto const token = http::find_field(cookies, session_cookie); token && token->size() < 200) {
            std::string key(*token);
            if (auto kept = seen_sessions().find(ctx.db, key)) {
                v.user = std::move(kept->user);
                v.auth = auth_kind::cookie;
                v.session_token = std::move(key);
                v.csrf_token = std::move(kept->csrf_token);
                return v;
            }
            auto const writes = ctx.db.any_write_count();
            v.user = users.find_by_session(domain::sha256(*token), domain::now());
            if (v.user) {
                v.auth = auth_kind::cookie;
                v.session_token = key;
                v.csrf_token = csrf_for(*token);
                seen_sessions().store(ctx.db, writes, std::move(key), {*v.user, v.csrf_token});
            }
        }
    }
    return v;
}

std::optional<std::string> anonymous_csrf(http::request const& req)
{
    if (auto const cookie = req.header("cookie")) {
        auto const cookies = http::parse_cookies(*cookie);
        if (auto const value = http::find_field(cookies, anonymous_csrf_cookie); value && value->size() >= 16)
            return std::string(*value);
    }
    return std::nullopt;
}

bool csrf_ok(call const& c, std::optional<std::string_view> form_token)
{
    if (c.who.auth == auth_kind::bearer) return true;
    auto const sent = c.req.header("x-csrf-token");
    auto const token = sent ? sent : form_token;
    if (c.who.auth == auth_kind::cookie) return token && domain::constant_time_equal(*token, c.who.csrf_token);
    auto const expected = anonymous_csrf(c.req);
    return expected && token && domain::constant_time_equal(*token, *expected);
}

std::string session_cookie_header(std::string_view token, settings const& s)
{
    return std::string(session_cookie) + "=" + std::string(token) +
           "; Path=/; Max-Age=" + std::to_string(s.session_seconds) + "; HttpOnly; SameSite=Lax" +
           (s.secure_cookies ? "; Secure" : "");
}

std::string clear_session_cookie_header(settings const& s)
{
    return std::string(session_cookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" +
           (s.secure_cookies ? "; Secure" : "");
}

std::string anonymous_csrf_cookie_header(std::string_view value, settings const& s)
{
    return std::string(anonymous_csrf_cookie) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Lax" +
           (s.secure_cookies ? "; Secure" : "");
}

}  // namespace peerdesk::app
