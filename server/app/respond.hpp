#pragma once
// Small builders for responses shared by the API and the pages.
#include "server/app/context.hpp"

#include <boost/json/value.hpp>

namespace peerdesk::app {

http::response json_response(int status, boost::json::value const& body);
http::response error_response(failure const& f);
http::response redirect(std::string location, int status = 303);
http::response text_response(int status, std::string content_type, std::string body);

}  // namespace peerdesk::app
