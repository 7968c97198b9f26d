#include "search/index.hpp"

#include "search/facts.hpp"
#include "search/slots.hpp"
#include "search/snippet.hpp"

#include <xapian.h>

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <list>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace peerdesk::search {
namespace {

namespace fs = std::filesystem;

// Term prefixes; a change here changes what is stored: raise format_value (and a CHANGELOG line).
constexpr char prefix_title[] = "S";
constexpr char prefix_tag[] = "K";
constexpr char prefix_author[] = "A";
constexpr char term_question[] = "XTQ";
constexpr char term_answer[] = "XTA";
constexpr char term_idea[] = "XTI";
constexpr char term_answered[] = "XISanswered";
constexpr char term_accepted[] = "XISaccepted";
constexpr char applied_key[] = "peerdesk.applied_seq";
// Xapian's block size for a new index (an existing one keeps its own until a reindex). A
// search reads about a hundred posting blocks, each a pread from the page cache, and with 8 KB
// (Xapian's default) the kernel's part, mostly those reads, was a quarter of the server's time. At a million posts, one
// thread, alternating runs: 8 KB 756-793 queries/s, 32 KB 883-969, 64 KB 3 % more again but a
// reindex at 1,506 posts/s (32 KB: 1,669) and a larger index (3.5 GB; 32 KB 3.3, 8 KB 2.9).
constexpr unsigned block_size = 32768;
// Set in every index made since documents got their own numbers (a post's docid was its id
// before): an index without it is rebuilt, since its posts cannot be found by the id term.
constexpr char numbering_key[] = "peerdesk.docids";
constexpr char numbering_value[] = "own";
// What the documents hold, set in every index made since counts were normalised by length.
// An index of another format is rebuilt from the database at start (it answers searches until
// its replacement is current): raise it whenever a change here changes what a document holds.
// 2: counts normalised by length (wdf_scale) and an answer's thread words (XH); 3: a body
// mention weighs 1.5 rather than 2.
constexpr char format_key[] = "peerdesk.format";
constexpr char format_value[] = "3";
// The unique term of a post's document.
constexpr char prefix_post[] = "Q";
// An answer's thread words (its question's title and body), stemmed, once each and without
// positions: "XH" + stem. Searched only when the words of a post find too little.
constexpr char prefix_thread[] = "XH";
// Title words count most, then the body, then comments (an answer's title is its question's,
// and counts as a comment's words). A body mention was 2: with counts normalised by length and
// capped (tuning::wdf_cap), a short post's title mention reached the cap, and so did a body
// mention near it, leaving a title match little ahead of a body one. Relevance benchmark,
// tuning part, 600 queries of each kind, MRR@10: body 2 0.9323 (plain 0.9577), 1.75 0.9323
// (0.9586), 1.5 0.9340 (0.9647), 1.25 0.9313 (0.9604), 1 0.9325 (0.9584); held-out, body 1.5:
// 0.9467 against 0.9412 (plain 0.9615 against 0.9496). Set when indexing: no search-time cost.
constexpr double title_weight = 5, body_weight = 1.5, comment_weight = 1;
// BM25's length normalisation, done when a post is indexed rather than when it is searched:
// a word's count in a post (wdf) is written as count × wdf_scale / norm, with norm = 1 - b +
// b × words / reference_words, and searched with b = 0 and k1 × wdf_scale. That is BM25 with
// b (against a fixed average length), since wdf / (k1 × norm + wdf) = (wdf / norm) / (k1 +
// wdf / norm), without reading every candidate's length at search time: at a million posts,
// normalising at search time took one thread from 536 to 211 queries/s. wdf_scale keeps the
// rounding small. On the relevance benchmark's tuning part (MRR@10, all kinds): normalising at
// search time (b 0.75) 0.928; here with a reference of 40, 60 or 90 words 0.932, 120 0.929,
// 200 0.923; b 0.5 0.928, 0.9 0.935 (within the noise of 600 queries: b stays the usual 0.75).
constexpr double length_b = 0.75;
constexpr double reference_words = 60;
// A post of a few words would have its counts multiplied up to four times, and with the cap
// (tuning::wdf_cap) a body mention would weigh as much as a title one; at 0.7 the title still
// weighs more in the shortest post. Tuning part, MRR@10: 0.929 with and without it (1: 0.927).
constexpr double min_norm = 0.7;
constexpr Xapian::termcount wdf_scale = 4;
// Set in an index whose counts are normalised so; an index without it is searched as it was
// written (counts as they are) until it is rebuilt.
constexpr char wdf_scale_key[] = "peerdesk.wdf_scale";
constexpr std::size_t max_stored_text = 16 * 1024;
// The most posts one search ranks to fill a page with distinct threads.
constexpr Xapian::doccount max_fetch = 200'000;

// Common English words that say nothing about a problem. Indexed (so phrases work) but not
// searched for on their own.
constexpr char const* stop_words[] = {
    "a",     "about", "an",  "and",  "are",  "as",   "at",    "be",    "been",  "but",   "by",    "can",
    "could", "did",   "do",  "does", "for",  "from", "had",   "has",   "have",  "he",    "her",   "his",
    "how",   "i",     "if",  "in",   "into", "is",   "it",    "its",   "me",    "my",    "of",    "on",
    "or",    "our",   "she", "so",   "that", "the",  "their", "them",  "then",  "there", "these", "they",
    "this",  "to",    "was", "we",   "were", "what", "when",  "where", "which", "who",   "why",   "will",
    "with",  "would", "you", "your", "am",   "any",  "some",  "just",  "than",  "too",   "very",  "should",
};

Xapian::SimpleStopper const& stopper()
{
    static Xapian::SimpleStopper const s(std::begin(stop_words), std::end(stop_words));
    return s;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// A cut at max bytes that does not split a UTF-8 sequence.
std::string_view clip(std::string_view s, std::size_t max)
{
    if (s.size() <= max) return s;
    while (max > 0 && (static_cast<unsigned char>(s[max]) & 0xC0) == 0x80) --max;
    return s.substr(0, max);
}

Xapian::Query boolean_term(std::string const& term)
{
    return Xapian::Query(term);
}

Xapian::Query filter_query(filters const& f)
{
    std::vector<Xapian::Query> parts;
    for (auto const& t : f.tags) parts.push_back(boolean_term(prefix_tag + t));
    if (f.user) parts.push_back(boolean_term(prefix_author + *f.user));
    if (f.answered) parts.push_back(boolean_term(term_answered));
    if (f.accepted) parts.push_back(boolean_term(term_accepted));
    if (f.kind == post_kind::question) parts.push_back(boolean_term(term_question));
    if (f.kind == post_kind::answer) parts.push_back(boolean_term(term_answer));
    if (f.kind == post_kind::idea) parts.push_back(boolean_term(term_idea));
    if (parts.empty()) return {};
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

// The quality boost, read from the in-memory facts: the matcher asks for it at every candidate,
// and a value slot would be read block by block for each. The source holds every docid (a post
// of quality 0 adds 0), so that moving to a candidate is an assignment rather than a scan, and
// says so in its frequencies, so that an AND puts it last and the words' postings lead. At a
// million posts that made a single common word's search about a third faster than an
// AND_MAYBE over only the posts with some quality, with the same ranking.
class quality_source : public Xapian::PostingSource {
public:
    quality_source(std::shared_ptr<post_facts const> facts, double scale) : facts_(std::move(facts)), scale_(scale)
    {
        // The matcher asks at every candidate: a table lookup rather than a division.
        for (std::size_t h = 0; h < weights_.size(); ++h) weights_[h] = static_cast<double>(h) / 100.0 * scale_;
    }

    void init(Xapian::Database const& db) override
    {
        last_ = db.get_lastdocid();
        count_ = db.get_doccount();
        current_ = 0;
        set_maxweight(post_facts::max_quality * scale_);
    }
    Xapian::doccount get_termfreq_min() const override { return count_; }
    Xapian::doccount get_termfreq_est() const override { return count_; }
    Xapian::doccount get_termfreq_max() const override { return count_; }
    double get_weight() const override { return weights_[facts_->hundredths(get_docid())]; }
    Xapian::docid get_docid() const override { return static_cast<Xapian::docid>(current_); }
    bool at_end() const override { return current_ > last_; }
    // The matcher says how much a post must add to still reach the page (min_wt): once the page
    // is full of good posts, a common word's search visits only the posts of enough quality,
    // and its postings skip to them, instead of weighing every post that has the word.
    void next(double min_wt) override { current_ = facts_->next_at_least(current_ + 1, needed(min_wt), last_); }
    void skip_to(Xapian::docid did, double min_wt) override
    {
        if (did > current_) current_ = facts_->next_at_least(did, needed(min_wt), last_);
    }
    Xapian::PostingSource* clone() const override { return new quality_source(facts_, scale_); }
    std::string get_description() const override { return "peerdesk::quality_source"; }

private:
    // The least quality, in hundredths, whose weight is at least min_wt; 255 when none is (no
    // post has more than 130).
    std::uint8_t needed(double min_wt)
    {
        if (min_wt <= 0) return 0;
        if (min_wt != needed_for_) {
            needed_for_ = min_wt;
            auto const at = std::lower_bound(weights_.begin(), weights_.end(), min_wt) - weights_.begin();
            needed_ = static_cast<std::uint8_t>(std::min<std::ptrdiff_t>(at, 255));
        }
        return needed_;
    }

    std::shared_ptr<post_facts const> facts_;
    double scale_;
    double needed_for_ = 0;
    std::uint8_t needed_ = 0;
    std::array<double, 256> weights_{};
    std::uint64_t last_ = 0, current_ = 0;  // wider than a docid: the last one can be 2^32 - 1
    Xapian::doccount count_ = 0;
};

Xapian::Query with_quality(Xapian::Query q, tuning const& tune, std::shared_ptr<post_facts const> facts)
{
    if (tune.quality_boost <= 0) return q;
    auto* source = new quality_source(std::move(facts), tune.quality_boost);
    return Xapian::Query(Xapian::Query::OP_AND, q, Xapian::Query(source->release()));
}

// BM25 with k1 = 1.2 on counts already normalised by length when indexed (see length_b), and
// a word's count in a post (wdf: 5 a title mention, 1.5 a body one, 1 a comment's, times
// wdf_scale over the post's length norm) taken as at most tuning::wdf_cap (3) times the scale.
// Normalising at search time reads every candidate's length, a list as long as the index. The
// cap is for the matcher's bound: Xapian bounds a word's weight by the largest wdf of any word
// in the index, far above what most posts near the top have, so a search could pass over few
// posts that cannot reach the page; capped, the bound is the weight at the cap. Before counts
// were normalised the cap was 8 (at a million posts 12 -> 8 took one thread from 628-718 to
// 841-871 queries/s); normalised, a short post's counts are larger, and 3 keeps the bound tight
// (see tuning::wdf_cap for the measurements).
// Otherwise the formula is Xapian's BM25Weight (k1, b, 1, 0): the same weights below the cap.
class capped_bm25 final : public Xapian::Weight {
public:
    // scale: the index's wdf_scale (1 for an index written before counts were normalised).
    // b: how much a post's length counts at search time, on top (0: not at all).
    explicit capped_bm25(double k1 = 1.2, double b = 0, Xapian::termcount scale = 1, double cap = 8)
        : k1_(k1 * scale), b_(b), scale_(scale), wdf_cap(static_cast<Xapian::termcount>(cap * scale))
    {
        need_stat(COLLECTION_SIZE);
        need_stat(TERMFREQ);
        need_stat(WQF);
        need_stat(WDF);
        need_stat(WDF_MAX);
        if (b_ > 0) {
            need_stat(DOC_LENGTH);
            need_stat(DOC_LENGTH_MIN);
            need_stat(AVERAGE_LENGTH);
        }
    }
    capped_bm25* clone() const override
    {
        return new capped_bm25(k1_ / scale_, b_, scale_, static_cast<double>(wdf_cap) / scale_);
    }
    std::string name() const override { return "peerdesk::capped_bm25"; }
    void init(double factor) override
    {
        termweight_ = bound_ = 0;
        if (factor == 0) return;  // a boolean filter weighs nothing
        auto const n = static_cast<double>(get_collection_size());
        auto const tf = static_cast<double>(get_termfreq());
        auto ratio = (n - tf + 0.5) / (tf + 0.5);
        // As Xapian's BM25: a word in more than about a third of the posts still weighs a little.
        if (ratio < 2) ratio = ratio * 0.5 + 1;
        auto const wqf = static_cast<double>(get_wqf());
        termweight_ = std::log(ratio) * factor * 2 * wqf / (1 + wqf);  // k3 = 1
        average_ = b_ > 0 ? std::max(1.0, get_average_length()) : 1;
        bound_ = part(std::min(get_wdf_upper_bound(), wdf_cap), b_ > 0 ? get_doclength_lower_bound() : 0);
    }
    double get_sumpart(Xapian::termcount wdf, Xapian::termcount length, Xapian::termcount) const override
    {
        return part(std::min(wdf, wdf_cap), length);
    }
    double get_maxpart() const override { return bound_; }
    double get_sumextra(Xapian::termcount, Xapian::termcount) const override { return 0; }
    double get_maxextra() const override { return 0; }

private:
    double part(Xapian::termcount wdf, Xapian::termcount length) const
    {
        auto const w = static_cast<double>(wdf);
        auto const norm = b_ > 0 ? (1 - b_) + b_ * static_cast<double>(length) / average_ : 1.0;
        return termweight_ * (w / (k1_ * norm + w)) * (k1_ + 1);
    }
    double k1_, b_;
    Xapian::termcount scale_, wdf_cap;
    double termweight_ = 0, bound_ = 0, average_ = 1;
};

capped_bm25 weighting(tuning const& tune, Xapian::termcount scale)
{
    return capped_bm25(tune.k1, tune.length_b, scale, tune.wdf_cap);
}

// Each distinct stem of the text once (as one body mention's worth of wdf), stop words left out: the thread's words say
// that the thread holds a word, not how much, and cost one posting each.
void add_thread_terms(Xapian::Document& doc, std::string_view text, Xapian::termcount wdf)
{
    static thread_local Xapian::Stem const stem("english");
    std::unordered_set<std::string> seen;
    std::string word;
    auto flush = [&] {
        if (!word.empty() && word.size() <= 64 && !stopper()(word)) {
            auto term = prefix_thread + stem(word);
            if (seen.insert(term).second) doc.add_term(term, wdf);
        }
        word.clear();
    };
    std::string const owned(text);
    for (Xapian::Utf8Iterator it(owned); it != Xapian::Utf8Iterator(); ++it) {
        if (Xapian::Unicode::is_wordchar(*it))
            Xapian::Unicode::append_utf8(word, Xapian::Unicode::tolower(*it));
        else
            flush();
    }
    flush();
}

std::size_t words_in(std::string const& text)
{
    std::size_t n = 0;
    bool in_word = false;
    for (Xapian::Utf8Iterator it(text); it != Xapian::Utf8Iterator(); ++it) {
        bool const w = Xapian::Unicode::is_wordchar(*it);
        if (w && !in_word) ++n;
        in_word = w;
    }
    return n;
}

double length_norm(std::size_t words)
{
    return std::max(min_norm, 1 - length_b + length_b * static_cast<double>(words) / reference_words);
}

std::int64_t number_in(Xapian::Document const& doc, Xapian::valueno slot)
{
    auto const v = doc.get_value(slot);
    std::int64_t id = 0;
    for (char c : v) id = id * 10 + (c - '0');
    return id;
}

std::int64_t thread_of(Xapian::Document const& doc)
{
    return number_in(doc, slot_thread);
}

// The post a ranked document is: from the facts, or for a document newer than them, its own.
std::int64_t post_of(post_facts const& facts, Xapian::MSetIterator const& it)
{
    if (auto const post = facts.post(*it)) return post;
    auto const doc = it.get_document();
    auto const post = number_in(doc, slot_post);
    return post ? post : *it;  // an index numbered by post id
}

}  // namespace

double quality_of(post_document const& d)
{
    double q = 0;
    if (d.accepted_answer || (d.is_question && d.thread_accepted)) q += 0.5;
    if (d.thread_answered) q += 0.2;
    if (d.score > 0) q += std::min(0.3, 0.15 * std::log10(1.0 + static_cast<double>(d.score)));
    if (d.endorsed) q += 0.3;
    return q;
}

std::vector<tuning_knob> const& tuning_knobs()
{
    static std::vector<tuning_knob> const knobs{{"quality_boost", &tuning::quality_boost},
                                                {"typos", &tuning::typos},
                                                {"typo_rare_share", &tuning::typo_rare_share},
                                                {"typo_ratio", &tuning::typo_ratio},
                                                {"typo_weight", &tuning::typo_weight},
                                                {"partial", &tuning::partial},
                                                {"partial_min_words", &tuning::partial_min_words},
                                                {"relax_below", &tuning::relax_below},
                                                {"thread_weight", &tuning::thread_weight},
                                                {"k1", &tuning::k1},
                                                {"length_b", &tuning::length_b},
                                                {"wdf_cap", &tuning::wdf_cap}};
    return knobs;
}

post_fact fact_of(post_document const& d, std::uint32_t docid)
{
    if (!d.visible) return {docid, 0, 0, 0};
    return {docid, static_cast<std::uint32_t>(d.id), static_cast<std::uint32_t>(d.question_id), quality_of(d)};
}

// ---- the writer ----

// ---- unsynced commits ----
//
// Xapian's fsyncs at every commit (several files, ten times a second under writes) were what a
// posted answer's own fsync queued behind: at a million posts, answers at 200/s had a p99 of
// 17-18 ms with them and 7.5-8.4 ms without (two alternating runs each). So the server's
// writer commits without them. A commit is still atomic for the process (Xapian writes the
// new revision's blocks before the file that names it), so a crash of peerdesk loses nothing
// the kernel holds. Only a crash of the machine can leave an index whose files disagree, and
// Xapian cannot tell: while a writer is open, a marker in the index holds the machine's boot
// id, and an index whose marker names another boot is rebuilt from the database (which
// synced every write). Closing syncs every file and removes the marker.

namespace {

constexpr char unsynced_marker[] = "peerdesk-unsynced";

std::optional<std::string> boot_id()
{
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    if (!in || !std::getline(in, id) || id.empty()) return std::nullopt;
    return id;
}

bool fsync_path(fs::path const& p, int flags)
{
    int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return false;
    bool const ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

void sync_dir(fs::path const& dir)
{
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file(ec) && !fsync_path(entry.path(), O_RDONLY))
            throw std::runtime_error("cannot sync " + entry.path().string());
    if (!fsync_path(dir, O_RDONLY | O_DIRECTORY)) throw std::runtime_error("cannot sync " + dir.string());
}

}  // namespace

bool interrupted_by_machine(fs::path const& dir)
{
    std::ifstream in(dir / unsynced_marker);
    std::string id;
    if (!in || !std::getline(in, id)) return false;
    return id != boot_id().value_or("");
}

struct writer::impl {
    Xapian::WritableDatabase db;
    Xapian::TermGenerator terms;
    std::int64_t applied = 0;
    bool numbered = true;
    fs::path dir;
    bool unsynced = false;       // commits without fsync, under the marker
    bool scaled = true;          // counts normalised by length (wdf_scale_key); else as an older index has them
    bool current_format = true;  // format_key: else rebuilt at start
};

writer::writer(fs::path const& dir, bool create, commits mode) : impl_(std::make_unique<impl>())
{
    impl_->dir = dir;
    auto const boot = boot_id();
    impl_->unsynced = mode == commits::unsynced && boot;
    try {
        impl_->db = Xapian::WritableDatabase(
            dir.string(),
            (create ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN) | (impl_->unsynced ? Xapian::DB_NO_SYNC : 0),
            block_size);
    } catch (Xapian::DatabaseLockError const& e) {
        throw locked_error("the search index " + dir.string() + " is in use by another process");
    }
    if (impl_->unsynced && !interrupted_by_machine(dir)) {
        // Durable before the first unsynced write; an older marker of another boot stays, so
        // that the index is still known to be suspect.
        auto const marker = dir / unsynced_marker;
        auto const tmp = dir / (std::string(unsynced_marker) + ".tmp");
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << *boot << "\n";
            if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
        }
        if (!fsync_path(tmp, O_RDONLY)) throw std::runtime_error("cannot sync " + tmp.string());
        fs::rename(tmp, marker);
        if (!fsync_path(dir, O_RDONLY | O_DIRECTORY)) throw std::runtime_error("cannot sync " + dir.string());
    }
    impl_->terms.set_stemmer(Xapian::Stem("english"));
    impl_->terms.set_stopper(&stopper());
    impl_->terms.set_stopper_strategy(Xapian::TermGenerator::STOP_STEMMED);
    impl_->terms.set_database(impl_->db);
    impl_->terms.set_flags(Xapian::TermGenerator::FLAG_SPELLING);
    auto const seq = impl_->db.get_metadata(applied_key);
    impl_->applied = seq.empty() ? 0 : std::stoll(seq);
    if (impl_->db.get_doccount() == 0 && seq.empty()) {
        impl_->db.set_metadata(numbering_key, numbering_value);
        impl_->db.set_metadata(wdf_scale_key, std::to_string(wdf_scale));
        impl_->db.set_metadata(format_key, format_value);
    }
    impl_->scaled = impl_->db.get_metadata(wdf_scale_key) == std::to_string(wdf_scale);
    impl_->numbered = impl_->db.get_metadata(numbering_key) == numbering_value;
    impl_->current_format = impl_->db.get_metadata(format_key) == format_value;
}

bool writer::outdated() const
{
    return !impl_->numbered || !impl_->current_format;
}

writer::~writer()
{
    if (!impl_->unsynced) return;
    try {
        sync();
    } catch (std::exception const& e) {
        std::cerr << "search: " << e.what() << "; the index will be rebuilt after a machine crash\n";
    }
}

void writer::sync()
{
    if (!impl_->unsynced) return;
    impl_->db.commit();
    sync_dir(impl_->dir);
    // A marker of another boot stays: the blocks written before it may be lost already.
    if (interrupted_by_machine(impl_->dir)) return;
    std::error_code ec;
    fs::remove(impl_->dir / unsynced_marker, ec);
    if (!fsync_path(impl_->dir, O_RDONLY | O_DIRECTORY)) throw std::runtime_error("cannot sync " + impl_->dir.string());
}

post_fact writer::apply(post_document const& d)
{
    return put(d, false);
}

post_fact writer::add(post_document const& d)
{
    if (!d.visible) return {};
    return put(d, true);
}

post_fact writer::put(post_document const& d, bool fresh)
{
    if (!impl_->numbered) throw std::logic_error("an index numbered by post id is only read, and rebuilt");
    auto const id_term = prefix_post + std::to_string(d.id);
    if (!d.visible) {
        // Never indexed (held from the start) or gone already: nothing to delete.
        auto const it = impl_->db.postlist_begin(id_term);
        if (it == impl_->db.postlist_end(id_term)) return {};
        auto const docid = *it;
        impl_->db.delete_document(docid);
        return fact_of(d, docid);
    }
    Xapian::Document doc;
    auto& tg = impl_->terms;
    tg.set_document(doc);
    auto const title = std::string(clip(d.title, 1000));
    auto const body = std::string(clip(d.body, max_stored_text));
    auto const comments = std::string(clip(d.comments, max_stored_text));
    auto inc = [norm = impl_->scaled ? length_norm(words_in(title) + words_in(body) + words_in(comments))
                                     : 0.0](double weight) -> Xapian::termcount {
        if (norm == 0) return static_cast<Xapian::termcount>(std::lround(weight));
        return std::max<Xapian::termcount>(1, static_cast<Xapian::termcount>(std::lround(weight * wdf_scale / norm)));
    };
    bool const titled = d.is_question || d.is_idea;
    tg.index_text(title, inc(titled ? title_weight : comment_weight));
    tg.increase_termpos();
    if (titled) {
        tg.index_text(title, 1, prefix_title);
        tg.increase_termpos();
    }
    tg.index_text(body, inc(body_weight));
    tg.increase_termpos();
    tg.index_text(comments, inc(comment_weight));
    if (!d.thread_text.empty())
        add_thread_terms(doc, clip(d.thread_text, max_stored_text), impl_->scaled ? wdf_scale : 1);

    doc.add_boolean_term(id_term);
    for (auto const& t : d.tags) doc.add_boolean_term(prefix_tag + t);
    doc.add_boolean_term(prefix_author + lower(d.author));
    doc.add_boolean_term(d.is_idea ? term_idea : d.is_question ? term_question : term_answer);
    if (d.thread_answered) doc.add_boolean_term(term_answered);
    if (d.thread_accepted) doc.add_boolean_term(term_accepted);
    doc.add_value(slot_thread, std::to_string(d.question_id));
    doc.add_value(slot_post, std::to_string(d.id));
    doc.add_value(slot_created, Xapian::sortable_serialise(static_cast<double>(d.created_at)));
    doc.add_value(slot_score, Xapian::sortable_serialise(static_cast<double>(d.score)));
    doc.add_value(slot_quality, Xapian::sortable_serialise(quality_of(d)));
    // No document data: a hit's snippet is cut from the post's text as the database holds it.
    // A new post takes the next docid; an indexed one keeps its own. A rebuild's posts are all
    // new: no need to look each one up by its term.
    return fact_of(d, fresh ? impl_->db.add_document(doc) : impl_->db.replace_document(id_term, doc));
}

std::int64_t writer::applied() const
{
    return impl_->applied;
}

void writer::set_applied(std::int64_t seq)
{
    impl_->applied = seq;
    impl_->db.set_metadata(applied_key, std::to_string(seq));
}

void writer::commit()
{
    impl_->db.commit();
}

std::uint64_t writer::revision() const
{
    return impl_->db.get_revision();
}

std::size_t writer::document_count() const
{
    return impl_->db.get_doccount();
}

// ---- the directories ----

std::optional<std::string> current_dir(fs::path const& root)
{
    std::ifstream in(root / "CURRENT");
    std::string name;
    if (!in || !std::getline(in, name) || name.empty() || name.find('/') != std::string::npos) return std::nullopt;
    return name;
}

void make_current(fs::path const& root, std::string const& dir)
{
    auto const tmp = root / "CURRENT.tmp";
    {
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw std::runtime_error("cannot write " + tmp.string());
        auto const line = dir + "\n";
        bool const ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
        ::close(fd);
        if (!ok) throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, root / "CURRENT");
    if (int d = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
        ::fsync(d);
        ::close(d);
    }
}

std::string new_dir_name()
{
    auto const ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return "index-" + std::to_string(ms) + "-" + std::to_string(::getpid());
}

bool is_locked(fs::path const& dir)
{
    std::error_code ec;
    if (!fs::exists(dir, ec)) return false;
    try {
        Xapian::WritableDatabase probe(dir.string(), Xapian::DB_OPEN);
        return false;
    } catch (Xapian::DatabaseLockError const&) {
        return true;
    } catch (Xapian::Error const&) {
        return false;
    }
}

// ---- the searcher ----

struct searcher::handle {
    std::uint64_t generation = 0;
    std::string dir;
    Xapian::Database db;
    Xapian::QueryParser parser;
    Xapian::Stem stem{"english"};
    bool configured = false;
    Xapian::termcount wdf_scale = 1;  // of the index open now (wdf_scale_key)
};

namespace {
std::atomic<std::uint64_t> next_searcher_id{1};
}

// A small LRU of whole result pages, keyed by the query as the index sees it; emptied when
// the index generation moves on.
struct searcher::result_cache {
    explicit result_cache(std::size_t pages) : capacity(pages) {}
    std::size_t const capacity;
    std::mutex mutex;
    std::uint64_t generation = 0;
    std::list<std::pair<std::string, results>> order;  // most recent first
    std::unordered_map<std::string, decltype(order)::iterator> index;

    std::optional<results> find(std::string const& key, std::uint64_t gen)
    {
        std::lock_guard lock(mutex);
        if (gen != generation) return std::nullopt;
        auto const it = index.find(key);
        if (it == index.end()) return std::nullopt;
        order.splice(order.begin(), order, it->second);
        return it->second->second;
    }

    void store(std::string key, results const& r, std::uint64_t gen)
    {
        std::lock_guard lock(mutex);
        if (gen != generation) {
            index.clear();
            order.clear();
            generation = gen;
        }
        if (index.contains(key)) return;
        order.emplace_front(key, r);
        index.emplace(std::move(key), order.begin());
        if (order.size() > capacity) {
            index.erase(order.back().first);
            order.pop_back();
        }
    }
};

searcher::searcher(fs::path root, std::size_t cache_pages)
    : root_(std::move(root)),
      id_(next_searcher_id.fetch_add(1)),
      cache_(cache_pages > 0 ? std::make_unique<result_cache>(cache_pages) : nullptr)
{
}
searcher::~searcher() = default;

searcher::handle& searcher::open() const
{
    thread_local std::unordered_map<std::uint64_t, std::unique_ptr<handle>> handles;
    auto& h = handles[id_];
    if (!h) h = std::make_unique<handle>();
    auto const gen = generation_.load(std::memory_order_acquire);
    if (h->generation == gen && !h->dir.empty()) return *h;
    auto const dir = current_dir(root_);
    if (!dir) throw unavailable("The search index is being built; try again in a minute.");
    try {
        if (*dir == h->dir)
            h->db.reopen();
        else
            h->db = Xapian::Database((root_ / *dir).string());
    } catch (Xapian::Error const& e) {
        h->dir.clear();
        throw unavailable("The search index cannot be opened: " + e.get_msg());
    }
    h->dir = *dir;
    h->generation = gen;
    h->wdf_scale = h->db.get_metadata(wdf_scale_key) == std::to_string(wdf_scale) ? wdf_scale : 1;
    if (!h->configured) {
        h->parser.set_stemmer(h->stem);
        h->parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        h->parser.set_stopper(&stopper());
        h->parser.add_prefix("title", prefix_title);
        h->parser.set_max_expansion(50, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT,
                                    Xapian::QueryParser::FLAG_PARTIAL | Xapian::QueryParser::FLAG_WILDCARD);
        h->configured = true;
    }
    h->parser.set_database(h->db);
    return *h;
}

namespace {

// Whether two texts are the same words once lower-cased and stemmed.
bool same_stems(std::string const& a, std::string const& b, Xapian::Stem const& stem)
{
    auto stems = [&](std::string const& text) {
        std::vector<std::string> out;
        std::string word;
        auto flush = [&] {
            if (!word.empty()) out.push_back(stem(Xapian::Unicode::tolower(word)));
            word.clear();
        };
        for (Xapian::Utf8Iterator it(text); it != Xapian::Utf8Iterator(); ++it) {
            if (Xapian::Unicode::is_wordchar(*it))
                Xapian::Unicode::append_utf8(word, *it);
            else
                flush();
        }
        flush();
        return out;
    };
    return stems(a) == stems(b);
}

// Runs fn against the thread's handle; when the writer committed twice meanwhile, reopens and
// tries once more.
template <typename Fn>
auto with_retry(searcher::handle& h, Fn&& fn)
{
    try {
        return fn();
    } catch (Xapian::DatabaseModifiedError const&) {
        h.db.reopen();
        return fn();
    }
}

}  // namespace

namespace {

std::vector<std::string> lower_words(std::string_view text)
{
    std::vector<std::string> out;
    std::string word;
    for (char ch : std::string(text) + " ") {
        auto const u = static_cast<unsigned char>(ch);
        if (std::isalnum(u) || u >= 0x80) {
            word += static_cast<char>(std::tolower(u));
        } else if (!word.empty()) {
            out.push_back(std::move(word));
            word.clear();
        }
    }
    return out;
}

// An OR of every word costs in proportion to their posting lists: similar questions look at a
// real title's worth of words, however long the text sent.
constexpr std::size_t similar_max_words = 12;

std::string first_words(std::string_view text, std::size_t max_words)
{
    std::string out;
    std::size_t words = 0;
    bool in_word = false;
    for (char ch : text) {
        bool const space = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
        if (!space && !in_word && ++words > max_words) break;
        in_word = !space;
        out += ch;
    }
    return out;
}

// Xapian's spelling data only grows: a word stays in it after the last post that used it is
// deleted or edited. A suggested word counts only while some indexed post still holds it.
bool only_indexed_words(Xapian::Database const& db, std::string_view typed, std::string_view suggestion)
{
    auto const before = lower_words(typed);
    for (auto const& word : lower_words(suggestion))
        if (std::find(before.begin(), before.end(), word) == before.end() && db.get_termfreq(word) == 0) return false;
    return true;
}

}  // namespace

namespace {

// A query's free text as plain words (no quotes, +word, -word, operators, field: prefixes or
// wildcards): the only queries that typo tolerance and partial matching may loosen. Anything
// else keeps its strict meaning through Xapian's query parser.
std::optional<std::vector<std::string>> plain_words(std::string const& text)
{
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
        if (word.empty()) return;
        out.push_back(std::move(word));
        word.clear();
    };
    for (Xapian::Utf8Iterator it(text); it != Xapian::Utf8Iterator();) {
        auto const c = *it;
        ++it;
        if (Xapian::Unicode::is_wordchar(c)) {
            Xapian::Unicode::append_utf8(word, Xapian::Unicode::tolower(c));
            continue;
        }
        bool const inside = !word.empty() && it != Xapian::Utf8Iterator() && Xapian::Unicode::is_wordchar(*it);
        // An apostrophe inside a word is part of it, as the index has "don't".
        if ((c == '\'' || c == 0x2019) && inside) {
            word += '\'';
            continue;
        }
        if (c == ' ' || c == '\t' || c == ';' || c == '!' || c == '?' || c == '(' || c == ')' ||
            (c == '-' && !word.empty()) || ((c == '.' || c == ',') && !inside)) {
            flush();
            continue;
        }
        // Quotes, +word, -word, field:, wildcards, and words joined by other marks (v1.2,
        // 1,000, file.txt, a/b, C#) mean what the parser makes of them.
        return std::nullopt;
    }
    flush();
    for (auto const* op : {" AND ", " OR ", " NOT ", " XOR ", " NEAR ", " ADJ "})
        if ((" " + text + " ").find(op) != std::string::npos) return std::nullopt;
    if (out.empty() || out.size() > 32) return std::nullopt;
    return out;
}

// One hit per thread, its best post, for the first `want` threads of a query's ranking.
struct collapsed {
    std::vector<hit> hits;
    std::unordered_set<std::uint32_t> threads;  // every thread among the posts fetched
    std::size_t total = 0;
    bool exact = true;
};

collapsed collapse(Xapian::Enquire& enquire, post_facts const& facts, std::size_t want)
{
    // One hit per thread, its best post. Xapian's own collapse reads the thread of every
    // candidate from a value slot; here the ranked posts are walked with the thread from
    // the facts, fetching more while a page lacks threads. Counting every match would
    // cost more than the page itself: beyond the posts fetched, the total is Xapian's
    // estimate scaled by the share of distinct threads among them.
    // The first fetch is only a little more than the page: the matcher raises the weight a
    // post needs to the least of the posts it holds, so the fewer it holds, the more it
    // passes over. At a million posts, 30 -> 14 for a page of 10: one thread answered
    // 6-15 % more queries a second in three of four alternating pairs (47 % in the
    // other), with the same pages for all 1,986 bench queries; 263 totals changed, most
    // of them estimates that moved, some an exact count of 14 to 29 posts that is now
    // an estimate.
    auto fetch = static_cast<Xapian::doccount>(want + want / 4 + 2);
    collapsed out;
    Xapian::MSet mset;
    bool complete = false;
    for (;;) {
        mset = enquire.get_mset(0, fetch, fetch);
        out.hits.clear();
        out.threads.clear();
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            auto thread = facts.thread(*it);
            if (thread == 0) thread = static_cast<std::uint32_t>(thread_of(it.get_document()));
            if (out.threads.insert(thread).second && out.hits.size() < want) {
                hit one;
                one.post_id = post_of(facts, it);
                one.question_id = thread;
                one.is_question = one.post_id == one.question_id;
                out.hits.push_back(one);
            }
        }
        complete = mset.size() < fetch;
        if (out.hits.size() >= want || complete || fetch >= max_fetch) break;
        fetch *= 4;
    }
    out.exact = complete;
    if (complete) {
        out.total = out.threads.size();
    } else {
        auto const share = static_cast<double>(out.threads.size()) / static_cast<double>(mset.size());
        out.total = std::max<std::size_t>(out.threads.size(),
                                          static_cast<std::size_t>(std::lround(mset.get_matches_estimated() * share)));
    }
    return out;
}

// A plain query's words as the index holds them, each with what it may also match.
struct query_word {
    std::string typed;
    std::string stem;            // as the thread's words hold it
    std::string stem_term;       // as posts hold it: "Z" + stem, or the word where it is not stemmed
    std::string corrected;       // the word the community uses instead, or empty
    std::string corrected_stem;  // its stem
};

Xapian::Query word_query(query_word const& w, tuning const& tune, bool thread_words)
{
    std::vector<Xapian::Query> alternatives;
    alternatives.emplace_back(w.stem_term);
    if (!w.corrected.empty())
        alternatives.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query("Z" + w.corrected_stem),
                                  tune.typo_weight);
    if (thread_words) {
        alternatives.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(prefix_thread + w.stem),
                                  tune.thread_weight);
        if (!w.corrected.empty())
            alternatives.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(prefix_thread + w.corrected_stem),
                                      tune.thread_weight * tune.typo_weight);
    }
    if (alternatives.size() == 1) return alternatives.front();
    return Xapian::Query(Xapian::Query::OP_OR, alternatives.begin(), alternatives.end());
}

