#include "server/assets.hpp"

namespace peerdesk::assets {

std::optional<std::string_view> find(std::string_view path)
{
    for (auto const& f : all())
        if (f.path == path) return f.bytes;
    return std::nullopt;
}

}  // namespace peerdesk::assets
