#include "server/app/application.hpp"

#include "server/app/auth.hpp"
#include "server/app/frame.hpp"
#include "server/app/reach.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/search_service.hpp"
#include "server/app/static_files.hpp"
#include "server/app/timing.hpp"
#include "server/app/widget.hpp"
#include "server/domain/time.hpp"
#include "server/http/gzip.hpp"
#include "server/store/db.hpp"
#include "server/store/member_store.hpp"

#include <malloc.h>
#include <atomic>
#include <iostream>
#include <optional>

namespace peerdesk::app {

namespace {
std::atomic<std::uint64_t> applications{0};
}  // namespace

application::application(store::database& db, settings config, search_service* search, rate_limiter* limiter)
    : ctx_{db, config, search, limiter},
      id_(++applications),
      live_(std::move(config)),
      pages_(db),
      threads_(db),
      bodies_(db)
{
    ctx_.threads = &threads_;
    ctx_.bodies = &bodies_;
    ctx_.live = &live_;
    add_all_routes(routes_);
}

context& application::thread_context()
{
    // Made once per thread and application and kept, so that what holds on to it (a live event
    // stream) stays valid; only its settings are replaced when new ones are published.
    struct local_context {
        std::uint64_t owner = 0;
        std::uint64_t seen = 0;
        std::optional<context> ctx;
    };
    thread_local local_context local;
    auto const generation = live_.generation();
    if (local.owner != id_ || !local.ctx) {
        local.ctx.emplace(ctx_);
        local.ctx->config = live_.current();
        local.owner = id_;
        local.seen = generation;
    } else if (local.seen != generation) {
        local.ctx->config = live_.current();
        local.seen = generation;
    }
    return *local.ctx;
}

void add_security_headers(http::response& res)
{
    // A page that sets its own policy (the widget demo host page) keeps it.
    if (!res.header("Content-Security-Policy"))
        res.set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "strict-origin-when-cross-origin");
    res.set("X-Frame-Options", "DENY");
}

