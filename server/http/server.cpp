#include "server/http/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace peerdesk::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

method to_method(bhttp::verb v)
{
    switch (v) {
    case bhttp::verb::get: return method::get;
    case bhttp::verb::head: return method::head;
    case bhttp::verb::post: return method::post;
    case bhttp::verb::put: return method::put;
    case bhttp::verb::patch: return method::patch;
    case bhttp::verb::delete_: return method::delete_;
    case bhttp::verb::options: return method::options;
    default: return method::other;
    }
}

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
    std::set<session_handle*> sessions;  // guarded by mutex
    std::function<void()> drained;       // called once stopping and the last session has ended
};

// One connection's request loop; Derived provides stream(), begin() and end_connection() for
// plain TCP or TLS (the CRTP shape of Beast's own flex-server example).
template <typename Derived>
class session : public session_handle {
public:
    explicit session(server_state& state, std::string remote) : state_(state), remote_(std::move(remote))
    {
        std::lock_guard lock(state_.mutex);
        state_.sessions.insert(this);
    }

    ~session() override
    {
        std::lock_guard lock(state_.mutex);
        state_.sessions.erase(this);
        if (state_.stopping && state_.sessions.empty() && state_.drained) state_.drained();
    }

    void close_if_idle() override
    {
        auto self = derived().weak_from_this().lock();
        if (!self) return;  // already ending
        asio::post(derived().stream().get_executor(), [self] {
            if (self->idle_) {
                beast::error_code ec;
                beast::get_lowest_layer(self->stream()).socket().close(ec);
            }
        });
    }

protected:
    Derived& derived() { return static_cast<Derived&>(*this); }
    beast::tcp_stream& tcp() { return beast::get_lowest_layer(derived().stream()); }

    void read()
    {
        if (state_.stopping) return derived().end_connection();
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(state_.config.header_limit));
        parser_->body_limit(state_.config.body_limit);
        idle_ = true;
        tcp().expires_after(state_.config.idle_timeout);
        // The header first, with the idle timeout; then the rest, with the read timeout.
        bhttp::async_read_header(derived().stream(), buffer_, *parser_,
                                 beast::bind_front_handler(&session::on_header, derived().shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t)
    {
        idle_ = false;
        if (ec) return on_error(ec);
        started_ = std::chrono::steady_clock::now();
        tcp().expires_after(state_.config.read_timeout);
        bhttp::async_read(derived().stream(), buffer_, *parser_,
                          beast::bind_front_handler(&session::on_read, derived().shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t)
    {
        if (ec) return on_error(ec);
        auto& message = parser_->get();
        request req;
        req.verb = to_method(message.method());
        req.method_text = std::string(message.method_string());
        req.target = std::string(message.target());
        auto const q = req.target.find('?');
        req.path = req.target.substr(0, q);
        if (q != std::string::npos) req.query = req.target.substr(q + 1);
        for (auto const& field : message) {
            std::string name(field.name_string());
            for (auto& c : name)
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            req.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        req.body = std::move(message.body());
        req.remote_address = remote_;
        req.secure = state_.tls.has_value();
        keep_alive_ = message.keep_alive() && !state_.stopping;
        version_ = message.version();
        head_only_ = req.verb == method::head;

        response res = state_.handle(req);
        send(std::move(res), &req);
    }

    void send(response res, request const* req)
    {
        auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
        out->version(version_ ? version_ : 11);
        out->result(static_cast<unsigned>(res.status));
        for (auto& [name, value] : res.headers) out->insert(name, value);
        std::size_t const bytes = res.body.size();
        out->body() = std::move(res.body);
        out->keep_alive(keep_alive_);
        out->prepare_payload();
        if (head_only_) {
            out->body().clear();
            head_only_ = false;
        }
        if (state_.log && req)
            state_.log({req, res.status, bytes,
                        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                              started_)});
        tcp().expires_after(state_.config.read_timeout);
        bhttp::async_write(derived().stream(), *out,
                           [self = derived().shared_from_this(), out](beast::error_code ec, std::size_t) {
                               self->on_write(ec);
                           });
    }

    void on_write(beast::error_code ec)
    {
        if (ec || !keep_alive_) return derived().end_connection();
        read();
    }

    void on_error(beast::error_code ec)
    {
        // End of stream, timeouts and cancellation are how connections end; they are not logged.
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
            ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::bad_descriptor ||
            ec.category() == asio::error::get_ssl_category() || ec == asio::ssl::error::stream_truncated)
            return derived().end_connection();
        int status = 400;
        std::string code = "malformed_request", message = "The request is malformed.";
        if (ec == bhttp::error::header_limit) {
            status = 431;
            code = "headers_too_large";
            message = "The request headers are too large.";
        } else if (ec == bhttp::error::body_limit) {
            status = 413;
            code = "too_large";
            message = "The request body is too large (the limit is " + std::to_string(state_.config.body_limit) +
                      " bytes).";
        }
        keep_alive_ = false;
        response res;
        res.status = status;
        res.set("Content-Type", "application/json; charset=utf-8");
        res.body = R"({"error":{"code":")" + code + R"(","message":")" + message + "\"}}";
        send(std::move(res), nullptr);
    }

    server_state& state_;
    beast::flat_buffer buffer_;

private:
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::string remote_;
    bool keep_alive_ = false;
    bool head_only_ = false;
    unsigned version_ = 11;
    std::atomic<bool> idle_{false};
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

std::string remote_of(tcp::socket const& socket)
{
    beast::error_code ec;
    auto const endpoint = socket.remote_endpoint(ec);
    return ec ? std::string() : endpoint.address().to_string();
}

class plain_session : public session<plain_session>, public std::enable_shared_from_this<plain_session> {
public:
    plain_session(tcp::socket&& socket, server_state& state)
        : session(state, remote_of(socket)), stream_(std::move(socket))
    {
    }
    beast::tcp_stream& stream() { return stream_; }
    void start() { asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); }); }
    void end_connection()
    {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

private:
    friend class session<plain_session>;
    beast::tcp_stream stream_;
};

