#include "server/http/multipart.hpp"

#include <algorithm>
#include <cctype>

namespace peerdesk::http {
namespace {

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The value of a parameter (name="value" or name=value) in a header value like
// `form-data; name="file"; filename="a.png"`; quoted values may escape a quote with a backslash.
std::optional<std::string> parameter(std::string_view header, std::string_view wanted)
{
    std::size_t pos = header.find(';');
    while (pos != std::string_view::npos && pos < header.size()) {
        ++pos;
        while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t')) ++pos;
        auto const eq = header.find('=', pos);
        if (eq == std::string_view::npos) return std::nullopt;
        auto const name = trim(header.substr(pos, eq - pos));
        std::string value;
        pos = eq + 1;
        if (pos < header.size() && header[pos] == '"') {
            ++pos;
            while (pos < header.size() && header[pos] != '"') {
                if (header[pos] == '\\' && pos + 1 < header.size()) ++pos;
                value += header[pos++];
            }
            if (pos >= header.size()) return std::nullopt;
            ++pos;
        } else {
            auto const end = header.find(';', pos);
            value = std::string(
                trim(header.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos)));
            pos = end == std::string_view::npos ? header.size() : end;
        }
        if (iequals(name, wanted)) return value;
        pos = header.find(';', pos);
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type)
{
    auto const semi = content_type.find(';');
    if (!iequals(trim(content_type.substr(0, semi)), "multipart/form-data")) return std::nullopt;
    auto b = parameter(content_type, "boundary");
    if (!b || b->empty() || b->size() > 70) return std::nullopt;
    return b;
}

std::optional<std::vector<form_part>> parse_multipart(std::string_view body, std::string_view boundary,
                                                      std::size_t max_parts)
{
    std::string const delimiter = "--" + std::string(boundary);
    std::string const next = "\r\n" + delimiter;
    if (!body.starts_with(delimiter)) return std::nullopt;
    std::size_t pos = delimiter.size();
    std::vector<form_part> parts;
    for (;;) {
        if (body.substr(pos, 2) == "--") return parts;  // the closing delimiter
        if (body.substr(pos, 2) != "\r\n") return std::nullopt;
        pos += 2;
        auto const head_end = body.find("\r\n\r\n", pos);
        if (head_end == std::string_view::npos) return std::nullopt;
        form_part part;
        bool disposition = false;
        for (auto line_start = pos; line_start < head_end + 2;) {
            auto const line_end = body.find("\r\n", line_start);
            auto const line = body.substr(line_start, line_end - line_start);
            line_start = line_end + 2;
            auto const colon = line.find(':');
            if (colon == std::string_view::npos) return std::nullopt;
            auto const name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
            if (iequals(name, "content-disposition")) {
                if (!iequals(trim(value.substr(0, value.find(';'))), "form-data")) return std::nullopt;
                auto n = parameter(value, "name");
                if (!n) return std::nullopt;
                part.name = std::move(*n);
                part.filename = parameter(value, "filename");
                disposition = true;
            } else if (iequals(name, "content-type")) {
                part.content_type = std::string(value);
            }
        }
        if (!disposition) return std::nullopt;
        auto const data_start = head_end + 4;
        auto const data_end = body.find(next, data_start);
        if (data_end == std::string_view::npos) return std::nullopt;
        part.data = body.substr(data_start, data_end - data_start);
        parts.push_back(std::move(part));
        if (parts.size() > max_parts) return std::nullopt;
        pos = data_end + next.size();
    }
}

}  // namespace peerdesk::http
