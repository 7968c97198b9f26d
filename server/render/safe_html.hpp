#pragma once
#include <string>

namespace peerdesk::render {

// HTML that is already safe to place in a page as it is: rendered Markdown, or markup the
// server built and escaped itself. Every other string is escaped by the templates. Only the
// Markdown renderer and the template engine make these; a template may print a value
// unescaped ({{{name_html}}}) only when its name ends in "_html".
class safe_html {
public:
    safe_html() = default;
    std::string const& str() const { return html_; }

private:
    explicit safe_html(std::string html) : html_(std::move(html)) {}
    friend safe_html trusted_html(std::string html);
    std::string html_;
};

// The single door into safe_html. Call it only on output of code that escapes everything it
// does not generate itself (the Markdown renderer, the template engine).
safe_html trusted_html(std::string html);

// Escapes & < > " ' for HTML text and attribute values.
std::string escape_html(std::string_view text);

}  // namespace peerdesk::render
