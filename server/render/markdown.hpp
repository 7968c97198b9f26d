#pragma once
// Markdown to safe HTML with cmark, once, at write time.
#include "server/render/safe_html.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace peerdesk::render {

struct markdown_limits {
    std::size_t max_bytes = 30000 * 4;  // the character limit is checked by validation first
    // Containers (block quotes and list items) nested deeper than this are refused: Debian's
    // cmark 0.30.2 spends quadratic time on deep nesting.
    int max_nesting = 16;
    // Emphasis delimiter runs (* and _) are bounded in count for the same reason.
    std::size_t max_emphasis_runs = 1500;
};

struct rendered_markdown {
    safe_html html;
    std::string excerpt;  // plain text, at most about 200 characters
};

struct markdown_result {
    std::optional<rendered_markdown> value;
    std::string error;  // when refused: what to change, in a sentence for the author
};

// Renders untrusted Markdown. Raw HTML is dropped, only http(s), mailto and relative link
// targets survive, bare http(s) URLs become links, every link gets rel="nofollow ugc noopener",
// fenced code keeps its language class. Thread-safe; throws std::bad_alloc only.
markdown_result render_markdown(std::string_view source, markdown_limits const& limits = {});

// The deepest container nesting the source could produce, estimated without parsing.
int estimate_nesting(std::string_view source);

}  // namespace peerdesk::render
