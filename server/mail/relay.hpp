#pragma once
// Handing a message to a mail relay over SMTP, through libcurl: plain SMTP, STARTTLS demanded
// with ?starttls=required, implicit TLS with smtps://, AUTH when the URL names a user.
// libcurl is used only in this folder.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace peerdesk::mail {

struct relay_config {
    std::string url;           // for libcurl: smtp[s]://host:port/ehlo-name
    std::string shown;         // the relay as the operator wrote it, without secrets, for logs
    bool require_tls = false;  // STARTTLS must succeed (implied by smtps://)
    std::string username;      // empty: no AUTH
    std::string password;
    std::string ca_file;  // empty: the system's trusted authorities
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds timeout{60};  // a whole delivery, connection to QUIT
};

// Reads --smtp-url: smtp://[user@]host[:port][?starttls=required] or smtps://[user@]host[:port].
// A password in the URL is refused (it belongs in --smtp-password-file, out of `ps` and
// shell history). ehlo_name is the host name peerdesk presents (from --public-url). Answers
// the configuration or a message that says what to fix.
std::variant<relay_config, std::string> parse_relay_url(std::string_view url, std::string_view ehlo_name);

enum class delivery { accepted, temporary, permanent };

struct delivery_result {
    delivery outcome = delivery::temporary;
    long code = 0;       // the relay's last SMTP reply code, 0 when it never answered
    std::string detail;  // the relay's last reply line, or libcurl's error
};

// Sends one message: MAIL FROM envelope_from, RCPT TO recipient, DATA data (CRLF lines; libcurl
// adds the dot-stuffing). Accepted when the relay answered 250 to the end of DATA; permanent
// when it refused with a 5xx reply to the message (not to the login); temporary for anything
// else (no connection, TLS, 4xx, AUTH refused: a configuration an operator can fix). Blocks up
// to config.timeout; returns early, temporary, when `cancel` becomes true. Thread-safe.
delivery_result deliver(relay_config const& config, std::string_view envelope_from, std::string_view recipient,
                        std::string_view data, std::atomic<bool> const* cancel = nullptr);

// libcurl's global set-up; call once before threads start (deliver() calls it too, guarded).
void init_library();

}  // namespace peerdesk::mail
