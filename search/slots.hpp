#pragma once
// Value slots of an index document; a change here needs a reindex (and a CHANGELOG line).
#include <xapian.h>

namespace peerdesk::search {

enum slot : Xapian::valueno { slot_thread = 0, slot_created = 1, slot_score = 2, slot_quality = 3 };

}  // namespace peerdesk::search
