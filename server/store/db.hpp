#pragma once
// A small RAII layer over SQLite: connections with a prepared-statement cache, statements that
// bind and read typed values, and immediate transactions that roll back unless committed.
// This folder is the only place that includes sqlite3.h.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace peerdesk::store {

// A failure of the database itself (I/O, corruption, misuse). Never shown to users verbatim.
class error : public std::runtime_error {
public:
    error(int code, std::string const& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }
    bool is_constraint() const;  // a UNIQUE, CHECK or FOREIGN KEY violation
    bool is_full() const;        // disk or quota full, or a write the disk refused
    bool is_unreadable() const;  // the file could not be read as a database (a failing disk)
private:
    int code_;
};

// One prepared statement. Binding starts a new execution; step() walks the rows.
class statement {
public:
    statement(sqlite3* db, std::string_view sql);
    ~statement();
    statement(statement const&) = delete;
    statement& operator=(statement const&) = delete;

    // Resets the statement and binds the arguments to ?1, ?2, … in order.
    template <typename... Args>
    statement& bind(Args const&... args)
    {
        reset();
        int index = 0;
        (bind_one(++index, args), ...);
        return *this;
    }

    // Resets the statement and binds ids to ?1, ?2, … (for IN lists); the rest of the
    // parameters are NULL.
    statement& bind_ids(std::vector<std::int64_t> const& ids);
    // IN lists are padded to a few fixed sizes (with NULLs) so that only a few statements are
    // cached: in_list(ids.size()) is "?1,?2,…" for the padded size.
    static std::string in_list(std::size_t n);

    // Advances to the next row; false when there is none. Throws error on failure.
    bool step();
    // Runs a statement that returns no rows (or ignores them).
    void run();

