#pragma once
// What ranking needs to know about every post, in memory: its thread and its quality, and
// which post a document is.
//
// Entries are by Xapian docid. A rebuild numbers the documents best first (by quality), so
// that the posts that fill a page come first in every word's postings: once the page is full
// of good posts, the search stops at the first block of lesser ones instead of visiting
// every posting in turn. Posts indexed later take the next docids.
//
// The matcher asks for both for every candidate, not only for the page it returns. Read from
// Xapian's value streams they cost more block reads than the postings themselves: at a million
// posts a two-word query read about 1,300 index blocks, half of them for these two values. Held
// here they cost an array lookup (nine bytes a post: 9 MB at a million).
//
// Readers never lock: entries are atomics in fixed chunks that are only ever added. The one
// indexing thread tells the table what it committed (learn); a table that finds the index ahead
// of what it was told is reloaded from the index (load).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace Xapian {
class Database;
}

namespace peerdesk::search {

// One post as ranking sees it.
struct post_fact {
    std::uint32_t docid = 0;   // its document in the index; 0 for none
    std::uint32_t id = 0;      // the post
    std::uint32_t thread = 0;  // the question's id; 0 for a post that left the index
    double quality = 0;        // 0 to 1.3, see quality_of
};

class post_facts {
public:
    post_facts(std::string dir, std::uint64_t revision);
    ~post_facts();
    post_facts(post_facts const&) = delete;
    post_facts& operator=(post_facts const&) = delete;

    // Every post in the index, from its value streams.
    static std::unique_ptr<post_facts> load(Xapian::Database const& db, std::string dir);

    void set(post_fact const& f);
    // By docid; 0 when the document is unknown (not indexed when the table was made, or gone).
    std::uint32_t thread(std::uint32_t docid) const
    {
        auto const* c = chunk_of(docid);
        return c ? c->thread[docid & chunk_mask].load(std::memory_order_relaxed) : 0;
    }
    std::uint32_t post(std::uint32_t docid) const
    {
        auto const* c = chunk_of(docid);
        return c ? c->post[docid & chunk_mask].load(std::memory_order_relaxed) : 0;
    }
    double quality(std::uint32_t docid) const { return hundredths(docid) / 100.0; }
    // The quality in hundredths, 0 to 130.
    std::uint8_t hundredths(std::uint32_t docid) const
    {
        auto const* c = chunk_of(docid);
        return c ? c->quality[docid & chunk_mask].load(std::memory_order_relaxed) : 0;
    }

    // The first docid from `from` to `last` whose quality is at least `hundredths`, or last + 1.
    // Whole blocks of documents below it are passed over by their maximum, so that a search whose
    // page is already full of good posts visits only the posts that could still join it.
    std::uint64_t next_at_least(std::uint64_t from, std::uint8_t hundredths, std::uint64_t last) const;

    std::string const& dir() const { return dir_; }
    // The index revision the table reflects.
    std::uint64_t revision() const { return revision_.load(std::memory_order_acquire); }
    void set_revision(std::uint64_t r) { revision_.store(r, std::memory_order_release); }

    static constexpr double max_quality = 1.3;

private:
    static constexpr unsigned chunk_bits = 16;
    static constexpr std::uint32_t chunk_size = 1u << chunk_bits, chunk_mask = chunk_size - 1;
    static constexpr std::size_t max_chunks = std::size_t{1} << (32 - chunk_bits);  // every 32-bit id
    static constexpr unsigned block_bits = 6;
    static constexpr std::uint32_t block_size = 1u << block_bits;
    struct chunk {
        std::atomic<std::uint32_t> thread[chunk_size];
        std::atomic<std::uint32_t> post[chunk_size];
        std::atomic<std::uint8_t> quality[chunk_size];  // hundredths
        // Upper bounds of the qualities in each block of 64 posts and in the chunk: raised before
        // a quality is, never lowered (a lowered quality leaves a bound that is still true).
        std::atomic<std::uint8_t> block_max[chunk_size / block_size];
        std::atomic<std::uint8_t> max;
    };
    chunk const* chunk_of(std::uint32_t docid) const
    {
        return chunks_[docid >> chunk_bits].load(std::memory_order_acquire);
    }
    chunk& chunk_for(std::uint32_t docid);

    std::string dir_;
    std::atomic<std::uint64_t> revision_;
    std::unique_ptr<std::atomic<chunk*>[]> chunks_;
};

}  // namespace peerdesk::search