namespace {

// Text of a kilobyte or more goes out gzipped to clients that accept it.
void compress(http::request const& req, http::response& res)
{
    if (res.body.size() < 1024 || res.header("Content-Encoding")) return;
    auto const type = res.header("Content-Type").value_or("");
    if (!http::compressible(type)) return;
    res.set("Vary", res.header("Vary") ? std::string(*res.header("Vary")) + ", Accept-Encoding" : "Accept-Encoding");
    // BREACH: over TLS, a compressed response that reflects input beside a secret (a CSRF token,
    // a signed-in page) leaks the secret through its length. Pages reflect queries and carry
    // tokens, so over TLS they, and anything sent to a request with credentials, go out
    // uncompressed; static files and anonymous API answers are still compressed.
    if (req.secure && (type.starts_with("text/html") || req.header("cookie") || req.header("authorization"))) return;
    auto const accept = req.header("accept-encoding");
    if (!accept || !http::accepts_gzip(*accept)) return;
    // Made for this one response (kept pages are compressed once, harder, by the page cache): the
    // fastest level, as it costs more than rendering a member's page (26 KB: 0.5 ms at level 4).
    if (auto packed = http::gzip(res.body, 1)) {
        res.body = std::move(*packed);
        res.set("Content-Encoding", "gzip");
    }
}

bool is_api(http::request const& req)
{
    return req.path.starts_with("/api/");
}

// A browser names the page that sent a request in Origin (and Sec-Fetch-Site); a change sent
// from another site's page is refused whatever cookies came with it. The scheme is not
// compared, so a TLS-terminating proxy in front does not break forms.
bool from_another_site(http::request const& req)
{
    if (auto const site = req.header("sec-fetch-site"); site && *site == "cross-site") return true;
    auto const origin = req.header("origin");
    if (!origin) return false;
    auto const scheme = origin->find("://");
    if (scheme == std::string_view::npos) return true;  // "null" (sandboxed frames, file pages) included
    auto const host = req.header("host");
    return !host || origin->substr(scheme + 3) != *host;
}

// 200 when the database answers and the search index can be read; 503 saying what is wrong.
http::response health(context& ctx)
{
    ctx.db.reader().ping();
    if (ctx.search) {
        if (auto problem = ctx.search->readers().problem())
            return text_response(503, "text/plain; charset=utf-8", "search: " + *problem + "\n");
        if (auto const st = ctx.search->indexer_status(); !st.problem.empty())
            return text_response(503, "text/plain; charset=utf-8", "search indexer: " + st.problem + "\n");
    }
    return text_response(200, "text/plain; charset=utf-8", "ok\n");
}

// Prometheus text format.
http::response metrics(context& ctx)
{
    std::string out;
    auto gauge = [&](char const* name, char const* help, auto value) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " +
               std::to_string(value) + "\n";
    };
    if (ctx.search) {
        auto const st = ctx.search->indexer_status();
        auto const box = store::search_store(ctx.db.reader()).outbox(st.applied_seq);
        auto const age = box.oldest_created_at ? std::max<std::int64_t>(0, domain::now() - *box.oldest_created_at) : 0;
        gauge("peerdesk_search_outbox_length", "Changes written but not yet in the search index.", box.length);
        gauge("peerdesk_search_outbox_oldest_age_seconds", "Age of the oldest change waiting for the index.", age);
        gauge("peerdesk_search_index_usable", "1 when the search index can be read.",
              ctx.search->readers().problem() ? 0 : 1);
        gauge("peerdesk_search_indexer_ok", "1 when the indexer's last round succeeded.", st.problem.empty() ? 1 : 0);
    }
    gauge("peerdesk_member_work_pending", "Events the member worker has yet to count (figures, badges, leaderboard).",
          store::member_store(ctx.db.reader()).pending());
    gauge("peerdesk_sqlite_page_pool_used_bytes", "Bytes of SQLite's page pool holding pages.",
          store::database::page_pool_used());
    gauge("peerdesk_sqlite_page_pool_bytes", "The size of SQLite's page pool, taken at start.",
          store::database::page_pool_size());
    gauge("peerdesk_sqlite_memory_bytes", "Heap memory SQLite holds besides its page pool.",
          store::database::memory_used());
    gauge("peerdesk_sqlite_memory_peak_bytes", "The most heap memory SQLite has held since the start.",
          store::database::memory_peak());
    // Where the rest of the resident size is: allocated memory that is in use, and memory freed
    // but kept by malloc (in its arenas, one per thread that allocates at the same time).
    auto const heap = mallinfo2();
    gauge("peerdesk_heap_in_use_bytes", "Heap memory the process has allocated and not freed.",
          heap.uordblks + heap.hblkhd);
    gauge("peerdesk_heap_free_bytes", "Heap memory freed but kept by malloc for reuse.", heap.fordblks);
    gauge("peerdesk_heap_arena_bytes", "Heap memory malloc has taken from the system, outside mmap'd blocks.",
          heap.arena);
    return text_response(200, "text/plain; version=0.0.4; charset=utf-8", out);
}

http::response not_found_for(call& c)
{
    if (is_api(c.req))
        return error_response({failure_kind::not_found, "not_found",
                               "There is no such endpoint: " + c.req.path.substr(0, 200) + ".", ""});
    return page_not_found(c);
}

}  // namespace

http::response application::dispatch(http::request& req)
{
    if (req.path == "/healthz") return health(ctx_);
    if (req.path == "/metrics") return metrics(ctx_);
    // The widget's script has a fixed address for the snippet companies paste.
    if (req.path == "/widget.js") req.path = "/static/widget.js";
    if (req.verb == http::method::get || req.verb == http::method::head)
        if (auto r = serve_static(req)) return std::move(*r);

    auto found = routes_.find(req.verb, req.path);
    auto& ctx = thread_context();
    call c{req, found.match, ctx, authenticate(req, ctx)};
    switch (found.status) {
        case http::route_status::bad_path:
        case http::route_status::not_found:
            // A thread's address with a slug the router cannot read (%00, %2F): its right address.
            if (auto r = mangled_question_address(c)) return std::move(*r);
            return not_found_for(c);
        case http::route_status::method_not_allowed: {
            std::string allow;
            for (auto m : found.allowed) allow += (allow.empty() ? "" : ", ") + std::string(http::method_name(m));
            auto r =
                is_api(req)
                    ? error_response({failure_kind::wrong_method, "method_not_allowed", "Use " + allow + " here.", ""})
                    : text_response(405, "text/plain; charset=utf-8", "Use " + allow + " here.\n");
            r.set("Allow", allow);
            return r;
        }
        case http::route_status::found:
            break;
    }
    bool const writes =
        req.verb != http::method::get && req.verb != http::method::head && req.verb != http::method::options;
    // The widget's click beacon comes from the key's own sites by design; it acts for no one
    // (no session goes with it) and checks the key's allowed origins itself.
    bool const beacon = req.path == "/api/v1/widget/clicks" && c.who.auth == auth_kind::none;
    if (writes && c.who.auth != auth_kind::bearer && !beacon && from_another_site(req)) {
        std::string const why =
            "Changes are only accepted from pages of this site; this request came from another origin.";
        return is_api(req) ? error_response({failure_kind::forbidden, "cross_origin", why, ""})
                           : message_page(c, 403, "Not accepted", why);
    }
    if (writes && is_api(req) && c.who.auth == auth_kind::cookie && !csrf_ok(c, std::nullopt))
        return error_response({failure_kind::forbidden, "csrf",
                               "Send the X-CSRF-Token header from GET /api/v1/me with every change.", ""});
    auto res = (*found.handler)(c);
    return res;
}

