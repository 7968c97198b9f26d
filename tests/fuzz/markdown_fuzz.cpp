// libFuzzer target: untrusted Markdown through the renderer and its guards. Beyond crashes
// and sanitizer reports, the output must never hold a script element or an event handler.
#include "server/render/markdown.hpp"

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// In the renderer's output every '<' starts a tag (text is escaped): each tag is checked for
// elements, event handler attributes and URL schemes that could run script.
bool unsafe(std::string_view html)
{
    for (std::size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1)) {
        auto const end = html.find('>', at);
        if (end == std::string_view::npos) return true;
        std::string tag(html.substr(at, end - at + 1));
        for (auto& c : tag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (std::string_view bad : {"<script", "<iframe", "<object", "<embed", "<style", "<base", "<meta", "<form"})
            if (tag.starts_with(bad)) return true;
        // Attribute values blanked, then no on…= attribute may remain.
        std::string bare;
        bool quoted = false;
        for (char c : tag) {
            if (c == '"')
                quoted = !quoted;
            else if (!quoted)
                bare += c;
        }
        for (std::size_t on = bare.find(" on"); on != std::string::npos; on = bare.find(" on", on + 1)) {
            auto i = on + 3;
            while (i < bare.size() && std::isalpha(static_cast<unsigned char>(bare[i]))) ++i;
            if (i < bare.size() && bare[i] == '=') return true;
        }
        for (std::string_view attr : {"href=\"", "src=\""}) {
            auto const v = tag.find(attr);
            if (v == std::string::npos) continue;
            auto const value = std::string_view(tag).substr(v + attr.size());
            for (std::string_view scheme : {"javascript:", "vbscript:", "data:"})
                if (value.starts_with(scheme)) return true;
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const source(reinterpret_cast<char const*>(data), size);
    peerdesk::render::estimate_nesting(source);
    auto const result = peerdesk::render::render_markdown(source);
    if (result.value) {
        if (unsafe(result.value->html.str())) std::abort();
    } else if (result.error.empty()) {
        std::abort();  // a refusal always says what to change
    }
    return 0;
}
