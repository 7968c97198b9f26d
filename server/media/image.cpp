#include "server/media/image.hpp"

#include <cstring>
#include <memory>
#include <vector>

#include <gif_lib.h>
#include <png.h>
#include <turbojpeg.h>
#include <webp/decode.h>
#include <webp/encode.h>

namespace peerdesk::media {
namespace {

using result = std::variant<clean_image, image_problem>;

image_problem problem(image_problem_kind kind, std::string message)
{
    return {kind, std::move(message)};
}

std::uint32_t be32(unsigned char const* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::uint32_t le32(unsigned char const* p)
{
    return (std::uint32_t(p[3]) << 24) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[1]) << 8) | p[0];
}

// Bytes after the image's end are how a file is made to be two things at once (an image that is
// also a ZIP, an HTML page or a script); zero padding, which some cameras write, is allowed.
bool only_padding(unsigned char const* p, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] != 0) return false;
    return true;
}

std::optional<image_problem> check_dimensions(std::int64_t width, std::int64_t height, image_limits const& l)
{
    if (width <= 0 || height <= 0) return problem(image_problem_kind::broken, "The image has no pixels.");
    if (width > l.max_side || height > l.max_side || width * height > l.max_pixels)
        return problem(image_problem_kind::too_many_pixels,
                       "The image is " + std::to_string(width) + " × " + std::to_string(height) +
                           " pixels; the limit is " + std::to_string(l.max_pixels / 1'000'000) + " megapixels and " +
                           std::to_string(l.max_side) + " pixels a side. Make it smaller.");
    return std::nullopt;
}

image_problem broken(char const* format, std::string_view detail = {})
{
    std::string m = "The file starts like a ";
    m += format;
    m += " image but does not decode";
    if (!detail.empty()) {
        m += " (";
        m += detail;
        m += ")";
    }
    m += ": it may be truncated or damaged. Save it again and upload the new file.";
    return problem(image_problem_kind::broken, std::move(m));
}

image_problem trailing(char const* format)
{
    return problem(image_problem_kind::broken, std::string("The ") + format +
                                                   " image has other data after its end, so it is refused. Save "
                                                   "it again as a plain image and upload that.");
}

// ---------------------------------------------------------------------------------- PNG

result clean_png(std::string_view bytes, image_limits const& l)
{
    auto const* p = reinterpret_cast<unsigned char const*>(bytes.data());
    std::size_t const n = bytes.size();
    std::size_t pos = 8, end = 0;
    while (pos + 12 <= n) {
        std::size_t const length = be32(p + pos);
        if (length > n - pos - 12) return broken("PNG", "a chunk runs past the end of the file");
        bool const iend = std::memcmp(p + pos + 4, "IEND", 4) == 0;
        pos += 12 + length;
        if (iend) {
            end = pos;
            break;
        }
    }
    if (end == 0) return broken("PNG", "it has no end chunk");
    if (!only_padding(p + end, n - end)) return trailing("PNG");

    png_image in;
    std::memset(&in, 0, sizeof in);
    in.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&in, p, end)) return broken("PNG", in.message);
    auto const width = in.width, height = in.height;
    if (auto e = check_dimensions(width, height, l)) {
        png_image_free(&in);
        return *e;
    }
    // Eight bits a channel, in sRGB, keeping only whether there is colour and alpha: what every
    // browser shows, and no colour profile, text chunk or other metadata comes along.
    in.format = in.format & (PNG_FORMAT_FLAG_ALPHA | PNG_FORMAT_FLAG_COLOR);
    std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(in));
    if (!png_image_finish_read(&in, nullptr, pixels.data(), 0, nullptr)) {
        std::string const why = in.message;
        png_image_free(&in);
        return broken("PNG", why);
    }
    png_image out;
    std::memset(&out, 0, sizeof out);
    out.version = PNG_IMAGE_VERSION;
    out.width = width;
    out.height = height;
    out.format = in.format;
    png_alloc_size_t size = 0;
    if (!png_image_write_get_memory_size(out, size, 0, pixels.data(), 0, nullptr)) return broken("PNG", out.message);
    clean_image c{image_format::png, std::string(size, '\0'), static_cast<int>(width), static_cast<int>(height), 1};
    if (!png_image_write_to_memory(&out, c.bytes.data(), &size, 0, pixels.data(), 0, nullptr))
        return broken("PNG", out.message);
    c.bytes.resize(size);
    return c;
}

// ---------------------------------------------------------------------------------- JPEG

