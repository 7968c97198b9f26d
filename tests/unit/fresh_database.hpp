#pragma once
// A real database file, migrated, in a fresh temporary directory that goes when the test ends:
// what the store's unit tests run against. A test file adds its own shortcuts in a struct
// derived from it.
#include "server/store/db.hpp"
#include "server/store/migrations.hpp"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

namespace peerdesk::testing {

struct fresh_database {
    std::filesystem::path dir;
    std::unique_ptr<store::database> db;

    explicit fresh_database(std::string const& prefix = "peerdesk-test-")
    {
        static int n = 0;
        dir =
            std::filesystem::temp_directory_path() / (prefix + std::to_string(::getpid()) + "-" + std::to_string(n++));
        std::filesystem::create_directories(dir);
        db = std::make_unique<store::database>((dir / "peerdesk.db").string());
        db->write_alone([](store::connection& c) { return store::migrate(c); });
    }
    ~fresh_database()
    {
        db.reset();
        std::filesystem::remove_all(dir);
    }
    fresh_database(fresh_database const&) = delete;
    fresh_database& operator=(fresh_database const&) = delete;
};

}  // namespace peerdesk::testing
