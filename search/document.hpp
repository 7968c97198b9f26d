#pragma once
// What a post's document holds in the index, for the writer that builds it and the searcher that
// reads it: the term prefixes, the index's own metadata, the stop words. Internal to search/.
#include "search/index.hpp"

#include <xapian.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace peerdesk::search {

// Term prefixes; a change here changes what is stored: raise format_value (and a CHANGELOG line).
inline constexpr char prefix_title[] = "S";
inline constexpr char prefix_tag[] = "K";
inline constexpr char prefix_author[] = "A";
inline constexpr char term_question[] = "XTQ";
inline constexpr char term_answer[] = "XTA";
inline constexpr char term_idea[] = "XTI";
inline constexpr char term_answered[] = "XISanswered";
inline constexpr char term_accepted[] = "XISaccepted";
inline constexpr char applied_key[] = "peerdesk.applied_seq";
// Set in every index made since documents got their own numbers (a post's docid was its id
// before): an index without it is rebuilt, since its posts cannot be found by the id term.
inline constexpr char numbering_key[] = "peerdesk.docids";
inline constexpr char numbering_value[] = "own";
// What the documents hold, set in every index made since counts were normalised by length.
// An index of another format is rebuilt from the database at start (it answers searches until
// its replacement is current): raise it whenever a change here changes what a document holds.
// 2: counts normalised by length (wdf_scale) and an answer's thread words (XH); 3: a body
// mention weighs 1.5 rather than 2; 4: a word's parts beside an apostrophe ("haven" of
// "haven't") are terms too.
inline constexpr char format_key[] = "peerdesk.format";
inline constexpr char format_value[] = "4";
// The unique term of a post's document.
inline constexpr char prefix_post[] = "Q";
// An answer's thread words (its question's title and body), stemmed, once each and without
// positions: "XH" + stem. Searched only when the words of a post find too little.
inline constexpr char prefix_thread[] = "XH";
// A word's count is written times this over the post's length norm (see length_b in
// document.cpp): the rounding stays small.
inline constexpr Xapian::termcount wdf_scale = 4;
// Set in an index whose counts are normalised so; an index without it is searched as it was
// written (counts as they are) until it is rebuilt.
inline constexpr char wdf_scale_key[] = "peerdesk.wdf_scale";

// The stop words: indexed (so phrases work) but not searched for on their own.
Xapian::SimpleStopper const& stopper();
std::string lower(std::string_view s);
// A cut at max bytes that does not split a UTF-8 sequence.
std::string_view clip(std::string_view s, std::size_t max);
// The document of a visible post, its words read by terms (which holds the index's spelling
// data). scaled: counts normalised by length, as an index of the current format holds them;
// otherwise as they are, as an older index holds them until it is rebuilt.
Xapian::Document document_of(post_document const& d, Xapian::TermGenerator& terms, bool scaled);
// The number a value slot holds as decimal text (0 when empty).
std::int64_t number_in(Xapian::Document const& doc, Xapian::valueno slot);

}  // namespace peerdesk::search