Xapian::Query all_words(std::vector<query_word> const& words, tuning const& tune, bool thread_words)
{
    std::vector<Xapian::Query> parts;
    for (auto const& w : words) parts.push_back(word_query(w, tune, thread_words));
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

// Posts that hold every word but one: an OR of the n ANDs that each leave one word out, so a
// post with all the words matches every one of them and weighs most. Past six words that
// would be too many lists; an OR of the words ranks them instead.
Xapian::Query all_but_one(std::vector<query_word> const& words, tuning const& tune, bool thread_words)
{
    std::vector<Xapian::Query> each;
    for (auto const& w : words) each.push_back(word_query(w, tune, thread_words));
    if (words.size() > 6) return Xapian::Query(Xapian::Query::OP_OR, each.begin(), each.end());
    std::vector<Xapian::Query> ors;
    for (std::size_t left_out = 0; left_out < each.size(); ++left_out) {
        std::vector<Xapian::Query> parts;
        for (std::size_t i = 0; i < each.size(); ++i)
            if (i != left_out) parts.push_back(each[i]);
        ors.emplace_back(Xapian::Query::OP_AND, parts.begin(), parts.end());
    }
    return Xapian::Query(Xapian::Query::OP_OR, ors.begin(), ors.end());
}

std::size_t letters_in(std::string const& word)
{
    std::size_t n = 0;
    for (Xapian::Utf8Iterator it(word); it != Xapian::Utf8Iterator(); ++it) ++n;
    return n;
}

// The word the community uses where a plain query's word looks like a typo of it, or empty.
// Only a word that few posts hold is looked up (a lookup reads the spelling table's lists for
// the word's trigrams, which costs more than a search of common words), and only words of four
// letters or more, without digits (model numbers and versions are not typos). The suggestion is
// Xapian's: the most used word within the edit distance (Damerau-Levenshtein: a transposition
// counts as one edit), which must be held by typo_ratio times as many posts as the typed word,
// and by one at least (the spelling data only grows).
std::string typo_correction(Xapian::Database const& db, std::string const& word, std::string const& term,
                            tuning const& tune, Xapian::Stem const& stem)
{
    if (tune.typos <= 0) return {};
    auto const letters = letters_in(word);
    if (letters < 4 || std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) return {};
    auto const rare = std::max(2.0, static_cast<double>(db.get_doccount()) * tune.typo_rare_share);
    if (static_cast<double>(db.get_termfreq(term)) >= rare) return {};
    auto const suggestion = db.get_spelling_suggestion(word, letters >= 8 ? 2 : 1);
    if (suggestion.empty() || suggestion == word) return {};
    // Uses: the posts that hold each word as written.
    auto const typed_uses = static_cast<double>(db.get_termfreq(word));
    if (static_cast<double>(db.get_termfreq(suggestion)) < tune.typo_ratio * typed_uses) return {};
    // A stop word is never what was meant ("homw" is "home", not "how"), and is not searched.
    if (stopper()(suggestion)) return {};
    auto const suggested_term = "Z" + stem(suggestion);
    if (suggested_term == term || db.get_termfreq(suggested_term) == 0) return {};
    return suggestion;
}

// The plain query's words as searched: stop words left out (unless there is nothing else),
// each with its typo correction. corrected: the text with the corrections, when any were made.
std::vector<query_word> words_of_query(Xapian::Database const& db, std::vector<std::string> const& typed,
                                       tuning const& tune, Xapian::Stem const& stem, bool exact, std::string& corrected)
{
    std::vector<query_word> out;
    bool const only_stop_words = std::all_of(typed.begin(), typed.end(), [](auto const& w) { return stopper()(w); });
    bool any = false;
    std::string text;
    for (auto const& w : typed) {
        std::string shown = w;
        if (only_stop_words || !stopper()(w)) {
            query_word q;
            q.typed = w;
            // The index stems words that start with a letter, and a stop word not at all.
            bool const letter = Xapian::Unicode::is_wordchar(*Xapian::Utf8Iterator(w)) &&
                                !(w.front() >= '0' && w.front() <= '9') && !stopper()(w);
            q.stem = letter ? stem(w) : w;
            q.stem_term = letter ? "Z" + q.stem : w;
            if (letter && !exact) q.corrected = typo_correction(db, w, q.stem_term, tune, stem);
            if (!q.corrected.empty()) {
                q.corrected_stem = stem(q.corrected);
                shown = q.corrected;
                any = true;
            }
            out.push_back(std::move(q));  // a word typed twice counts twice, as the parser has it
        }
        text += (text.empty() ? "" : " ") + shown;
    }
    if (any) corrected = text;
    return out;
}

}  // namespace

