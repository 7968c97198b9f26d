#include "search/indexer.hpp"

#include <sys/resource.h>
#include <unistd.h>
#include <xapian.h>

#include <iostream>

namespace peerdesk::search {
namespace {

namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;

constexpr std::size_t batch_size = 500;
// Readers may still be inside an index that was replaced; it is removed after this long.
constexpr auto retire_after = std::chrono::seconds(60);
// Commits cost several fsyncs; under a stream of writes they are grouped to at most ten a second.
// At a million posts and 200 answers a second (three alternating runs each), 100 ms wrote 55 MB/s
// to the index with answers' p99 at 16-19 ms; 250 ms wrote 42 MB/s with p99 at 19-23 ms (one
// bigger flush for every request's fsync to queue behind); 1 s wrote 31 MB/s with p99 near 21 ms.
constexpr auto min_commit_interval = std::chrono::milliseconds(100);
// Applied outbox rows go in small steps: an import or a reindex leaves millions of them (487,000
// at 100,000 generated posts), and one DELETE of them all held the only writer for 1.7 s at a
// million, so every answer posted meanwhile waited as long. A step of 2,000 took 1.5-15 ms.
constexpr std::size_t forget_step = 2000;
constexpr auto forget_pause = std::chrono::milliseconds(20);

// The time encoded in a directory name by new_dir_name(), in milliseconds.
std::optional<std::int64_t> dir_time(std::string const& name)
{
    if (!name.starts_with("index-")) return std::nullopt;
    try {
        return std::stoll(name.substr(6));
    } catch (std::exception const&) {
        return std::nullopt;
    }
}

}  // namespace

std::string rebuild(fs::path const& root, source& src, std::function<void(rebuild_progress const&)> const& progress)
{
    fs::create_directories(root);
    if (auto other = src.rebuild_dir(); other && is_locked(root / *other))
        throw locked_error("another reindex is running (into " + *other + ")");
    auto const name = new_dir_name();
    auto const dir = root / name;
    try {
        // Holds the directory's lock until the switch is made; synced once, before it.
        writer w(dir, true, writer::commits::unsynced);
        auto const from = src.begin_rebuild(name);
        rebuild_progress p;
        auto const started = clock::now();
        auto const order = src.rebuild_order();
        p.total = static_cast<std::int64_t>(order.size());
        std::vector<std::int64_t> ids;
        for (std::size_t i = 0; i < order.size(); i += ids.size()) {
            ids.assign(order.begin() + static_cast<std::ptrdiff_t>(i),
                       order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), i + 1000)));
            for (auto const& d : src.documents(ids)) w.add(d);
            p.done += static_cast<std::int64_t>(ids.size());
            p.elapsed = clock::now() - started;
            if (progress) progress(p);
        }
        w.set_applied(from);
        w.sync();
        make_current(root, name);
    } catch (...) {
        std::error_code ec;
        fs::remove_all(dir, ec);
        src.end_rebuild();
        try {
            throw;
        } catch (Xapian::Error const& e) {
            throw std::runtime_error(e.get_description());  // callers need not know Xapian
        }
    }
    return name;
}

void settle_rebuild(fs::path const& root, source& src, std::string const& held)
{
    auto const dir = src.rebuild_dir();
    if (!dir || (*dir != held && is_locked(root / *dir))) return;
    if (current_dir(root) != dir) {  // abandoned half-way
        std::error_code ec;
        fs::remove_all(root / *dir, ec);
    }
    src.end_rebuild();
}

void remove_stale_dirs(fs::path const& root)
{
    auto const current = current_dir(root);
    auto const now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator(root, ec)) {
        auto const name = entry.path().filename().string();
        auto const t = dir_time(name);
        // Young directories may be a reindex that has not taken its lock yet.
        if (!t || name == current || now_ms - *t < 3600 * 1000 || is_locked(entry.path())) continue;
        fs::remove_all(entry.path(), ec);
    }
}

indexer::indexer(fs::path root, source& src, searcher& readers, std::chrono::milliseconds gather)
    : root_(std::move(root)), src_(src), readers_(readers), gather_(gather)
{
    thread_ = std::thread([this] { run(); });
}

indexer::~indexer()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void indexer::notify()
{
    {
        std::lock_guard lock(mutex_);
        pending_ = true;
    }
    wake_.notify_one();
}

indexer_status indexer::status() const
{
    std::lock_guard lock(mutex_);
    return status_;
}

