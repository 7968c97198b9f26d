#include "server/mail/mime.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace peerdesk::mail {
namespace {

constexpr std::string_view crlf = "\r\n";

bool is_atext(char c)
{
    auto const u = static_cast<unsigned char>(c);
    if (u >= 'a' && u <= 'z') return true;
    if (u >= 'A' && u <= 'Z') return true;
    if (u >= '0' && u <= '9') return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// The length of the UTF-8 sequence starting at s[i], or 0 when it is not a valid one.
std::size_t utf8_length(std::string_view s, std::size_t i)
{
    auto const b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    auto const cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
    auto const c = b(0);
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
        if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogates
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xF0 && b(1) < 0x90) return 0;
        if (c == 0xF4 && b(1) >= 0x90) return 0;
        return 4;
    }
    return 0;
}

// Valid UTF-8 with every control character (C0, DEL; CR and LF among them) made a space: what
// remains can never end a header line.
std::string header_safe(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto const n = utf8_length(text, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        auto const c = static_cast<unsigned char>(text[i]);
        // C1 controls (U+0080..U+009F) are encoded as C2 80..C2 9F.
        bool const c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
        if ((n == 1 && (c < 0x20 || c == 0x7f)) || c1)
            out += ' ';
        else
            out.append(text.substr(i, n));
        i += n;
    }
    return out;
}

bool plain_ascii(std::string_view s)
{
    for (char c : s) {
        auto const u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) return false;
    }
    return true;
}

// "=?UTF-8?B?…?=" words on lines of at most 76 characters (RFC 2047): 45 bytes of text (60 of
// base64) each, fewer on the first line, which holds `used` characters already; cut only
// between UTF-8 sequences.
std::string encoded_words(std::string_view text, std::size_t used)
{
    std::string out;
    std::size_t i = 0;
    std::size_t const first = used + 12 + 4 < 76 ? (76 - used - 12) / 4 * 3 : 3;
    while (i < text.size()) {
        std::size_t const max_bytes = out.empty() ? std::min<std::size_t>(first, 45) : 45;
        std::size_t end = i;
        while (end < text.size()) {
            auto n = utf8_length(text, end);
            if (n == 0) n = 1;  // header_safe has made it valid; defensive
            if (end + n - i > max_bytes && end > i) break;
            end += n;
        }
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(text.substr(i, end - i)) + "?=";
        i = end;
    }
    return out;
}

// ASCII text folded at spaces so that lines stay near 78 characters (998 is the hard limit;
// a word longer than that is cut, which only a hostile input has).
std::string fold_ascii(std::string_view text, std::size_t used)
{
    std::string out;
    std::size_t line = used;
    std::size_t i = 0;
    while (i < text.size()) {
        auto space = text.find(' ', i + 1);
        if (space == std::string_view::npos) space = text.size();
        auto word = text.substr(i, space - i);  // begins with its space, except the first
        if (word.size() > 900) word = word.substr(0, 900);
        if (line + word.size() > 78 && !out.empty() && word.front() == ' ') {
            out += "\r\n";
            line = 0;
        }
        out += word;
        line += word.size();
        i = space;
    }
    return out;
}

bool valid_message_id(std::string_view id)
{
    if (id.empty() || id.size() > 250) return false;
    auto const at = id.find('@');
    if (at == 0 || at == std::string_view::npos || at + 1 == id.size() ||
        id.find('@', at + 1) != std::string_view::npos)
        return false;
    for (char c : id)
        if (c != '@' && c != '.' && !is_atext(c)) return false;
    return true;
}

bool valid_url(std::string_view url)
{
    if (!(url.starts_with("https://") || url.starts_with("http://")) || url.size() > 2000) return false;
    for (char c : url) {
        auto const u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '<' || c == '>' || c == '"') return false;
    }
    return true;
}

std::uint64_t fnv1a(std::string_view s)
{
    std::uint64_t h = 1469598103934665603ull;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

std::string hex64(std::uint64_t v)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = digits[v & 15];
    return out;
}

void header(std::string& out, std::string_view name, std::string_view value)
{
    out.append(name).append(": ").append(value).append(crlf);
}

}  // namespace