    std::int64_t integer(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;
    std::string text(int column) const;
    std::string_view text_view(int column) const;  // valid until the next step() or reset
    std::optional<std::string> optional_text(int column) const;
    bool is_null(int column) const;

    void reset();

private:
    void bind_one(int index, std::int64_t value);
    void bind_one(int index, int value) { bind_one(index, static_cast<std::int64_t>(value)); }
    void bind_one(int index, std::string_view value);
    void bind_one(int index, std::string const& value) { bind_one(index, std::string_view(value)); }
    void bind_one(int index, char const* value) { bind_one(index, std::string_view(value)); }
    void bind_one(int index, std::nullptr_t);
    template <typename T>
    void bind_one(int index, std::optional<T> const& value)
    {
        if (value)
            bind_one(index, *value);
        else
            bind_one(index, nullptr);
    }

    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class connection;

// Begun with BEGIN IMMEDIATE; rolls back on destruction unless commit() was called. Begun
// inside another transaction, it is part of that one (commit and rollback are the outer's).
class transaction {
public:
    explicit transaction(connection& c);
    ~transaction();
    transaction(transaction const&) = delete;
    transaction& operator=(transaction const&) = delete;
    void commit();

private:
    connection* conn_;
    bool nested_;
    bool done_ = false;
};

enum class open_mode { read_write, read_only };

// One SQLite connection with its statement cache. Not thread-safe: one thread at a time.
class connection {
public:
    connection(std::string const& path, open_mode mode);
    ~connection();
    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;

    // Runs one or more statements with no parameters (migrations, pragmas).
    void exec(std::string_view sql);
    // The cached prepared statement for this SQL text, prepared on first use.
    statement& cached(std::string_view sql);
    transaction begin_immediate() { return transaction(*this); }
    std::int64_t last_insert_rowid() const;
    // Reads the schema: throws a store::error when the database cannot be read (for /healthz).
    void ping();
    int changes() const;
    sqlite3* handle() const { return db_; }

private:
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<statement>, string_hash, std::equal_to<>> cache_;
};

// One read transaction on a reader connection for the statements run while it lives: they see
// one snapshot of the database and share one lock and one check that the cache is current,
// instead of each taking its own (a question page runs ten). Ends when destroyed; inside a
// transaction already begun it does nothing. Keep it short: a reader holds back checkpoints
// while it reads.
class read_snapshot {
public:
    explicit read_snapshot(connection& c);
    ~read_snapshot();
    read_snapshot(read_snapshot const&) = delete;
    read_snapshot& operator=(read_snapshot const&) = delete;

private:
    connection* conn_ = nullptr;  // null when nested in another transaction
};

// The database of one data directory: a single writer connection behind a mutex and one
// read-only connection per thread (WAL lets readers run beside the writer). Thread-safe.
class database {
public:
    explicit database(std::string path);
    ~database();

    // Whether readers can see what a write changes. Bookkeeping no page shows (the search
    // outbox, the query log) leaves write_count() alone, so that caches of pages stay valid.
    enum class seen { yes, no };

    // Runs fn with the writer connection inside a transaction of its own or, when other writes
    // are waiting, in one transaction shared with them (group commit); returns after the
    // commit, so an answer sent after write() is durable. fn's own transactions become
    // savepoints. Then calls the after-write hook.
    template <typename Fn>
    std::remove_cvref_t<std::invoke_result_t<Fn&, connection&>> write(Fn&& fn, seen visible = seen::yes)
    {
        using result = std::invoke_result_t<Fn&, connection&>;
        if constexpr (std::is_void_v<result>) {
            typed_job<char> j([&](connection& c) {
                fn(c);
                return char{};
            });
            j.visible = visible == seen::yes;
            submit(j);
        } else {
            typed_job<std::remove_cvref_t<result>> j([&](connection& c) { return fn(c); });
            j.visible = visible == seen::yes;
            submit(j);
            return std::move(*j.value);
        }
    }
    // Runs fn with the writer connection alone, outside any group: for work that manages its
    // own transactions and pragmas (migrations).
    template <typename Fn>
    decltype(auto) write_alone(Fn&& fn)
    {
        struct after {
            database& db;
            ~after()
            {
                db.writes_.fetch_add(1, std::memory_order_release);
                db.any_writes_.fetch_add(1, std::memory_order_release);
            }
        };
        std::lock_guard lock(writer_mutex_);
        after hook{*this};
        return fn(*writer_);
    }
    // Called after every write: the search indexer's wake-up. May be set or cleared while other
    // threads write: once it returns, the old hook is not running and will not run again.
    void set_after_write(std::function<void()> fn);
    // How many writes have finished: caches of derived data are fresh while it stays the same.
    std::uint64_t write_count() const { return writes_.load(std::memory_order_acquire); }
    // How many writes have finished, bookkeeping included (notifications are written unseen).
    std::uint64_t any_write_count() const { return any_writes_.load(std::memory_order_acquire); }
    // The calling thread's reader connection, opened on first use.
    connection& reader();
    // Readers this thread opens from now on keep a page cache of this many KiB (32 MiB unless
    // told). The write threads, many and reading little, keep small ones: sixteen large caches
    // would grow the process by half a gigabyte over time.
    static void set_thread_reader_cache(int kib);
    // The page caches of all connections share one pool of page_pool_bytes, taken once; near
    // its end a cache recycles its oldest page instead of growing. SQLite's other memory (and
    // pages past the pool) is held to about heap_bytes (its soft heap limit). Called before the
    // process opens its first database; throws std::logic_error after.
    //
    // Why a pool: from the heap, pages freed on one thread's malloc arena and taken again on
    // another's left the process 40 MB larger than what SQLite held, and growing for the first
    // quarter minute of writes; the pool holds the same pages in a fixed block.
    static void configure_memory(std::size_t page_pool_bytes, std::int64_t heap_bytes);
    // SQLite's heap memory, now and at most since the start (the pool is not in these).
    static std::int64_t memory_used();
    static std::int64_t memory_peak();
    // The pool's bytes holding pages now, and the pool's size.
    static std::int64_t page_pool_used();
    static std::int64_t page_pool_size();
    std::string const& path() const { return path_; }

private:
    struct job {
        virtual ~job() = default;
        virtual void run(connection& c) = 0;
        bool visible = true;
        bool done = false;
        std::exception_ptr error;
    };
    template <typename T>
    struct typed_job final : job {
        explicit typed_job(std::function<T(connection&)> f) : fn(std::move(f)) {}
        void run(connection& c) override { value.emplace(fn(c)); }
        std::function<T(connection&)> fn;
        std::optional<T> value;
    };
    void submit(job& j);
    void run_batch(std::unique_lock<std::mutex>& queue_lock);

    std::string path_;
    std::uint64_t id_;
    std::mutex queue_mutex_;
    std::condition_variable done_;
    std::vector<job*> queue_;
    bool leading_ = false;
    std::mutex writer_mutex_;
    std::unique_ptr<connection> writer_;
    // Its own lock: the indexer thread writes (and so calls the hook) from before the search
    // service sets the hook, and until after it clears it.
    std::mutex after_write_mutex_;
    std::function<void()> after_write_;
    std::atomic<std::uint64_t> writes_{0};
    std::atomic<std::uint64_t> any_writes_{0};

    // Checkpoints run on a thread of their own. SQLite's automatic one runs inside the COMMIT
    // that fills the log, copying a thousand pages and syncing the file while every write of
    // that group commit, and every write queued behind it, waits. Under writes without pause
    // the thread never quite reaches the log's end, so the log would never start again: once
    // it is large, the commit that finds the thread's copy within a few hundred pages of the
    // end finishes the copy itself, short, and the next write starts the log again.
    static int on_wal_commit(void* self, sqlite3*, char const*, int pages);
    void checkpoint_loop();
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_wake_;
    bool checkpoint_due_ = false;
    bool checkpoint_stop_ = false;
    // The log's size at the last commit (written by the writer inside its commit), and when
    // the writer last asked the thread for a checkpoint (the writer's alone).
    std::atomic<int> log_pages_{0};
    int checkpoint_asked_at_ = 0;
    // Which log the thread's figure is about (one more each time the log starts again), and
    // how many of its pages the thread's last checkpoint had copied.
    std::atomic<std::uint64_t> log_generation_{0};
    std::atomic<std::uint64_t> copied_{0};  // generation << 32 | pages copied
    std::thread checkpointer_;
};

struct backup_report {
    std::int64_t pages = 0;
    std::int64_t bytes = 0;
};

// Copies the database at source_path to dest_path while others go on reading and writing it
// (SQLite's online backup, from one read snapshot: consistent as of its start). The copy is
// written beside dest_path, synced, and renamed into place, so dest_path is whole or absent.
backup_report backup(std::string const& source_path, std::string const& dest_path);

}  // namespace peerdesk::store