// The EXIF orientation (1 to 8) from an APP1 segment's data, or 1.
int exif_orientation(unsigned char const* d, std::size_t n)
{
    if (n < 14 || std::memcmp(d, "Exif\0\0", 6) != 0) return 1;
    d += 6;
    n -= 6;
    bool const little = d[0] == 'I' && d[1] == 'I';
    if (!little && !(d[0] == 'M' && d[1] == 'M')) return 1;
    auto const u16 = [&](std::size_t at) -> unsigned {
        return little ? unsigned(d[at]) | unsigned(d[at + 1]) << 8 : unsigned(d[at]) << 8 | unsigned(d[at + 1]);
    };
    std::uint32_t const ifd = little ? le32(d + 4) : be32(d + 4);
    if (ifd > n - 2) return 1;
    unsigned const entries = u16(ifd);
    for (unsigned i = 0; i < entries; ++i) {
        std::size_t const at = ifd + 2 + std::size_t(i) * 12;
        if (at + 12 > n) return 1;
        if (u16(at) == 0x0112 && u16(at + 2) == 3) {
            unsigned const v = u16(at + 8);
            return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
        }
    }
    return 1;
}

struct tj_handle {
    tjhandle h;
    explicit tj_handle(tjhandle handle) : h(handle) {}
    ~tj_handle()
    {
        if (h) tjDestroy(h);
    }
    tj_handle(tj_handle const&) = delete;
    tj_handle& operator=(tj_handle const&) = delete;
};

result clean_jpeg(std::string_view bytes, image_limits const& l)
{
    auto const* p = reinterpret_cast<unsigned char const*>(bytes.data());
    std::size_t const n = bytes.size();
    // Walk the segments to the end of the image, noting the orientation on the way.
    std::size_t pos = 2, end = 0;
    int orientation = 1;
    while (pos + 2 <= n) {
        if (p[pos] != 0xFF) return broken("JPEG", "a segment does not start where it should");
        unsigned const marker = p[pos + 1];
        if (marker == 0xFF) {  // fill byte
            ++pos;
            continue;
        }
        pos += 2;
        if (marker == 0xD9) {
            end = pos;
            break;
        }
        if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;
        if (pos + 2 > n) break;
        std::size_t const length = (std::size_t(p[pos]) << 8) | p[pos + 1];
        if (length < 2 || length > n - pos) return broken("JPEG", "a segment runs past the end of the file");
        if (marker == 0xE1 && orientation == 1) orientation = exif_orientation(p + pos + 2, length - 2);
        pos += length;
        if (marker == 0xDA) {
            // Entropy-coded data runs to the next marker other than a stuffed zero or a restart.
            while (pos + 1 < n) {
                if (p[pos] == 0xFF && p[pos + 1] != 0x00 && !(p[pos + 1] >= 0xD0 && p[pos + 1] <= 0xD7)) break;
                ++pos;
            }
            if (pos + 1 >= n) break;
        }
    }
    if (end == 0) return broken("JPEG", "it has no end marker");
    // Phones append further JPEG images after the first (MPF: depth maps, gain maps); they are
    // dropped with the rest of what follows the first image, not refused.
    bool const more_images = n - end >= 3 && p[end] == 0xFF && p[end + 1] == 0xD8 && p[end + 2] == 0xFF;
    if (!more_images && !only_padding(p + end, n - end)) return trailing("JPEG");

    tj_handle d(tjInitDecompress());
    if (!d.h) throw std::bad_alloc();
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(d.h, p, end, &width, &height, &subsampling, &colorspace) != 0)
        return broken("JPEG", tjGetErrorStr2(d.h));
    if (auto e = check_dimensions(width, height, l)) return *e;
    if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK)
        return problem(image_problem_kind::unsupported,
                       "The JPEG image is in CMYK colours (for print); save it in RGB and upload it again.");
    bool const gray = colorspace == TJCS_GRAY;
    // Decoded whole, warnings included: libjpeg fills a truncated image with grey and calls it
    // a warning. LIMITSCANS refuses progressive files built to take minutes to decode.
    std::vector<unsigned char> pixels(std::size_t(width) * std::size_t(height) * (gray ? 1 : 3));
    int const flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
    if (tjDecompress2(d.h, p, end, pixels.data(), width, 0, height, gray ? TJPF_GRAY : TJPF_RGB, flags) != 0)
        return broken("JPEG", tjGetErrorStr2(d.h));
    if (orientation != 1) {
        // Turned as the camera was held: from the decoded pixels, encoded anew. (libjpeg-turbo's
        // lossless turn would cut the edge blocks of most photos' sizes.)
        int const channels = gray ? 1 : 3;
        bool const swap = orientation >= 5;
        int const ow = swap ? height : width, oh = swap ? width : height;
        std::vector<unsigned char> turned(pixels.size());
        for (int y = 0; y < oh; ++y)
            for (int x = 0; x < ow; ++x) {
                int sx = x, sy = y;
                switch (orientation) {
                    case 2:
                        sx = width - 1 - x;
                        break;
                    case 3:
                        sx = width - 1 - x, sy = height - 1 - y;
                        break;
                    case 4:
                        sy = height - 1 - y;
                        break;
                    case 5:
                        sx = y, sy = x;
                        break;
                    case 6:
                        sx = y, sy = height - 1 - x;
                        break;
                    case 7:
                        sx = width - 1 - y, sy = height - 1 - x;
                        break;
                    case 8:
                        sx = width - 1 - y, sy = x;
                        break;
                }
                std::memcpy(&turned[(std::size_t(y) * ow + x) * channels],
                            &pixels[(std::size_t(sy) * width + sx) * channels], channels);
            }
        tj_handle e(tjInitCompress());
        if (!e.h) throw std::bad_alloc();
        unsigned char* out = nullptr;
        unsigned long out_size = 0;
        if (tjCompress2(e.h, turned.data(), ow, 0, oh, gray ? TJPF_GRAY : TJPF_RGB, &out, &out_size,
                        gray ? TJSAMP_GRAY : TJSAMP_420, 92, 0) != 0) {
            if (out) tjFree(out);
            return broken("JPEG", tjGetErrorStr2(e.h));
        }
        std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(out, tjFree);
        return clean_image{image_format::jpeg, std::string(reinterpret_cast<char const*>(out), out_size), ow, oh, 1};
    }
    pixels = {};

    // Held upright already: the stored file is written by libjpeg from the decoded coefficients,
    // losslessly, with no marker of the upload's copied (COPYNONE).
    tj_handle t(tjInitTransform());
    if (!t.h) throw std::bad_alloc();
    tjtransform xform;
    std::memset(&xform, 0, sizeof xform);
    xform.op = TJXOP_NONE;
    xform.options = TJXOPT_COPYNONE;
    unsigned char* out = nullptr;
    unsigned long out_size = 0;
    if (tjTransform(t.h, p, end, 1, &out, &out_size, &xform, TJFLAG_LIMITSCANS) != 0) {
        if (out) tjFree(out);
        return broken("JPEG", tjGetErrorStr2(t.h));
    }
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(out, tjFree);
    return clean_image{image_format::jpeg, std::string(reinterpret_cast<char const*>(out), out_size), width, height, 1};
}

