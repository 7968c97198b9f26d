#include "search/query_words.hpp"

#include "search/document.hpp"

#include <algorithm>
#include <cctype>

namespace peerdesk::search {
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

std::size_t letters_in(std::string const& word)
{
    std::size_t n = 0;
    for (Xapian::Utf8Iterator it(word); it != Xapian::Utf8Iterator(); ++it) ++n;
    return n;
}

// Whether so few posts hold the term (uses) that it may be a typo: fewer than typo_rare_share of
// them, and at most 2 in a small community.
bool rare_term(Xapian::Database const& db, Xapian::doccount uses, tuning const& tune)
{
    auto const rare = std::max(2.0, static_cast<double>(db.get_doccount()) * tune.typo_rare_share);
    return static_cast<double>(uses) < rare;
}

// The word the community uses where a plain query's word looks like a typo of it, or empty.
// Only a word that few posts hold (rare_term, which the caller asks first) is looked up (a
// lookup reads the spelling table's lists for the word's trigrams, which costs more than a
// search of common words), and only words of four
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

}  // namespace

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

bool only_indexed_words(Xapian::Database const& db, std::string_view typed, std::string_view suggestion)
{
    auto const before = lower_words(typed);
    for (auto const& word : lower_words(suggestion))
        if (std::find(before.begin(), before.end(), word) == before.end() && db.get_termfreq(word) == 0) return false;
    return true;
}

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

Xapian::Query all_words(std::vector<query_word> const& words, tuning const& tune, bool thread_words)
{
    std::vector<Xapian::Query> parts;
    for (auto const& w : words) parts.push_back(word_query(w, tune, thread_words));
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

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

Xapian::Query any_word(std::vector<query_word> const& words, tuning const& tune)
{
    std::vector<Xapian::Query> each;
    for (auto const& w : words) each.push_back(word_query(w, tune, true));
    return Xapian::Query(Xapian::Query::OP_OR, each.begin(), each.end());
}

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
            auto const uses = db.get_termfreq(q.stem_term);
            q.rare = rare_term(db, uses, tune);
            q.unknown = uses == 0;
            if (letter && !exact && q.rare) q.corrected = typo_correction(db, w, q.stem_term, tune, stem);
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

}  // namespace peerdesk::search
