// A test-only LD_PRELOAD library that makes the disk under one directory fail on demand, so
// that the hardening suite can prove "a full disk answers 503 and writes resume" on every CI
// run, as root or not, without mounting anything.
//
// It is driven by two environment variables:
//   PEERDESK_FAULT_DIR      the directory whose regular files fail (the server's data directory)
//   PEERDESK_FAULT_CONTROL  a file outside it; while it exists, its first word says what fails:
//       enospc [bytes]  writes, growing truncations and fallocate fail with ENOSPC, after an
//                       optional budget of bytes that still fit (counted from when the file
//                       appeared), as a disk that fills up does;
//       eio-write       writes and fsync fail with EIO, reads still work;
//       eio             reads, writes and fsync fail with EIO, as a dying disk does.
// Remove the file and the disk "comes back". Nothing else in the process is touched: pipes,
// sockets and files elsewhere pass straight through, so do all calls while the file is absent.
//
// It wraps libc's entry points rather than SQLite's VFS so that the search index (Xapian) and
// anything else writing into the data directory meets the same failure a real disk would give.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
// Both pwrite and pwrite64 (and the like) are defined below, as the distinct symbols they are.
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace {

enum class mode { none, enospc, eio_write, eio };

struct control_state {
    dev_t dev = 0;
    ino_t ino = 0;
    timespec mtime{};
};

std::atomic<long long> budget_left{0};
std::atomic<unsigned long long> generation{0};  // bumps when a new control file is seen
control_state seen;
std::atomic_flag seen_lock = ATOMIC_FLAG_INIT;

template <class F>
F next(const char* name)
{
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// What the control file asks for right now. errno is preserved: on the common path (no file)
// the caller must see exactly what the real call left behind.
mode current_mode()
{
    const char* control = std::getenv("PEERDESK_FAULT_CONTROL");
    if (!control) return mode::none;
    int saved = errno;
    struct stat st;
    if (stat(control, &st) != 0) {
        errno = saved;
        return mode::none;
    }
    char word[64] = {};
    int fd = open(control, O_RDONLY | O_CLOEXEC);
    static auto real_read = next<ssize_t (*)(int, void*, size_t)>("read");
    ssize_t n = fd >= 0 ? real_read(fd, word, sizeof word - 1) : -1;
    if (fd >= 0) close(fd);
    errno = saved;
    if (n < 0) return mode::none;
    if (std::strncmp(word, "eio-write", 9) == 0) return mode::eio_write;
    if (std::strncmp(word, "eio", 3) == 0) return mode::eio;
    if (std::strncmp(word, "enospc", 6) != 0) return mode::none;
    // A new (or rewritten) control file starts a new budget.
    while (seen_lock.test_and_set(std::memory_order_acquire)) {
    }
    if (st.st_dev != seen.dev || st.st_ino != seen.ino || st.st_mtim.tv_sec != seen.mtime.tv_sec ||
        st.st_mtim.tv_nsec != seen.mtime.tv_nsec) {
        seen = {st.st_dev, st.st_ino, st.st_mtim};
        budget_left = std::strtoll(word + 6, nullptr, 10);
        generation++;
    }
    seen_lock.clear(std::memory_order_release);
    return mode::enospc;
}

// Is fd a regular file under PEERDESK_FAULT_DIR?
bool in_fault_dir(int fd)
{
    const char* dir = std::getenv("PEERDESK_FAULT_DIR");
    if (!dir || !*dir) return false;
    int saved = errno;
    struct stat st;
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    char link[64], path[PATH_MAX];
    ssize_t n = -1;
    if (regular) {
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        n = readlink(link, path, sizeof path - 1);
    }
    errno = saved;
    if (n <= 0) return false;
    path[n] = '\0';
    size_t len = std::strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    return std::strncmp(path, dir, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

// 0 when the call may go ahead, otherwise the errno it must fail with.
int write_fault(int fd, size_t bytes)
{
    mode m = current_mode();
    if (m == mode::none || !in_fault_dir(fd)) return 0;
    if (m == mode::eio || m == mode::eio_write) return EIO;
    if (budget_left.fetch_sub(static_cast<long long>(bytes)) >= static_cast<long long>(bytes)) return 0;
    budget_left = 0;
    return ENOSPC;
}

int read_fault(int fd)
{
    return current_mode() == mode::eio && in_fault_dir(fd) ? EIO : 0;
}

int sync_fault(int fd)
{
    mode m = current_mode();
    return (m == mode::eio || m == mode::eio_write) && in_fault_dir(fd) ? EIO : 0;
}

size_t iov_bytes(const iovec* iov, int count)
{
    size_t total = 0;
    for (int i = 0; i < count; i++) total += iov[i].iov_len;
    return total;
}

#define FAIL_WITH(err) \
    do {               \
        errno = (err); \
        return -1;     \
    } while (0)

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t count)
{
    static auto real = next<ssize_t (*)(int, const void*, size_t)>("write");
    if (int err = write_fault(fd, count)) FAIL_WITH(err);
    return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset)
{
    static auto real = next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
    if (int err = write_fault(fd, count)) FAIL_WITH(err);
    return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset)
{
    static auto real = next<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
    if (int err = write_fault(fd, count)) FAIL_WITH(err);
    return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const iovec* iov, int count)
{
    static auto real = next<ssize_t (*)(int, const iovec*, int)>("writev");
    if (int err = write_fault(fd, iov_bytes(iov, count))) FAIL_WITH(err);
    return real(fd, iov, count);
}

ssize_t pwritev(int fd, const iovec* iov, int count, off_t offset)
{
    static auto real = next<ssize_t (*)(int, const iovec*, int, off_t)>("pwritev");
    if (int err = write_fault(fd, iov_bytes(iov, count))) FAIL_WITH(err);
    return real(fd, iov, count, offset);
}

int fallocate(int fd, int flags, off_t offset, off_t len)
{
    static auto real = next<int (*)(int, int, off_t, off_t)>("fallocate");
    if (int err = write_fault(fd, static_cast<size_t>(len))) FAIL_WITH(err);
    return real(fd, flags, offset, len);
}

int fallocate64(int fd, int flags, off64_t offset, off64_t len)
{
    static auto real = next<int (*)(int, int, off64_t, off64_t)>("fallocate64");
    if (int err = write_fault(fd, static_cast<size_t>(len))) FAIL_WITH(err);
    return real(fd, flags, offset, len);
}

// posix_fallocate reports its error as the return value, not through errno.
int posix_fallocate(int fd, off_t offset, off_t len)
{
    static auto real = next<int (*)(int, off_t, off_t)>("posix_fallocate");
    if (int err = write_fault(fd, static_cast<size_t>(len))) return err;
    return real(fd, offset, len);
}

int posix_fallocate64(int fd, off64_t offset, off64_t len)
{
    static auto real = next<int (*)(int, off64_t, off64_t)>("posix_fallocate64");
    if (int err = write_fault(fd, static_cast<size_t>(len))) return err;
    return real(fd, offset, len);
}

// Shrinking a file never needs space; growing it (SQLite does, for the WAL and journal) does.
static int truncate_fault(int fd, off_t length)
{
    int saved = errno;
    struct stat st;
    bool grows = fstat(fd, &st) == 0 && length > st.st_size;
    errno = saved;
    if (!grows) return sync_fault(fd);
    return write_fault(fd, static_cast<size_t>(length - st.st_size));
}

int ftruncate(int fd, off_t length)
{
    static auto real = next<int (*)(int, off_t)>("ftruncate");
    if (int err = truncate_fault(fd, length)) FAIL_WITH(err);
    return real(fd, length);
}

int ftruncate64(int fd, off64_t length)
{
    static auto real = next<int (*)(int, off64_t)>("ftruncate64");
    if (int err = truncate_fault(fd, length)) FAIL_WITH(err);
    return real(fd, length);
}

ssize_t read(int fd, void* buf, size_t count)
{
    static auto real = next<ssize_t (*)(int, void*, size_t)>("read");
    if (int err = read_fault(fd)) FAIL_WITH(err);
    return real(fd, buf, count);
}

ssize_t pread(int fd, void* buf, size_t count, off_t offset)
{
    static auto real = next<ssize_t (*)(int, void*, size_t, off_t)>("pread");
    if (int err = read_fault(fd)) FAIL_WITH(err);
    return real(fd, buf, count, offset);
}

ssize_t pread64(int fd, void* buf, size_t count, off64_t offset)
{
    static auto real = next<ssize_t (*)(int, void*, size_t, off64_t)>("pread64");
    if (int err = read_fault(fd)) FAIL_WITH(err);
    return real(fd, buf, count, offset);
}

int fsync(int fd)
{
    static auto real = next<int (*)(int)>("fsync");
    if (int err = sync_fault(fd)) FAIL_WITH(err);
    return real(fd);
}

int fdatasync(int fd)
{
    static auto real = next<int (*)(int)>("fdatasync");
    if (int err = sync_fault(fd)) FAIL_WITH(err);
    return real(fd);
}

}  // extern "C"