// ---------------------------------------------------------------------------------- GIF

struct memory_source {
    unsigned char const* data;
    std::size_t size;
    std::size_t pos;
};

int read_memory(GifFileType* gif, GifByteType* buffer, int length)
{
    auto* s = static_cast<memory_source*>(gif->UserData);
    std::size_t const n = std::min<std::size_t>(static_cast<std::size_t>(length), s->size - s->pos);
    std::memcpy(buffer, s->data + s->pos, n);
    s->pos += n;
    return static_cast<int>(n);
}

int write_memory(GifFileType* gif, GifByteType const* buffer, int length)
{
    static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<char const*>(buffer), length);
    return length;
}

// giflib's words for an error, or nothing for a code it has none for (it answers a null pointer).
char const* gif_error(int code)
{
    char const* text = GifErrorString(code);
    return text ? text : "";
}

struct gif_reader {
    GifFileType* gif;
    ~gif_reader()
    {
        int ignored = 0;
        if (gif) DGifCloseFile(gif, &ignored);
    }
};
struct gif_writer {
    GifFileType* gif;
    ~gif_writer()
    {
        int ignored = 0;
        if (gif) EGifCloseFile(gif, &ignored);
    }
};

result clean_gif(std::string_view bytes, image_limits const& l)
{
    memory_source src{reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size(), 0};
    int error = 0;
    gif_reader in{DGifOpen(&src, read_memory, &error)};
    if (!in.gif) return broken("GIF", gif_error(error));
    if (auto e = check_dimensions(in.gif->SWidth, in.gif->SHeight, l)) return *e;
    clean_image c{image_format::gif, {}, in.gif->SWidth, in.gif->SHeight, 0};
    gif_writer out{EGifOpen(&c.bytes, write_memory, &error)};
    if (!out.gif) throw std::bad_alloc();
    EGifSetGifVersion(out.gif, true);
    if (EGifPutScreenDesc(out.gif, in.gif->SWidth, in.gif->SHeight, in.gif->SColorResolution, in.gif->SBackGroundColor,
                          in.gif->SColorMap) == GIF_ERROR)
        return broken("GIF", "its colour table is not valid");
    std::int64_t pixels = 0;
    std::vector<GifByteType> frame;
    bool looped = false;
    for (;;) {
        GifRecordType record;
        if (DGifGetRecordType(in.gif, &record) == GIF_ERROR) return broken("GIF", gif_error(in.gif->Error));
        if (record == TERMINATE_RECORD_TYPE) break;
        if (record == IMAGE_DESC_RECORD_TYPE) {
            if (DGifGetImageDesc(in.gif) == GIF_ERROR) return broken("GIF", gif_error(in.gif->Error));
            auto const& d = in.gif->Image;
            if (++c.frames > l.max_frames)
                return problem(
                    image_problem_kind::too_many_pixels,
                    "The GIF has more than " + std::to_string(l.max_frames) + " frames; shorten the animation.");
            if (auto e = check_dimensions(d.Width, d.Height, l)) return *e;
            pixels += std::int64_t(d.Width) * d.Height;
            if (pixels > l.max_pixels)
                return problem(image_problem_kind::too_many_pixels,
                               "The GIF's frames hold more than " + std::to_string(l.max_pixels / 1'000'000) +
                                   " megapixels together; shorten the animation or make it smaller.");
            if (!d.ColorMap && !in.gif->SColorMap) return broken("GIF", "a frame has no colour table");
            frame.resize(std::size_t(d.Width) * std::size_t(d.Height));
            // Rows come in the order they are stored (interlaced or not) and go out the same way.
            if (DGifGetLine(in.gif, frame.data(), static_cast<int>(frame.size())) == GIF_ERROR)
                return broken("GIF", gif_error(in.gif->Error));
            if (EGifPutImageDesc(out.gif, d.Left, d.Top, d.Width, d.Height, d.Interlace, d.ColorMap) == GIF_ERROR ||
                EGifPutLine(out.gif, frame.data(), static_cast<int>(frame.size())) == GIF_ERROR)
                return broken("GIF", "a frame could not be written again");
            // giflib 5.2.1 keeps its own copy of a frame's colour table (in SavedImages) and
            // forgets this one when the next frame brings another: it is freed here instead.
            if (in.gif->Image.ColorMap) {
                GifFreeMapObject(in.gif->Image.ColorMap);
                in.gif->Image.ColorMap = nullptr;
            }
        } else if (record == EXTENSION_RECORD_TYPE) {
            int code = 0;
            GifByteType* block = nullptr;
            if (DGifGetExtension(in.gif, &code, &block) == GIF_ERROR) return broken("GIF", gif_error(in.gif->Error));
            bool first = true, netscape = false;
            while (block) {
                // Only timing and transparency (graphics control) and the loop count (the
                // NETSCAPE2.0 block) are kept; comments and other applications' data go.
                if (first && code == GRAPHICS_EXT_FUNC_CODE) {
                    GraphicsControlBlock gcb;
                    if (DGifExtensionToGCB(block[0], block + 1, &gcb) == GIF_ERROR)
                        return broken("GIF", "a frame's timing block is not valid");
                    GifByteType fresh[4];
                    EGifGCBToExtension(&gcb, fresh);
                    EGifPutExtension(out.gif, GRAPHICS_EXT_FUNC_CODE, 4, fresh);
                } else if (first && code == APPLICATION_EXT_FUNC_CODE) {
                    netscape = block[0] == 11 && std::memcmp(block + 1, "NETSCAPE2.0", 11) == 0;
                } else if (netscape && !looped && block[0] == 3 && block[1] == 1) {
                    GifByteType loop[3] = {1, block[2], block[3]};
                    EGifPutExtensionLeader(out.gif, APPLICATION_EXT_FUNC_CODE);
                    EGifPutExtensionBlock(out.gif, 11, "NETSCAPE2.0");
                    EGifPutExtensionBlock(out.gif, 3, loop);
                    EGifPutExtensionTrailer(out.gif);
                    looped = true;
                }
                first = false;
                if (DGifGetExtensionNext(in.gif, &block) == GIF_ERROR) return broken("GIF", gif_error(in.gif->Error));
            }
        }
    }
    if (c.frames == 0) return broken("GIF", "it has no frame");
    if (!only_padding(src.data + src.pos, src.size - src.pos)) return trailing("GIF");
    int closed = 0;
    auto* writer = out.gif;
    out.gif = nullptr;
    if (EGifCloseFile(writer, &closed) == GIF_ERROR) return broken("GIF", "it could not be written again");
    return c;
}

