#pragma once
// What the Atom feeds list: live posts, newest first, with their thread's title. Readers only.
#include "server/store/db.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::store {

struct feed_entry {
    std::int64_t id = 0;
    std::string kind;  // question or answer
    std::int64_t question_id = 0;
    std::string title;  // the thread's
    std::string author;
    std::string body_html;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;  // the last edit, or the creation
    std::string link;             // the entry's own path; empty: the post's place in its thread
};

class feed_store {
public:
    explicit feed_store(connection& db) : db_(db) {}
    // The newest live questions, of one tag when given.
    std::vector<feed_entry> questions(std::optional<std::string_view> tag, std::int64_t limit);
    // A live question and its live answers, newest first (the question last when older).
    std::vector<feed_entry> thread(std::int64_t question_id, std::int64_t limit);
    // A member's live questions and answers in live threads, newest first.
    std::vector<feed_entry> by_author(std::int64_t user_id, std::int64_t limit);

private:
    connection& db_;
};

}  // namespace peerdesk::store
