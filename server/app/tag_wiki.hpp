#pragma once
// Tags' meanings, shared with the question room that owns the tag list and tag pages.
#include "server/app/context.hpp"

namespace peerdesk::app {

// GET /api/v1/tags?q=…: the tag field's suggestions, or nothing when the query has no q.
std::optional<http::response> tag_suggestions(call& c, http::fields const& query, std::int64_t pagesize);

// The tag a synonym's name stands for, when it is one.
std::optional<std::string> tag_synonym_target(context& ctx, std::string_view name);

}  // namespace peerdesk::app
