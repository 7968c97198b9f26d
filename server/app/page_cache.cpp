#include "server/app/page_cache.hpp"

#include "server/domain/crypto.hpp"
#include "server/http/gzip.hpp"

namespace peerdesk::app {
namespace {

// A page grows old after 4 to 6 seconds, each page its own time (from its key): pages first
// kept together, as after a start, are not all rendered again in the same instant. (At a
// million posts a render takes about a millisecond: 200 pages together are 200 ms of two
// cores, with every visitor queued behind them, every five seconds.)
constexpr auto min_age = std::chrono::milliseconds(4000);
constexpr std::size_t age_spread_ms = 2000;
// A visitor rendering an old page again is waited for this long before another one tries.
constexpr auto refresh_patience = std::chrono::seconds(1);
// Plain and gzip copies together.
constexpr std::size_t max_bytes = 48 << 20;
constexpr std::size_t max_entries = 5000;

// The host is part of a page's key: canonical links, structured data, feeds and the sitemap
// name the address asked for (when no --public-url is set), and one host's page must never be
// served to another.
std::string key_of(http::request const& req)
{
    return std::string(req.header("host").value_or("")) + ' ' + req.path + '?' + req.query;
}

}  // namespace

bool page_cache::cacheable(http::request const& req)
{
    if (req.verb != http::method::get && req.verb != http::method::head) return false;
    if (req.header("authorization")) return false;
    if (auto const cookie = req.header("cookie"); cookie && cookie->find("peerdesk_session=") != std::string_view::npos)
        return false;
    auto const& p = req.path;
    // Pages only: the API answers per caller, searches are counted, the rest is for staff.
    if (p.starts_with("/api/") || p.starts_with("/search") || p.starts_with("/widget") || p.starts_with("/admin") ||
        p.starts_with("/review") || p.starts_with("/audit") || p.starts_with("/static/") || p == "/healthz" ||
        p == "/metrics" || p.starts_with("/sign"))
        return false;
    return req.path.size() + req.query.size() < 1024;
}

std::optional<http::response> page_cache::find(http::request const& req)
{
    auto const key = key_of(req);
    std::shared_ptr<entry> e;
    {
        std::lock_guard lock(mutex_);
        auto const it = entries_.find(key);
        if (it == entries_.end()) return std::nullopt;
        e = it->second;
    }
    if (e->writes != db_.write_count()) return std::nullopt;
    auto const now = clock_();
    if (now - e->at > e->age) {
        // Old, not changed: this visitor renders it again unless another one is doing so.
        auto const ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
        auto started = e->refreshing.load(std::memory_order_relaxed);
        bool const someone = started != 0 && ns - started < std::chrono::nanoseconds(refresh_patience).count();
        if (!someone && e->refreshing.compare_exchange_strong(started, ns)) return std::nullopt;
    }
    auto const accept = req.header("accept-encoding");
    // Over TLS, pages go out uncompressed (BREACH: see compress() in application.cpp).
    bool const packed = !req.secure && accept && http::accepts_gzip(*accept) && e->plain->size() >= 1024;
    auto const gz = e->etag.substr(0, e->etag.size() - 1) + "-gz\"";
    auto const etag = packed ? gz : e->etag;
    http::response r;
    r.status = e->res.status;
    r.headers = e->res.headers;
    r.set("ETag", etag);
    // Either tag names the same content (If-None-Match compares weakly): the page's first
    // answer carried the plain tag on a gzipped body, before the cache made its own.
    if (auto const match = req.header("if-none-match"); match && (*match == e->etag || *match == gz)) {
        r.status = 304;
        return r;
    }
    // A response with a date of its own (a feed) is unchanged when asked with that same date.
    if (auto const since = req.header("if-modified-since"); since && !req.header("if-none-match"))
        if (auto const modified = e->res.header("Last-Modified"); modified && *modified == *since) {
            r.status = 304;
            return r;
        }
    if (packed)
        if (auto gz = gzipped(key, e)) {
            r.shared_body = std::move(gz);
            r.set("Content-Encoding", "gzip");
            return r;
        }
    r.shared_body = e->plain;
    return r;
}

std::shared_ptr<std::string const> page_cache::gzipped(std::string const& key, std::shared_ptr<entry> const& e)
{
    bool made = false;
    std::call_once(e->packing, [&] {
        if (auto z = http::gzip(*e->plain)) e->gzipped = std::make_shared<std::string const>(std::move(*z));
        made = e->gzipped != nullptr;
    });
    if (made) {
        std::lock_guard lock(mutex_);
        // Counted only while this entry is the one kept: one dropped or replaced meanwhile is
        // no longer in bytes_.
        if (auto const it = entries_.find(key); it != entries_.end() && it->second == e) {
            e->bytes += e->gzipped->size();
            bytes_ += e->gzipped->size();
        }
    }
    return e->gzipped;
}

void page_cache::store(http::request const& req, http::response& res, std::uint64_t writes_before)
{
    bool const shared = !res.header(private_header);
    std::erase_if(res.headers, [](auto const& h) { return h.first == private_header; });
    if (!shared || res.status != 200 || res.header("Set-Cookie") || res.body.empty()) return;
    // A write during rendering may or may not be in this page: keep it only if there was none.
    if (db_.write_count() != writes_before) return;
    auto e = std::make_shared<entry>();
    e->writes = writes_before;
    e->at = clock_();
    auto key = key_of(req);
    e->age = min_age + std::chrono::milliseconds(std::hash<std::string>{}(key) % age_spread_ms);
    e->etag = "\"" + domain::hex(domain::sha256(res.body)).substr(0, 20) + "\"";
    res.set("ETag", e->etag);
    e->res.status = res.status;
    e->res.headers = res.headers;
    e->plain = std::make_shared<std::string const>(res.body);
    // The gzip copy is made when a visitor first asks for one, and this visitor's is kept: a
    // page rendered for a client that takes no gzip (or rendered once and never asked for
    // again) is not compressed for nothing, and one that does take it is compressed once, not
    // once for the cache and again for the answer (compress() in application.cpp leaves an
    // encoded body alone).
    auto const accept = req.header("accept-encoding");
    if (!req.secure && accept && http::accepts_gzip(*accept) && res.body.size() >= 1024 &&
        http::compressible(res.header("Content-Type").value_or("")))
        std::call_once(e->packing, [&] {
            if (auto z = http::gzip(res.body)) e->gzipped = std::make_shared<std::string const>(std::move(*z));
        });
    e->bytes = e->plain->size() + (e->gzipped ? e->gzipped->size() : 0);
    if (e->gzipped) {
        res.body = *e->gzipped;
        res.set("Content-Encoding", "gzip");
        res.set("Vary",
                res.header("Vary") ? std::string(*res.header("Vary")) + ", Accept-Encoding" : "Accept-Encoding");
    }
    std::lock_guard lock(mutex_);
    // A page rendered again after a write replaces its old copy, which no longer counts.
    if (auto const old = entries_.find(key); old != entries_.end()) {
        bytes_ -= old->second->bytes;
        entries_.erase(old);
    }
    if (entries_.size() >= max_entries || bytes_ + e->bytes > max_bytes) {
        entries_.clear();  // simplest bound: start again; hot pages come back at once
        bytes_ = 0;
    }
    bytes_ += e->bytes;
    entries_.emplace(std::move(key), std::move(e));
}

}  // namespace peerdesk::app
