// The writer of an index directory, its unsynced commits, and the directories under the
// index root (CURRENT and the index it names).
#include "search/document.hpp"
#include "search/index.hpp"

#include <xapian.h>

#include <fcntl.h>
#include <unistd.h>
#include <chrono>
#include <fstream>
#include <iostream>

namespace peerdesk::search {
namespace {

namespace fs = std::filesystem;

// Xapian's block size for a new index (an existing one keeps its own until a reindex). A
// search reads about a hundred posting blocks, each a pread from the page cache, and with 8 KB
// (Xapian's default) the kernel's part, mostly those reads, was a quarter of the server's time. At a million posts, one
// thread, alternating runs: 8 KB 756-793 queries/s, 32 KB 883-969, 64 KB 3 % more again but a
// reindex at 1,506 posts/s (32 KB: 1,669) and a larger index (3.5 GB; 32 KB 3.3, 8 KB 2.9).
constexpr unsigned block_size = 32768;

}  // namespace

// ---- unsynced commits ----
//
// Xapian's fsyncs at every commit (several files, ten times a second under writes) were what a
// posted answer's own fsync queued behind: at a million posts, answers at 200/s had a p99 of
// 17-18 ms with them and 7.5-8.4 ms without (two alternating runs each). So the server's
// writer commits without them. A commit is still atomic for the process (Xapian writes the
// new revision's blocks before the file that names it), so a crash of peerdesk loses nothing
// the kernel holds. Only a crash of the machine can leave an index whose files disagree, and
// Xapian cannot tell: while a writer is open, a marker in the index holds the machine's boot
// id, and an index whose marker names another boot is rebuilt from the database (which
// synced every write). Closing syncs every file and removes the marker.

namespace {

constexpr char unsynced_marker[] = "peerdesk-unsynced";

std::optional<std::string> boot_id()
{
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    if (!in || !std::getline(in, id) || id.empty()) return std::nullopt;
    return id;
}

bool fsync_path(fs::path const& p, int flags)
{
    int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return false;
    bool const ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

void sync_dir(fs::path const& dir)
{
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file(ec) && !fsync_path(entry.path(), O_RDONLY))
            throw std::runtime_error("cannot sync " + entry.path().string());
    if (!fsync_path(dir, O_RDONLY | O_DIRECTORY)) throw std::runtime_error("cannot sync " + dir.string());
}

}  // namespace

bool interrupted_by_machine(fs::path const& dir)
{
    std::ifstream in(dir / unsynced_marker);
    std::string id;
    if (!in || !std::getline(in, id)) return false;
    return id != boot_id().value_or("");
}

struct writer::impl {
    Xapian::WritableDatabase db;
    Xapian::TermGenerator terms;
    std::int64_t applied = 0;
    bool numbered = true;
    fs::path dir;
    bool unsynced = false;       // commits without fsync, under the marker
    bool scaled = true;          // counts normalised by length (wdf_scale_key); else as an older index has them
    bool current_format = true;  // format_key: else rebuilt at start
};

writer::writer(fs::path const& dir, bool create, commits mode) : impl_(std::make_unique<impl>())
{
    impl_->dir = dir;
    auto const boot = boot_id();
    impl_->unsynced = mode == commits::unsynced && boot;
    try {
        impl_->db = Xapian::WritableDatabase(
            dir.string(),
            (create ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN) | (impl_->unsynced ? Xapian::DB_NO_SYNC : 0),
            block_size);
    } catch (Xapian::DatabaseLockError const& e) {
        throw locked_error("the search index " + dir.string() + " is in use by another process");
    }
    if (impl_->unsynced && !interrupted_by_machine(dir)) {
        // Durable before the first unsynced write; an older marker of another boot stays, so
        // that the index is still known to be suspect.
        auto const marker = dir / unsynced_marker;
        auto const tmp = dir / (std::string(unsynced_marker) + ".tmp");
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << *boot << "\n";
            if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
        }
        if (!fsync_path(tmp, O_RDONLY)) throw std::runtime_error("cannot sync " + tmp.string());
        fs::rename(tmp, marker);
        if (!fsync_path(dir, O_RDONLY | O_DIRECTORY)) throw std::runtime_error("cannot sync " + dir.string());
    }
    impl_->terms.set_stemmer(Xapian::Stem("english"));
    impl_->terms.set_stopper(&stopper());
    impl_->terms.set_stopper_strategy(Xapian::TermGenerator::STOP_STEMMED);
    impl_->terms.set_database(impl_->db);
    impl_->terms.set_flags(Xapian::TermGenerator::FLAG_SPELLING);
    auto const seq = impl_->db.get_metadata(applied_key);
    impl_->applied = seq.empty() ? 0 : std::stoll(seq);
    if (impl_->db.get_doccount() == 0 && seq.empty()) {
        impl_->db.set_metadata(numbering_key, numbering_value);
        impl_->db.set_metadata(wdf_scale_key, std::to_string(wdf_scale));
        impl_->db.set_metadata(format_key, format_value);
    }
    impl_->scaled = impl_->db.get_metadata(wdf_scale_key) == std::to_string(wdf_scale);
    impl_->numbered = impl_->db.get_metadata(numbering_key) == numbering_value;
    impl_->current_format = impl_->db.get_metadata(format_key) == format_value;
}

