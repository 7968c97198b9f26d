#include "search/document.hpp"

#include "search/slots.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace peerdesk::search {
namespace {

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
constexpr std::size_t max_stored_text = 16 * 1024;

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

// A mention's weight (title, body or comment) as the count a word gains from it.
class counts {
public:
    counts(std::string const& title, std::string const& body, std::string const& comments, bool scaled)
        : norm_(scaled ? length_norm(words_in(title) + words_in(body) + words_in(comments)) : 0.0)
    {
    }
    Xapian::termcount operator()(double weight) const
    {
        if (norm_ == 0) return static_cast<Xapian::termcount>(std::lround(weight));
        return std::max<Xapian::termcount>(1, static_cast<Xapian::termcount>(std::lround(weight * wdf_scale / norm_)));
    }

private:
    double norm_;
};

// What follows an apostrophe in a contraction or a possessive: not a word of its own.
bool contraction_ending(std::string_view part)
{
    for (auto const* e : {"s", "t", "ll", "re", "ve", "d", "m"})
        if (part == e) return true;
    return false;
}

// The index keeps a word with an apostrophe whole ("haven't", "o'reilly"), so that the word as
// typed finds it; each of its parts is a term too, as SQLite FTS5's tokenizer has them, so that
// "haven" finds "haven't". A part is added for each term made of it (plain, stemmed, title),
// at that term's count, without positions (a phrase matches the word as written); an ending
// ("t", "ll", "s") is not a word. Relevance benchmark: see bench/HISTORY.md, issue 27.
void add_apostrophe_parts(Xapian::Document& doc)
{
    static thread_local Xapian::Stem const stem("english");
    std::vector<std::pair<std::string, Xapian::termcount>> parts;
    for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
        auto const term = *it;
        // The words as written, plain or a title's (the stemmed terms are made from them here).
        bool const title = term.starts_with(prefix_title);
        if (term.empty() || (term[0] >= 'A' && term[0] <= 'Z' && !title)) continue;
        auto const apostrophe = term.find('\'');
        if (apostrophe == std::string::npos) continue;
        std::string const prefix = title ? prefix_title : "";
        std::string_view const word = std::string_view(term).substr(prefix.size());
        std::size_t from = 0;
        while (from < word.size()) {
            auto const to = std::min(word.find('\'', from), word.size());
            std::string const part(word.substr(from, to - from));
            from = to + 1;
            if (part.size() < 2 || contraction_ending(part)) continue;
            parts.emplace_back(prefix + part, it.get_wdf());
            // As the term generator has it: a stop word is not stemmed.
            if (!stopper()(part)) parts.emplace_back("Z" + prefix + stem(part), it.get_wdf());
        }
    }
    for (auto const& [term, wdf] : parts) doc.add_term(term, wdf);
}

// The words a search matches: the title (a question's or an idea's also under its own prefix,
// for title:), the body, the comments, and an answer's thread words.
void add_words(Xapian::Document& doc, post_document const& d, Xapian::TermGenerator& tg, bool scaled)
{
    tg.set_document(doc);
    auto const title = std::string(clip(d.title, 1000));
    auto const body = std::string(clip(d.body, max_stored_text));
    auto const comments = std::string(clip(d.comments, max_stored_text));
    counts const count(title, body, comments, scaled);
    bool const titled = d.is_question || d.is_idea;
    tg.index_text(title, count(titled ? title_weight : comment_weight));
    tg.increase_termpos();
    if (titled) {
        tg.index_text(title, 1, prefix_title);
        tg.increase_termpos();
    }
    tg.index_text(body, count(body_weight));
    tg.increase_termpos();
    tg.index_text(comments, count(comment_weight));
    add_apostrophe_parts(doc);
    if (!d.thread_text.empty()) add_thread_terms(doc, clip(d.thread_text, max_stored_text), scaled ? wdf_scale : 1);
}

// What filters and sorts read: the post's own term, tags, author, kind and thread state as
// boolean terms; thread, post, date, score and quality as values.
void add_filters_and_values(Xapian::Document& doc, post_document const& d)
{
    doc.add_boolean_term(prefix_post + std::to_string(d.id));
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
}

}  // namespace

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

Xapian::Document document_of(post_document const& d, Xapian::TermGenerator& terms, bool scaled)
{
    Xapian::Document doc;
    add_words(doc, d, terms, scaled);
    add_filters_and_values(doc, d);
    // No document data: a hit's snippet is cut from the post's text as the database holds it.
    return doc;
}

std::int64_t number_in(Xapian::Document const& doc, Xapian::valueno slot)
{
    auto const v = doc.get_value(slot);
    std::int64_t id = 0;
    for (char c : v) id = id * 10 + (c - '0');
    return id;
}

double quality_of(post_document const& d)
{
    double q = 0;
    if (d.accepted_answer || (d.is_question && d.thread_accepted)) q += 0.5;
    if (d.thread_answered) q += 0.2;
    if (d.score > 0) q += std::min(0.3, 0.15 * std::log10(1.0 + static_cast<double>(d.score)));
    if (d.endorsed) q += 0.3;
    return q;
}

post_fact fact_of(post_document const& d, std::uint32_t docid)
{
    if (!d.visible) return {docid, 0, 0, 0};
    return {docid, static_cast<std::uint32_t>(d.id), static_cast<std::uint32_t>(d.question_id), quality_of(d)};
}

}  // namespace peerdesk::search
