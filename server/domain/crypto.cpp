#include "server/domain/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <memory>
#include <stdexcept>
#include <vector>

namespace peerdesk::domain {
namespace {

constexpr std::size_t hash_bytes = 32;

std::string scrypt(std::string_view password, std::string_view salt, scrypt_cost cost)
{
    std::string out(hash_bytes, '\0');
    std::uint64_t const n = std::uint64_t{1} << cost.log2_n;
    std::uint64_t const maxmem = 128 * n * cost.r * cost.p + (std::uint64_t{16} << 20);
    if (EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<unsigned char const*>(salt.data()),
                       salt.size(), n, cost.r, cost.p, maxmem, reinterpret_cast<unsigned char*>(out.data()),
                       out.size()) != 1)
        throw std::runtime_error("scrypt failed");
    return out;
}

int base64url_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

bool base64url_decode(std::string_view in, std::string& out)
{
    out.clear();
    unsigned buffer = 0;
    int bits = 0;
    for (char c : in) {
        int const v = base64url_value(c);
        if (v < 0) return false;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    return true;
}

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        auto const pos = s.find(sep, start);
        parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) return parts;
        start = pos + 1;
    }
}

bool parse_unsigned(std::string_view s, unsigned& out)
{
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

}  // namespace

std::string base64url(std::string_view bytes)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(alphabet[(buffer >> bits) & 0x3f]);
        }
    }
    if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 0x3f]);
    return out;
}

std::string hex(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::string random_token(std::size_t bytes)
{
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return base64url(raw);
}

std::string hmac_sha256(std::string_view key, std::string_view data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<unsigned char const*>(data.data()), data.size(), out, &length))
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<char const*>(out), length);
}

std::string sha256(std::string_view data)
{
    // SHA256() looks the algorithm up in OpenSSL's providers on every call (EVP_Q_digest), most
    // of its cost for a session token, hashed twice for each signed-in request: the algorithm
    // is fetched once, and each thread keeps its context.
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> const ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    unsigned int length = 0;
    if (!md || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length) != 1 ||
        length != SHA256_DIGEST_LENGTH)
        throw std::runtime_error("SHA-256 failed");
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hash_password(std::string_view password, scrypt_cost cost)
{
    std::string salt(16, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return "scrypt$" + std::to_string(cost.log2_n) + "$" + std::to_string(cost.r) + "$" + std::to_string(cost.p) + "$" +
           base64url(salt) + "$" + base64url(scrypt(password, salt, cost));
}

bool verify_password(std::string_view password, std::string_view stored)
{
    auto const parts = split(stored, '$');
    if (parts.size() != 6 || parts[0] != "scrypt") return false;
    scrypt_cost cost;
    if (!parse_unsigned(parts[1], cost.log2_n) || !parse_unsigned(parts[2], cost.r) ||
        !parse_unsigned(parts[3], cost.p) || cost.log2_n < 10 || cost.log2_n > 20 || cost.r == 0 || cost.r > 32 ||
        cost.p == 0 || cost.p > 16)
        return false;
    std::string salt, expected;
    if (!base64url_decode(parts[4], salt) || !base64url_decode(parts[5], expected)) return false;
    return constant_time_equal(scrypt(password, salt, cost), expected);
}

}  // namespace peerdesk::domain
