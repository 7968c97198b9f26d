#pragma once
// Uploaded images: what the bytes are, whether they decode whole, and a clean copy to store.
//
// DESIGN. The only code in peerdesk that links the image libraries (libpng, libjpeg-turbo's
// TurboJPEG, libwebp, giflib): four small decoders for exactly the four accepted formats,
// rather than a general library whose other loaders (SVG, PDF, TIFF, …) would have to be kept
// out. An upload is
//   1. identified by its leading bytes, never by its name or the Content-Type it came with;
//   2. walked as a container (PNG chunks, JPEG segments, GIF blocks, the RIFF header) so that
//      anything after the image's end, the usual polyglot, is refused;
//   3. measured from its header before any pixel buffer is allocated (a decompression bomb
//      is refused for its dimensions, not after the allocation);
//   4. decoded whole, so that a truncated or corrupt file is refused;
//   5. written anew from what was decoded: PNG, WebP and GIF from their pixels (or, for GIF,
//      palette indices and frame timings); JPEG from its decoded coefficients by libjpeg's
//      lossless transform, or, when EXIF says the camera was turned, from its pixels turned
//      upright and encoded anew (quality 92). Metadata (EXIF with GPS, XMP, ICC,
//      text chunks, comments) is not carried over: nothing of the upload's bytes but the
//      image reaches the stored file.
// Animated GIFs stay animated (each frame's pixels, delay, disposal and transparency and the
// loop count are kept; comments and application data dropped); animated WebP is refused.
// Pure functions of their input; thread-safe; throw std::bad_alloc only.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace peerdesk::media {

enum class image_format { png, jpeg, gif, webp };

char const* content_type(image_format f);  // "image/png", …
char const* extension(image_format f);     // "png", "jpg", "gif", "webp"
std::optional<image_format> format_of_extension(std::string_view ext);

struct image_limits {
    std::size_t max_bytes = 10 * 1024 * 1024;
    std::int64_t max_pixels = 50'000'000;  // width × height, summed over a GIF's frames
    int max_side = 20'000;
    int max_frames = 300;
};

struct clean_image {
    image_format format;
    std::string bytes;  // the stored file
    int width = 0;
    int height = 0;
    int frames = 1;
};

enum class image_problem_kind {
    too_large,        // over max_bytes (413)
    not_an_image,     // none of the four formats by its bytes (422)
    too_many_pixels,  // dimensions or frames over the limits (422)
    broken,           // truncated, corrupt, or data after the image (422)
    unsupported,      // one of the formats, in a variant not accepted (animated WebP, CMYK JPEG)
};

struct image_problem {
    image_problem_kind kind;
    std::string message;  // a sentence for the member: what to fix
};

std::optional<image_format> sniff(std::string_view bytes);

std::variant<clean_image, image_problem> clean(std::string_view bytes, image_limits const& limits);

}  // namespace peerdesk::media
