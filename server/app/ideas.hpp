#pragma once
// What other rooms ask of the ideas room (ideas.cpp).
#include "server/app/context.hpp"

namespace peerdesk::app {

// The idea as the API shows it to this viewer, or a 404 when it is not public: for verbs that
// act on any post (undelete, close, …) and answer the post's thread, when the post is an idea.
http::response idea_response(call& c, std::int64_t id, int status);

}  // namespace peerdesk::app
