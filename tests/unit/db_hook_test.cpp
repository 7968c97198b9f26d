#include "server/store/db.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace peerdesk::store;

// The search service sets the after-write hook while its indexer thread is already writing, and
// clears it while that thread may still be: the hook's swap must be safe against a write's call
// (ThreadSanitizer's run, scripts/tsan, reported the unguarded one), and once cleared it must
// not run again, or it would call into a destroyed service.
TEST_CASE("the after-write hook can be changed while another thread writes")
{
    auto const dir = std::filesystem::temp_directory_path() / ("peerdesk-hook-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        database db((dir / "peerdesk.db").string());
        db.write_alone([](connection& c) { c.exec("CREATE TABLE t (x INTEGER)"); });
        std::atomic<bool> stop{false};
        std::thread writer([&] {
            while (!stop.load()) db.write([](connection& c) { c.exec("INSERT INTO t (x) VALUES (1)"); });
        });
        std::atomic<int> calls{0};
        for (int round = 0; round < 50; ++round) {
            db.set_after_write([&] { calls.fetch_add(1); });
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            db.set_after_write({});
            int const after_clear = calls.load();
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            CHECK(calls.load() == after_clear);
        }
        stop.store(true);
        writer.join();
        CHECK(calls.load() > 0);
    }
    std::filesystem::remove_all(dir);
}
