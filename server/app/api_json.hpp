#pragma once
// JSON shapes shared by the API and the widget endpoint.
#include "server/app/search_service.hpp"

#include <boost/json/object.hpp>

namespace peerdesk::app {

boost::json::object hit_json(store::hit_row const& h);
// {items:[hit + snippet_html, url], page, pagesize, total, query, suggestion?}
boost::json::object search_json(search_results const& found);

}  // namespace peerdesk::app
