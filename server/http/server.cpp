#include "server/http/server.hpp"

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

// What the application adds to its own responses, for the ones the server answers itself.
void add_baseline_headers(response& res)
{
    res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "strict-origin-when-cross-origin");
    res.set("X-Frame-Options", "DENY");
}

method to_method(bhttp::verb v)
{
    switch (v) {
        case bhttp::verb::get:
            return method::get;
        case bhttp::verb::head:
            return method::head;
        case bhttp::verb::post:
            return method::post;
        case bhttp::verb::put:
            return method::put;
        case bhttp::verb::patch:
            return method::patch;
        case bhttp::verb::delete_:
            return method::delete_;
        case bhttp::verb::options:
            return method::options;
        default:
            return method::other;
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

bool is_change(method m)
{
    return m != method::get && m != method::head && m != method::options;
}

// One connection's request loop; Derived provides stream(), begin() and end_connection() for
// plain TCP or TLS (the CRTP shape of Beast's own flex-server example).
template <typename Derived>
class session : public session_handle {
public:
    explicit session(server_state& state, std::string remote) : state_(state), remote_(std::move(remote))
    {
        std::lock_guard lock(state_.mutex);
        state_.sessions.emplace(this, std::weak_ptr<session_handle>());
        ++state_.per_address[remote_];
    }

    ~session() override
    {
        std::lock_guard lock(state_.mutex);
        state_.sessions.erase(this);
        if (auto it = state_.per_address.find(remote_); it != state_.per_address.end() && --it->second == 0)
            state_.per_address.erase(it);
        if (state_.stopping && state_.sessions.empty() && state_.drained) state_.drained();
    }

    // Called once the session is owned by a shared_ptr (from start()): from now on shutdown
    // can reach it.
    void enroll(std::shared_ptr<session_handle> const& self)
    {
        std::lock_guard lock(state_.mutex);
        state_.sessions[this] = self;
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
        // The header is checked against the largest limit (Beast compares Content-Length with
        // it as soon as the header is read); on_header narrows it to the request's own.
        parser_->body_limit(std::max(state_.config.body_limit, state_.config.large_body_limit));
        body_limit_ = state_.config.body_limit;
        if (buffer_.size() > 0) return read_header();  // the next request has already begun
        idle_ = true;
        tcp().expires_after(state_.config.idle_timeout);
        // Waiting for a request may take the idle timeout; once its first byte is here, the
        // whole request must arrive within the read timeout, so a client trickling its header
        // (slowloris) holds the connection no longer than one that sends it at once.
        derived().stream().async_read_some(buffer_.prepare(4096),
                                           [self = derived().shared_from_this()](beast::error_code ec, std::size_t n) {
                                               self->idle_ = false;
                                               if (ec) return self->on_error(ec);
                                               self->buffer_.commit(n);
                                               self->read_header();
                                           });
    }

    void read_header()
    {
        idle_ = false;
        started_ = std::chrono::steady_clock::now();
        request_begun_ = true;
        // Beast's own stream timeout would close the socket, leaving no way to answer 408; this
        // timer cancels the read instead, and on_error answers.
        tcp().expires_never();
        if (!deadline_) deadline_.emplace(derived().stream().get_executor());
        deadline_->expires_after(state_.config.read_timeout);
        deadline_->async_wait([self = derived().shared_from_this()](beast::error_code ec) {
            // Fired but queued just as the request completed: the response is on its way.
            if (ec || !self->request_begun_) return;
            self->timed_out_ = true;
            beast::error_code ignored;
            self->tcp().socket().cancel(ignored);
        });
        bhttp::async_read_header(derived().stream(), buffer_, *parser_,
                                 beast::bind_front_handler(&session::on_header, derived().shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t)
    {
        if (ec) return on_error(ec);
        // Only plain "chunked" is read as a body framing: any other transfer coding, or one in
        // an HTTP/1.0 request, is a shape proxies disagree on (request smuggling), so it is
        // refused and the connection closed rather than guessed at.
        auto const& header = parser_->get();
        if (auto const te = header.find(bhttp::field::transfer_encoding); te != header.end()) {
            if (header.version() < 11 || !beast::iequals(trim(te->value()), "chunked"))
                return refuse_request(400, "bad_transfer_encoding",
                                      "Only Transfer-Encoding: chunked (HTTP/1.1) is accepted; send the body with "
                                      "Content-Length instead.");
        }
        if (state_.config.large_body_limit && state_.config.takes_large_body &&
            state_.config.takes_large_body(header.method_string(), header.target()))
            body_limit_ = std::max(state_.config.body_limit, state_.config.large_body_limit);
        parser_->body_limit(body_limit_);
        if (auto const length = parser_->content_length(); length && *length > body_limit_)
            return refuse_request(
                413, "too_large",
                "The request body is too large (the limit is " + std::to_string(body_limit_) + " bytes).");
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
        req.secure = state_.tls.has_value() && !redirect_;
        keep_alive_ = message.keep_alive() && !state_.stopping;
        version_ = message.version();
        head_only_ = req.verb == method::head;
        request_begun_ = false;

        if (!redirect_ && state_.writes && is_change(req.verb)) return handle_elsewhere(std::move(req));
        response res = redirect_ ? redirect_to_https(req) : state_.handle(req);
        send(std::move(res), &req);
    }

    // On a write thread; the answer is sent from the session's own executor, which the work
    // guard keeps running meanwhile (a shutdown lets the write finish and answer).
    void handle_elsewhere(request req)
    {
        auto ex = derived().stream().get_executor();
        asio::post(*state_.writes, [self = derived().shared_from_this(), ex, guard = asio::make_work_guard(ex),
                                    req = std::move(req)]() mutable {
            auto res = self->state_.handle(req);
            asio::post(ex, [self = std::move(self), guard = std::move(guard), req = std::move(req),
                            res = std::move(res)]() mutable { self->send(std::move(res), &req); });
        });
    }

    void send(response res, request const* req)
    {
        if (deadline_) deadline_->cancel();  // it holds the session alive until it fires
        // The head is written here into one string and goes out with the body in one gather
        // write; the body from where it is, the response's own string or a cache's, so that a
        // cached page is not copied for each request. (Beast's message serializer kept a node
        // per header field and walked them through nested buffer views: more than a tenth of
        // the time of a cached page.)
        struct outgoing {
            std::string head;
            response res;  // kept until the write ends: the body is sent from it
        };
        auto out = std::make_shared<outgoing>();
        out->res = std::move(res);
        if (out->res.stream) keep_alive_ = false;
        std::string_view const payload = out->res.payload();
        out->head = response_head(out->res, payload.size(), version_, keep_alive_);
        if (state_.log && req)
            state_.log(
                {req, out->res.status, payload.size(),
                 std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_)});
        std::array<asio::const_buffer, 2> const buffers{
            asio::buffer(out->head), head_only_ ? asio::const_buffer() : asio::buffer(payload.data(), payload.size())};
        bool const streams = out->res.stream && !head_only_;
        head_only_ = false;
        tcp().expires_after(state_.config.read_timeout);
        if (streams) {
            body_ = out->res.stream;
            return asio::async_write(derived().stream(), buffers,
                                     [self = derived().shared_from_this(), out](beast::error_code ec, std::size_t) {
                                         if (ec) return self->end_stream();
                                         self->watch_client();
                                         self->wait_for_stream();
                                     });
        }
        asio::async_write(
            derived().stream(), buffers,
            [self = derived().shared_from_this(), out](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }

    // A streamed body: asks the source for more at its interval, until it ends, the write
    // fails, or the server stops.
    void wait_for_stream()
    {
        if (!body_) return;
        if (!stream_timer_) stream_timer_.emplace(derived().stream().get_executor());
        stream_timer_->expires_after(body_->interval());
        stream_timer_->async_wait([self = derived().shared_from_this()](beast::error_code ec) {
            if (!self->body_) return;
            if (ec || self->state_.stopping) return self->end_stream();
            auto more = self->body_->next();
            if (!more) return self->end_stream();
            if (more->empty()) return self->wait_for_stream();
            auto chunk = std::make_shared<std::string>(std::move(*more));
            self->tcp().expires_after(self->state_.config.read_timeout);
            asio::async_write(self->derived().stream(), asio::buffer(*chunk),
                              [self, chunk](beast::error_code e, std::size_t) {
                                  if (e) return self->end_stream();
                                  self->wait_for_stream();
                              });
        });
    }

    // A client sends nothing while it reads a stream: anything that arrives, or the end of the
    // connection, ends the stream at once (rather than at the next write), which frees its
    // place among the bounded streams.
    void watch_client()
    {
        tcp().expires_never();
        derived().stream().async_read_some(
            buffer_.prepare(512),
            [self = derived().shared_from_this()](beast::error_code, std::size_t) { self->end_stream(); });
    }

    void end_stream()
    {
        if (!body_) return;  // ended already (the client left while a write was under way)
        body_.reset();
        if (stream_timer_) stream_timer_->cancel();
        derived().end_connection();
    }

    void on_write(beast::error_code ec)
    {
        if (ec || !keep_alive_) return derived().end_connection();
        read();
    }

    response redirect_to_https(request const& req) const
    {
        std::string host(req.header("host").value_or(state_.config.address));
        if (auto colon = host.rfind(':'); colon != std::string::npos && host.find(']', colon) == std::string::npos)
            host.resize(colon);
        // Only a plain host name or address goes into the Location header.
        bool const clean =
            !host.empty() && host.size() < 256 &&
            host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:") ==
                std::string::npos;
        if (!clean) host = state_.config.address;
        std::string location = "https://" + host;
        if (state_.https_port != 443) location += ":" + std::to_string(state_.https_port);
        location += req.target.starts_with('/') ? req.target : "/";
        response res;
        res.status = 301;
        add_baseline_headers(res);
        res.set("Location", location);
        res.set("Content-Type", "text/plain; charset=utf-8");
        res.body = "This site is served over HTTPS: " + location + "\n";
        return res;
    }

    static std::string_view trim(std::string_view v)
    {
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        return v;
    }

    // Answers with an error and closes: what is left on the connection cannot be trusted.
    void refuse_request(int status, std::string const& code, std::string const& message)
    {
        request_begun_ = false;
        keep_alive_ = false;
        response res;
        res.status = status;
        add_baseline_headers(res);
        res.set("Content-Type", "application/json; charset=utf-8");
        res.body = R"({"error":{"code":")" + code + R"(","message":")" + message + "\"}}";
        send(std::move(res), nullptr);
    }

    void on_error(beast::error_code ec)
    {
        if (deadline_) deadline_->cancel();
        // A request that began but did not arrive in time is told so; an idle connection just ends.
        if (timed_out_ && request_begun_)
            return refuse_request(408, "request_timeout",
                                  "The request did not arrive within " +
                                      std::to_string(state_.config.read_timeout.count()) + " seconds.");
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
            message = "The request body is too large (the limit is " + std::to_string(body_limit_) + " bytes).";
        }
        refuse_request(status, code, message);
    }

    server_state& state_;
    beast::flat_buffer buffer_;
    std::size_t body_limit_ = 0;  // this request's
    bool redirect_ = false;       // the plain-HTTP listener beside a TLS one

private:
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::string remote_;
    bool keep_alive_ = false;
    bool head_only_ = false;
    bool request_begun_ = false;
    bool timed_out_ = false;
    std::optional<asio::steady_timer> deadline_;  // the read timeout of a request under way
    std::shared_ptr<body_stream> body_;           // the body being streamed, if any
    std::optional<asio::steady_timer> stream_timer_;
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
    plain_session(tcp::socket&& socket, server_state& state, std::string remote, bool redirect)
        : session(state, std::move(remote)), stream_(std::move(socket))
    {
        redirect_ = redirect;
    }
    beast::tcp_stream& stream() { return stream_; }
    void start()
    {
        enroll(shared_from_this());
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
    }
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
    tls_session(tcp::socket&& socket, server_state& state, std::string remote)
        : session(state, std::move(remote)), stream_(std::move(socket), *state.tls)
    {
    }
    beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
    void start()
    {
        enroll(shared_from_this());
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
            else if (state_.tls && !redirect_)
                std::make_shared<tls_session>(std::move(socket), state_, std::move(remote))->start();
            else
                std::make_shared<plain_session>(std::move(socket), state_, std::move(remote), redirect_)->start();
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