// ---------------------------------------------------------------------------------- WebP

result clean_webp(std::string_view bytes, image_limits const& l)
{
    auto const* p = reinterpret_cast<unsigned char const*>(bytes.data());
    std::size_t const n = bytes.size();
    std::size_t const riff = std::size_t(le32(p + 4)) + 8;
    if (riff > n) return broken("WebP", "the file is shorter than its header says");
    if (!only_padding(p + riff, n - riff)) return trailing("WebP");
    WebPBitstreamFeatures f;
    if (WebPGetFeatures(p, riff, &f) != VP8_STATUS_OK) return broken("WebP");
    if (f.has_animation)
        return problem(image_problem_kind::unsupported,
                       "Animated WebP images are not accepted; upload a GIF or a still image.");
    if (auto e = check_dimensions(f.width, f.height, l)) return *e;
    int width = 0, height = 0;
    std::unique_ptr<std::uint8_t, void (*)(void*)> pixels(
        f.has_alpha ? WebPDecodeRGBA(p, riff, &width, &height) : WebPDecodeRGB(p, riff, &width, &height), WebPFree);
    if (!pixels) return broken("WebP");
    int const stride = width * (f.has_alpha ? 4 : 3);
    std::uint8_t* out = nullptr;
    std::size_t size = 0;
    bool const lossless = f.format == 2;
    if (lossless)
        size = f.has_alpha ? WebPEncodeLosslessRGBA(pixels.get(), width, height, stride, &out)
                           : WebPEncodeLosslessRGB(pixels.get(), width, height, stride, &out);
    else
        size = f.has_alpha ? WebPEncodeRGBA(pixels.get(), width, height, stride, 90, &out)
                           : WebPEncodeRGB(pixels.get(), width, height, stride, 90, &out);
    std::unique_ptr<std::uint8_t, void (*)(void*)> owned(out, WebPFree);
    if (size == 0) return broken("WebP", "it could not be written again");
    return clean_image{image_format::webp, std::string(reinterpret_cast<char const*>(out), size), width, height, 1};
}

}  // namespace

