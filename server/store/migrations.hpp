#pragma once
#include "server/store/db.hpp"

#include <string_view>
#include <vector>

namespace peerdesk::store {

// Applies every embedded schema/NNNN_*.sql newer than the database's user_version, each in
// its own transaction together with its user_version bump. Returns how many were applied.
// Throws error when a migration fails (the database then stays at the last good version).
int migrate(connection& db);

// One migration: its version and its SQL. A migration whose SQL holds the line
// "-- peerdesk: rebuilds tables" runs with foreign keys off (checked before it counts), and
// every trigger and view is dropped before it and made again after unless it made them itself.
struct migration {
    int version;
    std::string_view sql;
};
// Applies these migrations (in order) as migrate() applies the embedded ones; for tests.
int migrate(connection& db, std::vector<migration> const& migrations);

// The newest schema version embedded in this binary.
int latest_schema_version();

// The whole schema as the migrations leave a new database (schema/CURRENT.sql holds it): the
// SQL of every table, index, view and trigger, each table followed by its indexes and
// triggers, in name order. Migrates a private in-memory database; throws error if a migration
// fails.
std::string current_schema();

}  // namespace peerdesk::store
