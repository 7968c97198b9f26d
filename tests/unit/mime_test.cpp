#include "server/mail/mime.hpp"
#include "server/mail/relay.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

using namespace peerdesk::mail;

namespace {

std::vector<std::string> lines_of(std::string const& text)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto const end = text.find("\r\n", pos);
        REQUIRE(end != std::string::npos);  // every line ends in CRLF
        out.push_back(text.substr(pos, end - pos));
        pos = end + 2;
    }
    return out;
}

// The header block: everything before the first empty line, continuation lines joined.
std::vector<std::string> headers_of(std::string const& message)
{
    std::vector<std::string> out;
    for (auto const& line : lines_of(message)) {
        if (line.empty()) break;
        if (line[0] == ' ' || line[0] == '\t')
            out.back() += line;
        else
            out.push_back(line);
    }
    return out;
}

// Decodes RFC 2047 B words (as a mail reader would) for checking round trips.
std::string decode_words(std::string const& value)
{
    static std::string const table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t pos = 0;
    while ((pos = value.find("=?UTF-8?B?", pos)) != std::string::npos) {
        auto const start = pos + 10;
        auto const end = value.find("?=", start);
        std::uint32_t bits = 0;
        int count = 0;
        for (auto i = start; i < end; ++i) {
            if (value[i] == '=') break;
            bits = bits << 6 | static_cast<std::uint32_t>(table.find(value[i]));
            if (++count % 4 == 0) {
                out += static_cast<char>(bits >> 16 & 0xff);
                out += static_cast<char>(bits >> 8 & 0xff);
                out += static_cast<char>(bits & 0xff);
                bits = 0;
            }
        }
        if (count % 4 == 3) {
            out += static_cast<char>(bits >> 10 & 0xff);
            out += static_cast<char>(bits >> 2 & 0xff);
        } else if (count % 4 == 2) {
            out += static_cast<char>(bits >> 4 & 0xff);
        }
        pos = end + 2;
    }
    return out;
}

std::string decode_qp(std::string const& text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '=' && i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') {
            i += 2;
        } else if (text[i] == '=') {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

message sample()
{
    message m;
    m.from = {"Acme Support", "support@acme.example"};
    m.to = {"Ada", "ada@example.com"};
    m.subject = "Confirm your address";
    m.text = "Hello Ada,\nopen https://acme.example/verify?token=abc\n";
    m.html = "<p>Hello Ada,</p>\n<p><a href=\"https://acme.example/verify?token=abc\">Confirm</a></p>\n";
    m.message_id = "verify_email.abc-DEF_123@acme.example";
    m.date = 1796000000;
    return m;
}

}  // namespace

TEST_CASE("a plain ASCII subject and name are written as they are")
{
    auto const text = render(sample());
    auto const h = headers_of(text);
    CHECK(std::find(h.begin(), h.end(), "Subject: Confirm your address") != h.end());
    CHECK(std::find(h.begin(), h.end(), "From: Acme Support <support@acme.example>") != h.end());
    CHECK(std::find(h.begin(), h.end(), "To: Ada <ada@example.com>") != h.end());
    CHECK(std::find(h.begin(), h.end(), "Message-ID: <verify_email.abc-DEF_123@acme.example>") != h.end());
    CHECK(std::find(h.begin(), h.end(), "MIME-Version: 1.0") != h.end());
}

