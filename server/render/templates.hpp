#pragma once
// Logic-less HTML templates (mustache) compiled into the binary from templates/.
#include "server/render/safe_html.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kainjow::mustache {
template <typename string_type>
class basic_data;
}

namespace peerdesk::render {

// The values a template sees. Plain strings are escaped when printed; only safe_html may be
// printed raw, and only under a key ending in "_html" (set_html enforces the name, and a test
// checks that templates print raw only such keys).
class view {
public:
    view();
    ~view();
    view(view const&);
    view(view&&) noexcept;
    view& operator=(view const&);
    view& operator=(view&&) noexcept;

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

    kainjow::mustache::basic_data<std::string> const& data() const { return *data_; }
    kainjow::mustache::basic_data<std::string>& data() { return *data_; }

private:
    kainjow::mustache::basic_data<std::string>& slot(std::string const& key,
                                                     kainjow::mustache::basic_data<std::string> empty);
    std::unique_ptr<kainjow::mustache::basic_data<std::string>> data_;
};

// Renders templates/NAME.html; templates/partials/*.html are spliced in where {{>name}} stands.
// Thread-safe. Throws std::runtime_error for an unknown or broken template.
safe_html render_template(std::string_view name, view const& values);

// Renders templates/NAME.txt as plain text: nothing is escaped (the result is never read as
// HTML; it is the text part of a mail). Thread-safe. Throws std::runtime_error as above.
std::string render_text_template(std::string_view name, view const& values);

// Names of every embedded page template (without folder or extension), for tests.
std::vector<std::string> template_names();

}  // namespace peerdesk::render
