#include "server/app/static_files.hpp"

#include "server/assets.hpp"
#include "server/domain/crypto.hpp"

#include <map>

namespace peerdesk::app {
namespace {

struct static_file {
    std::string_view bytes;
    std::string etag;
    std::string hash;
    std::string_view type;
};

std::string_view content_type(std::string_view name)
{
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (name.ends_with(".svg")) return "image/svg+xml";
    if (name.ends_with(".png")) return "image/png";
    if (name.ends_with(".ico")) return "image/x-icon";
    if (name.ends_with(".html")) return "text/html; charset=utf-8";
    if (name.ends_with(".txt")) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

std::map<std::string, static_file, std::less<>> const& files()
{
    static auto const table = [] {
        std::map<std::string, static_file, std::less<>> out;
        constexpr std::string_view prefix = "static/";
        for (auto const& f : assets::all()) {
            if (!f.path.starts_with(prefix)) continue;
            auto const name = f.path.substr(prefix.size());
            auto const hash = domain::hex(domain::sha256(f.bytes)).substr(0, 16);
            out.emplace(std::string(name), static_file{f.bytes, "\"" + hash + "\"", hash, content_type(name)});
        }
        return out;
    }();
    return table;
}

}  // namespace

std::string static_url(std::string_view name)
{
    auto const& table = files();
    auto const it = table.find(name);
    return "/static/" + std::string(name) + (it == table.end() ? "" : "?v=" + it->second.hash);
}

std::optional<http::response> serve_static(http::request const& req)
{
    constexpr std::string_view prefix = "/static/";
    if (!req.path.starts_with(prefix)) return std::nullopt;
    // Names are looked up in a fixed table, so "..", "%2e" and the like cannot reach the disk.
    auto const name = std::string_view(req.path).substr(prefix.size());
    auto const& table = files();
    auto const it = table.find(name);
    if (it == table.end()) return std::nullopt;
    http::response r;
    r.set("Content-Type", std::string(it->second.type));
    r.set("ETag", it->second.etag);
    bool const versioned = req.query.find("v=" + it->second.hash) != std::string::npos;
    r.set("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "public, max-age=300");
    if (auto const match = req.header("if-none-match"); match && *match == it->second.etag) {
        r.status = 304;
        return r;
    }
    r.body = std::string(it->second.bytes);
    return r;
}

}  // namespace peerdesk::app