http::response application::handle(http::request& req) noexcept
{
    auto const started = timing::clock::now();
    timing::begin();
    http::response res;
    bool const cacheable = page_cache::cacheable(req);
    try {
        if (cacheable)
            if (auto hit = pages_.find(req)) {
                add_security_headers(*hit);
                if (req.secure) hit->set("Strict-Transport-Security", "max-age=31536000");
                hit->set("Vary", "Accept-Encoding");
                hit->set("Server-Timing", timing::header(timing::clock::now() - started, "cache;desc=\"hit\""));
                return std::move(*hit);
            }
        auto const writes_before = ctx_.db.write_count();
        res = dispatch(req);
        if (cacheable) pages_.store(req, res, writes_before);
    } catch (store::error const& e) {
        std::cerr << "error: database: " << e.what() << " (" << req.method_text << " " << req.path << ")\n";
        // A full or failing disk is the machine's state, not a bug: 503, to be tried again.
        bool const full = e.is_full();
        bool const unreadable = e.is_unreadable();
        std::string const message = full         ? "The server cannot store anything right now; try again later."
                                    : unreadable ? "The server cannot read its data right now; try again later."
                                                 : "Something went wrong on our side; it has been logged.";
        failure const f = full || unreadable ? failure{failure_kind::unavailable, "unavailable", message, "", 5}
                                             : failure{failure_kind::internal, "internal", message, ""};
        res = is_api(req) ? error_response(f) : text_response(f.status(), "text/plain; charset=utf-8", message + "\n");
        if (f.retry_after) res.set("Retry-After", std::to_string(f.retry_after));
    } catch (...) {
        std::string what = "unknown exception";
        try {
            throw;
        } catch (std::exception const& e) {
            what = e.what();
        } catch (...) {
        }
        std::cerr << "error: " << what << " (" << req.method_text << " " << req.path << ")\n";
        res = is_api(req) ? error_response({failure_kind::internal, "internal",
                                            "Something went wrong on our side; it has been logged.", ""})
                          : text_response(500, "text/plain; charset=utf-8",
                                          "Something went wrong on our side; it has been logged.\n");
    }
    add_security_headers(res);
    if (req.secure) res.set("Strict-Transport-Security", "max-age=31536000");
    std::erase_if(res.headers, [](auto const& h) { return h.first == page_cache::private_header; });
    compress(req, res);
    res.set("Server-Timing", timing::header(timing::clock::now() - started));
    return res;
}

void add_all_routes(route_table& r)
{
    add_question_routes(r);
    add_thread_routes(r);
    add_editing_routes(r);
    add_user_routes(r);
    add_account_routes(r);
    add_search_routes(r);
    add_moderation_routes(r);
    add_widget_routes(r);
    add_recovery_routes(r);
    add_notification_routes(r);
    add_insight_routes(r);
    add_idea_routes(r);
    add_reach_routes(r);
    add_own_content_routes(r);
    add_feed_routes(r);
    add_people_routes(r);
    add_admin_routes(r);
    add_upload_routes(r);
    add_draft_routes(r);
    add_tag_wiki_routes(r);
}

}  // namespace peerdesk::app
