#include "server/store/db.hpp"

#include <algorithm>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include <sqlite3.h>

#include <atomic>
#include <iostream>
#include <map>

namespace peerdesk::store {
namespace {

// Each connection's page cache, in KiB: the hot part of the database stays in memory.
constexpr int default_cache_kib = 32 * 1024;
// Log pages (4 KiB each) after which the checkpoint thread copies the log into the database:
// SQLite's own default for its automatic checkpoint.
constexpr int checkpoint_pages = 1000;
// Log pages after which the writer finishes the thread's checkpoint inside its commit, when it
// is at most inline_copy_pages from the log's end: the log (64 MiB) starts again under writes
// without pause, and the commit that does it copies little.
constexpr int inline_checkpoint_pages = 16'000;
constexpr int inline_copy_pages = 500;
// Past this (256 MiB) the writer checkpoints inside its commit whatever it copies: a bound on
// the log's size when a reader kept the thread from copying for long.
constexpr int runaway_checkpoint_pages = 64'000;
constexpr auto tidy_every = std::chrono::seconds(1);

[[noreturn]] void fail(sqlite3* db, int code)
{
    throw error(code, db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
}

void check(sqlite3* db, int code)
{
    if (code != SQLITE_OK) fail(db, code);
}

std::atomic<std::uint64_t> next_database_id{1};

}  // namespace

bool error::is_constraint() const
{
    return (code_ & 0xff) == SQLITE_CONSTRAINT;
}
bool error::is_full() const
{
    return (code_ & 0xff) == SQLITE_FULL || (code_ & 0xff) == SQLITE_IOERR;
}

// A read the disk failed reaches SQLite as a page that does not make sense: it reports the
// database malformed. A damaged file says the same, and 503 fits both better than a 500.
bool error::is_unreadable() const
{
    auto const primary = code_ & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || primary == SQLITE_CANTOPEN;
}

statement::statement(sqlite3* db, std::string_view sql) : db_(db)
{
    check(db_, sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                                  nullptr));
}

statement::~statement()
{
    sqlite3_finalize(stmt_);
}

void statement::reset()
{
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

statement& statement::bind_ids(std::vector<std::int64_t> const& ids)
{
    reset();
    int index = 0;
    for (auto id : ids) bind_one(++index, id);
    return *this;
}

void statement::bind_one(int index, std::int64_t value)
{
    check(db_, sqlite3_bind_int64(stmt_, index, value));
}

void statement::bind_one(int index, std::string_view value)
{
    check(db_, sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void statement::bind_one(int index, std::nullptr_t)
{
    check(db_, sqlite3_bind_null(stmt_, index));
}

bool statement::step()
{
    int const rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // Reset so that a failed statement does not keep a read transaction or lock open.
    sqlite3_reset(stmt_);
    fail(db_, sqlite3_extended_errcode(db_));
}

void statement::run()
{
    while (step()) {
    }
    sqlite3_reset(stmt_);
}

std::int64_t statement::integer(int column) const
{
    return sqlite3_column_int64(stmt_, column);
}

std::optional<std::int64_t> statement::optional_integer(int column) const
{
    if (is_null(column)) return std::nullopt;
    return integer(column);
}

std::string_view statement::text_view(int column) const
{
    auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(stmt_, column));
    if (!p) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string statement::text(int column) const
{
    return std::string(text_view(column));
}

std::optional<std::string> statement::optional_text(int column) const
{
    if (is_null(column)) return std::nullopt;
    return text(column);
}

bool statement::is_null(int column) const
{
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// Inside another transaction this one is a savepoint: it commits into the outer transaction,
// and rolls back only its own changes, so that a store method can be part of a larger change
// (a moderator action and its audit row, a batch of grouped commits).
transaction::transaction(connection& c) : conn_(&c), nested_(sqlite3_get_autocommit(c.handle()) == 0)
{
    conn_->exec(nested_ ? "SAVEPOINT nested" : "BEGIN IMMEDIATE");
}

transaction::~transaction()
{
    if (done_) return;
    if (nested_)
        sqlite3_exec(conn_->handle(), "ROLLBACK TO nested; RELEASE nested", nullptr, nullptr, nullptr);
    else
        sqlite3_exec(conn_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void transaction::commit()
{
    conn_->exec(nested_ ? "RELEASE nested" : "COMMIT");
    done_ = true;
}

read_snapshot::read_snapshot(connection& c)
{
    if (sqlite3_get_autocommit(c.handle()) == 0) return;
    c.cached("BEGIN").run();  // deferred: the snapshot is taken by the first read
    conn_ = &c;
}

read_snapshot::~read_snapshot()
{
    if (!conn_) return;
    try {
        conn_->cached("COMMIT").run();
    } catch (error const&) {
        // Never thrown from a destructor: a rollback ends the read whatever went wrong.
        sqlite3_exec(conn_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

connection::connection(std::string const& path, open_mode mode)
{
    int const flags = mode == open_mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int const rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string const message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        throw error(rc, "cannot open database " + path + ": " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
    // synchronous=FULL: a commit survives power loss, so a 2xx after commit is a promise kept.
    if (mode == open_mode::read_write) exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    exec("PRAGMA foreign_keys=ON;");
    // A larger page cache keeps the hot part of the database in memory. (A memory map was
    // measured too: every write that grows the file makes each connection map it again, and
    // posting answers ran at half the rate.)
    exec("PRAGMA cache_size=-" + std::to_string(default_cache_kib) + ";");
    // A reader's sorts and temporary tables stay in memory. SQLite moves a sort of more than
    // ten pages out of memory when its heap is near the soft limit, which the page caches
    // keep it at: half of all uncached question pages (their answers sorted with their
    // bodies) created, wrote, read back and deleted a file in /var/tmp. A reader's sort is
    // a page's rows, bounded by the page.
    if (mode == open_mode::read_only) exec("PRAGMA temp_store=MEMORY;");
}

connection::~connection()
{
    cache_.clear();
    sqlite3_close(db_);
}

void connection::exec(std::string_view sql)
{
    std::string const text(sql);
    char* message = nullptr;
    int const rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string const what = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        throw error(sqlite3_extended_errcode(db_), what);
    }
}

statement& connection::cached(std::string_view sql)
{
    auto it = cache_.find(sql);
    if (it == cache_.end()) it = cache_.emplace(std::string(sql), std::make_unique<statement>(db_, sql)).first;
    return *it->second;
}

std::string statement::in_list(std::size_t n)
{
    for (std::size_t size : {10, 30, 100})
        if (n <= size) {
            n = size;
            break;
        }
    std::string out;
    for (std::size_t i = 1; i <= n; ++i) out += (i > 1 ? ",?" : "?") + std::to_string(i);
    return out;
}

void connection::ping()
{
    auto& s = cached("SELECT count(*) FROM sqlite_schema");
    s.bind();
    s.step();
    s.reset();
}

std::int64_t connection::last_insert_rowid() const
{
    return sqlite3_last_insert_rowid(db_);
}
int connection::changes() const
{
    return sqlite3_changes(db_);
}

// Group commit: writers queue their work; the first one in leads, runs every queued job in one
// transaction (each in its own savepoint, so that one failure undoes only that job), commits
// once, and wakes the others. Under load many acknowledged writes share one fsync.
//
// A leader runs one batch and goes back to its request: the jobs queued meanwhile are led by one
// of their own threads. (Leading until the queue was empty made a request wait for the batches
// that came after it: at 200 answers a second, one slow sync of the next batch put 10 ms on a
// request whose own write was done in one.)
void database::run_batch(std::unique_lock<std::mutex>& queue_lock)
{
    std::vector<job*> batch;
    batch.swap(queue_);
    queue_lock.unlock();
    std::exception_ptr batch_error;
    {
        std::lock_guard writer(writer_mutex_);
        try {
            writer_->exec("BEGIN IMMEDIATE");
            for (auto* j : batch) {
                writer_->exec("SAVEPOINT job");
                try {
                    j->run(*writer_);
                    writer_->exec("RELEASE job");
                } catch (...) {
                    j->error = std::current_exception();
                    sqlite3_exec(writer_->handle(), "ROLLBACK TO job; RELEASE job", nullptr, nullptr, nullptr);
                }
            }
            writer_->exec("COMMIT");
        } catch (...) {
            batch_error = std::current_exception();
            sqlite3_exec(writer_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
    }
    if (std::any_of(batch.begin(), batch.end(), [](job const* j) { return j->visible; }))
        writes_.fetch_add(1, std::memory_order_release);
    any_writes_.fetch_add(1, std::memory_order_release);
    {
        std::lock_guard hook(after_write_mutex_);
        if (after_write_) after_write_();
    }
    queue_lock.lock();
    for (auto* j : batch) {
        if (batch_error && !j->error) j->error = batch_error;  // nothing of the batch was kept
        j->done = true;
    }
    leading_ = false;
    // Wakes the batch's writers, and the queued ones: the first of those to run leads next.
    done_.notify_all();
}

void database::set_after_write(std::function<void()> fn)
{
    std::lock_guard hook(after_write_mutex_);
    after_write_ = std::move(fn);
}

void database::submit(job& j)
{
    std::unique_lock lock(queue_mutex_);
    queue_.push_back(&j);
    while (!j.done) {
        if (!leading_) {
            leading_ = true;
            run_batch(lock);  // the batch holds j: it is done after
        } else {
            done_.wait(lock, [&] { return j.done || !leading_; });
        }
    }
    if (j.error) std::rethrow_exception(j.error);
}

database::database(std::string path)
    : path_(std::move(path)),
      id_(next_database_id++),
      writer_(std::make_unique<connection>(path_, open_mode::read_write))
{
    // Replaces the automatic checkpoint (wal_autocheckpoint is itself a WAL hook).
    sqlite3_wal_hook(writer_->handle(), &database::on_wal_commit, this);
    checkpointer_ = std::thread([this] { checkpoint_loop(); });
}

database::~database()
{
    {
        std::lock_guard lock(checkpoint_mutex_);
        checkpoint_stop_ = true;
    }
    checkpoint_wake_.notify_one();
    checkpointer_.join();
}

int database::on_wal_commit(void* self, sqlite3* handle, char const*, int pages)
{
    auto& db = *static_cast<database*>(self);
    if (pages < db.log_pages_.load(std::memory_order_relaxed)) {
        // The log started again from its beginning: the thread's figure was about the old one.
        db.log_generation_.fetch_add(1, std::memory_order_release);
        db.checkpoint_asked_at_ = 0;
    }
    db.log_pages_.store(pages, std::memory_order_release);
    auto const generation = db.log_generation_.load(std::memory_order_acquire);
    auto const copied = db.copied_.load(std::memory_order_acquire);
    bool const known = (copied >> 32) == (generation & 0xffffffffu);
    auto const copied_pages = static_cast<int>(copied & 0xffffffffu);
    if (pages >= runaway_checkpoint_pages ||
        (pages >= inline_checkpoint_pages && known && pages - copied_pages <= inline_copy_pages)) {
        // Holding the writer, no frame is added meanwhile: the checkpoint reaches the log's end
        // (unless a reader still needs old frames) and the next write starts the log again.
        // Near the thread's copy this is a few hundred pages; a log grown past the runaway
        // bound (a reader that held old frames for long) is copied here whatever it costs.
        sqlite3_wal_checkpoint_v2(handle, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        return SQLITE_OK;
    }
    // Asked again only once another thousand pages have come: while a reader holds old frames
    // the log cannot start again, and asking at every commit past the mark meant a checkpoint,
    // and a sync of the database file, for nearly every commit (20 a second at 200 answers a
    // second), each sync slowing the log's own syncs that the requests wait for.
    if (pages >= checkpoint_pages && pages - db.checkpoint_asked_at_ >= checkpoint_pages) {
        db.checkpoint_asked_at_ = pages;
        {
            std::lock_guard lock(db.checkpoint_mutex_);
            db.checkpoint_due_ = true;
        }
        db.checkpoint_wake_.notify_one();
    }
    return SQLITE_OK;
}

void database::checkpoint_loop()
{
    std::unique_ptr<connection> own;
    std::string last_problem;
    for (;;) {
        {
            std::unique_lock lock(checkpoint_mutex_);
            // Asked, or once a second while the log holds pages no checkpoint copied: the last
            // few hundred pages of a burst of writes are copied when the writes pause.
            bool const asked =
                checkpoint_wake_.wait_for(lock, tidy_every, [&] { return checkpoint_due_ || checkpoint_stop_; });
            if (checkpoint_stop_) return;
            checkpoint_due_ = false;
            if (!asked) {
                auto const copied = copied_.load(std::memory_order_acquire);
                auto const generation = log_generation_.load(std::memory_order_acquire) & 0xffffffffu;
                auto const pages = log_pages_.load(std::memory_order_acquire);
                if (pages == 0 || ((copied >> 32) == generation && static_cast<int>(copied & 0xffffffffu) >= pages))
                    continue;
            }
        }
        // PASSIVE: copies what no reader still needs, never waits for readers or the writer.
        // The log starts again from its beginning once a checkpoint has copied all of it.
        try {
            if (!own) own = std::make_unique<connection>(path_, open_mode::read_write);
            auto const generation = log_generation_.load(std::memory_order_acquire) & 0xffffffffu;
            int log = 0, copied = 0;
            int const rc = sqlite3_wal_checkpoint_v2(own->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
            if (rc != SQLITE_OK && rc != SQLITE_BUSY) throw error(rc, sqlite3_errmsg(own->handle()));
            // Had the log started again meanwhile, the generation no longer matches and the
            // writer does not rely on the figure.
            if (rc == SQLITE_OK && copied >= 0)
                copied_.store(generation << 32 | static_cast<std::uint32_t>(copied), std::memory_order_release);
            last_problem.clear();
        } catch (std::exception const& e) {
            // Reported once; the next commit that fills the log tries again.
            if (last_problem != e.what()) std::cerr << "database checkpoint: " << e.what() << "\n";
            last_problem = e.what();
            own.reset();
        }
    }
}

namespace {
thread_local int reader_cache_kib = default_cache_kib;
}

void database::set_thread_reader_cache(int kib)
{
    reader_cache_kib = kib;
}

namespace {
int page_slot_bytes = 0;
int page_slots = 0;
}  // namespace

void database::configure_memory(std::size_t page_pool_bytes, std::int64_t heap_bytes)
{
    int header = 0;
    if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) != SQLITE_OK)
        throw std::logic_error("SQLite's memory is configured before the first database is opened");
    // Slots fit this build's 4096-byte pages; a larger page would come from the heap instead.
    int const slot = 4096 + header;
    auto const slots = static_cast<int>(page_pool_bytes / static_cast<std::size_t>(slot));
    // Kept for the life of the process: SQLite may use it until the last connection closes.
    auto* pool = new unsigned char[static_cast<std::size_t>(slot) * static_cast<std::size_t>(slots)];
    if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, pool, slot, slots) != SQLITE_OK) {
        delete[] pool;
        throw std::logic_error("SQLite's memory is configured before the first database is opened");
    }
    page_slot_bytes = slot;
    page_slots = slots;
    sqlite3_soft_heap_limit64(heap_bytes);
}

std::int64_t database::memory_used()
{
    return sqlite3_memory_used();
}

std::int64_t database::memory_peak()
{
    return sqlite3_memory_highwater(0);
}

std::int64_t database::page_pool_used()
{
    sqlite3_int64 slots = 0, peak = 0;
    sqlite3_status64(SQLITE_STATUS_PAGECACHE_USED, &slots, &peak, 0);
    return slots * page_slot_bytes;
}

std::int64_t database::page_pool_size()
{
    return std::int64_t{page_slots} * page_slot_bytes;
}

connection& database::reader()
{
    // Keyed by database id, not address, so that a new database at a reused address never
    // gets a stale connection in tests that open many.
    thread_local std::map<std::uint64_t, std::unique_ptr<connection>> readers;
    auto& slot = readers[id_];
    if (!slot) {
        slot = std::make_unique<connection>(path_, open_mode::read_only);
        if (reader_cache_kib != default_cache_kib) slot->exec("PRAGMA cache_size=-" + std::to_string(reader_cache_kib));
    }
    return *slot;
}

backup_report backup(std::string const& source_path, std::string const& dest_path)
{
    connection source(source_path, open_mode::read_only);
    auto const temp = dest_path + ".partial";
    std::remove(temp.c_str());
    backup_report report;
    {
        connection dest(temp, open_mode::read_write);
        sqlite3_backup* b = sqlite3_backup_init(dest.handle(), "main", source.handle(), "main");
        if (!b) throw error(sqlite3_errcode(dest.handle()), sqlite3_errmsg(dest.handle()));
        int rc = SQLITE_OK;
        while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
        report.pages = sqlite3_backup_pagecount(b);
        sqlite3_backup_finish(b);
        if (rc != SQLITE_DONE) throw error(rc, std::string("backup: ") + sqlite3_errstr(rc));
        // The copy stands alone: no WAL beside it, every page in the file itself.
        dest.exec("PRAGMA journal_mode=DELETE");
    }
    std::remove((temp + "-wal").c_str());
    std::remove((temp + "-shm").c_str());
    if (int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        ::fsync(fd);
        report.bytes = ::lseek(fd, 0, SEEK_END);
        ::close(fd);
    }
    if (std::rename(temp.c_str(), dest_path.c_str()) != 0)
        throw error(0, "backup: cannot move the copy into place at " + dest_path);
    return report;
}

}  // namespace peerdesk::store
