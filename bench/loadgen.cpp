// An open-model HTTP load generator: requests start on a fixed schedule whatever the server
// does, and each latency is measured from the moment the request was due, so a slow server
// shows as slow (no coordinated omission). Prints one JSON line.
//
//   peerdesk-loadgen --host 127.0.0.1 --port 8080 --rate 2000 --duration 10 [--connections 64]
//                    [--path /q/1 ...] [--method POST --body '{"body":"… {n} …"}' --header 'K: V']
//                    [--requests FILE] [--server-timing on]
//
// {n} in the path or body becomes the request's sequence number. --requests FILE: one request a
// line, "PATH<TAB>Header: value<TAB>…", taken in turn (a mix of visitors, each with their own
// cookie). --server-timing on: also the server's own time per request, from the total in its
// Server-Timing header (server_p50_us, server_p99_us).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using clock_type = std::chrono::steady_clock;

struct options {
    std::string host = "127.0.0.1";
    std::string port = "8080";
    double rate = 1000;
    double duration = 10;
    int connections = 64;
    std::vector<std::string> paths;
    std::string method = "GET";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // From --requests: each request's path and its own headers.
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> requests;
    bool server_timing = false;
};

std::pair<std::string, std::string> parse_header(std::string const& v)
{
    auto const colon = v.find(':');
    if (colon == std::string::npos) return {v, ""};
    auto value = v.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    return {v.substr(0, colon), value};
}

std::string fill(std::string text, std::uint64_t n)
{
    for (auto at = text.find("{n}"); at != std::string::npos; at = text.find("{n}", at))
        text.replace(at, 3, std::to_string(n));
    return text;
}

struct stats {
    std::vector<std::int64_t> latencies_us;
    std::vector<std::int64_t> server_us;  // from Server-Timing's total
    std::uint64_t errors = 0;
    std::uint64_t non_2xx = 0;
};

class generator {
public:
    generator(asio::io_context& io, options o) : io_(io), opt_(std::move(o)), tick_(io) {}

    void start(asio::ip::tcp::resolver::results_type endpoints)
    {
        endpoints_ = endpoints;
        for (int i = 0; i < opt_.connections; ++i) conns_.push_back(std::make_shared<conn>(io_));
        start_ = clock_type::now();
        total_ = static_cast<std::uint64_t>(opt_.rate * opt_.duration);
        schedule();
    }

    stats const& result() const { return stats_; }
    double elapsed() const { return std::chrono::duration<double>(end_ - start_).count(); }

private:
    struct conn {
        // A buffer that holds a whole page: Beast reads into the room it finds, and with its
        // initial 512 bytes a 6 KB answer took eleven recvmsg calls, the generator's main cost.
        explicit conn(asio::io_context& io) : stream(io) { buffer.reserve(64 * 1024); }
        beast::tcp_stream stream;
        beast::flat_buffer buffer;
        bool connected = false;
        bool busy = false;
        http::request<http::string_body> req;
        http::response<http::string_body> res;
    };

    void schedule()
    {
        // Release every request that is due, then sleep until the next one.
        auto const now = clock_type::now();
        while (issued_ < total_) {
            auto const due = start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * issued_ / opt_.rate));
            if (due > now) {
                tick_.expires_at(due);
                tick_.async_wait([this](beast::error_code) { schedule(); });
                return;
            }
            pending_.push_back({issued_++, due});
            dispatch();
        }
    }

    void dispatch()
    {
        while (!pending_.empty()) {
            auto it = std::find_if(conns_.begin(), conns_.end(), [](auto const& c) { return !c->busy; });
            if (it == conns_.end()) return;  // all busy: the request waits, and its wait counts
            auto job = pending_.front();
            pending_.pop_front();
            send(*it, job.first, job.second);
        }
    }

    void send(std::shared_ptr<conn> c, std::uint64_t n, clock_type::time_point due)
    {
        c->busy = true;
        c->req = {};
        c->req.method_string(opt_.method);
        if (!opt_.requests.empty()) {
            auto const& [path, headers] = opt_.requests[n % opt_.requests.size()];
            c->req.target(fill(path, n));
            for (auto const& [k, v] : headers) c->req.set(k, v);
        } else {
            c->req.target(opt_.paths.empty() ? std::string("/") : fill(opt_.paths[n % opt_.paths.size()], n));
        }
        c->req.version(11);
        c->req.set(http::field::host, opt_.host + ":" + opt_.port);
        for (auto const& [k, v] : opt_.headers) c->req.set(k, v);
        if (!opt_.body.empty()) {
            c->req.body() = fill(opt_.body, n);
            c->req.prepare_payload();
        }
        auto go = [this, c, due]() {
            http::async_write(c->stream, c->req, [this, c, due](beast::error_code ec, std::size_t) {
                if (ec) return fail(c);
                c->res = {};
                http::async_read(c->stream, c->buffer, c->res, [this, c, due](beast::error_code ec2, std::size_t) {
                    if (ec2) return fail(c);
                    auto const us =
                        std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - due).count();
                    stats_.latencies_us.push_back(us);
                    if (opt_.server_timing) record_server_time(c->res);
                    if (c->res.result_int() < 200 || c->res.result_int() >= 300) ++stats_.non_2xx;
                    done();
                    if (c->res.need_eof()) c->connected = false, c->stream.socket().close();
                    c->busy = false;
                    dispatch();
                });
            });
        };
        if (c->connected) return go();
        c->stream.async_connect(endpoints_, [this, c, go](beast::error_code ec, auto const&) {
            if (ec) return fail(c);
            c->connected = true;
            c->stream.socket().set_option(asio::ip::tcp::no_delay(true));
            go();
        });
    }

    // "…, total;dur=0.42" → 420 µs.
    void record_server_time(http::response<http::string_body> const& res)
    {
        auto const it = res.find("Server-Timing");
        if (it == res.end()) return;
        auto const text = std::string(it->value());
        auto const at = text.find("total;dur=");
        if (at == std::string::npos) return;
        stats_.server_us.push_back(static_cast<std::int64_t>(std::atof(text.c_str() + at + 10) * 1000));
    }

    void fail(std::shared_ptr<conn> c)
    {
        ++stats_.errors;
        beast::error_code ignored;
        c->stream.socket().close(ignored);
        c->connected = false;
        c->buffer.clear();
        c->busy = false;
        done();
        dispatch();
    }

    void done()
    {
        if (++finished_ == total_) {
            end_ = clock_type::now();
            tick_.cancel();
            for (auto& c : conns_) {
                beast::error_code ignored;
                c->stream.socket().close(ignored);
            }
        }
    }

    asio::io_context& io_;
    options opt_;
    asio::steady_timer tick_;
    asio::ip::tcp::resolver::results_type endpoints_;
    std::vector<std::shared_ptr<conn>> conns_;
    std::deque<std::pair<std::uint64_t, clock_type::time_point>> pending_;
    std::uint64_t issued_ = 0, finished_ = 0, total_ = 0;
    clock_type::time_point start_, end_;
    stats stats_;
};

