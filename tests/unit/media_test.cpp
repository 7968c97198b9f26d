// Uploaded files before any server: the multipart parser, telling formats by their bytes, and
// what cleaning keeps and refuses. PNGs are made here with zlib; the rest of the formats are
// covered against the real server in tests/http/uploads.test.mjs and tests/harden.
#include "server/http/multipart.hpp"
#include "server/media/image.hpp"
#include "server/store/upload_store.hpp"

#include <doctest/doctest.h>
#include <zlib.h>

#include <string>
#include <variant>

using namespace peerdesk;

namespace {

void put32(std::string& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

void chunk(std::string& out, std::string const& type, std::string const& data)
{
    put32(out, static_cast<std::uint32_t>(data.size()));
    std::string const body = type + data;
    out += body;
    put32(out, static_cast<std::uint32_t>(
                   crc32(0, reinterpret_cast<Bytef const*>(body.data()), static_cast<uInt>(body.size()))));
}

// An RGB PNG of width × height; `declared` replaces the dimensions in its header.
std::string png(std::uint32_t width, std::uint32_t height, std::string const& text = {},
                std::pair<std::uint32_t, std::uint32_t> declared = {0, 0})
{
    std::string rows;
    for (std::uint32_t y = 0; y < height; ++y) {
        rows += '\0';
        for (std::uint32_t x = 0; x < width * 3; ++x) rows += static_cast<char>((x * 7 + y * 13) & 0xFF);
    }
    uLongf packed_size = compressBound(static_cast<uLong>(rows.size()));
    std::string packed(packed_size, '\0');
    compress(reinterpret_cast<Bytef*>(packed.data()), &packed_size, reinterpret_cast<Bytef const*>(rows.data()),
             static_cast<uLong>(rows.size()));
    packed.resize(packed_size);
    std::string ihdr;
    put32(ihdr, declared.first ? declared.first : width);
    put32(ihdr, declared.second ? declared.second : height);
    ihdr += std::string("\x08\x02\x00\x00\x00", 5);
    std::string out("\x89PNG\r\n\x1a\n", 8);
    chunk(out, "IHDR", ihdr);
    if (!text.empty()) chunk(out, "tEXt", text);
    chunk(out, "IDAT", packed);
    chunk(out, "IEND", "");
    return out;
}

media::image_limits small()
{
    media::image_limits l;
    l.max_bytes = 64 * 1024;
    l.max_pixels = 10'000;
    l.max_side = 200;
    return l;
}

}  // namespace

TEST_CASE("a multipart body gives its fields and its file, which points into the body")
{
    std::string const body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"place\"\r\n\r\nask\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".png\"\r\n"
        "Content-Type: image/png\r\n\r\nPNG\r\nbytes\r\n--XyZ--\r\n";
    auto const boundary = http::multipart_boundary("multipart/form-data; boundary=XyZ");
    REQUIRE(boundary);
    auto const parts = http::parse_multipart(body, *boundary);
    REQUIRE(parts);
    REQUIRE(parts->size() == 2);
    CHECK((*parts)[0].name == "place");
    CHECK_FALSE((*parts)[0].filename);
    CHECK((*parts)[0].data == "ask");
    CHECK((*parts)[1].filename == "a \"b\".png");
    CHECK((*parts)[1].content_type == "image/png");
    CHECK((*parts)[1].data == "PNG\r\nbytes");
    CHECK((*parts)[1].data.data() > body.data());
}

TEST_CASE("multipart: the boundary comes from the type, and malformed bodies are refused")
{
    CHECK(http::multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b");
    CHECK_FALSE(http::multipart_boundary("application/x-www-form-urlencoded"));
    CHECK_FALSE(http::multipart_boundary("multipart/form-data"));
    CHECK_FALSE(http::multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));
    CHECK_FALSE(http::parse_multipart("no delimiter", "b"));
    CHECK_FALSE(http::parse_multipart("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end", "b"));
    CHECK_FALSE(http::parse_multipart("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "b"));
    CHECK_FALSE(http::parse_multipart("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--", "b"));
    CHECK_FALSE(http::parse_multipart("--b\r\nno colon here\r\n\r\nx\r\n--b--", "b"));
    CHECK_FALSE(http::parse_multipart("--bjunk", "b"));
    std::string many;
    for (int i = 0; i < 5; ++i) many += "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n";
    many += "--b--";
    CHECK(http::parse_multipart(many, "b", 5));
    CHECK_FALSE(http::parse_multipart(many, "b", 4));
}

TEST_CASE("formats are told by their bytes")
{
    CHECK(media::sniff(png(1, 1)) == media::image_format::png);
    CHECK(media::sniff("\xFF\xD8\xFF\xE0") == media::image_format::jpeg);
    CHECK(media::sniff("GIF89a....") == media::image_format::gif);
    CHECK(media::sniff(std::string_view("RIFF\x10\0\0\0WEBPVP8 ", 16)) == media::image_format::webp);
    CHECK_FALSE(media::sniff("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
    CHECK_FALSE(media::sniff("#!/bin/sh"));
    CHECK(media::format_of_extension("jpg") == media::image_format::jpeg);
    CHECK_FALSE(media::format_of_extension("svg"));
    CHECK(std::string(media::content_type(media::image_format::webp)) == "image/webp");
}

TEST_CASE("a PNG comes out decoded and written anew, without its text chunk")
{
    auto const result = media::clean(png(20, 10, "Comment\0at home, 48.1 N"), small());
    auto const* image = std::get_if<media::clean_image>(&result);
    REQUIRE(image);
    CHECK(image->format == media::image_format::png);
    CHECK(image->width == 20);
    CHECK(image->height == 10);
    CHECK(image->bytes.find("at home") == std::string::npos);
    CHECK(image->bytes.find("tEXt") == std::string::npos);
    // Cleaning is stable: the clean file cleans to itself.
    auto const again = media::clean(image->bytes, small());
    REQUIRE(std::holds_alternative<media::clean_image>(again));
    CHECK(std::get<media::clean_image>(again).bytes == image->bytes);
}

TEST_CASE("cleaning refuses what is not a whole image of the four formats")
{
    auto const refused = [](std::string const& bytes) {
        auto const r = media::clean(bytes, small());
        REQUIRE(std::holds_alternative<media::image_problem>(r));
        auto const& p = std::get<media::image_problem>(r);
        CHECK_FALSE(p.message.empty());
        return p.kind;
    };
    using kind = media::image_problem_kind;
    CHECK(refused("echo hello") == kind::not_an_image);
    CHECK(refused("<svg onload=alert(1)>") == kind::not_an_image);
    CHECK(refused(png(10, 10) + "<script>alert(1)</script>") == kind::broken);
    auto const whole = png(30, 30);
    CHECK(refused(whole.substr(0, whole.size() - 20)) == kind::broken);
    CHECK(refused(png(2, 2, {}, {60000, 60000})) == kind::too_many_pixels);
    CHECK(refused(png(150, 150)) == kind::too_many_pixels);
    CHECK(refused(std::string(70 * 1024, 'x')) == kind::too_large);
    CHECK(refused(std::string("GIF89a\x01\0\x01\0", 10)) == kind::broken);          // a screen and nothing else
    CHECK(refused(std::string("\xFF\xD8\xFF\xE0\0\x10JFIF", 10)) == kind::broken);  // a header, no image
    CHECK(refused(std::string("RIFF\xff\0\0\0WEBPVP8 ", 16)) == kind::broken);
}

TEST_CASE("zero padding after a PNG's end is allowed and dropped")
{
    auto const r = media::clean(png(4, 4) + std::string(16, '\0'), small());
    CHECK(std::holds_alternative<media::clean_image>(r));
}

TEST_CASE("the uploaded images a post shows are found in its Markdown")
{
    std::string const a(64, 'a'), b(64, 'b');
    auto const names =
        store::upload_names_in("![x](/uploads/" + a + ".png) and ![y](/uploads/" + b + ".jpg) again ![x](/uploads/" +
                               a + ".png) /uploads/short.png /uploads/" + std::string(64, 'G') + ".png");
    REQUIRE(names.size() == 2);
    CHECK(names[0] == a);
    CHECK(names[1] == b);
}
