#pragma once
// Server-rendered HTML pages; usable without JavaScript.
#include "server/app/context.hpp"

namespace peerdesk::app {

http::response page_not_found(call& c);

}  // namespace peerdesk::app
