#pragma once
// Live updates: GET /api/v1/events, a Server-Sent Events stream of a member's notifications.
//
// The stream is a body_stream (server/http): the server asks it every second, on the
// connection's own thread, whether there is something to send. It looks at the database only
// when a write has happened since it last looked (database::write_count), with the same cheap
// queries the bell uses. Connections are bounded per member and in all; a stream ends after
// half an hour (the browser reconnects and is authenticated again), and sends a comment every
// fifteen seconds so that proxies and browsers keep it open. X-Accel-Buffering: no tells a
// buffering proxy (nginx) to pass each event on at once.
#include "server/app/context.hpp"

namespace peerdesk::app {

inline constexpr int event_streams_per_member = 4;
inline constexpr int event_streams_in_all = 256;

http::response event_stream_response(call& c);

}  // namespace peerdesk::app