void indexer::adopt()
{
    auto cur = current_dir(root_);
    auto const interrupted = [&] { return interrupted_by_machine(root_ / *cur); };
    auto const outdated = [&] {
        writer_.reset();  // one writer of a directory at a time, also when it is the same one
        return writer(root_ / *cur, false).outdated();
    };
    if (!cur || interrupted() || outdated()) {
        {
            std::lock_guard lock(mutex_);
            status_.building = true;
        }
        // An outdated index goes on answering searches until its replacement is current.
        std::cout << (!cur            ? "search: no index yet; building one from the database"
                      : interrupted() ? "search: the machine stopped while the index was being written; "
                                        "rebuilding it from the database"
                                      : "search: the index is from an older version; rebuilding it from the database")
                  << std::endl;
        writer_.reset();
        rebuild(root_, src_);
        {
            std::lock_guard lock(mutex_);
            status_.building = false;
        }
        cur = current_dir(root_);
        if (!cur) throw std::runtime_error("the new search index was not made current");
    }
    auto const old = dir_;
    writer_.reset();
    dir_.clear();
    writer_ = std::make_unique<writer>(root_ / *cur, false, writer::commits::unsynced);
    dir_ = *cur;
    {
        std::lock_guard lock(mutex_);
        status_.applied_seq = writer_->applied();
    }
    readers_.learn(dir_, writer_->revision(), {});  // reads the facts here, not in a reader's search
    readers_.changed();
    settle_rebuild(root_, src_, dir_);
    forgetting_ = true;  // an import, a reindex or the last run may have left applied rows
    if (!old.empty() && old != dir_) {
        retired_ = old;
        retired_at_ = clock::now();
    }
}

bool indexer::drain()
{
    bool any = false;
    for (;;) {
        auto changes = src_.changes_after(writer_->applied(), batch_size);
        if (changes.empty()) break;
        std::vector<post_fact> facts;
        facts.reserve(changes.size());
        for (auto const& c : changes) facts.push_back(writer_->apply(c.doc));
        writer_->set_applied(changes.back().seq);
        writer_->commit();
        readers_.learn(dir_, writer_->revision(), facts);
        readers_.changed();
        forgetting_ = true;
        any = true;
        std::lock_guard lock(mutex_);
        status_.applied_seq = writer_->applied();
        // Only a full batch means a backlog to catch up with at once. Under a steady stream of
        // posts, going round again would commit the few that came in during this commit, and
        // then again: at 200 posts a second that was a commit (six fsyncs) every two posts,
        // 120 MB/s of index writes that every request's own fsync queued behind.
        if (stop_ || changes.size() < batch_size) break;
    }
    return any;
}

void indexer::run()
{
    // Below the threads that answer requests (on Linux a thread has its own nice value): an index
    // commit is a burst of CPU, and on two cores it took time slices from answers being posted.
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
    auto last_commit = clock::now() - min_commit_interval;
    bool wait = false;
    for (;;) {
        bool notified = false;
        bool stopping = false;
        {
            std::unique_lock lock(mutex_);
            if (wait)
                wake_.wait_for(lock, forgetting_ ? forget_pause : std::chrono::milliseconds(1000),
                               [&] { return pending_ || stop_; });
            notified = pending_;
            pending_ = false;
            stopping = stop_;
        }
        if (stopping && !notified) break;
        wait = true;
        if (notified && !stopping) {
            // Let a burst of writes gather into one commit.
            std::this_thread::sleep_until(std::max(clock::now() + gather_, last_commit + min_commit_interval));
        }
        std::string problem;
        try {
            if (!writer_ || current_dir(root_) != dir_) {
                adopt();
                if (first_adopt_) {
                    remove_stale_dirs(root_);
                    first_adopt_ = false;
                }
            }
            if (drain()) last_commit = clock::now();
            if (forgetting_ && writer_ && !stopping) forgetting_ = src_.forget_applied(writer_->applied(), forget_step);
            if (!retired_.empty() && clock::now() - retired_at_ > retire_after) {
                std::error_code ec;
                fs::remove_all(root_ / retired_, ec);
                retired_.clear();
            }
        } catch (Xapian::Error const& e) {
            problem = e.get_description();
        } catch (std::exception const& e) {
            problem = e.what();
        }
        if (!problem.empty()) {
            writer_.reset();
            dir_.clear();
        }
        std::lock_guard lock(mutex_);
        if (!problem.empty() && problem != status_.problem)
            std::cerr << "search: " << problem << "\n";  // once, not every second
        status_.problem = problem;
        if (!problem.empty()) status_.building = false;
    }
}

}  // namespace peerdesk::search
