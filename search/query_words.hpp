#pragma once
// A plain query's words (no quotes, operators or prefixes) as the index holds them: typo
// tolerance against the community's own words (the spelling data), and the queries that
// partial matching loosens. Internal to search/.
#include "search/index.hpp"

#include <xapian.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::search {

// A plain query's words as the index holds them, each with what it may also match.
struct query_word {
    std::string typed;
    std::string stem;            // as the thread's words hold it
    std::string stem_term;       // as posts hold it: "Z" + stem, or the word where it is not stemmed
    std::string corrected;       // the word the community uses instead, or empty
    std::string corrected_stem;  // its stem
    bool rare = false;           // held by so few posts that it may be a typo (tuning::typo_rare_share)
    bool unknown = false;        // held by no post at all
};

// A query's free text as plain words (no quotes, +word, -word, operators, field: prefixes or
// wildcards): the only queries that typo tolerance and partial matching may loosen. Anything
// else keeps its strict meaning through Xapian's query parser.
std::optional<std::vector<std::string>> plain_words(std::string const& text);
// The plain query's words as searched: stop words left out (unless there is nothing else),
// each with its typo correction (none when exact). corrected: the text with the corrections,
// when any were made.
std::vector<query_word> words_of_query(Xapian::Database const& db, std::vector<std::string> const& typed,
                                       tuning const& tune, Xapian::Stem const& stem, bool exact,
                                       std::string& corrected);
// Posts that hold every word (or, with thread_words, whose thread holds it), each word also
// matching its correction.
Xapian::Query all_words(std::vector<query_word> const& words, tuning const& tune, bool thread_words);
// Posts that hold every word but one: an OR of the n ANDs that each leave one word out, so a
// post with all the words matches every one of them and weighs most. Past six words that
// would be too many lists; an OR of the words ranks them instead.
Xapian::Query all_but_one(std::vector<query_word> const& words, tuning const& tune, bool thread_words);
// Posts that hold any of the words (or whose thread does), those with more of them first: the
// last resort of a plain query that found nothing otherwise.
Xapian::Query any_word(std::vector<query_word> const& words, tuning const& tune);
// Xapian's spelling data only grows: a word stays in it after the last post that used it is
// deleted or edited. A suggested word counts only while some indexed post still holds it.
bool only_indexed_words(Xapian::Database const& db, std::string_view typed, std::string_view suggestion);
// Whether two texts are the same words once lower-cased and stemmed.
bool same_stems(std::string const& a, std::string const& b, Xapian::Stem const& stem);

}  // namespace peerdesk::search
