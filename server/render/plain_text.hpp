#pragma once
// The text of rendered post HTML, for the search index: tags dropped, entities decoded.
#include <string>
#include <string_view>

namespace peerdesk::render {

// Only for HTML this program rendered (cmark's output): not a general HTML parser.
std::string plain_text(std::string_view html);

}  // namespace peerdesk::render
