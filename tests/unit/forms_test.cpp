#include "server/http/forms.hpp"

#include <doctest/doctest.h>

using namespace peerdesk::http;

TEST_CASE("form bodies decode + and %XX")
{
    auto const f = parse_urlencoded("title=Hello+world&body=a%26b%3Dc&empty=&flag");
    REQUIRE(f);
    CHECK(find_field(*f, "title") == "Hello world");
    CHECK(find_field(*f, "body") == "a&b=c");
    CHECK(find_field(*f, "empty") == "");
    CHECK(find_field(*f, "flag") == "");
    CHECK_FALSE(find_field(*f, "missing"));
}

TEST_CASE("malformed escapes make the whole form invalid")
{
    CHECK_FALSE(parse_urlencoded("a=%zz"));
    CHECK_FALSE(parse_urlencoded("a=%4"));
    CHECK_FALSE(parse_urlencoded("a=%"));
}

TEST_CASE("too many fields are refused")
{
    std::string many;
    for (int i = 0; i < 101; ++i) many += "a=1&";
    CHECK_FALSE(parse_urlencoded(many));
    CHECK(parse_urlencoded(many, 200));
}

TEST_CASE("cookies are split on semicolons and trimmed")
{
    auto const c = parse_cookies("a=1; peerdesk_session=abc ;  junk; b=\"quoted\"");
    CHECK(find_field(c, "a") == "1");
    CHECK(find_field(c, "peerdesk_session") == "abc");
    CHECK(find_field(c, "b") == "quoted");
    CHECK_FALSE(find_field(c, "junk"));
}

TEST_CASE("percent_encode keeps unreserved characters only")
{
    CHECK(percent_encode("a b/c?d") == "a%20b%2Fc%3Fd");
    CHECK(*percent_decode(percent_encode("ü & é"), false) == "ü & é");
}
