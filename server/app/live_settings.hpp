#pragma once
// The settings a running server works with, changed without a restart (/admin/settings).
//
// Handlers read ctx.config, a plain value. Each I/O thread keeps its own copy of the context
// (application::thread_context) and takes the current settings again when the generation here
// has moved, at the start of its next request: a request sees one set of settings from start to
// end, and reading them costs no lock. Thread-safe.
#include "server/app/context.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>

namespace peerdesk::app {

class live_settings {
public:
    explicit live_settings(settings initial) : current_(std::move(initial)) {}

    settings current() const
    {
        std::lock_guard lock(mutex_);
        return current_;
    }
    // Moves whenever new settings are published.
    std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
    // A number to publish with, taken inside the write transaction that stores the change: the
    // writer runs one transaction at a time, so the numbers follow the order of the commits.
    std::uint64_t next_version() { return ++versions_; }
    // Makes s current, unless settings of a later version were published already.
    void publish(settings s, std::uint64_t version)
    {
        {
            std::lock_guard lock(mutex_);
            if (version <= published_) return;
            published_ = version;
            current_ = std::move(s);
        }
        generation_.fetch_add(1, std::memory_order_acq_rel);
    }

private:
    mutable std::mutex mutex_;
    settings current_;
    std::uint64_t published_ = 0;
    std::atomic<std::uint64_t> versions_{0};
    std::atomic<std::uint64_t> generation_{0};
};

}  // namespace peerdesk::app