results searcher::search(query_request const& request, tuning const& tune) const
{
    if (!cache_) return run(request, tune);
    auto const gen = generation_.load(std::memory_order_acquire);
    std::string key = format_query(request.text, request.filter);
    key += '\0';
    key += std::to_string(static_cast<int>(request.sort)) + ':' + std::to_string(request.offset) + ':' +
           std::to_string(request.limit) + ':' + std::to_string(tune.quality_boost) + (request.exact ? ":exact" : "");
    if (auto cached = cache_->find(key, gen)) return std::move(*cached);
    auto r = run(request, tune);
    cache_->store(std::move(key), r, gen);
    return r;
}

results searcher::run(query_request const& request, tuning const& tune) const
{
    auto& h = open();
    try {
        return with_retry(h, [&] {
            results out;
            auto& qp = h.parser;
            qp.set_default_op(Xapian::Query::OP_AND);
            // Never Xapian::Query::MatchAll: a static shared by every thread, and copying it
            // counts references without atomics (searches crashed under concurrent load).
            Xapian::Query q{std::string()};
            unsigned const flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_PURE_NOT;
            auto parse = [&](unsigned extra) {
                try {
                    return qp.parse_query(request.text, flags | extra);
                } catch (Xapian::QueryParserError const&) {
                    // Unbalanced operators and the like: search the words as plain words.
                    return qp.parse_query(request.text, extra);
                }
            };
            // A plain query (words only) is built here, word by word, so that a word may also
            // match its typo's correction and the query may be loosened; any other keeps its
            // strict meaning through the parser.
            auto const plain = request.text.empty() ? std::nullopt : plain_words(request.text);
            std::vector<query_word> words;
            if (plain) {
                words = words_of_query(h.db, *plain, tune, h.stem, request.exact, out.corrected);
                q = all_words(words, tune, false);
            } else if (!request.text.empty()) {
                q = parse(0);
                if (q.empty()) q = Xapian::Query(std::string());  // nothing searchable was typed: all
            }
            auto marked = snippet_terms_of(q, prefix_title);
            auto const filter = filter_query(request.filter);
            auto const facts = facts_for(h);
            auto const want = request.offset + request.limit;
            auto ranked = [&](Xapian::Query query) {
                if (!filter.empty()) query = Xapian::Query(Xapian::Query::OP_FILTER, query, filter);
                // Ideas are found when asked for; a support search finds questions and answers.
                if (request.filter.kind != post_kind::idea)
                    query = Xapian::Query(Xapian::Query::OP_AND_NOT, query, Xapian::Query(term_idea));
                Xapian::Enquire enquire(h.db);
                enquire.set_weighting_scheme(weighting(tune, h.wdf_scale));
                switch (request.sort) {
                    case sort_order::relevance:
                        query = with_quality(query, tune, facts);
                        break;
                    case sort_order::newest:
                        enquire.set_sort_by_value_then_relevance(slot_created, true);
                        break;
                    case sort_order::votes:
                        enquire.set_sort_by_value_then_relevance(slot_score, true);
                        break;
                }
                enquire.set_query(query);
                return collapse(enquire, *facts, want);
            };
            auto found = ranked(q);
            // Too few threads hold every word: posts that miss one word of a longer query, and
            // answers whose thread (their question) holds the words, come after them.
            if (plain && tune.partial > 0 && static_cast<double>(found.threads.size()) < tune.relax_below &&
                found.exact && words.size() >= 2) {
                auto const loose = static_cast<double>(words.size()) >= tune.partial_min_words
                                       ? all_but_one(words, tune, true)
                                       : all_words(words, tune, true);
                auto more = ranked(loose);
                std::size_t added = 0;
                for (auto const& one : more.hits) {
                    if (found.threads.contains(static_cast<std::uint32_t>(one.question_id))) continue;
                    ++added;
                    if (found.hits.size() < want) found.hits.push_back(one);
                }
                for (auto t : more.threads) found.threads.insert(t);
                found.exact = more.exact;
                found.total = more.exact ? found.threads.size() : std::max(found.total + added, more.total);
            }
            out.exact = found.exact;
            out.total = found.total;
            // Spelling is looked up only when the query finds little and no word was corrected
            // already: a misspelt word finds nothing, and the lookup costs more than the search.
            if (!request.text.empty() && out.total < 3 && out.corrected.empty() && !request.exact) {
                parse(Xapian::QueryParser::FLAG_SPELLING_CORRECTION);
                out.suggestion = qp.get_corrected_query_string();
                if (!only_indexed_words(h.db, request.text, out.suggestion)) out.suggestion.clear();
                // The spelling dictionary holds words as written, the index their stems: a query
                // for "invoice" that finds "invoices" would be offered its own plural.
                if (out.total > 0 && same_stems(out.suggestion, request.text, h.stem)) out.suggestion.clear();
            }
            for (auto i = request.offset; i < found.hits.size(); ++i) out.hits.push_back(found.hits[i]);
            out.marked = std::move(marked);
            return out;
        });
    } catch (Xapian::DatabaseError const& e) {
        h.generation = 0;  // reopen next time
        throw unavailable("The search index cannot be read: " + e.get_msg());
    } catch (Xapian::Error const& e) {
        throw bad_query("This search cannot be run (" + e.get_msg() + "); change its words.");
    }
}

