#pragma once
#include <string>

namespace peerdesk::render {

// HTML that is already safe to place in a page as it is: rendered Markdown, or a rendered
// template. Every other string is escaped by the templates; a template may print a value
// unescaped ({{{name_html}}}) only when its name ends in "_html" and it holds one of these.
// Only code in server/render makes them (through trusted_html, which is not declared here).
class safe_html {
public:
    safe_html() = default;
    std::string const& str() const { return html_; }
    // The text, for a response body: no longer needed as HTML once it leaves.
    std::string take() && { return std::move(html_); }

private:
    explicit safe_html(std::string html) : html_(std::move(html)) {}
    friend safe_html trusted_html(std::string html);
    std::string html_;
};

// Markdown rendered at write time and kept in a body_html column, wrapped again for a page.
// The store's body_html columns are written only with render_markdown's output, which is
// what makes this safe; never call it on anything else.
safe_html stored_markdown_html(std::string html);

// A search snippet: plain text with the matched words between the bytes \x01 and \x02
// (search::make_snippet). Escaped here; the markers become <mark> elements.
safe_html snippet_html(std::string_view marked);

// Escapes & < > " ' for HTML text and attribute values (and for XML: the same five suffice).
// The one escape of the project: templates, builders, feeds and Markdown's links all use it.
std::string escape_html(std::string_view text);
void append_escaped_html(std::string& out, std::string_view text);

}  // namespace peerdesk::render
