#pragma once
// The access log: one JSON line per request, written in batches by a thread of its own.
//
// Writing and flushing a line per request cost a system call and a lock that every request
// thread queued on; without them the question page serves about a tenth more requests a
// second. Lines now gather in memory and are written at least every flush_interval, as nginx
// does with `access_log ... buffer= flush=`. A stalled output (a full pipe nobody reads) no
// longer stalls requests: past max_buffered bytes, lines are dropped and counted, and the count
// is logged once the output moves again.
#include "server/http/server.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace peerdesk::http {

// The line for one request, without its newline:
// {"time":"…","remote":"…","method":"…","path":"…","status":200,"bytes":123,"us":45}
// The path is cut at 500 bytes; strings are JSON-escaped.
// It is appended to out, which a caller can reuse from one request to the next.
void append_access_line(std::string& out, access_record const& r, std::string_view time);

class buffered_log {
public:
    static constexpr std::size_t max_buffered = 4 << 20;
    static constexpr auto flush_interval = std::chrono::milliseconds(200);

    explicit buffered_log(std::FILE* out);
    // Writes what is buffered before returning.
    ~buffered_log();
    buffered_log(buffered_log const&) = delete;
    buffered_log& operator=(buffered_log const&) = delete;

    void add(std::string_view line);  // a newline is added
    // Writes what is buffered now (tests; shutdown).
    void flush();

private:
    void run();

    std::FILE* out_;
    std::mutex mutex_;
    std::mutex write_mutex_;  // one writer at a time, so that lines keep their order
    std::condition_variable wake_;
    std::string pending_;
    std::string spare_;  // guarded by write_mutex_: the previous batch, emptied, for its capacity
    std::size_t dropped_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace peerdesk::http
