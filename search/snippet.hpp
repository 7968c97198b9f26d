#pragma once
// The part of a post's text shown under a search hit, with the query's words marked.
//
// Xapian's MSet::snippet stems every word of the text to find the matches, and at ten hits a
// page that was a third of a typical query's time. Here a word is stemmed only when it starts
// like one of the query's stems (English stemming only ever changes a word's ending), so a
// post of 150 words costs a handful of stems.
#include <string>
#include <string_view>
#include <vector>

namespace Xapian {
class Query;
class Stem;
}  // namespace Xapian

namespace peerdesk::search {

// The query's words as they are matched in text: each as typed (lower-case) and stemmed.
struct snippet_terms {
    std::vector<std::string> words;  // match a text word as it is
    std::vector<std::string> stems;  // match a text word's stem
    bool empty() const { return words.empty() && stems.empty(); }
};

// The free-text terms of a parsed query: unprefixed and title terms, stemmed ("Z") or not.
// Boolean filters (tags, authors, kinds) are not words of the text and are left out.
snippet_terms snippet_terms_of(Xapian::Query const& q, std::string_view title_prefix);

// At most about max_bytes of the text, as text (render::snippet_html escapes it), whitespace
// and control bytes made single spaces, each match between the bytes \x01 and \x02, "…" where the text was cut. The
// window holding the most distinct query words wins, the earliest among equals; the text's start when none match.
std::string make_snippet(std::string_view text, snippet_terms const& terms, Xapian::Stem const& stem,
                         std::size_t max_bytes);

// How much of a post a search hit shows.
constexpr std::size_t snippet_bytes = 240;
// A search hit's snippet: make_snippet over the post's text (its body, then its live comments,
// as plain text) with the English stemmer the index uses, at most snippet_bytes.
std::string hit_snippet(std::string_view text, snippet_terms const& terms);

}  // namespace peerdesk::search
