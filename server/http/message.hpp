#pragma once
// Requests and responses as plain values, so that handlers and their tests need no sockets.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerdesk::http {

enum class method { get, head, post, put, patch, delete_, options, other };

struct request {
    method verb = method::get;
    std::string method_text;                                   // as sent, for the access log
    std::string target;                                        // path and query as sent
    std::string path;                                          // before '?', still percent-encoded
    std::string query;                                         // after '?', without it
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
    std::string body;
    std::string remote_address;
    bool secure = false;  // arrived over TLS

    // The first value of a header (name in lower case), if present.
    std::optional<std::string_view> header(std::string_view name) const
    {
        for (auto const& [k, v] : headers)
            if (k == name) return std::string_view(v);
        return std::nullopt;
    }
};

// The body of a long response written as it comes (Server-Sent Events). The server sends the
// head (no Content-Length; the connection closes when the stream ends), then calls next() on
// the connection's own thread every interval(): non-empty bytes are written, empty ones wait
// for the next call, and nothing ends the response. Shutdown, a client that went away, or a
// write that takes longer than the read timeout end it too; the source is destroyed then.
class body_stream {
public:
    virtual ~body_stream() = default;
    virtual std::optional<std::string> next() = 0;
    virtual std::chrono::milliseconds interval() const { return std::chrono::milliseconds(1000); }
};

struct response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // A body kept by a cache and sent from where it is, instead of `body` (which stays empty):
    // a cached page is not copied for every request.
    std::shared_ptr<std::string const> shared_body;
    // Set for a streamed response: `body` goes first, then what the stream gives.
    std::shared_ptr<body_stream> stream;

    std::string_view payload() const { return shared_body ? std::string_view(*shared_body) : std::string_view(body); }

    response& set(std::string name, std::string value)
    {
        for (auto& [k, v] : headers)
            if (k == name) {
                v = std::move(value);
                return *this;
            }
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    response& add(std::string name, std::string value)
    {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    std::optional<std::string_view> header(std::string_view name) const
    {
        for (auto const& [k, v] : headers)
            if (k == name) return std::string_view(v);
        return std::nullopt;
    }
};

}  // namespace peerdesk::http