char const* content_type(image_format f)
{
    switch (f) {
        case image_format::png:
            return "image/png";
        case image_format::jpeg:
            return "image/jpeg";
        case image_format::gif:
            return "image/gif";
        case image_format::webp:
            return "image/webp";
    }
    return "application/octet-stream";
}

char const* extension(image_format f)
{
    switch (f) {
        case image_format::png:
            return "png";
        case image_format::jpeg:
            return "jpg";
        case image_format::gif:
            return "gif";
        case image_format::webp:
            return "webp";
    }
    return "bin";
}

std::optional<image_format> format_of_extension(std::string_view ext)
{
    for (auto f : {image_format::png, image_format::jpeg, image_format::gif, image_format::webp})
        if (ext == extension(f)) return f;
    return std::nullopt;
}

std::optional<image_format> sniff(std::string_view b)
{
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return image_format::png;
    if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return image_format::jpeg;
    if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) return image_format::gif;
    if (b.size() >= 16 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return image_format::webp;
    return std::nullopt;
}

std::variant<clean_image, image_problem> clean(std::string_view bytes, image_limits const& limits)
{
    if (bytes.size() > limits.max_bytes)
        return problem(image_problem_kind::too_large, "The file is " + std::to_string(bytes.size() / 1024) +
                                                          " KiB; the limit is " +
                                                          std::to_string(limits.max_bytes / 1024) + " KiB.");
    auto const format = sniff(bytes);
    if (!format) {
        bool const svg = bytes.find("<svg") != std::string_view::npos;
        return problem(image_problem_kind::not_an_image,
                       std::string(svg ? "SVG drawings are not accepted (they can carry scripts). " : "") +
                           "Upload a PNG, JPEG, GIF or WebP image; this file is none of them, whatever its name.");
    }
    switch (*format) {
        case image_format::png:
            return clean_png(bytes, limits);
        case image_format::jpeg:
            return clean_jpeg(bytes, limits);
        case image_format::gif:
            return clean_gif(bytes, limits);
        case image_format::webp:
            return clean_webp(bytes, limits);
    }
    return problem(image_problem_kind::not_an_image, "Upload a PNG, JPEG, GIF or WebP image.");
}

}  // namespace peerdesk::media
