#pragma once
#include "server/store/db.hpp"

namespace peerdesk::store {

// Applies every embedded schema/NNNN_*.sql newer than the database's user_version, each in
// its own transaction together with its user_version bump. Returns how many were applied.
// Throws error when a migration fails (the database then stays at the last good version).
int migrate(connection& db);

// The newest schema version embedded in this binary.
int latest_schema_version();

// The whole schema as the migrations leave a new database (schema/CURRENT.sql holds it): the
// SQL of every table, index, view and trigger, each table followed by its indexes and
// triggers, in name order. Migrates a private in-memory database; throws error if a migration
// fails.
std::string current_schema();

}  // namespace peerdesk::store
