#pragma once
// The search widget that companies embed: keys, the origins each may be shown on, the search
// it calls (CORS for those origins only), click-through counting, and the admin pages.
#include "server/app/actions.hpp"
#include "server/app/application.hpp"
#include "server/app/search_service.hpp"
#include "server/store/widget_store.hpp"

namespace peerdesk::app {

struct widget_key_change {
    std::optional<std::string> name;
    std::optional<std::vector<std::string>> origins;
    std::optional<std::string> default_tag;  // empty: none
    std::optional<bool> enabled;
};

outcome<store::widget_key_row> create_widget_key(context& ctx, viewer const& who, widget_key_change const& input);
outcome<store::widget_key_row> update_widget_key(context& ctx, viewer const& who, std::int64_t id,
                                                 widget_key_change const& change);
// A new key for the same widget; the old one stops working at once.
outcome<store::widget_key_row> rotate_widget_key(context& ctx, viewer const& who, std::int64_t id);

// "https://Help.Example.com:443/" → "https://help.example.com"; nothing when it is no origin.
std::optional<std::string> normalize_origin(std::string_view text);

// The key of a widget search, when it may answer this origin.
outcome<store::widget_key_row> widget_key_for(context& ctx, std::string_view key,
                                              std::optional<std::string_view> origin);

}  // namespace peerdesk::app
