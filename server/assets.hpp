#pragma once
// Files compiled into the binary from templates/, static/ and schema/ (scripts/embed.cmake).
#include <optional>
#include <span>
#include <string_view>

namespace peerdesk::assets {

struct file {
    std::string_view path;  // relative to the source tree, e.g. "templates/layout.html"
    std::string_view bytes;
};

// Every embedded file, sorted by path within each folder. The storage is static.
std::span<file const> all();

// The bytes of one embedded file, or nothing when no such file was embedded.
std::optional<std::string_view> find(std::string_view path);

}  // namespace peerdesk::assets
