#include "server/http/access_log.hpp"

#include <algorithm>
#include <utility>

namespace peerdesk::http {
namespace {

void append_json_string(std::string& out, std::string_view s)
{
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (char c : s) {
        auto const u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    out += '"';
}

}  // namespace

void append_access_line(std::string& out, access_record const& r, std::string_view time)
{
    out.reserve(out.size() + 160 + std::min<std::size_t>(r.req->path.size(), 500));
    out += "{\"time\":";
    append_json_string(out, time);
    out += ",\"remote\":";
    append_json_string(out, r.req->remote_address);
    out += ",\"method\":";
    append_json_string(out, r.req->method_text);
    out += ",\"path\":";
    append_json_string(out, std::string_view(r.req->path).substr(0, 500));
    out += ",\"status\":";
    out += std::to_string(r.status);
    out += ",\"bytes\":";
    out += std::to_string(r.bytes);
    out += ",\"us\":";
    out += std::to_string(r.duration.count());
    out += '}';
}

buffered_log::buffered_log(std::FILE* out) : out_(out), thread_([this] { run(); }) {}

buffered_log::~buffered_log()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    flush();
}

void buffered_log::add(std::string_view line)
{
    std::lock_guard lock(mutex_);
    if (pending_.size() + line.size() + 1 > max_buffered) {
        ++dropped_;
        return;
    }
    pending_.append(line);
    pending_ += '\n';
}

void buffered_log::flush()
{
    std::lock_guard writing(write_mutex_);  // always before mutex_
    // The two buffers trade places and keep their capacity: at tens of thousands of requests a
    // second a fresh buffer grew by reallocation under the lock, on a request's thread, and was
    // handed back to the system (an munmap) after every write.
    std::string& batch = spare_;
    batch.clear();
    std::size_t dropped = 0;
    {
        std::lock_guard lock(mutex_);
        batch.swap(pending_);
        dropped = std::exchange(dropped_, 0);
    }
    // Written without mutex_, so that requests never wait on the output.
    if (dropped != 0)
        batch += "{\"note\":\"" + std::to_string(dropped) +
                 " access log lines were dropped: the log's output did not keep up\"}\n";
    if (!batch.empty()) {
        std::fwrite(batch.data(), 1, batch.size(), out_);
        std::fflush(out_);
    }
}

void buffered_log::run()
{
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (wake_.wait_for(lock, flush_interval, [&] { return stopping_; })) return;
        }
        flush();
    }
}

}  // namespace peerdesk::http
