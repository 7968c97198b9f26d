#pragma once
// What every handler shares: the database, the settings, and who is asking.
#include "moderation/spam_rules.hpp"
#include "server/app/rate_limits.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/http/message.hpp"
#include "server/http/router.hpp"
#include "server/mail/mime.hpp"
#include "server/media/image.hpp"
#include "server/store/db.hpp"
#include "server/store/models.hpp"

#include <optional>
#include <string>

namespace peerdesk::app {

// Mail as the operator set it up (--smtp-url, --mail-from, --public-url). With no relay,
// enabled is false: nothing is queued and pages that would promise mail say that there is none.
struct mail_options {
    bool enabled = false;
    mail::mailbox from;
    std::string public_url;  // "https://support.example.com" (no trailing slash); links in mail
};

// Uploaded images: the limits of one file, each member's quota, and how long the images of a
// deleted post stay served (so that undoing the deletion brings the post back whole).
struct upload_settings {
    media::image_limits limits;
    std::int64_t quota_bytes = 200LL << 20;  // all of one member's uploads together
    std::int64_t deleted_retention_days = 30;
    std::string directory;  // DATA/uploads; empty: uploads are off (commands that serve nothing)
};

struct settings {
    domain::reputation_rules rules;
    domain::privilege_thresholds thresholds;
    domain::limits limits;
    bool secure_cookies = false;  // set under TLS
    std::int64_t session_seconds = 30 * 24 * 3600;
    int search_quality_boost = 200;  // hundredths: relevance = BM25 + 2.00 × quality
    moderation::spam_settings spam;
    rate_rules rates;
    std::int64_t flag_hide_after = 3;  // spam or rude flags from established members hide a post at once
    std::int64_t flag_established_reputation = 50;
    std::int64_t spam_penalty = 100;     // reputation lost when a post is removed as spam or abuse
    std::int64_t idea_vote_budget = 10;  // open votes each member may have on ideas at once
    mail_options mail;
    upload_settings uploads;
    // The picture link previews show for pages without one of their own (site.og_image): a path
    // on this site or an absolute http(s) address; empty, the packaged static/og-image.png.
    std::string site_image;
};

// The settings an operator may change (peerdesk settings set KEY VALUE): each a whole number
// within bounds, stored in the settings table and read at start.
struct setting_spec {
    char const* key;
    int min;
    int max;
    void (*apply)(settings&, int);
    int (*read)(settings const&);
};
inline constexpr setting_spec setting_specs[] = {
    {"privilege.upvote", 0, 1'000'000, [](settings& s, int v) { s.thresholds.upvote = v; },
     [](settings const& s) { return static_cast<int>(s.thresholds.upvote); }},
    {"privilege.comment", 0, 1'000'000, [](settings& s, int v) { s.thresholds.comment_everywhere = v; },
     [](settings const& s) { return static_cast<int>(s.thresholds.comment_everywhere); }},
    {"privilege.downvote", 0, 1'000'000, [](settings& s, int v) { s.thresholds.downvote = v; },
     [](settings const& s) { return static_cast<int>(s.thresholds.downvote); }},
    {"privilege.edit", 0, 1'000'000, [](settings& s, int v) { s.thresholds.edit_others = v; },
     [](settings const& s) { return static_cast<int>(s.thresholds.edit_others); }},
    {"post.max_characters", 1000, 100'000, [](settings& s, int v) { s.limits.body_max = static_cast<std::size_t>(v); },
     [](settings const& s) { return static_cast<int>(s.limits.body_max); }},
    {"search.quality_boost", 0, 10'000, [](settings& s, int v) { s.search_quality_boost = v; },
     [](settings const& s) { return static_cast<int>(s.search_quality_boost); }},
    {"ideas.vote_budget", 1, 1000, [](settings& s, int v) { s.idea_vote_budget = v; },
     [](settings const& s) { return static_cast<int>(s.idea_vote_budget); }},
    {"spam.new_user_reputation", 0, 1'000'000, [](settings& s, int v) { s.spam.new_user_reputation = v; },
     [](settings const& s) { return static_cast<int>(s.spam.new_user_reputation); }},
    {"spam.new_user_max_links", 0, 100, [](settings& s, int v) { s.spam.new_user_max_links = v; },
     [](settings const& s) { return static_cast<int>(s.spam.new_user_max_links); }},
    {"spam.hold_first_post", 0, 1, [](settings& s, int v) { s.spam.hold_first_post = v == 1; },
     [](settings const& s) { return static_cast<int>(s.spam.hold_first_post ? 1 : 0); }},
    {"flags.hide_after", 1, 100, [](settings& s, int v) { s.flag_hide_after = v; },
     [](settings const& s) { return static_cast<int>(s.flag_hide_after); }},
    {"flags.established_reputation", 1, 1'000'000, [](settings& s, int v) { s.flag_established_reputation = v; },
     [](settings const& s) { return static_cast<int>(s.flag_established_reputation); }},
    {"rate.questions_per_hour", 1, 100'000, [](settings& s, int v) { s.rates.question.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.question.count); }},
    {"rate.answers_per_hour", 1, 100'000, [](settings& s, int v) { s.rates.answer.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.answer.count); }},
    {"rate.comments_per_hour", 1, 100'000, [](settings& s, int v) { s.rates.comment.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.comment.count); }},
    {"rate.votes_per_hour", 1, 100'000, [](settings& s, int v) { s.rates.vote.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.vote.count); }},
    {"rate.flags_per_hour", 1, 100'000, [](settings& s, int v) { s.rates.flag.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.flag.count); }},
    {"rate.searches_per_minute", 1, 100'000, [](settings& s, int v) { s.rates.search_per_address.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.search_per_address.count); }},
    {"rate.signups_per_hour", 1, 100'000, [](settings& s, int v) { s.rates.sign_up_per_address.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.sign_up_per_address.count); }},
    {"rate.failed_signins", 1, 1000, [](settings& s, int v) { s.rates.failed_sign_in.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.failed_sign_in.count); }},
    {"rate.widget_per_key_per_minute", 1, 1'000'000, [](settings& s, int v) { s.rates.widget_per_key.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.widget_per_key.count); }},
    {"rate.widget_per_address_per_minute", 1, 100'000, [](settings& s, int v) { s.rates.widget_per_address.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.widget_per_address.count); }},
    {"rate.uploads_per_hour", 1, 100'000, [](settings& s, int v) { s.rates.upload.count = v; },
     [](settings const& s) { return static_cast<int>(s.rates.upload.count); }},
    {"uploads.max_kib", 16, 50 * 1024,
     [](settings& s, int v) { s.uploads.limits.max_bytes = static_cast<std::size_t>(v) * 1024; },
     [](settings const& s) { return static_cast<int>(s.uploads.limits.max_bytes / 1024); }},
    {"uploads.max_megapixels", 1, 200, [](settings& s, int v) { s.uploads.limits.max_pixels = v * 1'000'000LL; },
     [](settings const& s) { return static_cast<int>(s.uploads.limits.max_pixels / 1'000'000); }},
    {"uploads.quota_mib", 1, 1'000'000, [](settings& s, int v) { s.uploads.quota_bytes = std::int64_t(v) << 20; },
     [](settings const& s) { return static_cast<int>(s.uploads.quota_bytes >> 20); }},
    {"uploads.deleted_retention_days", 0, 3650, [](settings& s, int v) { s.uploads.deleted_retention_days = v; },
     [](settings const& s) { return static_cast<int>(s.uploads.deleted_retention_days); }},
};

// A list setting as the settings page shows it: entries separated by ", ".
inline std::string join_list(std::vector<std::string> const& items)
{
    std::string out;
    for (auto const& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

// Settings that hold text: lists of words or domains, separated by commas or new lines.
struct text_setting_spec {
    char const* key;
    void (*apply)(settings&, std::string const&);
    std::string (*read)(settings const&);
};
inline constexpr text_setting_spec text_setting_specs[] = {
    {"spam.blocked_words", [](settings& s, std::string const& v) { s.spam.blocked_words = moderation::parse_list(v); },
     [](settings const& s) { return join_list(s.spam.blocked_words); }},
    {"spam.blocked_domains",
     [](settings& s, std::string const& v) { s.spam.blocked_domains = moderation::parse_list(v); },
     [](settings const& s) { return join_list(s.spam.blocked_domains); }},
    {"site.og_image", [](settings& s, std::string const& v) { s.site_image = v; },
     [](settings const& s) { return s.site_image; }},
};

// What is wrong with value for the setting key, in the words both the command line and the
// settings page show; nothing when it may be stored. Text settings take up to 20,000 characters;
// site.og_image is an address (see check_site_image).
enum class setting_problem { unknown_key, bad_value };
struct setting_error {
    setting_problem problem;
    std::string message;
};
std::optional<setting_error> check_setting(std::string_view key, std::string_view value);
inline constexpr std::size_t text_setting_max = 20'000;

// Reads overrides from the settings table. Unknown or malformed values are reported through
// the returned message (empty when all is well) and leave the default in place.
std::string load_settings(store::connection& db, settings& s);

enum class auth_kind { none, cookie, bearer };

// Who is asking, established once per request.
struct viewer {
    std::optional<store::user_row> user;
    auth_kind auth = auth_kind::none;
    std::string session_token;  // the raw cookie value, for sign-out and the CSRF token
    std::string csrf_token;     // derived from the session; empty when signed out
    std::string address;        // the client's address, for per-address limits

    bool signed_in() const { return user.has_value(); }
    domain::actor actor() const;
    bool in_good_standing() const;  // signed in, neither suspended nor silenced
    bool is_moderator() const;      // moderator or admin, in good standing
    bool is_admin() const;          // admin, in good standing
};

class search_service;
class live_settings;
class thread_cache;
class body_cache;

struct context {
    store::database& db;
    settings config;
    search_service* search = nullptr;  // absent in commands that do not search
    rate_limiter* limiter = nullptr;   // absent: no limits
    thread_cache* threads = nullptr;   // absent: thread pages rendered whole each time
    body_cache* bodies = nullptr;      // absent: list pages rendered whole each time
    live_settings* live = nullptr;     // absent: settings stay as they were at start
};

// One request in flight, as handlers see it.
struct call {
    http::request& req;
    http::route_match const& match;
    context& ctx;
    viewer who;
};

// What went wrong, as the product knows it; status_of is the one place that maps a kind to an
// HTTP status (and the API's error body and the pages follow from it).
enum class failure_kind {
    malformed,          // 400: the request cannot be read
    not_signed_in,      // 401
    forbidden,          // 403: role, standing, privilege, CSRF
    not_found,          // 404
    wrong_method,       // 405
    conflict,           // 409: not in the current state
    gone,               // 410: a link that no longer works
    too_large,          // 413
    unsupported_media,  // 415
    invalid,            // 422: a field to fix
    rate_limited,       // 429, with retry_after
    internal,           // 500
    unavailable,        // 503, with retry_after
};
int status_of(failure_kind kind);

// A failure a user can fix, or a refusal: its kind, a stable code, the message, the field at
// fault, and for a rate limit or an outage how many seconds until trying again makes sense.
struct failure {
    failure_kind kind = failure_kind::malformed;
    std::string code;
    std::string message;
    std::string field;
    int retry_after = 0;
    int status() const { return status_of(kind); }
};

std::optional<std::int64_t> parse_id(std::string_view text);

// Reads the query parameter name, when present, as a whole number from 1 to max into out.
std::optional<failure> read_number(http::fields const& query, std::string_view name, std::int64_t& out,
                                   std::int64_t max);

}  // namespace peerdesk::app
