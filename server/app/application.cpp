#include "server/app/application.hpp"

#include "server/app/auth.hpp"
#include "server/app/pages.hpp"
#include "server/app/respond.hpp"
#include "server/app/static_files.hpp"
#include "server/store/db.hpp"

#include <iostream>

namespace peerdesk::app {

application::application(store::database& db, settings config) : ctx_{db, std::move(config)}
{
    add_api_routes(routes_);
    add_page_routes(routes_);
}

void add_security_headers(http::response& res)
{
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "strict-origin-when-cross-origin");
    res.set("X-Frame-Options", "DENY");
}

namespace {

bool is_api(http::request const& req) { return req.path.starts_with("/api/"); }

http::response not_found_for(call& c)
{
    if (is_api(c.req)) return error_response({404, "not_found", "There is no such endpoint: " + c.req.path.substr(0, 200) + ".", ""});
    return page_not_found(c);
}

}  // namespace

http::response application::dispatch(http::request& req)
{
    if (req.path == "/healthz") {
        auto& s = ctx_.db.reader().cached("SELECT count(*) FROM sqlite_schema");
        s.bind();
        s.step();
        s.reset();
        return text_response(200, "text/plain; charset=utf-8", "ok\n");
    }
    if (req.verb == http::method::get || req.verb == http::method::head)
        if (auto r = serve_static(req)) return std::move(*r);

    auto found = routes_.find(req.verb, req.path);
    call c{req, found.match, ctx_, authenticate(req, ctx_)};
    switch (found.status) {
    case http::route_status::bad_path:
    case http::route_status::not_found: return not_found_for(c);
    case http::route_status::method_not_allowed: {
        std::string allow;
        for (auto m : found.allowed) allow += (allow.empty() ? "" : ", ") + std::string(http::method_name(m));
        auto r = is_api(req) ? error_response({405, "method_not_allowed", "Use " + allow + " here.", ""})
                             : text_response(405, "text/plain; charset=utf-8", "Use " + allow + " here.\n");
        r.set("Allow", allow);
        return r;
    }
    case http::route_status::found: break;
    }
    bool const writes = req.verb != http::method::get && req.verb != http::method::head;
    if (writes && is_api(req) && c.who.auth == auth_kind::cookie && !csrf_ok(c, std::nullopt))
        return error_response({403, "csrf", "Send the X-CSRF-Token header from GET /api/v1/me with every change.", ""});
    return (*found.handler)(c);
}

http::response application::handle(http::request& req) noexcept
{
    http::response res;
    try {
        res = dispatch(req);
    } catch (store::error const& e) {
        std::cerr << "error: database: " << e.what() << " (" << req.method_text << " " << req.path << ")\n";
        bool const full = e.is_full();
        res = is_api(req) ? error_response({full ? 503 : 500, full ? "unavailable" : "internal",
                                            full ? "The server cannot store anything right now; try again later."
                                                 : "Something went wrong on our side; it has been logged.",
                                            ""})
                          : text_response(full ? 503 : 500, "text/plain; charset=utf-8",
                                          full ? "The server cannot store anything right now; try again later.\n"
                                               : "Something went wrong on our side; it has been logged.\n");
    } catch (...) {
        std::string what = "unknown exception";
        try {
            throw;
        } catch (std::exception const& e) {
            what = e.what();
        } catch (...) {
        }
        std::cerr << "error: " << what << " (" << req.method_text << " " << req.path << ")\n";
        res = is_api(req) ? error_response({500, "internal", "Something went wrong on our side; it has been logged.", ""})
                          : text_response(500, "text/plain; charset=utf-8",
                                          "Something went wrong on our side; it has been logged.\n");
    }
    add_security_headers(res);
    if (req.secure) res.set("Strict-Transport-Security", "max-age=31536000");
    return res;
}

}  // namespace peerdesk::app