bool writer::outdated() const
{
    return !impl_->numbered || !impl_->current_format;
}

writer::~writer()
{
    if (!impl_->unsynced) return;
    try {
        sync();
    } catch (std::exception const& e) {
        std::cerr << "search: " << e.what() << "; the index will be rebuilt after a machine crash\n";
    }
}

void writer::sync()
{
    if (!impl_->unsynced) return;
    impl_->db.commit();
    sync_dir(impl_->dir);
    // A marker of another boot stays: the blocks written before it may be lost already.
    if (interrupted_by_machine(impl_->dir)) return;
    std::error_code ec;
    fs::remove(impl_->dir / unsynced_marker, ec);
    if (!fsync_path(impl_->dir, O_RDONLY | O_DIRECTORY)) throw std::runtime_error("cannot sync " + impl_->dir.string());
}

post_fact writer::apply(post_document const& d)
{
    return put(d, false);
}

post_fact writer::add(post_document const& d)
{
    if (!d.visible) return {};
    return put(d, true);
}

post_fact writer::put(post_document const& d, bool fresh)
{
    if (!impl_->numbered) throw std::logic_error("an index numbered by post id is only read, and rebuilt");
    auto const id_term = prefix_post + std::to_string(d.id);
    if (!d.visible) {
        // Never indexed (held from the start) or gone already: nothing to delete.
        auto const it = impl_->db.postlist_begin(id_term);
        if (it == impl_->db.postlist_end(id_term)) return {};
        auto const docid = *it;
        impl_->db.delete_document(docid);
        return fact_of(d, docid);
    }
    auto const doc = document_of(d, impl_->terms, impl_->scaled);
    // A new post takes the next docid; an indexed one keeps its own. A rebuild's posts are all
    // new: no need to look each one up by its term.
    return fact_of(d, fresh ? impl_->db.add_document(doc) : impl_->db.replace_document(id_term, doc));
}

std::int64_t writer::applied() const
{
    return impl_->applied;
}

void writer::set_applied(std::int64_t seq)
{
    impl_->applied = seq;
    impl_->db.set_metadata(applied_key, std::to_string(seq));
}

void writer::commit()
{
    impl_->db.commit();
}

std::uint64_t writer::revision() const
{
    return impl_->db.get_revision();
}

std::size_t writer::document_count() const
{
    return impl_->db.get_doccount();
}

// ---- the directories ----

std::optional<std::string> current_dir(fs::path const& root)
{
    std::ifstream in(root / "CURRENT");
    std::string name;
    if (!in || !std::getline(in, name) || name.empty() || name.find('/') != std::string::npos) return std::nullopt;
    return name;
}

void make_current(fs::path const& root, std::string const& dir)
{
    auto const tmp = root / "CURRENT.tmp";
    {
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw std::runtime_error("cannot write " + tmp.string());
        auto const line = dir + "\n";
        bool const ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
        ::close(fd);
        if (!ok) throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, root / "CURRENT");
    if (int d = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
        ::fsync(d);
        ::close(d);
    }
}

std::string new_dir_name()
{
    auto const ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return "index-" + std::to_string(ms) + "-" + std::to_string(::getpid());
}

bool is_locked(fs::path const& dir)
{
    std::error_code ec;
    if (!fs::exists(dir, ec)) return false;
    try {
        Xapian::WritableDatabase probe(dir.string(), Xapian::DB_OPEN);
        return false;
    } catch (Xapian::DatabaseLockError const&) {
        return true;
    } catch (Xapian::Error const&) {
        return false;
    }
}

}  // namespace peerdesk::search
