#pragma once
// Markdown to safe HTML with cmark, once, at write time.
#include "server/render/safe_html.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::render {

struct markdown_limits {
    std::size_t max_bytes = 30000 * 4;  // the character limit is checked by validation first
    // Containers (block quotes and list items) nested deeper than this are refused: Debian's
    // cmark 0.30.2 spends quadratic time on deep nesting.
    int max_nesting = 16;
    // Emphasis delimiter runs (* and _) are bounded in count for the same reason.
    std::size_t max_emphasis_runs = 1500;
};

// How "@name" becomes a link to a member: find answers the member's id for a username (any
// case), or nothing. At most `max` different members are linked; names beyond them, and names
// of nobody, stay plain text. At most `max_lookups` different names are looked up.
struct mention_resolver {
    std::function<std::optional<std::int64_t>(std::string_view)> find;
    std::string url_prefix = "/users/";
    std::size_t max = 10;
    std::size_t max_lookups = 50;
};

struct rendered_markdown {
    safe_html html;
    std::string excerpt;                  // plain text, at most about 200 characters
    std::vector<std::int64_t> mentioned;  // members linked by "@name", in order of first mention
};

struct markdown_result {
    std::optional<rendered_markdown> value;
    std::string error;  // when refused: what to change, in a sentence for the author
};

// Renders untrusted Markdown. Raw HTML is dropped, only http(s), mailto and relative link
// targets survive, bare http(s) URLs become links, every link gets rel="nofollow ugc noopener",
// fenced code keeps its language class. With mentions, "@name" outside code and links becomes a
// link to the member (class="mention"). Thread-safe; throws std::bad_alloc only, and whatever
// mentions.find throws.
markdown_result render_markdown(std::string_view source, markdown_limits const& limits = {},
                                mention_resolver const* mentions = nullptr);

// The deepest container nesting the source could produce, estimated without parsing.
int estimate_nesting(std::string_view source);

}  // namespace peerdesk::render
