#include "server/render/plain_text.hpp"

#include "server/render/safe_html.hpp"
#include "server/render/trusted_html.hpp"

#include <algorithm>
#include <array>

namespace peerdesk::render {
namespace {

// Tags inside a run of text; every other tag separates words.
bool is_inline(std::string_view tag)
{
    if (!tag.empty() && tag.front() == '/') tag.remove_prefix(1);
    auto const end = tag.find_first_of(" >/");
    auto const name = tag.substr(0, end);
    static constexpr std::array<std::string_view, 6> names{"a", "em", "strong", "code", "del", "span"};
    for (auto n : names)
        if (name == n) return true;
    return false;
}

struct entity {
    std::string_view name;
    std::string_view text;
};
constexpr entity entities[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};

void append_code_point(std::string& out, unsigned long cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

}  // namespace

std::string plain_text(std::string_view html, std::size_t limit)
{
    std::string out;
    out.reserve(std::min(html.size(), limit == std::string::npos ? limit : limit + 8));
    std::size_t i = 0;
    auto space = [&] {
        if (!out.empty() && out.back() != ' ') out += ' ';
    };
    while (i < html.size() && out.size() < limit) {
        char const c = html[i];
        if (c == '<') {
            auto const end = html.find('>', i);
            if (end == std::string_view::npos) break;
            if (!is_inline(html.substr(i + 1, end - i - 1))) space();
            i = end + 1;
        } else if (c == '&') {
            bool matched = false;
            for (auto const& e : entities)
                if (html.substr(i, e.name.size()) == e.name) {
                    out += e.text;
                    i += e.name.size();
                    matched = true;
                    break;
                }
            if (matched) continue;
            auto const semi = html.find(';', i);
            if (semi != std::string_view::npos && semi - i <= 10 && html.substr(i, 2) == "&#") {
                auto const hex = i + 2 < html.size() && (html[i + 2] == 'x' || html[i + 2] == 'X');
                auto const digits = std::string(html.substr(i + (hex ? 3 : 2), semi - i - (hex ? 3 : 2)));
                unsigned long cp = 0xFFFD;
                try {
                    cp = std::stoul(digits, nullptr, hex ? 16 : 10);
                } catch (std::exception const&) {
                }
                append_code_point(out, cp);
                i = semi + 1;
            } else {
                out += c;
                ++i;
            }
        } else if (c == '\n' || c == '\t' || c == '\r') {
            space();
            ++i;
        } else {
            // A run of plain text at once: copied a character at a time, the text of a question
            // and its answers was a tenth of an uncached question page's instructions.
            auto const end = std::min(html.find_first_of("<&\n\t\r", i), html.size());
            out.append(html.data() + i, end - i);
            i = end;
        }
    }
    if (out.size() < limit)
        while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

safe_html snippet_html(std::string_view marked)
{
    auto const escaped = escape_html(marked);
    std::string out;
    out.reserve(escaped.size() + 64);
    for (char c : escaped) {
        if (c == '\x01')
            out += "<mark>";
        else if (c == '\x02')
            out += "</mark>";
        else
            out += c;
    }
    return trusted_html(std::move(out));
}

safe_html json_script_html(std::string_view json)
{
    std::string out = "<script type=\"application/ld+json\">";
    out.reserve(json.size() + 64);
    // Copied in runs between the three characters that could end the script or start markup.
    std::size_t run = 0;
    for (std::size_t i = 0; i < json.size(); ++i) {
        char const c = json[i];
        if (c != '<' && c != '>' && c != '&') continue;
        out.append(json.data() + run, i - run);
        out += c == '<' ? "\\u003c" : c == '>' ? "\\u003e" : "\\u0026";
        run = i + 1;
    }
    out.append(json.data() + run, json.size() - run);
    out += "</script>";
    return trusted_html(std::move(out));
}

}  // namespace peerdesk::render
