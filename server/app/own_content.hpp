#pragma once
// DESIGN: what members may do to their own words, decided in one place. The pages ask these to
// offer a control; the actions ask them again inside the writing transaction, on the state read
// there, so that two requests racing (an answer arriving as the asker deletes the question, an
// acceptance as the answerer deletes the answer) cannot both pass.
//   - a comment: its author edits it within five minutes of posting and deletes it at any time;
//     a moderator deletes and restores any comment;
//   - a question: its author deletes it while it has no answers; an answer: while it is not
//     accepted (moderators delete either, with moderation_actions' rules);
//   - an author takes back their own deletion for a day; a moderator's deletion, or an older
//     one, only a moderator undoes.
// What derives from the content forgets a deletion in the same transaction: the search outbox
// re-indexes the post (a post's document holds its comments), post_store::change_visibility keeps
// counts, and notifications and feeds read only live posts and comments.
#include "server/app/actions.hpp"
#include "server/app/permissions.hpp"
#include "server/store/own_content_store.hpp"

namespace peerdesk::app {

inline constexpr std::int64_t comment_edit_seconds = 5 * 60;
inline constexpr std::int64_t own_undo_seconds = 24 * 3600;

enum class comment_change { edit, remove, restore };

// Nothing when who may make the change to the comment now; else the refusal (404 for a comment
// this viewer cannot see).
verdict may_change_comment(viewer const& who, store::comment_state const& c, comment_change what, std::int64_t now);
// Whether the author (not a moderator) may delete their own post now: `question` is its thread.
verdict may_remove_own_post(viewer const& who, store::post_row const& post, store::post_row const& question);
// Whether the author may take back the deletion of their post, deleted by `by` at `at`.
verdict may_restore_own_post(viewer const& who, store::post_row const& post, std::int64_t by, std::int64_t at,
                             std::int64_t now);

// The actions on a comment; each answers the comment's thread (its question's id).
outcome<std::int64_t> edit_comment(context& ctx, viewer const& who, std::int64_t comment_id, std::string_view body);
outcome<std::int64_t> remove_comment(context& ctx, viewer const& who, std::int64_t comment_id);
outcome<std::int64_t> restore_comment(context& ctx, viewer const& who, std::int64_t comment_id);

}  // namespace peerdesk::app
