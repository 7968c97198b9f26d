#pragma once
// Rules that keep noise and spam out, decided from the text alone: no database, no I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::moderation {

struct spam_settings {
    std::int64_t new_user_reputation = 10;     // below this a member is new
    int new_user_max_links = 1;                // per post
    bool hold_first_post = false;              // hold a new member's first post for review
    std::vector<std::string> blocked_words;    // lower-case words or phrases
    std::vector<std::string> blocked_domains;  // lower-case; subdomains match too
};

enum class post_type { question, answer, comment };

struct author_facts {
    std::int64_t reputation = 1;
    bool moderator = false;
    std::int64_t posts = 0;  // questions, answers and comments written so far
};

struct verdict {
    enum class kind { publish, refuse, hold } what = kind::publish;
    // refuse: what to change, for the author. hold: why, for the author and the reviewers.
    std::string message;
};

// Judges a new post. source is the Markdown, html its rendered form (for links).
verdict judge(post_type type, std::string_view source, std::string_view html, author_facts const& author,
              spam_settings const& settings);

// An answer or comment that only thanks, agrees or says "me too".
bool is_only_thanks(std::string_view text);
// The hosts of the links in rendered HTML, lower-case, in order.
std::vector<std::string> link_hosts(std::string_view html);
// Splits a space- or comma-separated list into lower-case entries.
std::vector<std::string> parse_list(std::string_view text);

}  // namespace peerdesk::moderation
