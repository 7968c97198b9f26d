#pragma once
// Internal to server/render: the single door into safe_html, for code that escapes everything
// it does not generate itself (the Markdown renderer, the template engine).
#include "server/render/safe_html.hpp"

namespace peerdesk::render {

safe_html trusted_html(std::string html);

}  // namespace peerdesk::render
