#include "server/store/models.hpp"

#include <stdexcept>
#include <string>

namespace peerdesk::store {

domain::post_kind stored_post_kind(std::string_view text)
{
    if (auto const k = domain::parse_post_kind(text)) return *k;
    throw std::runtime_error("the database holds a post of kind \"" + std::string(text) + "\"");
}

domain::post_state stored_post_state(std::string_view text)
{
    if (auto const s = domain::parse_post_state(text)) return *s;
    throw std::runtime_error("the database holds a post in state \"" + std::string(text) + "\"");
}

}  // namespace peerdesk::store