bool valid_address(std::string_view address)
{
    if (address.size() < 3 || address.size() > 254) return false;
    auto const at = address.rfind('@');
    if (at == 0 || at == std::string_view::npos || at + 1 == address.size()) return false;
    auto const local = address.substr(0, at), domain = address.substr(at + 1);
    if (local.size() > 64 || local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return false;
    for (char c : local)
        if (c != '.' && !is_atext(c)) return false;
    if (domain.front() == '.' || domain.back() == '.' || domain.front() == '-' ||
        domain.find("..") != std::string_view::npos)
        return false;
    for (char c : domain) {
        auto const u = static_cast<unsigned char>(c);
        bool const ok =
            (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

std::optional<mailbox> parse_mailbox(std::string_view text)
{
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    text = trim(text);
    mailbox m;
    auto const open = text.find('<');
    if (open == std::string_view::npos) {
        if (text.find('>') != std::string_view::npos) return std::nullopt;
        m.address = std::string(text);
    } else {
        if (text.back() != '>' || text.find('<', open + 1) != std::string_view::npos) return std::nullopt;
        m.address = std::string(text.substr(open + 1, text.size() - open - 2));
        auto name = trim(text.substr(0, open));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
        if (name.find_first_of("<>") != std::string_view::npos) return std::nullopt;
        m.name = header_safe(name);
    }
    if (!valid_address(m.address)) return std::nullopt;
    return m;
}

std::string base64(std::string_view bytes)
{
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        auto const v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
        out += table[v >> 18 & 63];
        out += table[v >> 12 & 63];
        out += table[v >> 6 & 63];
        out += table[v & 63];
    }
    if (auto const rest = bytes.size() - i; rest > 0) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        out += table[v >> 18 & 63];
        out += table[v >> 12 & 63];
        out += rest == 2 ? table[v >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

std::string encode_header_text(std::string_view text, std::size_t used)
{
    auto const safe = header_safe(text);
    // An ASCII text that looks like an encoded word would be decoded by the reader: encode it.
    if (plain_ascii(safe) && safe.find("=?") == std::string::npos) return fold_ascii(safe, used);
    return encoded_words(safe, used);
}

std::string format_mailbox(mailbox const& m)
{
    if (!valid_address(m.address)) throw std::invalid_argument("not a valid mail address");
    auto const name = header_safe(m.name);
    if (name.find_first_not_of(' ') == std::string::npos) return m.address;
    std::string phrase;
    bool atoms = true;
    for (char c : name) atoms = atoms && (c == ' ' || is_atext(c));
    if (atoms) {
        phrase = name;
    } else if (plain_ascii(name) && name.find("=?") == std::string::npos) {
        phrase = "\"";
        for (char c : name) {
            if (c == '"' || c == '\\') phrase += '\\';
            phrase += c;
        }
        phrase += '"';
    } else {
        phrase = encoded_words(name, 4);
    }
    return phrase + " <" + m.address + ">";
}

std::string quoted_printable(std::string_view body)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(body.size() + body.size() / 8);
    std::size_t line = 0;  // characters on the current output line
    auto put = [&](std::string_view piece) {
        if (line + piece.size() > 75) {  // 76 with the soft break's "="
            out += "=\r\n";
            line = 0;
        }
        out += piece;
        line += piece.size();
    };
    for (std::size_t i = 0; i < body.size(); ++i) {
        char const c = body[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
            out += crlf;
            line = 0;
            continue;
        }
        auto const u = static_cast<unsigned char>(c);
        bool const at_line_end = i + 1 == body.size() || body[i + 1] == '\r' || body[i + 1] == '\n';
        bool const literal =
            (u >= 33 && u <= 126 && c != '=' && !(c == '.' && line == 0)) || ((c == ' ' || c == '\t') && !at_line_end);
        if (literal) {
            put(std::string_view(&c, 1));
        } else {
            char const encoded[3] = {'=', digits[u >> 4], digits[u & 15]};
            put(std::string_view(encoded, 3));
        }
    }
    return out;
}

std::string rfc5322_date(std::int64_t unix_seconds)
{
    static constexpr std::array<char const*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<char const*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto const t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                  days[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday, months[static_cast<std::size_t>(tm.tm_mon)],
                  tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buffer;
}

std::string render(message const& m)
{
    if (!valid_message_id(m.message_id)) throw std::invalid_argument("not a valid Message-ID");
    if (!m.list_unsubscribe.empty() && !valid_url(m.list_unsubscribe))
        throw std::invalid_argument("not a valid List-Unsubscribe URL");
    std::string out;
    header(out, "Date", rfc5322_date(m.date));
    header(out, "From", format_mailbox(m.from));
    header(out, "To", format_mailbox(m.to));
    header(out, "Subject", encode_header_text(m.subject, 9));
    header(out, "Message-ID", "<" + m.message_id + ">");
    if (!m.list_unsubscribe.empty()) {
        header(out, "List-Unsubscribe", "<" + m.list_unsubscribe + ">");
        if (m.one_click) header(out, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
    for (auto const& [name, value] : m.headers) {
        bool ok = !name.empty() && name.size() < 60;
        for (char c : name)
            ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
        if (!ok) throw std::invalid_argument("not a valid header name");
        header(out, name, encode_header_text(value, name.size() + 2));
    }
    header(out, "MIME-Version", "1.0");
    auto const text_part = [&](std::string& to, std::string_view subtype, std::string_view body) {
        header(to, "Content-Type", "text/" + std::string(subtype) + "; charset=utf-8");
        header(to, "Content-Transfer-Encoding", "quoted-printable");
        to += crlf;
        to += quoted_printable(body);
        to += crlf;
    };
    if (m.html.empty()) {
        text_part(out, "plain", m.text);
        return out;
    }
    // "=_" never occurs in quoted-printable text, so the boundary cannot occur in a part.
    auto const boundary = "=_peerdesk_" + hex64(fnv1a(m.message_id));
    header(out, "Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
    out += crlf;
    out += "This is a message in MIME format: a plain text and an HTML version.\r\n";
    out += "--" + boundary + "\r\n";
    text_part(out, "plain", m.text);
    out += "--" + boundary + "\r\n";
    text_part(out, "html", m.html);
    out += "--" + boundary + "--\r\n";
    return out;
}

}  // namespace peerdesk::mail
