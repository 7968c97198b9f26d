#include "search/ranking.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace peerdesk::search {
namespace {

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

}  // namespace

Xapian::Query with_quality(Xapian::Query q, tuning const& tune, std::shared_ptr<post_facts const> facts)
{
    if (tune.quality_boost <= 0) return q;
    auto* source = new quality_source(std::move(facts), tune.quality_boost);
    return Xapian::Query(Xapian::Query::OP_AND, q, Xapian::Query(source->release()));
}

void rank_by_bm25(Xapian::Enquire& enquire, tuning const& tune, Xapian::termcount scale)
{
    enquire.set_weighting_scheme(weighting(tune, scale));
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

}  // namespace peerdesk::search