std::vector<hit> searcher::similar(std::string_view text, std::optional<std::int64_t> exclude, std::size_t limit,
                                   bool partial, tuning const& tune, post_kind kind) const
{
    auto& h = open();
    try {
        return with_retry(h, [&] {
            std::vector<hit> out;
            auto& qp = h.parser;
            qp.set_default_op(Xapian::Query::OP_OR);
            Xapian::Query q;
            try {
                q = qp.parse_query(first_words(text, similar_max_words),
                                   partial ? Xapian::QueryParser::FLAG_PARTIAL : 0);
            } catch (Xapian::QueryParserError const&) {
                return out;
            }
            if (q.empty()) return out;
            q = Xapian::Query(Xapian::Query::OP_FILTER, q,
                              Xapian::Query(kind == post_kind::idea ? term_idea : term_question));
            Xapian::Enquire enquire(h.db);
            // Only questions sharing a fair part of the words: a single common word is noise.
            enquire.set_cutoff(30);
            enquire.set_weighting_scheme(weighting(tune, h.wdf_scale));
            auto const facts = facts_for(h);
            enquire.set_query(with_quality(q, tune, facts));
            auto const mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit + 1));
            for (auto it = mset.begin(); it != mset.end() && out.size() < limit; ++it) {
                auto const post = post_of(*facts, it);
                if (exclude && post == *exclude) continue;
                hit one;
                one.post_id = one.question_id = post;
                out.push_back(std::move(one));
            }
            return out;
        });
    } catch (Xapian::DatabaseError const& e) {
        h.generation = 0;
        throw unavailable("The search index cannot be read: " + e.get_msg());
    } catch (Xapian::Error const& e) {
        throw bad_query("This search cannot be run (" + e.get_msg() + "); change its words.");
    }
}

