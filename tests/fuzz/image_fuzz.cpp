// libFuzzer target: uploaded files. The container walk, the four decoders and their
// re-encoding under small limits, and the multipart parser the file arrives in. Whatever the
// bytes, an image that comes out must be one of the four formats, within the limits, and clean
// again when cleaned a second time.
#include "server/http/multipart.hpp"
#include "server/media/image.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    namespace media = peerdesk::media;
    std::string_view const bytes(reinterpret_cast<char const*>(data), size);
    media::image_limits limits;
    limits.max_bytes = 1 << 20;
    limits.max_pixels = 1 << 20;
    limits.max_side = 4096;
    limits.max_frames = 50;
    auto const result = media::clean(bytes, limits);
    if (auto const* image = std::get_if<media::clean_image>(&result)) {
        if (image->width <= 0 || image->height <= 0 || image->width > limits.max_side ||
            image->height > limits.max_side)
            std::abort();
        if (media::sniff(image->bytes) != image->format) std::abort();
        auto const again = media::clean(image->bytes, limits);
        if (!std::holds_alternative<media::clean_image>(again)) std::abort();
    }
    if (auto parts = peerdesk::http::parse_multipart(bytes, "b", 8)) {
        if (parts->size() > 8) std::abort();
        for (auto const& p : *parts)
            if (p.data.data() < bytes.data() || p.data.data() + p.data.size() > bytes.data() + bytes.size())
                std::abort();
    }
    return 0;
}
