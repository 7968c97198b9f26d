#pragma once
#include "server/store/db.hpp"

namespace peerdesk::store {

// Applies every embedded schema/NNNN_*.sql newer than the database's user_version, each in
// its own transaction together with its user_version bump. Returns how many were applied.
// Throws error when a migration fails (the database then stays at the last good version).
int migrate(connection& db);

// The newest schema version embedded in this binary.
int latest_schema_version();

}  // namespace peerdesk::store
