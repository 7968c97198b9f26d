#pragma once
// Plain rows the stores return: values only, no behaviour.
#include "server/domain/posts.hpp"
#include "server/domain/reputation.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::store {

struct user_row {
    std::int64_t id = 0;
    std::string username;
    std::string email;
    domain::role role = domain::role::member;
    std::int64_t reputation = 0;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> suspended_until;
    bool silenced = false;
    std::string suspension_reason;
};

struct user_counts {
    std::int64_t questions = 0;
    std::int64_t answers = 0;
    std::int64_t accepted_answers = 0;
};

struct api_token_row {
    std::int64_t id = 0;
    std::string name;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> last_used_at;  // to the hour
};

struct ledger_row {
    std::int64_t delta = 0;
    std::string reason;
    std::optional<std::int64_t> post_id;
    std::optional<std::int64_t> question_id;  // the thread the post belongs to, for links
    std::optional<std::string> question_title;
    std::int64_t created_at = 0;
};

struct author_ref {
    std::int64_t id = 0;
    std::string username;
    std::int64_t reputation = 0;
};

struct comment_row {
    std::int64_t id = 0;
    std::int64_t post_id = 0;
    std::optional<std::int64_t> reply_to;
    author_ref author;
    std::string body_markdown;
    std::string body_html;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> edited_at;  // its author edited it (within minutes of posting)
};

// A question or an answer.
struct post_row {
    std::int64_t id = 0;
    domain::post_kind kind = domain::post_kind::question;
    std::optional<std::int64_t> question_id;
    author_ref author;
    std::string title;  // questions only
    std::string body_markdown;
    std::string body_html;
    std::int64_t score = 0;
    std::int64_t answer_count = 0;
    std::optional<std::int64_t> accepted_answer_id;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> edited_at;
    std::int64_t last_activity_at = 0;
    std::vector<std::string> tags;  // questions only
    std::vector<comment_row> comments;
    int my_vote = 0;  // the viewer's vote, when a viewer was given
    // Moderation (questions unless said otherwise).
    std::optional<std::string> close_reason;  // duplicate, off_topic, needs_details, resolved_elsewhere
    std::optional<std::int64_t> duplicate_of;
    std::optional<std::int64_t> closed_at;
    bool locked = false;
    bool pinned = false;
    bool endorsed = false;  // answers: marked by a moderator
    domain::post_state state = domain::post_state::live;
    std::optional<std::int64_t> deleted_at;
};

struct question_thread {
    post_row question;
    std::vector<post_row> answers;  // accepted first, then by score, then oldest first
};

struct question_summary {
    std::int64_t id = 0;
    std::string title;
    author_ref author;
    std::int64_t score = 0;
    std::int64_t answer_count = 0;
    bool accepted = false;
    std::vector<std::string> tags;
    std::int64_t created_at = 0;
    std::int64_t last_activity_at = 0;
    std::string excerpt;  // the start of the body as plain text
    bool pinned = false;  // to the top of its tags' lists
    bool closed = false;
};

struct revision_row {
    std::int64_t id = 0;
    std::int64_t number = 0;  // 1 for the original post
    author_ref author;
    std::optional<std::string> title;
    std::string body_markdown;
    std::optional<std::string> tags;
    std::string summary;
    std::int64_t created_at = 0;
    bool redacted = false;  // its text was erased by a moderator
};

struct tag_row {
    std::string name;
    std::int64_t question_count = 0;
    std::string description;
};

// The words the database holds, as the code speaks of them; a word the schema's checks would
// refuse means a damaged database, and throws.
domain::post_kind stored_post_kind(std::string_view text);
domain::post_state stored_post_state(std::string_view text);

template <typename T>
struct page_of {
    std::vector<T> items;
    std::int64_t page = 1;
    std::int64_t pagesize = 30;
    std::int64_t total = 0;
};

}  // namespace peerdesk::store
