#include "server/http/server.hpp"
#include "server/http/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace peerdesk::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string response_head(response const& res, std::size_t length, unsigned version, bool keep_alive)
{
    std::string head;
    std::size_t size = 128;
    for (auto const& [name, value] : res.headers) size += name.size() + value.size() + 4;
    head.reserve(size);
    head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head += std::to_string(res.status);
    head += ' ';
    auto const reason = bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
    head.append(reason.data(), reason.size());
    head += "\r\n";
    auto const clean = [&head](std::string_view text) {
        // No control character may reach the wire: CR and LF would split the head, and a tab,
        // vertical tab or form feed in a Location is read differently by every client.
        for (char c : text) {
            auto const u = static_cast<unsigned char>(c);
            head += (u < 0x20 || u == 0x7f) ? ' ' : c;
        }
    };
    for (auto const& [name, value] : res.headers) {
        clean(name);
        head += ": ";
        clean(value);
        head += "\r\n";
    }
    // Informational, 204 and 304 responses have no body and say no length; a streamed body
    // ends when the connection closes.
    if (res.status >= 200 && res.status != 204 && res.status != 304 && !res.stream) {
        head += "Content-Length: ";
        head += std::to_string(length);
        head += "\r\n";
    }
    if (version != 10 && !keep_alive) head += "Connection: close\r\n";
    if (version == 10 && keep_alive) head += "Connection: keep-alive\r\n";
    head += "\r\n";
    return head;
}
namespace {

using namespace detail;

class listener : public std::enable_shared_from_this<listener> {
public:
    // Accepts on the first loop and hands each connection to the next loop in turn.
    listener(std::vector<asio::io_context*> loops, tcp::endpoint endpoint, server_state& state, bool redirect = false)
        : loops_(std::move(loops)), acceptor_(*loops_.front()), state_(state), redirect_(redirect)
    {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    void accept()
    {
        next_ = (next_ + 1) % loops_.size();
        acceptor_.async_accept(*loops_[next_], beast::bind_front_handler(&listener::on_accept, shared_from_this()));
    }

    void stop()
    {
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
            beast::error_code ec;
            self->acceptor_.close(ec);
        });
    }

private:
    void on_accept(beast::error_code ec, tcp::socket socket)
    {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            // Out of descriptors (or a similar passing failure): retrying at once would spin.
            auto timer = std::make_shared<asio::steady_timer>(acceptor_.get_executor(), std::chrono::milliseconds(50));
            return timer->async_wait([self = shared_from_this(), timer](beast::error_code) { self->accept(); });
        }
        {
            // Responses go out as soon as they are written, not after a delayed ACK.
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            auto remote = remote_of(socket);
            if (!admit(remote))
                refuse(socket);
            else
                start_session(std::move(socket), state_, std::move(remote), redirect_);
        }
        accept();
    }

    bool admit(std::string const& remote)
    {
        std::lock_guard lock(state_.mutex);
        if (state_.sessions.size() >= state_.config.max_connections) return false;
        auto const it = state_.per_address.find(remote);
        return it == state_.per_address.end() || it->second < state_.config.max_connections_per_address;
    }

    // Over a cap: a short 503 if the socket takes it at once (never waiting on the client),
    // then close. A TLS client just sees the connection close.
    void refuse(tcp::socket& socket)
    {
        beast::error_code ec;
        if (!state_.tls || redirect_) {
            static constexpr std::string_view busy =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
                "Retry-After: 5\r\nConnection: close\r\nContent-Length: 96\r\nX-Content-Type-Options: nosniff\r\n"
                "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
                "Referrer-Policy: strict-origin-when-cross-origin\r\nX-Frame-Options: DENY\r\n\r\n"
                R"({"error":{"code":"too_many_connections","message":"Too many open connections; try again soon."}})";
            socket.non_blocking(true, ec);
            socket.write_some(asio::buffer(busy.data(), busy.size()), ec);
        }
        socket.shutdown(tcp::socket::shutdown_both, ec);
        socket.close(ec);
    }

    std::vector<asio::io_context*> loops_;
    std::size_t next_ = 0;  // only the first loop's thread accepts
    tcp::acceptor acceptor_;
    server_state& state_;
    bool redirect_;
};

