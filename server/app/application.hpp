#pragma once
// The whole web application as one function from request to response.
#include "server/app/context.hpp"
#include "server/app/live_settings.hpp"
#include "server/app/page_cache.hpp"
#include "server/app/thread_cache.hpp"
#include "server/http/router.hpp"

namespace peerdesk::app {

using route_handler = http::response (*)(call&);
using route_table = http::router<route_handler>;

class application {
public:
    application(store::database& db, settings config, search_service* search = nullptr,
                rate_limiter* limiter = nullptr);
    // Never throws: failures become a logged 500 (or 503 when the disk is full) without detail.
    http::response handle(http::request& req) noexcept;
    context& ctx() { return ctx_; }

private:
    http::response dispatch(http::request& req);
    // The calling thread's copy of the context, with the settings as they are now.
    context& thread_context();
    context ctx_;
    std::uint64_t id_;
    live_settings live_;
    route_table routes_;
    page_cache pages_;
    thread_cache threads_;
    body_cache bodies_;
};

// Headers every response carries (CSP, nosniff, referrer policy, framing).
void add_security_headers(http::response& res);

}  // namespace peerdesk::app
