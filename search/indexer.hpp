#pragma once
// Keeps the index equal to the database: a thread drains the outbox into Xapian, commits, and
// only then lets the outbox rows go. The outbox position is committed with the documents, so a
// crash at any moment replays exactly what the index lacks.
#include "search/index.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace peerdesk::search {

// The database side, implemented by the server over SQLite.
class source {
public:
    virtual ~source() = default;

    struct change {
        std::int64_t seq = 0;
        post_document doc;  // the post as it is now, visible or not
    };
    // Outbox entries after seq, oldest first.
    virtual std::vector<change> changes_after(std::int64_t seq, std::size_t limit) = 0;
    // The index holds everything up to seq: those outbox rows may go, except the ones a
    // rebuild in progress still needs. At most limit of them at once, the oldest first; answers
    // whether it stopped at the limit (more may remain).
    virtual bool forget_applied(std::int64_t seq, std::size_t limit) = 0;

    // For a rebuild: every visible post's id, the best first (quality_of, then the oldest),
    // the order in which the new index numbers its documents.
    virtual std::vector<std::int64_t> rebuild_order() = 0;
    // These posts as they are now, in this order; a post gone meanwhile is left out.
    virtual std::vector<post_document> documents(std::vector<std::int64_t> const& ids) = 0;
    virtual std::int64_t post_count() = 0;
    // Marks a rebuild into dir as started and answers the outbox position it starts from;
    // outbox rows after that position are kept until the rebuild has been taken up.
    virtual std::int64_t begin_rebuild(std::string const& dir) = 0;
    virtual std::optional<std::string> rebuild_dir() = 0;
    virtual void end_rebuild() = 0;
};

struct rebuild_progress {
    std::int64_t done = 0;
    std::int64_t total = 0;
    std::chrono::steady_clock::duration elapsed{};
};

// Builds a whole new index from the source and makes it current. The old index stays in use
// by readers until the switch. Answers the new directory's name.
std::string rebuild(std::filesystem::path const& root, source& src,
                    std::function<void(rebuild_progress const&)> const& progress = {});

// After a rebuild was made current, or when one was abandoned (its writer is gone): ends the
// rebuild's hold on the outbox. Does nothing while a rebuild is still being written. held is
// the directory the caller itself writes to (taken up already), if any.
void settle_rebuild(std::filesystem::path const& root, source& src, std::string const& held = {});

// Removes index directories other than the current one that no writer holds.
void remove_stale_dirs(std::filesystem::path const& root);

struct indexer_status {
    std::int64_t applied_seq = 0;
    bool building = false;
    std::string problem;  // the last error, empty when all is well
};

class indexer {
public:
    // Starts the thread. When there is no index yet, it builds one first.
    indexer(std::filesystem::path root, source& src, searcher& readers,
            std::chrono::milliseconds gather = std::chrono::milliseconds(50));
    ~indexer();  // finishes the batch in hand and stops
    indexer(indexer const&) = delete;
    indexer& operator=(indexer const&) = delete;

    // A write with an outbox row has committed: index it soon.
    void notify();
    indexer_status status() const;

private:
    void run();
    void adopt();
    bool drain();

    std::filesystem::path root_;
    source& src_;
    searcher& readers_;
    std::chrono::milliseconds gather_;
    std::unique_ptr<writer> writer_;
    std::string dir_;
    std::string retired_;  // the index replaced last, removed once readers have left it
    std::chrono::steady_clock::time_point retired_at_;
    bool first_adopt_ = true;
    bool forgetting_ = false;  // applied outbox rows may remain

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool pending_ = false;
    bool stop_ = false;
    indexer_status status_;
    std::thread thread_;
};

}  // namespace peerdesk::search