std::shared_ptr<post_facts const> searcher::facts_for(handle& h) const
{
    std::lock_guard lock(facts_mutex_);
    // Behind this reader's index (a writer that does not call learn, or a commit whose learn
    // is still to come), or another index: read it afresh.
    if (!facts_ || facts_->dir() != h.dir || facts_->revision() < h.db.get_revision()) load_facts(h.dir);
    return facts_;
}

void searcher::load_facts(std::string const& dir) const
{
    Xapian::Database fresh((root_ / dir).string());
    facts_ = post_facts::load(fresh, dir);
}

void searcher::learn(std::string const& dir, std::uint64_t revision, std::vector<post_fact> const& facts)
{
    std::lock_guard lock(facts_mutex_);
    try {
        // Opened after the commit, a fresh table holds it already.
        if (!facts_ || facts_->dir() != dir || revision > facts_->revision() + 1) return load_facts(dir);
    } catch (Xapian::Error const&) {
        facts_.reset();  // readers will try again
        return;
    }
    for (auto const& f : facts) facts_->set(f);
    if (revision > facts_->revision()) facts_->set_revision(revision);
}

std::optional<std::string> searcher::problem() const
{
    try {
        auto& h = open();
        h.db.get_doccount();
        return std::nullopt;
    } catch (unavailable const& e) {
        return e.what();
    } catch (Xapian::Error const& e) {
        return "The search index cannot be read: " + e.get_msg();
    }
}

}  // namespace peerdesk::search
