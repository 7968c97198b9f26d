#pragma once
// The HTTP/1.1 server: listener, sessions with limits and timeouts, graceful shutdown.
// The only code in peerdesk that touches sockets (Boost.Beast and Asio).
#include "server/http/message.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace peerdesk::http {

struct server_config {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 picks a free port
    int threads = 2;
    // Run once by each write thread before it takes work (the application shrinks its caches).
    std::function<void()> write_thread_start;
    std::size_t header_limit = 16 * 1024;  // larger header blocks get 431
    std::size_t body_limit = 1024 * 1024;  // larger bodies get 413
    // A larger limit for the requests takes_large_body picks (image uploads), from their method and
    // target; 0: none larger.
    std::size_t large_body_limit = 0;
    std::function<bool(std::string_view method, std::string_view target)> takes_large_body;
    std::chrono::seconds read_timeout{15};  // to receive a whole request once it has begun
    std::chrono::seconds idle_timeout{60};  // between requests on a keep-alive connection
    std::chrono::seconds shutdown_grace{10};
    // Beyond these, a new connection is answered 503 and closed at once, so that one client (or
    // a crowd of slow ones) cannot take every socket.
    std::size_t max_connections = 1024;
    std::size_t max_connections_per_address = 128;
    // When both are set, every connection is HTTPS (TLS 1.2 or newer, forward-secret AEAD
    // ciphers only). PEM files: the certificate chain and its private key.
    std::string tls_certificate_file;
    std::string tls_key_file;
    std::chrono::seconds handshake_timeout{10};
    // With TLS: also listen here for plain HTTP and answer every request with a redirect to
    // HTTPS (0: no plain listener).
    std::uint16_t redirect_port = 0;
};

// Called for every complete request; must not throw (the application wraps its handlers in
// one catch-all). Reads (GET, HEAD, OPTIONS) run on an I/O thread; changes run on a pool of
// write threads, because they wait for a durable commit (and sign-in for scrypt): blocked
// there, they neither stall the readers nor keep other writes out of the next group commit.
using handler = std::function<response(request&)>;

// One line per request for the access log, called after the response is written.
struct access_record {
    request const* req;
    int status;
    std::size_t bytes;
    std::chrono::microseconds duration;
};
using access_logger = std::function<void(access_record const&)>;

// The status line and header block of a response whose body is `length` bytes, as sent. Line
// breaks and NULs in a header's name or value become spaces: a value built from a request
// cannot start a header of its own.
std::string response_head(response const& res, std::size_t length, unsigned version, bool keep_alive);

// Listens, serves until SIGINT or SIGTERM, then stops accepting, lets requests in flight
// finish, closes idle connections and returns. `on_listening` receives the bound port (useful
// with port 0; the redirect port, when asked for, is bound before it is called). Throws std::system_error when the
// address cannot be bound, and std::runtime_error when the TLS certificate or key cannot be loaded.
void serve(server_config const& config, handler const& handle, access_logger const& log,
           std::function<void(std::uint16_t)> const& on_listening);

}  // namespace peerdesk::http
