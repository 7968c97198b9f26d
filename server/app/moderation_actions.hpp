#pragma once
// Moderator actions (curation, flags, review, suspension) and the checks every write shares:
// the author's standing, rate limits and spam rules. Each action checks permission on the
// server, writes in one transaction with its audit row, and answers a value or a failure.
#include "server/app/actions.hpp"
#include "server/app/permissions.hpp"
#include "server/app/rate_limits.hpp"
#include "server/store/moderation_store.hpp"

namespace peerdesk::app {

// Refuses when who, not an admin, would change a post an admin wrote (edit or delete): staff
// of the company answer for their own posts.
std::optional<failure> protect_admin_post(context& ctx, viewer const& who, store::post_row const& post);

outcome<store::flag_result> flag(context& ctx, viewer const& who, std::optional<std::int64_t> post_id,
                                 std::optional<std::int64_t> comment_id, std::string const& reason,
                                 std::string const& note);

// Each answers the id of the thread's question.
outcome<std::int64_t> delete_post(context& ctx, viewer const& who, std::int64_t post_id, std::string const& reason);
outcome<std::int64_t> undelete_post(context& ctx, viewer const& who, std::int64_t post_id, std::string const& reason);
// Erases the text of one of a post's earlier revisions (personal data posted by mistake), with
// an audit row; answers the post's id. Moderators only; the latest revision is the post's
// current text and is changed by editing the post.
outcome<std::int64_t> redact_revision(context& ctx, viewer const& who, std::int64_t revision_id,
                                      std::string const& reason);
outcome<std::int64_t> close_question(context& ctx, viewer const& who, std::int64_t id, std::string const& reason,
                                     std::optional<std::int64_t> duplicate_of);
outcome<std::int64_t> reopen_question(context& ctx, viewer const& who, std::int64_t id);
outcome<std::int64_t> lock_question(context& ctx, viewer const& who, std::int64_t id, bool locked);
outcome<std::int64_t> pin_question(context& ctx, viewer const& who, std::int64_t id, bool pinned);
outcome<std::int64_t> endorse_answer(context& ctx, viewer const& who, std::int64_t id, bool endorsed);

// approve, reject, dismiss or delete; answers the outcome recorded.
outcome<std::string> review(context& ctx, viewer const& who, std::int64_t item_id, std::string const& action,
                            std::string const& note);
// days > 0 suspends for that long; silence (days ignored) stops posting until lifted; lift ends both.
enum class suspension { suspend, silence, lift };
outcome<store::user_row> suspend_user(context& ctx, viewer const& who, std::int64_t user_id, suspension kind,
                                      std::int64_t days, std::string const& reason);

// Human words for a close reason.
std::string close_reason_text(std::string_view reason);

}  // namespace peerdesk::app
