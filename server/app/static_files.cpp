#include "server/app/static_files.hpp"

#include "server/assets.hpp"
#include "server/domain/crypto.hpp"
#include "server/http/gzip.hpp"

#include <map>

namespace peerdesk::app {
namespace {

struct static_file {
    std::string_view bytes;
    std::string etag;
    std::string hash;
    std::string_view type;
    std::string gzipped;  // compressed once, at first use; empty when it would not be smaller
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
            static_file file{f.bytes, "\"" + hash + "\"", hash, content_type(name), {}};
            if (!file.type.starts_with("image/png") && f.bytes.size() >= 512)
                if (auto packed = http::gzip(f.bytes, 9); packed && packed->size() < f.bytes.size())
                    file.gzipped = std::move(*packed);
            out.emplace(std::string(name), std::move(file));
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
    auto const& file = it->second;
    auto const accept = req.header("accept-encoding");
    bool const packed = !file.gzipped.empty() && accept && http::accepts_gzip(*accept);
    // Each encoding is its own representation, with its own tag.
    auto const etag = packed ? file.etag.substr(0, file.etag.size() - 1) + "-gz\"" : file.etag;
    http::response r;
    r.set("Content-Type", std::string(file.type));
    r.set("ETag", etag);
    if (!file.gzipped.empty()) r.set("Vary", "Accept-Encoding");
    bool const versioned = req.query.find("v=" + file.hash) != std::string::npos;
    r.set("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "public, max-age=300");
    if (auto const match = req.header("if-none-match"); match && *match == etag) {
        r.status = 304;
        return r;
    }
    if (packed) {
        r.body = file.gzipped;
        r.set("Content-Encoding", "gzip");
    } else {
        r.body = std::string(file.bytes);
    }
    return r;
}

}  // namespace peerdesk::app