TEST_CASE("the date is RFC 5322's, in UTC")
{
    CHECK(rfc5322_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
    CHECK(rfc5322_date(1796000000) == "Mon, 30 Nov 2026 00:53:20 +0000");
}

TEST_CASE("non-ASCII subjects and names become encoded words that decode to the original")
{
    auto m = sample();
    m.subject = "Bestätigen Sie Ihre Adresse — ünïcödé 日本語のテキスト、とても長い件名がここにあります";
    m.to.name = "Zoë Ødegård";
    auto const text = render(m);
    for (auto const& line : lines_of(text.substr(0, text.find("\r\n\r\n") + 2))) {
        CHECK(line.size() <= 76);
        for (char c : line) CHECK(static_cast<unsigned char>(c) < 0x80);  // headers are pure ASCII
    }
    auto const h = headers_of(text);
    auto const subject = *std::find_if(h.begin(), h.end(), [](auto const& l) { return l.starts_with("Subject: "); });
    CHECK(decode_words(subject) == m.subject);
    auto const to = *std::find_if(h.begin(), h.end(), [](auto const& l) { return l.starts_with("To: "); });
    CHECK(decode_words(to) == "Zoë Ødegård");
    CHECK(to.ends_with(" <ada@example.com>"));
}

TEST_CASE("an encoded word never splits a UTF-8 sequence")
{
    std::string const text(100, 'x');
    auto const emoji = std::string("é") + text + "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀";
    auto const encoded = encode_header_text(emoji, 9);
    std::size_t pos = 0;
    while ((pos = encoded.find("=?UTF-8?B?", pos)) != std::string::npos) {
        auto const end = encoded.find("?=", pos + 10);
        auto const word = decode_words(encoded.substr(pos, end + 2 - pos));
        // Every word on its own is valid UTF-8: no partial sequence at either end.
        for (std::size_t i = 0; i < word.size();) {
            auto const c = static_cast<unsigned char>(word[i]);
            std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            REQUIRE(i + n <= word.size());
            for (std::size_t k = 1; k < n; ++k) CHECK((static_cast<unsigned char>(word[i + k]) & 0xC0) == 0x80);
            i += n;
        }
        pos = end + 2;
    }
    CHECK(decode_words(encoded) == emoji);
}

TEST_CASE("CR and LF in a name or subject can never start a header of their own")
{
    auto m = sample();
    m.subject = "Hello\r\nBcc: victim@example.com\r\n\r\nInjected body";
    m.to.name = "Eve\r\nBcc: other@example.com";
    m.from.name = "Site\nX-Injected: 1";
    m.headers.emplace_back("Auto-Submitted", "auto-generated\r\nBcc: third@example.com");
    auto const text = render(m);
    auto const h = headers_of(text);
    for (auto const& line : h) {
        CHECK_FALSE(line.starts_with("Bcc"));
        CHECK_FALSE(line.starts_with("X-Injected"));
    }
    auto const subject = *std::find_if(h.begin(), h.end(), [](auto const& l) { return l.starts_with("Subject: "); });
    CHECK(subject.find("Hello  Bcc: victim@example.com") != std::string::npos);
    // No line of the whole message is a Bcc header, body included (lines are CRLF only).
    CHECK(text.find("\r\nBcc:") == std::string::npos);
    CHECK(text.find("\nInjected body") == std::string::npos);
}

TEST_CASE("addresses that could break a header are refused, not repaired")
{
    CHECK(valid_address("ada@example.com"));
    CHECK(valid_address("a.b+tag@sub.example.co"));
    CHECK_FALSE(valid_address("ada@example.com\r\nBcc: x@y.z"));
    CHECK_FALSE(valid_address("ada@exa mple.com"));
    CHECK_FALSE(valid_address("<ada@example.com>"));
    CHECK_FALSE(valid_address("a\"b@example.com"));
    CHECK_FALSE(valid_address("a,b@example.com"));
    CHECK_FALSE(valid_address("@example.com"));
    CHECK_FALSE(valid_address("ada@"));
    CHECK_FALSE(valid_address(".ada@example.com"));
    CHECK_FALSE(valid_address(std::string(250, 'a') + "@example.com"));
    auto m = sample();
    m.to.address = "ada@example.com>\r\nBcc: x@example.com";
    CHECK_THROWS_AS(render(m), std::invalid_argument);
    m = sample();
    m.message_id = "x@y>\r\nBcc: z@example.com";
    CHECK_THROWS_AS(render(m), std::invalid_argument);
    m = sample();
    m.list_unsubscribe = "https://acme.example/u>\r\nBcc: z@example.com";
    CHECK_THROWS_AS(render(m), std::invalid_argument);
    m = sample();
    m.headers.emplace_back("Bad Name:", "x");
    CHECK_THROWS_AS(render(m), std::invalid_argument);
}

TEST_CASE("--mail-from is read as a name and an address")
{
    auto const a = parse_mailbox("Acme Support <support@acme.example>");
    REQUIRE(a);
    CHECK(a->name == "Acme Support");
    CHECK(a->address == "support@acme.example");
    auto const b = parse_mailbox("\"Acme, Inc.\" <support@acme.example>");
    REQUIRE(b);
    CHECK(b->name == "Acme, Inc.");
    auto const c = parse_mailbox("support@acme.example");
    REQUIRE(c);
    CHECK(c->name.empty());
    CHECK_FALSE(parse_mailbox("Acme <support@acme.example"));
    CHECK_FALSE(parse_mailbox("Acme <not an address>"));
    CHECK_FALSE(parse_mailbox("A <b@c.d> <e@f.g>"));
    CHECK(format_mailbox(*b) == "\"Acme, Inc.\" <support@acme.example>");
    CHECK(format_mailbox({"Say \"hi\"", "a@b.cd"}) == "\"Say \\\"hi\\\"\" <a@b.cd>");
}

TEST_CASE("a message with HTML is multipart/alternative with a text and an HTML part")
{
    auto const text = render(sample());
    auto const h = headers_of(text);
    auto const type = *std::find_if(h.begin(), h.end(), [](auto const& l) { return l.starts_with("Content-Type: "); });
    CHECK(type.starts_with("Content-Type: multipart/alternative; boundary=\"=_peerdesk_"));
    auto const boundary = type.substr(type.find("boundary=\"") + 10, type.size() - type.find("boundary=\"") - 11);
    auto const first = text.find("--" + boundary + "\r\n");
    auto const second = text.find("--" + boundary + "\r\n", first + 1);
    auto const last = text.find("--" + boundary + "--\r\n");
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    REQUIRE(last != std::string::npos);
    CHECK(first < second);
    CHECK(second < last);
    auto const part1 = text.substr(first, second - first);
    auto const part2 = text.substr(second, last - second);
    CHECK(part1.find("Content-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
    CHECK(part2.find("Content-Type: text/html; charset=utf-8\r\n") != std::string::npos);
    CHECK(part1.find("Content-Transfer-Encoding: quoted-printable\r\n") != std::string::npos);
    auto const body1 = part1.substr(part1.find("\r\n\r\n") + 4);
    CHECK(decode_qp(body1) == "Hello Ada,\r\nopen https://acme.example/verify?token=abc\r\n\r\n");
    // Rendering is stable: the same message gives the same bytes (a retry sends what was queued).
    CHECK(render(sample()) == text);
    // A text-only message is one text/plain part.
    auto m = sample();
    m.html.clear();
    auto const plain = render(m);
    CHECK(plain.find("multipart") == std::string::npos);
    CHECK(plain.find("Content-Type: text/plain; charset=utf-8") != std::string::npos);
}

TEST_CASE("quoted-printable keeps lines short, encodes what must be, and decodes to the original")
{
    std::string body = "Grüße aus Köln = 100%\n.leading dot\ntrailing space \n" + std::string(200, 'x') + "\n";
    auto const qp = quoted_printable(body);
    for (auto const& line : lines_of(qp + (qp.ends_with("\r\n") ? "" : "\r\n"))) {
        CHECK(line.size() <= 76);
        for (char c : line) CHECK((static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f));
        CHECK_FALSE(line.starts_with("."));
        CHECK_FALSE(line.ends_with(" "));
    }
    CHECK(qp.find("=_") == std::string::npos);
    std::string crlf_body;
    for (char c : body) crlf_body += c == '\n' ? std::string("\r\n") : std::string(1, c);
    CHECK(decode_qp(qp) == crlf_body);
    CHECK(quoted_printable("a=b") == "a=3Db");
}

TEST_CASE("List-Unsubscribe and one-click are written when given")
{
    auto m = sample();
    m.list_unsubscribe = "https://acme.example/unsubscribe/tok123";
    m.one_click = true;
    auto const h = headers_of(render(m));
    CHECK(std::find(h.begin(), h.end(), "List-Unsubscribe: <https://acme.example/unsubscribe/tok123>") != h.end());
    CHECK(std::find(h.begin(), h.end(), "List-Unsubscribe-Post: List-Unsubscribe=One-Click") != h.end());
    auto const none = headers_of(render(sample()));
    CHECK(std::none_of(none.begin(), none.end(), [](auto const& l) { return l.starts_with("List-Unsubscribe"); }));
}

TEST_CASE("a subject that looks like an encoded word is encoded, so it reads as typed")
{
    auto const encoded = encode_header_text("=?UTF-8?B?SGk=?=");
    CHECK(encoded.starts_with("=?UTF-8?B?"));
    CHECK(decode_words(encoded) == "=?UTF-8?B?SGk=?=");
}

TEST_CASE("--smtp-url is read into a relay, and what cannot work is refused with a reason")
{
    auto plain = parse_relay_url("smtp://127.0.0.1:2525", "support.example.com");
    REQUIRE(std::holds_alternative<relay_config>(plain));
    CHECK(std::get<relay_config>(plain).url == "smtp://127.0.0.1:2525/support.example.com");
    CHECK_FALSE(std::get<relay_config>(plain).require_tls);
    auto tls = parse_relay_url("smtp://mailer@relay.example.com?starttls=required", "x");
    REQUIRE(std::holds_alternative<relay_config>(tls));
    CHECK(std::get<relay_config>(tls).require_tls);
    CHECK(std::get<relay_config>(tls).username == "mailer");
    CHECK(std::get<relay_config>(tls).url == "smtp://relay.example.com:25/x");
    auto implicit = parse_relay_url("smtps://relay.example.com", "x");
    REQUIRE(std::holds_alternative<relay_config>(implicit));
    CHECK(std::get<relay_config>(implicit).require_tls);
    CHECK(std::get<relay_config>(implicit).url == "smtps://relay.example.com:465/x");
    for (auto bad : {"http://relay.example.com", "smtp://user:secret@relay.example.com", "smtp://",
                     "smtp://relay.example.com?starttls=maybe", "smtps://relay.example.com?starttls=required",
                     "smtp://relay.example.com/path", "not a url"}) {
        CAPTURE(bad);
        auto r = parse_relay_url(bad, "x");
        REQUIRE(std::holds_alternative<std::string>(r));
        CHECK(std::get<std::string>(r).starts_with("--smtp-url "));
    }
}

TEST_CASE("a relay that does not answer is a temporary failure, never an acceptance")
{
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    auto r = parse_relay_url("smtp://127.0.0.1:1", "x");
    auto const result = deliver(std::get<relay_config>(r), "a@b.cd", "e@f.gh", "Subject: x\r\n\r\nx\r\n");
    CHECK(result.outcome == delivery::temporary);
    CHECK_FALSE(result.detail.empty());
}