class tls_session : public session<tls_session>, public std::enable_shared_from_this<tls_session> {
public:
    tls_session(tcp::socket&& socket, server_state& state)
        : session(state, remote_of(socket)), stream_(std::move(socket), *state.tls)
    {
    }
    beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
    void start()
    {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            beast::get_lowest_layer(self->stream_).expires_after(self->state_.config.handshake_timeout);
            self->stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code ec) {
                if (ec) return self->close_socket();
                self->read();
            });
        });
    }
    void end_connection()
    {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
        stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close_socket(); });
    }

private:
    void close_socket()
    {
        beast::error_code ec;
        beast::get_lowest_layer(stream_).socket().close(ec);
    }
    friend class session<tls_session>;
    beast::ssl_stream<beast::tcp_stream> stream_;
};

class listener : public std::enable_shared_from_this<listener> {
public:
    listener(asio::io_context& ioc, tcp::endpoint endpoint, server_state& state)
        : ioc_(ioc), acceptor_(asio::make_strand(ioc)), state_(state)
    {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    void accept()
    {
        acceptor_.async_accept(asio::make_strand(ioc_),
                               beast::bind_front_handler(&listener::on_accept, shared_from_this()));
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
        if (!ec) {
            // Responses go out as soon as they are written, not after a delayed ACK.
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            if (state_.tls) std::make_shared<tls_session>(std::move(socket), state_)->start();
            else std::make_shared<plain_session>(std::move(socket), state_)->start();
        }
        accept();
    }

    asio::io_context& ioc_;
    tcp::acceptor acceptor_;
    server_state& state_;
};

asio::ssl::context make_tls_context(server_config const& config)
{
    if (config.tls_certificate_file.empty() || config.tls_key_file.empty())
        throw std::runtime_error("TLS needs both a certificate (--tls-cert) and its key (--tls-key)");
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression |
                    asio::ssl::context::single_dh_use | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
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
        throw std::runtime_error("cannot load the TLS certificate " + config.tls_certificate_file + ": " + ec.message());
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
    asio::io_context ioc(threads);
    server_state state;
    state.config = config;
    state.handle = handle;
    state.log = log;
    if (!config.tls_certificate_file.empty() || !config.tls_key_file.empty())
        state.tls.emplace(make_tls_context(config));

    auto const address = asio::ip::make_address(config.address);
    auto l = std::make_shared<listener>(ioc, tcp::endpoint(address, config.port), state);
    l->accept();
    if (on_listening) on_listening(l->port());

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer deadline(ioc);
    // Once stopping, the loop runs out of work when the last session ends and the deadline
    // timer is cancelled; the timer ends the wait for sessions that do not finish in time.
    state.drained = [&] { asio::post(ioc, [&] { deadline.cancel(); }); };
    signals.async_wait([&](beast::error_code ec, int) {
        if (ec) return;
        deadline.expires_after(config.shutdown_grace);
        deadline.async_wait([&](beast::error_code e) {
            if (!e) ioc.stop();
        });
        l->stop();
        std::lock_guard lock(state.mutex);
        state.stopping = true;
        for (auto* s : state.sessions) s->close_if_idle();
        if (state.sessions.empty()) state.drained();
    });

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
}

}  // namespace peerdesk::http
