#pragma once
// Value slots of an index document; a change here needs a reindex (and a CHANGELOG line).
#include <xapian.h>

namespace peerdesk::search {

// slot_post: the post a document is (documents are numbered best first by a rebuild, not by post id).
enum slot : Xapian::valueno { slot_thread = 0, slot_created = 1, slot_score = 2, slot_quality = 3, slot_post = 4 };

}  // namespace peerdesk::search
