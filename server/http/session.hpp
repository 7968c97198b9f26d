#pragma once
// Internal to server/http: what the listener (server.cpp) and the connections (session.cpp)
// share. Nothing outside server/http includes it.
#include "server/http/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace peerdesk::http::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What shutdown needs to reach in every session, whatever its stream.
class session_handle {
public:
    virtual ~session_handle() = default;
    // Called from another thread: closes the connection if it waits for a request.
    virtual void close_if_idle() = 0;
};

// Shared by the listener and every session.
struct server_state {
    server_config config;
    handler handle;
    access_logger log;
    std::optional<asio::ssl::context> tls;
    std::atomic<bool> stopping{false};
    std::mutex mutex;
    // Every session, with a weak reference to it once it has started; guarded by mutex. Shutdown
    // takes strong references from the weak ones and never touches a session through its raw
    // pointer: it may find one whose destruction has begun (the session leaves this map at the
    // end of its destructor), and a call into it then reads a half-destroyed object.
    std::map<session_handle*, std::weak_ptr<session_handle>> sessions;
    std::unordered_map<std::string, std::size_t> per_address;  // open connections; guarded by mutex
    std::function<void()> drained;                             // called once stopping and the last session has ended
    std::uint16_t https_port = 443;                            // where the plain listener's redirects point
    asio::io_context* writes = nullptr;                        // where changes are handled, by write_threads threads
};

// Changes wait for their commit's fsync, grouped with whatever other changes are queued: the
// more of them wait at once, the more share one fsync. Sixteen are enough to fill a group at a
// thousand posts a second on a disk with a 2 ms fsync.
constexpr int write_threads = 16;

// The address a connection comes from, as the access log and the per-address cap know it.
std::string remote_of(tcp::socket const& socket);

// Starts serving a connection just accepted: over TLS when the server has a certificate, or
// plain (with `redirect`, every request is answered with a redirect to HTTPS).
void start_session(tcp::socket&& socket, server_state& state, std::string remote, bool redirect);

}  // namespace peerdesk::http::detail
