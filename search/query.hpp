#pragma once
// What a searcher typed, taken apart: free text for Xapian's parser, and the filters and
// sort that peerdesk understands itself ([tag], user:NAME, is:answered, …).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::search {

enum class sort_order { relevance, newest, votes };
// any: questions and answers (ideas only when asked for, with is:idea).
enum class post_kind { any, question, answer, idea };

struct filters {
    std::vector<std::string> tags;  // every one must match
    std::optional<std::string> user;
    bool answered = false;
    bool accepted = false;
    post_kind kind = post_kind::any;
};

struct query_request {
    std::string text;  // free text only: filters have been taken out
    filters filter;
    sort_order sort = sort_order::relevance;
    std::size_t offset = 0;
    std::size_t limit = 30;
    // The words exactly as typed: no typo tolerance ("search instead for ...").
    bool exact = false;
};

struct parsed_query {
    std::string text;
    filters filter;
    std::string error;  // when the query cannot be used: what to change
};

inline constexpr std::size_t max_query_bytes = 500;

// Takes the filters out of the query text. Quoted phrases are left whole, control characters
// become spaces, and an unknown is: value or an over-long query gives an error to show.
parsed_query parse_query(std::string_view q);

// The query text again, filters included, for links and "did you mean".
std::string format_query(std::string_view text, filters const& f);

}  // namespace peerdesk::search
