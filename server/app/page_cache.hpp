#pragma once
// Whole pages for anonymous visitors, kept in memory while the database has not changed (and
// for a few seconds at most, so that "5 minutes ago" stays true). Readers are most of a
// community's traffic and most of them are not signed in; a page they share is rendered once
// per change instead of once per visit. A page that only grew old is rendered again by one
// visitor while the others still get it, so that a busy page does not make everyone render at
// once every few seconds. Thread-safe.
#include "server/http/message.hpp"
#include "server/store/db.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace peerdesk::app {

class page_cache {
public:
    // A response header a handler sets on pages that must not be shared (a form's CSRF token
    // for one visitor); the cache removes it before the response leaves.
    static constexpr char const* private_header = "X-Peerdesk-Private";

    using clock_fn = std::chrono::steady_clock::time_point (*)();
    // clock: the time source (tests pass their own).
    explicit page_cache(store::database const& db, clock_fn clock = &std::chrono::steady_clock::now)
        : db_(db), clock_(clock)
    {
    }

    // Whether this request may be answered from the cache (and its answer stored).
    static bool cacheable(http::request const& req);
    // The stored page in the encoding the request accepts, with a 304 for a matching ETag.
    std::optional<http::response> find(http::request const& req);
    // Keeps a fresh response to a cacheable request; adds its ETag. When the request takes gzip
    // and the page is text worth compressing, the response goes out as the kept gzip copy.
    void store(http::request const& req, http::response& res, std::uint64_t writes_before);

private:
    struct entry {
        std::uint64_t writes = 0;
        std::chrono::steady_clock::time_point at;
        std::chrono::milliseconds age{};  // old after this long
        http::response res;               // plain, its body in `plain`
        std::shared_ptr<std::string const> plain;
        // Made once, by the first visitor who asks for it (most pages a crawler or a passing
        // reader renders are never asked for again); null until then, or when too small to be
        // worth it. `packing` guards it: read it only after std::call_once on `packing`.
        std::shared_ptr<std::string const> gzipped;
        std::once_flag packing;
        std::size_t bytes = 0;  // both copies, as counted against the cache's bound (under mutex_)
        std::string etag;
        // When a visitor began rendering the page again after it grew old (nanoseconds of the
        // steady clock; 0: nobody is).
        std::atomic<std::int64_t> refreshing{0};
    };
    // The entry's gzip copy, made now if nobody has made it (and counted if still kept).
    std::shared_ptr<std::string const> gzipped(std::string const& key, std::shared_ptr<entry> const& e);
    store::database const& db_;
    clock_fn clock_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<entry>> entries_;
    std::size_t bytes_ = 0;
};

}  // namespace peerdesk::app
