#pragma once
// Where a request's time went, for its Server-Timing header: a few named spans recorded on the
// thread that handles the request (a request is handled on one thread from start to end).
#include <chrono>
#include <string>

namespace peerdesk::app::timing {

using clock = std::chrono::steady_clock;

// Forgets the previous request's spans.
void begin();
// Adds d to the span called name (a string literal); more than four spans are dropped.
void add(char const* name, clock::duration d);
// "search;dur=1.20, db;dur=0.31, total;dur=1.72" (milliseconds), with desc when given.
std::string header(clock::duration total, char const* desc = nullptr);

// Times the enclosing scope as the span name.
class span {
public:
    explicit span(char const* name) : name_(name), start_(clock::now()) {}
    ~span() { add(name_, clock::now() - start_); }
    span(span const&) = delete;
    span& operator=(span const&) = delete;

private:
    char const* name_;
    clock::time_point start_;
};

}  // namespace peerdesk::app::timing
