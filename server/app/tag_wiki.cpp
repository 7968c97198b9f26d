#include "server/app/routes.hpp"

namespace peerdesk::app {

void add_tag_wiki_routes(route_table&) {}

}  // namespace peerdesk::app
