#pragma once
// The text of rendered post HTML, for the search index: tags dropped, entities decoded.
#include <string>
#include <string_view>

namespace peerdesk::render {

// Only for HTML this program rendered (cmark's output): not a general HTML parser.
// With a limit, the text stops once it holds that many bytes or more (a character may be cut, and
// it may end in a space): a text shorter than the limit is the whole text.
std::string plain_text(std::string_view html, std::size_t limit = std::string::npos);

}  // namespace peerdesk::render