asio::ssl::context make_tls_context(server_config const& config)
{
    if (config.tls_certificate_file.empty() || config.tls_key_file.empty())
        throw std::runtime_error("TLS needs both a certificate (--tls-cert) and its key (--tls-key)");
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression |
                    asio::ssl::context::single_dh_use | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                    asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    // TLS 1.2: forward-secret AEAD suites only; TLS 1.3 suites are all modern.
    SSL_CTX_set_cipher_list(ctx.native_handle(),
                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
    SSL_CTX_set_options(ctx.native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    beast::error_code ec;
    ctx.use_certificate_chain_file(config.tls_certificate_file, ec);
    if (ec)
        throw std::runtime_error("cannot load the TLS certificate " + config.tls_certificate_file + ": " +
                                 ec.message());
    ctx.use_private_key_file(config.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load the TLS key " + config.tls_key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
        throw std::runtime_error("the TLS key " + config.tls_key_file + " does not match the certificate");
    return ctx;
}

}  // namespace

void serve(server_config const& config, handler const& handle, access_logger const& log,
           std::function<void(std::uint16_t)> const& on_listening)
{
    int const threads = std::max(1, config.threads);
    // Declared before the loop: handlers it still holds when destroyed end their sessions,
    // which reach the state.
    server_state state;
    // One event loop per thread, each connection on one of them: a loop shared by threads
    // needed a strand per connection and woke the other thread through a futex for every
    // event, which cost more than the request itself for a cached page.
    std::vector<std::unique_ptr<asio::io_context>> owned;
    std::vector<asio::io_context*> loops;
    for (int i = 0; i < threads; ++i) loops.push_back(owned.emplace_back(std::make_unique<asio::io_context>(1)).get());
    asio::io_context& ioc = *loops.front();
    // The other loops have no work of their own until a connection comes; these keep them
    // running until shutdown has drained the sessions. Only the first loop's thread touches them.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep;
    for (int i = 1; i < threads; ++i) keep.push_back(asio::make_work_guard(*loops[static_cast<std::size_t>(i)]));
    asio::io_context writes(write_threads);
    auto writes_work = asio::make_work_guard(writes);
    state.writes = &writes;
    state.config = config;
    state.handle = handle;
    state.log = log;
    if (!config.tls_certificate_file.empty() || !config.tls_key_file.empty())
        state.tls.emplace(make_tls_context(config));

    auto const address = asio::ip::make_address(config.address);
    auto l = std::make_shared<listener>(loops, tcp::endpoint(address, config.port), state);
    l->accept();
    state.https_port = l->port();
    std::shared_ptr<listener> plain;
    if (state.tls && config.redirect_port) {
        plain = std::make_shared<listener>(loops, tcp::endpoint(address, config.redirect_port), state, true);
        plain->accept();
    }
    if (on_listening) on_listening(l->port());

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer deadline(ioc);
    // Once stopping, the loop runs out of work when the last session ends and the deadline
    // timer is cancelled; the timer ends the wait for sessions that do not finish in time.
    state.drained = [&] {
        asio::post(ioc, [&] {
            deadline.cancel();
            for (auto& k : keep) k.reset();
        });
    };
    signals.async_wait([&](beast::error_code ec, int) {
        if (ec) return;
        deadline.expires_after(config.shutdown_grace);
        deadline.async_wait([&](beast::error_code e) {
            if (!e)
                for (auto* loop : loops) loop->stop();
        });
        l->stop();
        if (plain) plain->stop();
        // Sessions are reached through strong references taken under the lock and used after
        // it: the last reference to a session may go here, and its destructor takes the lock.
        std::vector<std::shared_ptr<session_handle>> open;
        {
            std::lock_guard lock(state.mutex);
            state.stopping = true;
            for (auto const& s : state.sessions)
                if (auto p = s.second.lock()) open.push_back(std::move(p));
            if (state.sessions.empty()) state.drained();
        }
        for (auto& s : open) s->close_if_idle();
        open.clear();
    });

    // Started once nothing below can throw (a joinable thread must not be destroyed).
    std::vector<std::thread> writers;
    for (int i = 0; i < write_threads; ++i)
        writers.emplace_back([&] {
            if (config.write_thread_start) config.write_thread_start();
            writes.run();
        });
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([loop = loops[static_cast<std::size_t>(i)]] { loop->run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    // A write still running after the grace period posts its answer into the stopped loop,
    // which drops it.
    writes_work.reset();
    for (auto& t : writers) t.join();
    state.drained = nullptr;
}

}  // namespace peerdesk::http
