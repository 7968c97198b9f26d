#pragma once
// How a search ranks its matches: BM25 on the counts the documents hold, each capped, plus the
// quality boost read from the post facts. Internal to search/.
#include "search/facts.hpp"
#include "search/index.hpp"

#include <xapian.h>

#include <memory>

namespace peerdesk::search {

// q with each match's quality × tune.quality_boost added to its weight (q itself when the
// boost is off).
Xapian::Query with_quality(Xapian::Query q, tuning const& tune, std::shared_ptr<post_facts const> facts);
// Ranks enquire's matches by BM25 with tune's k1, b and count cap, on counts written times
// scale (the index's wdf_scale, or 1 for an index of an older format).
void rank_by_bm25(Xapian::Enquire& enquire, tuning const& tune, Xapian::termcount scale);

}  // namespace peerdesk::search
