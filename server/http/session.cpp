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

#include <malloc.h>
#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace peerdesk::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// Bodies from this size up are images being uploaded (see handle_elsewhere).
constexpr std::size_t large_body_trim = 1 << 20;

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
            // A large body (an image upload) was decoded on this write thread, in its own malloc
            // arena, which keeps what was freed: 16 write threads once held 225 MB that way.
            // Giving it back here costs a millisecond on a rare request; capping the arenas
            // instead made every I/O thread share one and cost a third of the signed-in pages.
            if (req.body.size() >= large_body_trim) {
                std::string().swap(req.body);
                malloc_trim(0);
            }
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

}  // namespace

std::string remote_of(tcp::socket const& socket)
{
    beast::error_code ec;
    auto const endpoint = socket.remote_endpoint(ec);
    return ec ? std::string() : endpoint.address().to_string();
}

void start_session(tcp::socket&& socket, server_state& state, std::string remote, bool redirect)
{
    if (state.tls && !redirect)
        std::make_shared<tls_session>(std::move(socket), state, std::move(remote))->start();
    else
        std::make_shared<plain_session>(std::move(socket), state, std::move(remote), redirect)->start();
}

}  // namespace peerdesk::http::detail
