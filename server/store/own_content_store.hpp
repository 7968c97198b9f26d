#pragma once
// Members' own comments as their edits and deletions need them: the comment with the state of
// its post and thread, read inside the writing transaction so that a decision is taken on the
// current state, and the writes that keep the search index in step (a post's document holds its
// comments). Methods that write must be called with the writer connection, in a transaction.
#include "server/store/db.hpp"
#include "server/store/post_store.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace peerdesk::store {

struct comment_state {
    std::int64_t id = 0;
    std::int64_t post_id = 0;
    std::int64_t question_id = 0;
    std::int64_t author_id = 0;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> deleted_at;
    std::optional<std::int64_t> deleted_by;
    bool hidden = false;       // taken down by flags, waiting for a moderator
    bool thread_live = false;  // its post and the post's question are public
    bool locked = false;       // the thread is locked
    std::string body_markdown;
};

class own_content_store {
public:
    explicit own_content_store(connection& db) : db_(db) {}
    // Any comment, whatever its state.
    std::optional<comment_state> comment(std::int64_t id);
    // The new text, marked edited; the post is indexed again.
    void edit_comment(std::int64_t id, rendered_body const& body, std::int64_t now);
    // Deleted by `by` (nothing: restored); the post is indexed again.
    void set_comment_deleted(std::int64_t id, std::optional<std::int64_t> by, std::int64_t now);
    // Who deleted a post, and when (nothing when it is not deleted).
    std::optional<std::pair<std::int64_t, std::int64_t>> post_deletion(std::int64_t post_id);

private:
    connection& db_;
};

}  // namespace peerdesk::store
