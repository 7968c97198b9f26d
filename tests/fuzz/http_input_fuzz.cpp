// libFuzzer target: the parsers of request input that run before any handler: paths,
// percent escapes, query strings and forms, cookies, Accept-Encoding.
#include "server/http/forms.hpp"
#include "server/http/gzip.hpp"
#include "server/http/router.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    namespace http = peerdesk::http;
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    if (auto segments = http::split_path(text)) {
        for (auto const& s : *segments)
            if (s.find('/') != std::string::npos || s.find('\0') != std::string::npos) std::abort();
        http::route_match match;
        http::match_pattern({"questions", "{id}", "{slug}"}, *segments, match);
    }
    http::percent_decode(text, true);
    // Whatever a value decodes to, encoding it and decoding again gives it back.
    if (auto decoded = http::percent_decode(text, false)) {
        auto const round = http::percent_decode(http::percent_encode(*decoded), false);
        if (!round || *round != *decoded) std::abort();
    }
    if (auto fields = http::parse_urlencoded(text)) {
        if (fields->size() > 100) std::abort();
        http::find_field(*fields, "csrf_token");
    }
    auto const cookies = http::parse_cookies(text);
    http::find_field(cookies, "peerdesk_session");
    http::accepts_gzip(text);
    return 0;
}
