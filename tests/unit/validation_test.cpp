#include "server/domain/validation.hpp"
#include "server/domain/crypto.hpp"

#include <doctest/doctest.h>

using namespace peerdesk::domain;

TEST_CASE("titles must say enough and not too much")
{
    CHECK(check_title("How do I export invoices?") == std::nullopt);
    auto const short_title = check_title("Help");
    REQUIRE(short_title);
    CHECK(short_title->field == "title");
    CHECK(short_title->message == "The title must be at least 15 characters; it has 4.");
    CHECK(check_title(std::string(151, 'a')));
    CHECK(check_title("   "));
    CHECK(check_title("line one\nline two is here"));
    SUBCASE("length counts characters, not bytes")
    {
        CHECK(check_title("ééééééééééééééé") == std::nullopt);  // 15 characters, 30 bytes
    }
}

TEST_CASE("bodies must be valid UTF-8 without control characters")
{
    CHECK(check_body("A body with enough words in it.") == std::nullopt);
    CHECK(check_body("bad \xc3\x28 UTF-8 in this body text"));
    CHECK(check_body("a bell \a in the middle of the body"));
    CHECK(check_body(std::string(30001, 'x')));
    CHECK(check_body("Tabs\tand\nnewlines\r\nare fine here.") == std::nullopt);
}

TEST_CASE("valid_utf8 refuses overlong forms, surrogates and truncation")
{
    CHECK(valid_utf8("plain ascii"));
    CHECK(valid_utf8("\xe2\x82\xac"));            // €
    CHECK(valid_utf8("\xf0\x9f\x98\x80"));        // 😀
    CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
    CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate
    CHECK_FALSE(valid_utf8("\xe2\x82"));          // truncated
    CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST_CASE("to_valid_utf8 replaces each invalid byte and keeps the rest")
{
    CHECK(to_valid_utf8("ok \xe2\x82\xac") == "ok \xe2\x82\xac");
    CHECK(to_valid_utf8("a\xff"
                        "b") ==
          "a\xef\xbf\xbd"
          "b");
    CHECK(to_valid_utf8("\xe2\x82") == "\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(valid_utf8(to_valid_utf8("\xc0\xaf\xed\xa0\x80")));
}

TEST_CASE("tags are normalised, deduplicated and bounded")
{
    std::vector<std::string> tags{"Billing", "billing", "Dark Mode"};
    CHECK(check_tags(tags) == std::nullopt);
    CHECK(tags == std::vector<std::string>{"billing", "dark-mode"});
    std::vector<std::string> none;
    CHECK(check_tags(none)->message == "Add at least 1 tag, such as \"billing\".");
    std::vector<std::string> six{"a", "b", "c", "d", "e", "f"};
    CHECK(check_tags(six)->message == "Use at most 5 tags; you gave 6.");
    std::vector<std::string> odd{"<script>"};
    CHECK(check_tags(odd));
    CHECK(split_tags("a, b  c") == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("usernames, emails and passwords")
{
    CHECK(check_username("alice_92") == std::nullopt);
    CHECK(check_username("al"));
    CHECK(check_username("<alice>"));
    CHECK(check_username("_alice"));
    CHECK(check_email("a@example.com") == std::nullopt);
    CHECK(check_email("not-an-email"));
    CHECK(check_email("a@b"));
    CHECK(check_password("correct horse battery", "alice") == std::nullopt);
    CHECK(check_password("short", "alice")->message == "Use a password of at least 10 characters.");
    CHECK(check_password("aaaaaaaaaaaa", "alice"));
    CHECK(check_password("password123", "alice"));
    CHECK(check_password("alice-is-great", "alice"));
}

TEST_CASE("passwords are hashed with scrypt and verified in constant time")
{
    scrypt_cost const cheap{10, 8, 1};
    auto const hash = hash_password("correct horse battery", cheap);
    CHECK(hash.starts_with("scrypt$10$8$1$"));
    CHECK(verify_password("correct horse battery", hash));
    CHECK_FALSE(verify_password("correct horse batterY", hash));
    CHECK_FALSE(verify_password("x", "garbage"));
    CHECK(hash != hash_password("correct horse battery", cheap));  // salted
    CHECK(hash_password("x").starts_with("scrypt$15$8$1$"));       // the default cost
}

TEST_CASE("tokens are random and URL-safe")
{
    auto const a = random_token(), b = random_token();
    CHECK(a != b);
    CHECK(a.size() == 43);
    CHECK(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
}

TEST_CASE("a title may not hide direction overrides or zero-width characters")
{
    CHECK(check_title("How do I export my invoices?") == std::nullopt);
    CHECK(check_title("How do I export my invoices in Arabic (الفواتير)?") == std::nullopt);
    for (char const* hidden :
         {"\u202E", "\u202A", "\u2066", "\u2069", "\u200B", "\u200D", "\u200F", "\u2060", "\uFEFF", "\u061C"}) {
        auto const e = check_title(std::string("How do I export ") + hidden + "my invoices?");
        REQUIRE(e);
        CHECK(e->field == "title");
        CHECK(e->message.find("invisible") != std::string::npos);
    }
}

TEST_CASE("SHA-256 gives the standard digests, again and again on one thread")
{
    auto hex = [](std::string const& bytes) {
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        for (unsigned char b : bytes) (out += digits[b >> 4]) += digits[b & 15];
        return out;
    };
    for (int round = 0; round < 3; ++round) {
        CHECK(hex(peerdesk::domain::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        CHECK(hex(peerdesk::domain::sha256("abc")) ==
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
