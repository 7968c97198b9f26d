#include "server/http/gzip.hpp"

#include <zlib.h>

#include <cctype>

namespace peerdesk::http {

std::optional<std::string> gzip(std::string_view data, int level)
{
    z_stream z{};
    // 15 window bits + 16: a gzip header and trailer rather than a raw zlib stream.
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
    std::string out;
    out.resize(deflateBound(&z, static_cast<uLong>(data.size())) + 32);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int const rc = deflate(&z, Z_FINISH);
    auto const written = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return std::nullopt;
    out.resize(written);
    return out;
}

bool compressible(std::string_view type)
{
    return type.starts_with("text/") || type.starts_with("application/json") ||
           type.starts_with("application/javascript") || type.starts_with("image/svg");
}

bool accepts_gzip(std::string_view v)
{
    std::size_t start = 0;
    while (start < v.size()) {
        auto end = v.find(',', start);
        if (end == std::string_view::npos) end = v.size();
        auto item = v.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        auto const semi = item.find(';');
        auto name = item.substr(0, semi);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        if (name == "gzip" || name == "*") {
            auto params = semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1);
            auto const q = params.find("q=");
            if (q == std::string_view::npos) return true;
            auto const value = params.substr(q + 2);
            return !(value.starts_with("0") && value.find_first_not_of("0.") == std::string_view::npos) &&
                   !(value == "0" || value.starts_with("0.0") || value == "0.");
        }
        start = end + 1;
    }
    return false;
}

}  // namespace peerdesk::http
