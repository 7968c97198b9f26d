#include "server/http/router.hpp"

#include "server/http/forms.hpp"

namespace peerdesk::http {

std::optional<std::vector<std::string>> split_path(std::string_view path)
{
    std::vector<std::string> out;
    if (path.empty() || path.front() != '/') return path.empty() ? std::optional(out) : std::nullopt;
    path.remove_prefix(1);
    while (!path.empty()) {
        auto const slash = path.find('/');
        auto const raw = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
        if (raw.empty()) {
            if (path.empty()) break;  // a trailing slash
            return std::nullopt;      // "//" is not a path peerdesk makes
        }
        auto decoded = percent_decode(raw, false);
        if (!decoded || decoded->find('/') != std::string::npos || decoded->find('\0') != std::string::npos)
            return std::nullopt;
        out.push_back(std::move(*decoded));
    }
    return out;
}

bool match_pattern(std::vector<std::string> const& pattern, std::vector<std::string> const& segments,
                   route_match& match)
{
    if (pattern.size() != segments.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        auto const& p = pattern[i];
        if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
            match.add(p.substr(1, p.size() - 2), segments[i]);
        } else if (p != segments[i]) {
            return false;
        }
    }
    return true;
}

std::string_view method_name(method m)
{
    switch (m) {
        case method::get:
            return "GET";
        case method::head:
            return "HEAD";
        case method::post:
            return "POST";
        case method::put:
            return "PUT";
        case method::patch:
            return "PATCH";
        case method::delete_:
            return "DELETE";
        case method::options:
            return "OPTIONS";
        case method::other:
            break;
    }
    return "OTHER";
}

}  // namespace peerdesk::http
