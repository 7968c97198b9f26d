#pragma once
// What the members and badges room lends the profile page (users.cpp).
#include "server/app/context.hpp"
#include "server/domain/badges.hpp"
#include "server/render/templates.hpp"

#include <boost/json/object.hpp>

#include <vector>

namespace peerdesk::app {

// Bronze, silver and gold counts beside a member's name ({gold, silver, bronze, has_*, any, label}).
render::view medals_view(std::int64_t bronze, std::int64_t silver, std::int64_t gold);
// {bronze, silver, gold}
boost::json::object badge_counts_json(std::int64_t bronze, std::int64_t silver, std::int64_t gold);
// A badge's name as shown: a tag badge is named after its tag.
std::string badge_title(domain::badge_spec const& b, std::string_view tag);
std::string badge_url(domain::badge_spec const& b, std::string_view tag);
// The member's badges, newest first, for the profile.
std::vector<render::view> user_badge_views(store::connection& db, std::int64_t user_id);

}  // namespace peerdesk::app
