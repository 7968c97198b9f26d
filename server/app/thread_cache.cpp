#include "server/app/thread_cache.hpp"

namespace peerdesk::app {
namespace {

constexpr auto max_age = std::chrono::seconds(5);
constexpr std::size_t max_bytes = 24 << 20;
constexpr std::size_t max_entries = 4000;

}  // namespace

std::size_t thread_skeleton::bytes() const
{
    std::size_t facts_bytes = 0;
    if (facts) {
        facts_bytes = facts->text.size() + facts->title.size();
        for (auto const& a : facts->answers) facts_bytes += a.text.size() + sizeof a;
    }
    return page.bytes() + title.size() + description.size() + canonical.size() + image.size() + facts_bytes +
           posts.size() * sizeof(store::post_row) + comments.size() * sizeof(comment_fact) +
           holes.size() * sizeof(thread_hole);
}

std::shared_ptr<thread_skeleton const> thread_cache::find(std::int64_t question_id, std::int64_t page, audience who)
{
    if (page < 1 || page > max_kept_page) return nullptr;
    std::shared_ptr<thread_skeleton const> s;
    {
        std::lock_guard lock(mutex_);
        auto const it = entries_.find(key(question_id, page, who));
        if (it == entries_.end()) return nullptr;
        s = it->second;
    }
    if (s->writes != db_.write_count() || std::chrono::steady_clock::now() - s->at > max_age) return nullptr;
    return s;
}

void thread_cache::store(std::int64_t question_id, std::int64_t page, audience who,
                         std::shared_ptr<thread_skeleton const> s)
{
    if (s->writes != db_.write_count() || page < 1 || page > max_kept_page) return;
    auto const size = s->bytes();
    std::lock_guard lock(mutex_);
    auto const k = key(question_id, page, who);
    if (auto const old = entries_.find(k); old != entries_.end()) {
        bytes_ -= old->second->bytes();
        entries_.erase(old);
    }
    if (entries_.size() >= max_entries || bytes_ + size > max_bytes) {
        entries_.clear();  // as the page cache: start again; busy threads come back at once
        bytes_ = 0;
    }
    bytes_ += size;
    entries_.emplace(k, std::move(s));
}

std::shared_ptr<body_cache::body const> body_cache::find(std::string const& key)
{
    std::shared_ptr<body const> b;
    {
        std::lock_guard lock(mutex_);
        auto const it = entries_.find(key);
        if (it == entries_.end()) return nullptr;
        b = it->second;
    }
    if (b->writes != db_.write_count() || std::chrono::steady_clock::now() - b->at > max_age) return nullptr;
    return b;
}

void body_cache::store(std::string key, std::shared_ptr<body const> b)
{
    if (b->writes != db_.write_count() || key.size() > 1024) return;
    auto const size = b->bytes() + key.size();
    std::lock_guard lock(mutex_);
    if (auto const old = entries_.find(key); old != entries_.end()) {
        bytes_ -= old->second->bytes() + old->first.size();
        entries_.erase(old);
    }
    if (entries_.size() >= max_entries || bytes_ + size > max_bytes) {
        entries_.clear();
        bytes_ = 0;
    }
    bytes_ += size;
    entries_.emplace(std::move(key), std::move(b));
}

}  // namespace peerdesk::app
