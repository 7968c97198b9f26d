// libFuzzer target: untrusted Markdown through the renderer and its guards. Beyond crashes
// and sanitizer reports, the output must never hold a script element or an event handler.
#include "server/render/markdown.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const source(reinterpret_cast<char const*>(data), size);
    peerdesk::render::estimate_nesting(source);
    auto const result = peerdesk::render::render_markdown(source);
    if (result.value) {
        std::string_view const html = result.value->html.str();
        if (html.find("<script") != std::string_view::npos || html.find(" onerror=") != std::string_view::npos ||
            html.find("href=\"javascript:") != std::string_view::npos)
            std::abort();
    } else if (result.error.empty()) {
        std::abort();  // a refusal always says what to change
    }
    return 0;
}
