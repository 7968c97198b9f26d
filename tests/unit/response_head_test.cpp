#include "server/http/server.hpp"

#include <doctest/doctest.h>

using namespace peerdesk;

TEST_CASE("a response head: status line, headers as given, the length, and the connection's fate")
{
    http::response res;
    res.set("Content-Type", "text/html; charset=utf-8");
    res.set("ETag", "\"abc\"");
    CHECK(
        http::response_head(res, 26987, 11, true) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: \"abc\"\r\nContent-Length: 26987\r\n\r\n");
    CHECK(http::response_head(res, 0, 11, false) ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: \"abc\"\r\nContent-Length: 0\r\n"
          "Connection: close\r\n\r\n");
    // HTTP/1.0 closes unless asked to keep the connection.
    CHECK(http::response_head(res, 5, 10, false).starts_with("HTTP/1.0 200 OK\r\n"));
    CHECK(http::response_head(res, 5, 10, false).find("Connection") == std::string::npos);
    CHECK(http::response_head(res, 5, 10, true).ends_with("Content-Length: 5\r\nConnection: keep-alive\r\n\r\n"));
}

TEST_CASE("204 and 304 responses say no length; others say it even when the body is empty")
{
    http::response res;
    res.status = 304;
    CHECK(http::response_head(res, 0, 11, true) == "HTTP/1.1 304 Not Modified\r\n\r\n");
    res.status = 204;
    CHECK(http::response_head(res, 0, 11, true) == "HTTP/1.1 204 No Content\r\n\r\n");
    res.status = 404;
    CHECK(http::response_head(res, 0, 11, true) == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("a line break in a header cannot start a header of its own")
{
    http::response res;
    res.status = 303;
    res.set("Location", std::string("/next\r\nSet-Cookie: stolen=1\n\0x", 30));
    res.set("X-Bad\r\nName", "v");
    auto const head = http::response_head(res, 0, 11, true);
    CHECK(head == std::string("HTTP/1.1 303 See Other\r\nLocation: /next  Set-Cookie: stolen=1  x\r\nX-Bad  Name: v\r\n"
                              "Content-Length: 0\r\n\r\n"));
    // Exactly the lines the server meant: status, two headers, the length, the blank line.
    std::size_t lines = 0;
    for (std::size_t at = head.find("\r\n"); at != std::string::npos; at = head.find("\r\n", at + 2)) ++lines;
    CHECK(lines == 5);
}

TEST_CASE("no control character reaches a header value: tab, vertical tab, form feed and DEL become spaces")
{
    http::response res;
    res.status = 303;
    res.set("Location", "/\t/evil.example\v\f\x7f\x01");
    auto const head = http::response_head(res, 0, 11, true);
    CHECK(head == "HTTP/1.1 303 See Other\r\nLocation: / /evil.example    \r\nContent-Length: 0\r\n\r\n");
}

namespace {
struct no_more final : http::body_stream {
    std::optional<std::string> next() override { return std::nullopt; }
};
}  // namespace

TEST_CASE("a streamed response says no length: its body ends when the connection closes")
{
    http::response res;
    res.set("Content-Type", "text/event-stream; charset=utf-8");
    res.stream = std::make_shared<no_more>();
    CHECK(http::response_head(res, 12, 11, false) ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nConnection: close\r\n\r\n");
}
