#pragma once
// Passwords, tokens and hashes through OpenSSL.
#include <string>
#include <string_view>

namespace peerdesk::domain {

// Cost of scrypt for new password hashes: N = 2^15, r = 8, p = 1 (32 MiB, tens of ms).
struct scrypt_cost {
    unsigned log2_n = 15;
    unsigned r = 8;
    unsigned p = 1;
};

// A self-describing hash: "scrypt$15$8$1$<salt b64url>$<hash b64url>". Throws on OpenSSL failure.
std::string hash_password(std::string_view password, scrypt_cost cost = {});
// True when the password matches the stored hash (compared in constant time).
bool verify_password(std::string_view password, std::string_view stored);

// `bytes` random bytes from the OpenSSL CSPRNG, base64url-encoded without padding.
std::string random_token(std::size_t bytes = 32);
// SHA-256 of the input, raw 32 bytes.
std::string sha256(std::string_view data);
// HMAC-SHA256 of data under key, raw 32 bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string base64url(std::string_view bytes);
std::string hex(std::string_view bytes);
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace peerdesk::domain
