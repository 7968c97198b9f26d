#include "server/http/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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

class session;

// Shared by the listener and every session: what shutdown needs to reach.
struct server_state {
    server_config config;
    handler handle;
    access_logger log;
    std::atomic<bool> stopping{false};
    std::mutex mutex;
    std::set<session*> sessions;  // guarded by mutex
};

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket&& socket, server_state& state) : stream_(std::move(socket)), state_(state)
    {
        beast::error_code ec;
        auto const endpoint = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ = endpoint.address().to_string();
    }

    ~session()
    {
        std::lock_guard lock(state_.mutex);
        state_.sessions.erase(this);
    }

    void start()
    {
        {
            std::lock_guard lock(state_.mutex);
            state_.sessions.insert(this);
        }
        asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::read, shared_from_this()));
    }

    // Called at shutdown from another thread: closes the connection if it waits for a request.
    void close_if_idle()
    {
        auto self = weak_from_this().lock();
        if (!self) return;  // already ending
        asio::post(stream_.get_executor(), [self] {
            if (self->idle_) self->stream_.socket().close();
        });
    }

private:
    void read()
    {
        if (state_.stopping) return close();
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(state_.config.header_limit));
        parser_->body_limit(state_.config.body_limit);
        idle_ = true;
        stream_.expires_after(state_.config.idle_timeout);
        // The header first, with the idle timeout; then the rest, with the read timeout.
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 beast::bind_front_handler(&session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t)
    {
        idle_ = false;
        if (ec) return on_error(ec);
        started_ = std::chrono::steady_clock::now();
        stream_.expires_after(state_.config.read_timeout);
        bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&session::on_read, shared_from_this()));
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
        keep_alive_ = message.keep_alive() && !state_.stopping;
        version_ = message.version();

        response res = state_.handle(req);
        if (req.verb == method::head) {
            head_only_ = true;
        }
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
        if (state_.log && req) state_.log({req, res.status, bytes,
                                            std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::steady_clock::now() - started_)});
        stream_.expires_after(state_.config.read_timeout);
        bhttp::async_write(stream_, *out,
                           [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
                               self->on_write(ec);
                           });
    }

    void on_write(beast::error_code ec)
    {
        if (ec) return close();
        if (!keep_alive_) return close();
        read();
    }

    void on_error(beast::error_code ec)
    {
        // End of stream, timeouts and cancellation are how connections end; they are not logged.
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
            ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::bad_descriptor)
            return close();
        int status = 400;
        std::string message = "The request is malformed.";
        if (ec == bhttp::error::header_limit) {
            status = 431;
            message = "The request headers are too large.";
        } else if (ec == bhttp::error::body_limit) {
            status = 413;
            message = "The request body is too large (the limit is " + std::to_string(state_.config.body_limit) +
                      " bytes).";
        }
        keep_alive_ = false;
        response res;
        res.status = status;
        res.set("Content-Type", "application/json; charset=utf-8");
        res.body = R"({"error":{"code":")" + std::string(status == 413 ? "too_large" : status == 431 ? "headers_too_large" : "malformed_request") +
                   R"(","message":")" + message + "\"}}";
        send(std::move(res), nullptr);
    }

    void close()
    {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    server_state& state_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::string remote_;
    bool keep_alive_ = false;
    bool head_only_ = false;
    unsigned version_ = 11;
    std::atomic<bool> idle_{false};
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
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
        if (!ec) std::make_shared<session>(std::move(socket), state_)->start();
        accept();
    }

    asio::io_context& ioc_;
    tcp::acceptor acceptor_;
    server_state& state_;
};

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

    auto const address = asio::ip::make_address(config.address);
    auto l = std::make_shared<listener>(ioc, tcp::endpoint(address, config.port), state);
    l->accept();
    if (on_listening) on_listening(l->port());

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer deadline(ioc);
    signals.async_wait([&](beast::error_code ec, int) {
        if (ec) return;
        state.stopping = true;
        l->stop();
        {
            std::lock_guard lock(state.mutex);
            for (auto* s : state.sessions) s->close_if_idle();
        }
        // Requests in flight get a grace period; after it the loop stops regardless.
        deadline.expires_after(config.shutdown_grace);
        deadline.async_wait([&](beast::error_code e) {
            if (!e) ioc.stop();
        });
    });

    // Once stopping, the loop runs out of work when the last session ends; the deadline
    // timer is then the only thing left, so it is cancelled by a watcher below.
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    asio::steady_timer watcher(ioc);
    std::function<void()> watch = [&] {
        watcher.expires_after(std::chrono::milliseconds(50));
        watcher.async_wait([&](beast::error_code ec) {
            if (ec) return;
            if (state.stopping) {
                std::lock_guard lock(state.mutex);
                if (state.sessions.empty()) {
                    deadline.cancel();
                    return;
                }
            }
            watch();
        });
    };
    watch();
    ioc.run();
    for (auto& t : pool) t.join();
}

}  // namespace peerdesk::http
