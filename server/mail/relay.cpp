#include "server/mail/relay.hpp"

#include <curl/curl.h>
#include <boost/url/parse.hpp>

#include <cstring>
#include <memory>
#include <mutex>

namespace peerdesk::mail {
namespace {

struct upload {
    std::string_view data;
    std::size_t sent = 0;
};

std::size_t read_chunk(char* buffer, std::size_t size, std::size_t count, void* user)
{
    auto& u = *static_cast<upload*>(user);
    auto const n = std::min(size * count, u.data.size() - u.sent);
    std::memcpy(buffer, u.data.data() + u.sent, n);
    u.sent += n;
    return n;
}

// The server's reply lines as they arrive; the last one is what the relay said at the end.
int on_debug(CURL*, curl_infotype type, char* text, std::size_t size, void* user)
{
    if (type != CURLINFO_HEADER_IN) return 0;
    auto& last = *static_cast<std::string*>(user);
    std::string_view line(text, size);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    last.assign(line.substr(0, 300));
    return 0;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    auto const* cancel = static_cast<std::atomic<bool> const*>(user);
    return cancel && cancel->load(std::memory_order_relaxed) ? 1 : 0;
}

struct curl_cleanup {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct list_cleanup {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

void init_library()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::variant<relay_config, std::string> parse_relay_url(std::string_view text, std::string_view ehlo_name)
{
    auto const fail = [&](std::string why) { return "--smtp-url " + why; };
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) return fail("is not a URL; write smtp://host:port or smtps://host:port");
    auto const& u = *parsed;
    relay_config c;
    auto const scheme = u.scheme();
    if (scheme != "smtp" && scheme != "smtps") return fail("must start with smtp:// or smtps://");
    if (u.host().empty()) return fail("names no host");
    if (u.has_password()) return fail("must not hold a password; put it in --smtp-password-file");
    if (!u.path().empty() && u.path() != "/") return fail("takes no path");
    if (u.has_fragment()) return fail("takes no #fragment");
    if (u.has_query()) {
        if (scheme == "smtp" && u.query() == "starttls=required")
            c.require_tls = true;
        else
            return fail("takes only ?starttls=required (and only with smtp://)");
    }
    if (scheme == "smtps") c.require_tls = true;
    if (u.has_userinfo()) c.username = u.user();
    auto const port = u.has_port() ? std::string(u.port()) : std::string(scheme == "smtps" ? "465" : "25");
    std::string const host(u.encoded_host());  // an IPv6 address keeps its brackets
    std::string ehlo;
    for (char ch : ehlo_name)
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
            ehlo += ch;
    if (ehlo.empty()) ehlo = "localhost";
    c.url = std::string(scheme) + "://" + host + ":" + port + "/" + ehlo;
    c.shown = std::string(scheme) + "://" + (c.username.empty() ? "" : c.username + "@") + host + ":" + port +
              (scheme == "smtp" && c.require_tls ? " (STARTTLS required)" : "");
    return c;
}

delivery_result deliver(relay_config const& config, std::string_view envelope_from, std::string_view recipient,
                        std::string_view data, std::atomic<bool> const* cancel)
{
    init_library();
    delivery_result result;
    std::unique_ptr<CURL, curl_cleanup> curl(curl_easy_init());
    if (!curl) {
        result.detail = "libcurl could not start a transfer";
        return result;
    }
    auto* h = curl.get();
    upload body{data};
    std::string last_reply;
    char error[CURL_ERROR_SIZE] = {};
    std::string const from = "<" + std::string(envelope_from) + ">";
    std::string const to = "<" + std::string(recipient) + ">";
    std::unique_ptr<curl_slist, list_cleanup> recipients(curl_slist_append(nullptr, to.c_str()));

    curl_easy_setopt(h, CURLOPT_URL, config.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_chunk);
    curl_easy_setopt(h, CURLOPT_READDATA, &body);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(config.timeout.count()));
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // only so that the debug callback sees the replies
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &last_reply);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel));
    if (config.require_tls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!config.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, config.ca_file.c_str());
    if (!config.username.empty()) {
        curl_easy_setopt(h, CURLOPT_USERNAME, config.username.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, config.password.c_str());
    }

    auto const code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.code);
    if (code == CURLE_OK) {
        result.outcome = delivery::accepted;
        result.detail = last_reply.empty() ? "250" : last_reply;
        return result;
    }
    result.detail = !last_reply.empty() && result.code >= 400
                        ? last_reply
                        : std::string(curl_easy_strerror(code)) + (error[0] ? std::string(": ") + error : "");
    // Only a refusal of this message or this recipient is final (RFC 5321 4.2.2: 550-554, and
    // 501 for a malformed address). Other 5xx replies (530 "authenticate first", 502, 504) say
    // that the relay is set up differently from what peerdesk was told: an operator can fix
    // that, and the message waits for it.
    auto const c = result.code;
    bool const refused = code != CURLE_LOGIN_DENIED && ((c >= 550 && c <= 554) || c == 501);
    result.outcome = refused ? delivery::permanent : delivery::temporary;
    return result;
}

}  // namespace peerdesk::mail