std::int64_t percentile(std::vector<std::int64_t>& v, double p)
{
    if (v.empty()) return 0;
    auto const k = static_cast<std::size_t>(
        std::min<double>(static_cast<double>(v.size()) - 1, p / 100.0 * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

int main(int argc, char** argv)
{
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string const k = argv[i], v = argv[i + 1];
        if (k == "--host")
            o.host = v;
        else if (k == "--port")
            o.port = v;
        else if (k == "--rate")
            o.rate = std::stod(v);
        else if (k == "--duration")
            o.duration = std::stod(v);
        else if (k == "--connections")
            o.connections = std::stoi(v);
        else if (k == "--path")
            o.paths.push_back(v);
        else if (k == "--method")
            o.method = v;
        else if (k == "--body")
            o.body = v;
        else if (k == "--header")
            o.headers.push_back(parse_header(v));
        else if (k == "--server-timing")
            o.server_timing = v == "on";
        else if (k == "--requests") {
            std::ifstream in(v);
            for (std::string line; std::getline(in, line);) {
                if (line.empty()) continue;
                std::vector<std::string> cells;
                for (std::size_t at = 0;;) {
                    auto const tab = line.find('\t', at);
                    cells.push_back(line.substr(at, tab - at));
                    if (tab == std::string::npos) break;
                    at = tab + 1;
                }
                std::vector<std::pair<std::string, std::string>> headers;
                for (std::size_t i = 1; i < cells.size(); ++i)
                    if (!cells[i].empty()) headers.push_back(parse_header(cells[i]));
                o.requests.emplace_back(cells[0], std::move(headers));
            }
            if (o.requests.empty()) {
                std::cerr << "no requests in " << v << "\n";
                return 2;
            }
        } else {
            std::cerr << "unknown option " << k << "\n";
            return 2;
        }
    }
    // One generator per thread, each with its share of the rate and the connections, so that
    // the generator itself is not what limits the rate.
    int const threads = 2;
    auto share = o;
    share.rate = o.rate / threads;
    share.connections = std::max(1, o.connections / threads);
    share.duration = o.duration;
    std::vector<std::unique_ptr<asio::io_context>> ios;
    std::vector<std::unique_ptr<generator>> gens;
    for (int i = 0; i < threads; ++i) {
        ios.push_back(std::make_unique<asio::io_context>(1));
        gens.push_back(std::make_unique<generator>(*ios.back(), share));
        asio::ip::tcp::resolver resolver(*ios.back());
        gens.back()->start(resolver.resolve(o.host, o.port));
    }
    std::vector<std::thread> workers;
    for (auto& io : ios) workers.emplace_back([&io] { io->run(); });
    for (auto& w : workers) w.join();
    stats s;
    double elapsed = 0;
    for (auto& g : gens) {
        auto const& r = g->result();
        s.latencies_us.insert(s.latencies_us.end(), r.latencies_us.begin(), r.latencies_us.end());
        s.server_us.insert(s.server_us.end(), r.server_us.begin(), r.server_us.end());
        s.errors += r.errors;
        s.non_2xx += r.non_2xx;
        elapsed = std::max(elapsed, g->elapsed());
    }
    auto& l = s.latencies_us;
    std::printf(
        "{\"requests\":%zu,\"errors\":%llu,\"non_2xx\":%llu,\"seconds\":%.3f,\"rate\":%.1f,"
        "\"p50_us\":%lld,\"p90_us\":%lld,\"p99_us\":%lld,\"max_us\":%lld,"
        "\"server_timed\":%zu,\"server_p50_us\":%lld,\"server_p99_us\":%lld}\n",
        l.size(), static_cast<unsigned long long>(s.errors), static_cast<unsigned long long>(s.non_2xx), elapsed,
        l.size() / std::max(elapsed, 1e-9), static_cast<long long>(percentile(l, 50)),
        static_cast<long long>(percentile(l, 90)), static_cast<long long>(percentile(l, 99)),
        static_cast<long long>(l.empty() ? 0 : *std::max_element(l.begin(), l.end())), s.server_us.size(),
        static_cast<long long>(percentile(s.server_us, 50)), static_cast<long long>(percentile(s.server_us, 99)));
    return 0;
}
