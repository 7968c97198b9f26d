// A small memo of what a member's request reads about themselves, kept until the database next
// changes in any way and for at most 5 s.
#pragma once

#include "server/store/db.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace peerdesk::app {

// Values are kept until the database next changes in any way (any_write_count counts the
// writes the page caches do not see, such as notifications and sign-outs), and for at most
// 5 s, which bounds what a change made by another process (a command on the same file) could
// leave behind. A value is stored with the write count read before it was read, so one read
// across a write is never kept.
template <typename V>
class member_memo {
public:
    explicit member_memo(std::size_t max_entries) : max_entries_(max_entries) {}

    std::optional<V> find(store::database const& db, std::string const& key)
    {
        std::lock_guard lock(mutex_);
        if (!current(db)) return std::nullopt;
        auto const it = values_.find(key);
        if (it == values_.end()) return std::nullopt;
        return it->second;
    }
    // A value read when the database's write count was `writes`: kept only if nothing came since.
    void store(store::database const& db, std::uint64_t writes, std::string key, V value)
    {
        std::lock_guard lock(mutex_);
        if (!current(db) && db.any_write_count() == writes) {
            values_.clear();
            db_ = &db;
            writes_ = writes;
            since_ = std::chrono::steady_clock::now();
        }
        if (db_ != &db || writes_ != writes || values_.size() >= max_entries_) return;
        values_.emplace(std::move(key), std::move(value));
    }

private:
    bool current(store::database const& db) const
    {
        return db_ == &db && writes_ == db.any_write_count() &&
               std::chrono::steady_clock::now() - since_ < std::chrono::seconds(5);
    }
    std::size_t const max_entries_;
    std::mutex mutex_;
    store::database const* db_ = nullptr;
    std::uint64_t writes_ = 0;
    std::chrono::steady_clock::time_point since_;
    std::unordered_map<std::string, V> values_;
};

}  // namespace peerdesk::app
