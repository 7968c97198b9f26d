#pragma once
// Internet messages (RFC 5322 with MIME) built so that no input can change their structure.
//
// Every header value that comes from outside (display names, subjects, links) passes through
// one of the encoders below: control characters (CR and LF among them) become spaces, text
// that is not plain ASCII becomes RFC 2047 encoded words, and addresses and URLs that cannot
// be written safely are refused with std::invalid_argument rather than repaired. Bodies are
// quoted-printable in UTF-8, so no body line can end the message or a MIME part early.
// Pure functions; no I/O; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerdesk::mail {

// A display name and an address, as in "Ada Lovelace <ada@example.com>".
struct mailbox {
    std::string name;  // may be empty; any UTF-8
    std::string address;
};

// An address peerdesk is willing to write into a header and an SMTP envelope: local@domain in
// printable ASCII without spaces, quotes, angle brackets or other specials, at most 254 bytes.
// Stricter than RFC 5321 on purpose: whatever passes here cannot break a header line.
bool valid_address(std::string_view address);

// Reads "Name <address>", "<address>" or "address" (an --mail-from option); nothing when the
// address is not valid_address or the text has stray angle brackets.
std::optional<mailbox> parse_mailbox(std::string_view text);

// An unstructured header value (a subject): control characters become spaces, then either the
// ASCII text folded at spaces or a run of RFC 2047 "B" encoded words (each at most 75
// characters, never splitting a UTF-8 sequence) separated by CRLF SP. Invalid UTF-8 is replaced
// by U+FFFD first. `used` is how many characters of the first line the header name takes.
std::string encode_header_text(std::string_view text, std::size_t used = 0);

// A mailbox for From: or To:. Throws std::invalid_argument when the address is not valid.
std::string format_mailbox(mailbox const& m);

// The body encoded as quoted-printable (RFC 2045): line breaks of any kind become CRLF, lines
// are at most 76 characters with soft breaks, a leading dot and trailing white space are
// encoded. Output contains only printable ASCII, so a boundary starting "=_" cannot occur in it.
std::string quoted_printable(std::string_view body);

// The date as RFC 5322 writes it, in UTC: "Tue, 01 Dec 2026 09:30:00 +0000".
std::string rfc5322_date(std::int64_t unix_seconds);

// base64 (RFC 4648, with padding) and its lines for MIME are not needed by the builder beyond
// encoded words; exposed for tests and for attachments later.
std::string base64(std::string_view bytes);

struct message {
    mailbox from;
    mailbox to;
    std::string subject;
    std::string text;  // the text/plain part, always present
    std::string html;  // the text/html part; empty for a text-only message
    // The identity of the message without angle brackets ("local@domain"): kept the same for
    // every delivery attempt, so that a receiver can recognise a repeat. Printable ASCII
    // without spaces or brackets, one "@"; else render() throws std::invalid_argument.
    std::string message_id;
    std::int64_t date = 0;
    // When set: List-Unsubscribe: <url>, and with one_click also List-Unsubscribe-Post:
    // List-Unsubscribe=One-Click (RFC 8058). An https or http URL of printable ASCII without
    // spaces or angle brackets; else render() throws std::invalid_argument.
    std::string list_unsubscribe;
    bool one_click = false;
    // Further headers with plain names ("Auto-Submitted"); values go through encode_header_text.
    std::vector<std::pair<std::string, std::string>> headers;
};

// The whole message with CRLF line ends, ready for SMTP DATA: the headers, then a text/plain
// part alone or a multipart/alternative of text and HTML. The same message gives the same
// bytes (the boundary derives from the Message-ID). Throws std::invalid_argument as above.
std::string render(message const& m);

}  // namespace peerdesk::mail
