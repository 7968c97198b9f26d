#pragma once
// Logic-less HTML templates (mustache) compiled into the binary from templates/.
#include "server/render/safe_html.hpp"
#include "server/render/template_value.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::render {

// The values a template sees. Plain strings are escaped when printed; only safe_html may be
// printed raw, and only under a key ending in "_html" (set_html enforces the name, and a test
// checks that templates print raw only such keys).
class view {
public:
    // An empty text is falsy in {{#key}} sections, unlike in plain mustache.
    view& set(std::string const& key, std::string const& text);
    view& set(std::string const& key, char const* text) { return set(key, std::string(text)); }
    view& set(std::string const& key, std::string_view text) { return set(key, std::string(text)); }
    view& set(std::string const& key, std::int64_t number);
    view& set(std::string const& key, int number) { return set(key, static_cast<std::int64_t>(number)); }
    view& set(std::string const& key, bool flag);
    view& set(std::string const& key, view const& object);
    view& set(std::string const& key, view&& object);  // takes object's values; it is left empty
    view& set(std::string const& key, std::vector<view> const& list);
    view& set(std::string const& key, std::vector<view>&& list);  // takes the items' values
    // Throws std::logic_error when key does not end in "_html".
    view& set_html(std::string const& key, safe_html const& html);

    engine::value const& data() const { return data_; }
    engine::value& data() { return data_; }

private:
    engine::value data_;
};

// Renders templates/NAME.html; templates/partials/*.html are spliced in where {{>name}} stands.
// Thread-safe. Throws std::runtime_error for an unknown or broken template.
safe_html render_template(std::string_view name, view const& values);

// A page rendered once for many viewers, with holes where each viewer's part goes. A template
// marks a hole as {{{viewer_html}}}NAME{{{viewer_html}}}: the page around it is shared, NAME
// (say "up 12") says what goes in. text has one piece more than holes: text[0], holes[0],
// text[1], … The marker is random per process and never leaves it, so no post can forge a hole.
struct slotted_html {
    std::vector<std::string> text;
    std::vector<std::string> holes;
    std::size_t bytes() const;
};

// Renders templates/NAME.html as render_template does, cut at its holes.
// Thread-safe. Throws std::runtime_error for an unknown or broken template or an unclosed hole.
slotted_html render_slotted(std::string_view name, view values);

// HTML written piece by piece for the holes of a slotted page, where a template per piece
// would cost more than the piece (they are filled on every request). Markup comes only from
// string literals; every other text is escaped.
class html_builder {
public:
    template <std::size_t N>
    html_builder& markup(char const (&literal)[N])
    {
        out_.append(literal, N - 1);
        return *this;
    }
    // One literal or the other.
    template <std::size_t N, std::size_t M>
    html_builder& markup(bool first, char const (&a)[N], char const (&b)[M])
    {
        return first ? markup(a) : markup(b);
    }
    html_builder& text(std::string_view plain);  // escaped
    html_builder& number(std::int64_t n);
    html_builder& html(safe_html const& h);
    // The shared text of a slotted page (itself made by the template engine).
    html_builder& shared(slotted_html const& page, std::size_t piece);
    std::size_t size() const { return out_.size(); }
    void reserve(std::size_t n) { out_.reserve(n); }
    safe_html done() &&;

private:
    std::string out_;
};

// Renders templates/NAME.html with inner where it prints {{{KEY}}} (a name ending in "_html"),
// without copying inner into the view first: a page's layout around its content.
safe_html render_around(std::string_view name, view values, std::string const& key, safe_html const& inner);

// Renders templates/NAME.txt as plain text: nothing is escaped (the result is never read as
// HTML; it is the text part of a mail). Thread-safe. Throws std::runtime_error as above.
std::string render_text_template(std::string_view name, view const& values);

// A page template's text with its partials spliced in, as it is compiled (for tests).
std::string template_source(std::string_view name);

// Names of every embedded page template (without folder or extension), for tests.
std::vector<std::string> template_names();

}  // namespace peerdesk::render
