#pragma once
// Drafts, shared with the upload form (which saves the text it came with as the place's draft).
#include "server/app/context.hpp"
#include "server/store/draft_store.hpp"

#include <variant>

namespace peerdesk::app {

// Where a draft belongs: the ask form, or the answer box of one question.
struct draft_place {
    std::string key;                       // "ask" or "answer-<id>"
    std::optional<std::int64_t> question;  // for an answer box
};

// Reads a place's key; a failure names what is wrong (a malformed key is 404: no such place).
std::variant<draft_place, failure> read_place(context& ctx, std::string_view key);

// The page a place's editor is on ("/questions/ask", the question's page at its answer box).
std::string editor_url(draft_place const& p);

// Checks and stores a draft for the signed-in member: 413 when too large.
std::optional<failure> save_draft(context& ctx, viewer const& who, draft_place const& place, store::draft_row const& d);

// The member's draft for the place, for a page to fill its editor with.
std::optional<store::draft_row> draft_for(context& ctx, viewer const& who, std::string_view place);

}  // namespace peerdesk::app
