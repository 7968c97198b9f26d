#pragma once
// Badges: the catalogue and the rules that say which a member has earned, from figures the
// member store computes out of the facts. Pure: facts in, badges out; no time, no database.
//
// A badge is held once per member (once per tag for tag badges) and never taken back: a vote
// withdrawn later does not undo a badge awarded for it, as on other Q&A sites.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::domain {

enum class badge_class { bronze, silver, gold };
std::string_view to_string(badge_class c);

struct badge_spec {
    int id;                 // stable: the API's and the page's number
    std::string_view key;   // stable: what the database stores
    std::string_view name;  // shown
    badge_class klass;
    std::string_view description;
    bool per_tag = false;  // awarded once per tag ("printer": bronze)
};

// Every badge, in the order pages list them.
std::span<badge_spec const> badge_catalogue();
badge_spec const* find_badge(int id);
badge_spec const* find_badge(std::string_view key);

// A member's figures in one tag: their live answers to live questions carrying it.
struct tag_figures {
    std::int64_t tag_id = 0;
    std::string name;
    std::int64_t answers = 0;
    std::int64_t score = 0;
    std::int64_t accepted = 0;
};

// What the rules read; each count is of live posts in live threads.
// Votes an idea needs for its author's Popular Idea badge.
inline constexpr std::int64_t popular_idea_votes = 10;

struct member_facts {
    std::int64_t questions = 0;
    std::int64_t answers = 0;
    std::int64_t accepted = 0;  // answers accepted on other members' questions
    std::int64_t best_answer_score = 0;
    std::optional<std::int64_t> best_answer_id;
    std::int64_t best_question_score = 0;
    std::optional<std::int64_t> best_question_id;
    std::optional<std::int64_t> first_question_id, first_answer_id, first_accepted_id;
    std::optional<std::int64_t> revived_id;       // first answer, 60 days or more after the question, score ≥ 2
    std::optional<std::int64_t> self_learned_id;  // own answer accepted on own question, score ≥ 3
    std::int64_t upvotes_cast = 0;
    std::int64_t downvotes_cast = 0;
    std::int64_t flags = 0;
    std::int64_t helpful_flags = 0;
    std::int64_t edits = 0;   // revisions after a post's first, by this member
    std::int64_t helped = 0;  // different askers helped
    std::optional<std::int64_t> first_idea_id;
    std::optional<std::int64_t> best_idea_id;  // the member's idea with the most votes
    std::int64_t best_idea_votes = 0;
    std::optional<std::int64_t> delivered_idea_id;
    std::int64_t idea_votes_cast = 0;
    std::vector<tag_figures> tags;
};

// The bars tag badges set: total answer score in the tag, and answers in it.
struct tag_bar {
    std::int64_t score;
    std::int64_t answers;
};
tag_bar tag_badge_bar(badge_class c);
// How long a question waits unanswered before answering it revives it.
inline constexpr std::int64_t revival_seconds = 60 * 24 * 3600;

struct earned_badge {
    badge_spec const* badge;
    std::int64_t tag_id = 0;              // tag badges only
    std::string tag;                      // tag badges only
    std::optional<std::int64_t> post_id;  // the post that earned it, when one did
    bool operator==(earned_badge const&) const = default;
};

// Every badge the facts earn (whether or not already held: awarding is idempotent).
std::vector<earned_badge> earned_badges(member_facts const& f);

// The first second of the calendar period holding t (UTC): weeks start on Monday.
enum class period { week, month, year };
std::int64_t period_start(period p, std::int64_t t);
std::string_view to_string(period p);
std::optional<period> parse_period(std::string_view text);

}  // namespace peerdesk::domain
