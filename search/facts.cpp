#include "search/facts.hpp"

#include "search/slots.hpp"

#include <xapian.h>

#include <algorithm>
#include <cmath>

namespace peerdesk::search {

post_facts::post_facts(std::string dir, std::uint64_t revision)
    : dir_(std::move(dir)), revision_(revision), chunks_(std::make_unique<std::atomic<chunk*>[]>(max_chunks))
{
    for (std::size_t i = 0; i < max_chunks; ++i) chunks_[i].store(nullptr, std::memory_order_relaxed);
}

post_facts::~post_facts()
{
    for (std::size_t i = 0; i < max_chunks; ++i) delete chunks_[i].load(std::memory_order_relaxed);
}

post_facts::chunk& post_facts::chunk_for(std::uint32_t id)
{
    auto& slot = chunks_[id >> chunk_bits];
    if (auto* c = slot.load(std::memory_order_relaxed)) return *c;
    auto* c = new chunk;
    for (std::uint32_t i = 0; i < chunk_size; ++i) {
        c->thread[i].store(0, std::memory_order_relaxed);
        c->post[i].store(0, std::memory_order_relaxed);
        c->quality[i].store(0, std::memory_order_relaxed);
    }
    for (auto& b : c->block_max) b.store(0, std::memory_order_relaxed);
    c->max.store(0, std::memory_order_relaxed);
    slot.store(c, std::memory_order_release);  // readers see it filled
    return *c;
}

void post_facts::set(post_fact const& f)
{
    if (f.docid == 0) return;
    // An unknown document reads as thread 0, quality 0: a chunk is made only for one that has either.
    if (f.thread == 0 && f.quality <= 0 && !chunk_of(f.docid)) return;
    auto& c = chunk_for(f.docid);
    auto const hundredths = static_cast<std::uint8_t>(std::lround(std::clamp(f.quality, 0.0, max_quality) * 100));
    // One writer: a load and a store raise a bound. Bounds first; a search that reads an old
    // bound and passes over a quality raised meanwhile is a search that ran an instant earlier.
    auto raise = [hundredths](std::atomic<std::uint8_t>& bound) {
        if (bound.load(std::memory_order_relaxed) < hundredths) bound.store(hundredths, std::memory_order_relaxed);
    };
    auto const at = f.docid & chunk_mask;
    raise(c.max);
    raise(c.block_max[at >> block_bits]);
    c.post[at].store(f.id, std::memory_order_relaxed);
    c.thread[at].store(f.thread, std::memory_order_relaxed);
    c.quality[at].store(hundredths, std::memory_order_relaxed);
}

std::uint64_t post_facts::next_at_least(std::uint64_t from, std::uint8_t hundredths, std::uint64_t last) const
{
    if (hundredths == 0) return from;
    auto id = from;
    while (id <= last) {
        auto const* c = chunk_of(static_cast<std::uint32_t>(id));  // last is a docid: id fits
        if (!c || c->max.load(std::memory_order_relaxed) < hundredths) {
            id = ((id >> chunk_bits) + 1) << chunk_bits;
            continue;
        }
        auto const block_end = ((id >> block_bits) + 1) << block_bits;
        if (c->block_max[(id & chunk_mask) >> block_bits].load(std::memory_order_relaxed) < hundredths) {
            id = block_end;
            continue;
        }
        for (; id < block_end && id <= last; ++id)
            if (c->quality[id & chunk_mask].load(std::memory_order_relaxed) >= hundredths) return id;
    }
    return last + 1;
}

std::unique_ptr<post_facts> post_facts::load(Xapian::Database const& db, std::string dir)
{
    auto facts = std::make_unique<post_facts>(std::move(dir), db.get_revision());
    auto number = [](std::string const& v) {
        std::uint32_t n = 0;
        for (char c : v) n = n * 10 + static_cast<std::uint32_t>(c - '0');
        return n;
    };
    // An index made before documents were numbered by quality has no post slot: there the
    // docid is the post's id.
    for (auto it = db.valuestream_begin(slot_thread); it != db.valuestream_end(slot_thread); ++it)
        facts->set({it.get_docid(), it.get_docid(), number(*it), 0});
    for (auto it = db.valuestream_begin(slot_post); it != db.valuestream_end(slot_post); ++it) {
        auto const docid = it.get_docid();
        facts->set({docid, number(*it), facts->thread(docid), 0});
    }
    for (auto it = db.valuestream_begin(slot_quality); it != db.valuestream_end(slot_quality); ++it) {
        auto const docid = it.get_docid();
        auto const q = Xapian::sortable_unserialise(*it);
        if (q <= 0) continue;
        facts->set({docid, facts->post(docid), facts->thread(docid), q});
    }
    return facts;
}

}  // namespace peerdesk::search
