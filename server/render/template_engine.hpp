#pragma once
// Internal to server/render: mustache templates compiled once into a tree and rendered
// straight into one string.
//
// Why not kainjow's renderer: it walks components through std::function callbacks, copies
// every line through a line buffer and keeps one compiled copy per thread; the page layout
// alone cost 160,000 instructions a request, two fifths of a signed-in question page. This
// engine reads the same data (kainjow's basic_data, which view fills) and writes the same
// bytes, including kainjow's rule for lines that only held section tags (tested against it,
// template by template, in tests/unit/template_engine_test.cpp).
//
// The subset the templates use: {{name}}, {{{name}}}, {{&name}}, dotted names, {{.}},
// {{#section}}, {{^inverted}}, {{! comments }}. Partials are spliced in before compiling;
// lambdas and delimiter changes are refused at compile time.
#include "server/render/template_value.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::render::engine {

using data = value;

struct node;

class compiled_template {
public:
    // Throws std::runtime_error naming what is wrong (an unclosed tag or section, a stray end).
    explicit compiled_template(std::string_view text);
    ~compiled_template();
    compiled_template(compiled_template&&) noexcept;

    // A raw value given beside the data rather than in it ({{{key}}} prints html): a page's
    // content goes into its layout without being copied into the data first.
    struct splice {
        std::string_view key;
        std::string_view html;
    };
    // Appends the rendering to out; escape is applied to {{name}} values. Thread-safe: the
    // tree is never changed after compiling.
    void render(data const& values, std::string& out, void (*escape)(std::string&, std::string_view),
                splice const* inner = nullptr) const;

private:
    std::vector<node> nodes_;
};

}  // namespace peerdesk::render::engine
