#include "search/snippet.hpp"

#include <xapian.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace peerdesk::search {

namespace {

constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // …
// How much text before the best window's first match is kept, when there is room.
constexpr std::size_t lead_bytes = 40;

// The character at i: its length in bytes, and whether it belongs to a word (Xapian's
// Unicode rules; an invalid UTF-8 byte counts as a letter of its own, so it is never split).
struct character {
    std::size_t bytes;
    bool word;
};

character character_at(std::string_view text, std::size_t i)
{
    auto const c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) return {1, (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'};
    std::size_t const n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 1;
    if (n == 1 || i + n > text.size()) return {1, true};
    unsigned cp = c & (0xFF >> (n + 1));
    for (std::size_t k = 1; k < n; ++k) {
        auto const b = static_cast<unsigned char>(text[i + k]);
        if ((b & 0xC0) != 0x80) return {1, true};
        cp = (cp << 6) | (b & 0x3F);
    }
    return {n, Xapian::Unicode::is_wordchar(cp)};
}

// Control bytes too: the marks \x01 and \x02 must come only from matches.
bool space_byte(char c)
{
    return c == ' ' || c == '\x7F' || static_cast<unsigned char>(c) < 0x20;
}

// [begin, end) of the word at or after i, apostrophes between letters included ("don't").
std::pair<std::size_t, std::size_t> next_word(std::string_view text, std::size_t i)
{
    auto const n = text.size();
    while (i < n) {
        auto const ch = character_at(text, i);
        if (ch.word) break;
        i += ch.bytes;
    }
    auto const begin = i;
    while (i < n) {
        auto const ch = character_at(text, i);
        if (ch.word)
            i += ch.bytes;
        else if (text[i] == '\'' && i > begin && i + 1 < n && character_at(text, i + 1).word)
            ++i;
        else
            break;
    }
    return {begin, i};
}

// The word in lower case, into out (reused: no allocation per word).
void lower_into(std::string& out, std::string_view word)
{
    out.assign(word);
    bool ascii = true;
    for (auto& c : out) {
        if (static_cast<unsigned char>(c) >= 0x80)
            ascii = false;
        else if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    if (ascii) return;
    out.clear();
    for (Xapian::Utf8Iterator it(word.data(), word.size()); it != Xapian::Utf8Iterator(); ++it)
        Xapian::Unicode::append_utf8(out, Xapian::Unicode::tolower(*it));
}

// Which query term a text word (lower case) matches, as typed or by its stem: the index of
// the word in terms.words, or words.size() + the index of the stem.
std::optional<unsigned> term_of(std::string const& word, snippet_terms const& terms,
                                std::array<bool, 256> const& stem_starts, Xapian::Stem const& stem)
{
    auto const w = std::find(terms.words.begin(), terms.words.end(), word);
    if (w != terms.words.end()) return static_cast<unsigned>(w - terms.words.begin());
    if (word.empty() || !stem_starts[static_cast<unsigned char>(word.front())]) return std::nullopt;
    auto const s = std::find(terms.stems.begin(), terms.stems.end(), stem(word));
    if (s == terms.stems.end()) return std::nullopt;
    return static_cast<unsigned>(terms.words.size() + (s - terms.stems.begin()));
}

struct match {
    std::size_t begin, end;
    unsigned term;  // which query term, for counting distinct ones
};

}  // namespace

snippet_terms snippet_terms_of(Xapian::Query const& q, std::string_view title_prefix)
{
    snippet_terms out;
    for (auto it = q.get_unique_terms_begin(); it != q.get_unique_terms_end(); ++it) {
        std::string const term = *it;
        std::string_view s = term;
        bool stemmed = false;
        if (!s.empty() && s.front() == 'Z') {
            stemmed = true;
            s.remove_prefix(1);
        }
        if (!title_prefix.empty() && s.substr(0, title_prefix.size()) == title_prefix)
            s.remove_prefix(title_prefix.size());
        else if (!s.empty() && s.front() >= 'A' && s.front() <= 'Z')
            continue;  // a boolean term: tag, author, kind
        if (s.empty()) continue;
        auto& list = stemmed ? out.stems : out.words;
        if (std::find(list.begin(), list.end(), s) == list.end()) list.emplace_back(s);
    }
    return out;
}

std::string make_snippet(std::string_view text, snippet_terms const& terms, Xapian::Stem const& stem,
                         std::size_t max_bytes)
{
    // Every word and every match, in order.
    std::vector<std::pair<std::size_t, std::size_t>> words;
    std::vector<match> matches;
    std::array<bool, 256> stem_starts{};
    for (auto const& s : terms.stems)
        if (!s.empty()) stem_starts[static_cast<unsigned char>(s.front())] = true;
    std::string word;
    for (std::size_t i = 0;;) {
        auto const [b, e] = next_word(text, i);
        if (b == e) break;
        i = e;
        words.emplace_back(b, e);
        if (terms.empty()) continue;
        lower_into(word, text.substr(b, e - b));
        if (auto const t = term_of(word, terms, stem_starts, stem)) {
            matches.push_back({b, e, *t});
        } else if (word.find('\'') != std::string::npos) {
            // The index holds each part of "doesn't" too: a part that matches marks the word.
            std::string const whole = word;
            for (std::size_t from = 0; from < whole.size();) {
                auto const to = std::min(whole.find('\'', from), whole.size());
                word.assign(whole, from, to - from);
                from = to + 1;
                if (auto const t = term_of(word, terms, stem_starts, stem)) {
                    matches.push_back({b, e, *t});
                    break;
                }
            }
        }
    }

    // The window of max_bytes from a match that holds the most distinct terms: two pointers
    // over the matches, counting each term's matches inside.
    std::size_t start = 0;
    if (!matches.empty()) {
        std::vector<unsigned> inside(terms.words.size() + terms.stems.size(), 0);
        unsigned distinct = 0, best_distinct = 0;
        std::size_t best = 0, best_last_end = 0, j = 0;
        for (std::size_t i = 0; i < matches.size(); ++i) {
            if (j <= i) {  // a word longer than the window still counts as its own
                if (inside[matches[i].term]++ == 0) ++distinct;
                j = i + 1;
            }
            while (j < matches.size() && matches[j].end <= matches[i].begin + max_bytes) {
                if (inside[matches[j].term]++ == 0) ++distinct;
                ++j;
            }
            if (distinct > best_distinct) {
                best_distinct = distinct;
                best = i;
                best_last_end = matches[j - 1].end;
            }
            if (--inside[matches[i].term] == 0) --distinct;
        }
        auto const first = matches[best].begin;
        auto const slack = max_bytes - std::min(max_bytes, best_last_end - first);
        auto const lead = std::min(lead_bytes, slack);
        if (first > lead) {
            // Begin at the first word that starts within the lead.
            auto const w = std::lower_bound(words.begin(), words.end(), first - lead,
                                            [](auto const& x, std::size_t at) { return x.first < at; });
            start = w->first;  // at most first, itself a word's start
        }
    }
    std::size_t text_start = 0;
    while (text_start < text.size() && space_byte(text[text_start])) ++text_start;
    auto text_end = text.size();
    while (text_end > text_start && space_byte(text[text_end - 1])) --text_end;
    start = std::max(start, text_start);

    auto end = std::min(text_end, start + max_bytes);
    if (end < text_end) {
        // End after the last word that fits; inside the first one (between characters) when
        // even that is longer than the window.
        auto w = std::upper_bound(words.begin(), words.end(), end,
                                  [](std::size_t at, auto const& x) { return at < x.second; });
        if (w != words.begin() && std::prev(w)->second > start) {
            end = std::prev(w)->second;
        } else {
            auto fit = start;
            while (fit < end) {
                auto const n = character_at(text, fit).bytes;
                if (fit + n > end) break;
                fit += n;
            }
            end = fit;
        }
    }
    while (end > start && space_byte(text[end - 1])) --end;

    std::string out;
    out.reserve(end - start + 32);
    if (start > text_start) out += ellipsis;
    auto m = std::lower_bound(matches.begin(), matches.end(), start,
                              [](match const& x, std::size_t at) { return x.begin < at; });
    for (auto i = start; i < end; ++i) {
        if (space_byte(text[i])) {
            if (!out.empty() && out.back() != ' ') out += ' ';
            continue;
        }
        if (m != matches.end() && i == m->begin) out += '\x01';
        out += text[i];
        if (m != matches.end() && (i + 1 == m->end || i + 1 == end) && i >= m->begin) {
            out += '\x02';  // closed at the window's end too, for a match cut short
            ++m;
        }
    }
    if (end < text_end) out += ellipsis;
    return out;
}

std::string hit_snippet(std::string_view text, snippet_terms const& terms)
{
    thread_local Xapian::Stem const stem("english");
    return make_snippet(text, terms, stem, snippet_bytes);
}

}  // namespace peerdesk::search
