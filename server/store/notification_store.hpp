#pragma once
// Notifications, follows, notification preferences, the fan-out outbox, and the state of the
// mail they cause (the fold window per thread, the last digest per period). Writing methods are
// called with the writer connection inside the caller's transaction: a notification is written
// in the transaction of the event that causes it.
#include "server/store/db.hpp"
#include "server/store/models.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::store {

struct new_notification {
    std::int64_t user_id = 0;
    std::string kind;
    std::optional<std::int64_t> actor_id;
    std::optional<std::int64_t> question_id;
    std::optional<std::int64_t> post_id;
    std::optional<std::int64_t> comment_id;
    std::string detail;
    std::string delivery;  // inbox, email, daily or weekly ("off" is never written)
};

// A notification as the inbox shows it, with what it is about as it is now.
struct notification_row {
    std::int64_t id = 0;
    std::string kind;
    std::optional<std::int64_t> actor_id;
    std::string actor_name;
    std::optional<std::int64_t> question_id;
    std::optional<std::int64_t> post_id;
    std::optional<std::int64_t> comment_id;
    std::string title;      // the thread's title, when about a thread
    std::string post_kind;  // question or answer, when about a post
    std::string detail;
    std::int64_t amount = 0;
    std::optional<std::int64_t> day;
    std::string delivery;
    std::int64_t created_at = 0;
    bool read = false;
    bool linkable = true;  // false: a moderation notice about a post no longer public
};

struct inbox_page {
    std::vector<notification_row> items;
    bool older = false;  // another page follows
};

enum class follow_target { question, tag, user };
std::string_view to_sql(follow_target t);

enum class follow_mode {
    automatic,  // taking part: follows unless the member unfollowed before
    chosen,     // the member asked: follows whatever was before
};

struct followed_question {
    std::int64_t id = 0;
    std::string title;
};
struct followed_tag {
    std::string name;
};
struct followed_user {
    std::int64_t id = 0;
    std::string username;
};
struct following_lists {
    std::vector<followed_question> questions;
    std::vector<followed_tag> tags;
    std::vector<followed_user> users;
};

struct fanout_row {
    std::int64_t id = 0;
    std::string event;  // question, answer, comment or idea_status
    std::int64_t question_id = 0;
    std::int64_t post_id = 0;
    std::optional<std::int64_t> comment_id;
    std::int64_t actor_id = 0;
    std::string notified;  // space-separated ids
    std::int64_t stage = 0;
    std::int64_t cursor = 0;
    std::string detail;  // idea_status: the notifications' detail ("<history id> <status>")
};

// A member and a thread (0: none) with notifications waiting for an immediate mail.
struct mail_group {
    std::int64_t user_id = 0;
    std::int64_t question_id = 0;
};

// A question for a digest.
struct digest_question {
    std::int64_t id = 0;
    std::string title;
    std::int64_t answer_count = 0;
    std::int64_t score = 0;
};
struct digest_answer {
    std::int64_t id = 0;
    std::int64_t question_id = 0;
    std::string title;
    std::string author;
    std::int64_t score = 0;
};

class notification_store {
public:
    explicit notification_store(connection& db) : db_(db) {}

    // ---- preferences (stored choices only; defaults live in the caller)
    std::vector<std::pair<std::string, std::string>> preferences(std::int64_t user_id);
    std::optional<std::string> preference(std::int64_t user_id, std::string_view kind);
    void set_preference(std::int64_t user_id, std::string_view kind, std::string_view delivery);

    // ---- notifications
    // Adds one; false when a mention or followed event was told to this member already.
    bool add(new_notification const& n, std::int64_t now);
    // Adds n (its user_id and delivery ignored) for each of the members, with each member's
    // delivery for n.kind (or `fallback`), skipping those who chose "off" and those told of
    // this post or comment already: one statement for a whole batch of followers.
    void add_for(std::vector<std::int64_t> const& user_ids, new_notification const& n, std::string_view fallback,
                 std::int64_t now);
    // Adds amount to the member's reputation row of `day`, unread again.
    void add_reputation(std::int64_t user_id, std::int64_t amount, std::int64_t day, std::string_view delivery,
                        std::int64_t now);
    // A page of the member's notifications that may be shown, newest first; its cost is the
    // page's, whatever the member's history.
    inbox_page inbox(std::int64_t user_id, bool unread_only, std::int64_t page, std::int64_t pagesize);
    // How many may be shown, counted up to `cap`.
    std::int64_t inbox_total(std::int64_t user_id, bool unread_only, std::int64_t cap);
    // Unread notifications that may be shown, counted up to `cap`.
    std::int64_t unread_count(std::int64_t user_id, std::int64_t cap);
    // The newest that may be shown.
    std::optional<notification_row> latest(std::int64_t user_id);
    // Marks the member's notifications read (only theirs); answers how many changed.
    std::int64_t mark_read(std::int64_t user_id, std::vector<std::int64_t> const& ids, std::int64_t now);
    std::int64_t mark_all_read(std::int64_t user_id, std::int64_t now);
    // Forgets read notifications older than `before`; answers how many went.
    std::int64_t prune(std::int64_t before);

    // ---- follows
    void follow(std::int64_t user_id, follow_target target, std::int64_t target_id, follow_mode mode, std::int64_t now);
    // False when the member did not follow it.
    bool unfollow(std::int64_t user_id, follow_target target, std::int64_t target_id);
    bool follows(std::int64_t user_id, follow_target target, std::int64_t target_id);
    following_lists following(std::int64_t user_id, std::int64_t limit);
    std::optional<std::int64_t> tag_id(std::string_view name);
    // Followers with ids above `after`, in id order: of the question, of the question's tags,
    // or of the member.
    std::vector<std::int64_t> followers(follow_target target, std::int64_t target_id, std::int64_t after,
                                        std::int64_t limit);

    // ---- the fan-out outbox
    void enqueue_fanout(fanout_row const& row, std::int64_t now);
    std::optional<fanout_row> next_fanout();
    void advance_fanout(std::int64_t id, std::int64_t stage, std::int64_t cursor);
    void finish_fanout(std::int64_t id);

    // ---- mail
    // Members and threads with notifications for an immediate mail, none of them mailed about
    // that thread since `quiet_since`.
    std::vector<mail_group> due_mail(std::int64_t quiet_since, std::int64_t limit);
    // The notifications waiting for mail of this delivery for the member (about one thread, or
    // any), shown or not; linkable/visibility is in the rows.
    std::vector<notification_row> waiting_mail(std::int64_t user_id, std::string_view delivery,
                                               std::optional<std::int64_t> question_id);
    // Whether the notification may be shown to its recipient now.
    bool visible(std::int64_t notification_id);
    void mark_mailed(std::vector<std::int64_t> const& ids, std::int64_t now);
    void record_mail(std::int64_t user_id, std::int64_t question_id, std::int64_t now);

    // ---- digests
    // Members with a verified address whose digest of `period` is due (last made before
    // `due_before`, or never and signed up before it), at most `limit`.
    std::vector<std::int64_t> due_digests(std::string_view period, std::int64_t due_before, std::int64_t limit);
    std::optional<std::int64_t> last_digest(std::int64_t user_id, std::string_view period);
    void record_digest(std::int64_t user_id, std::string_view period, std::int64_t now);
    // New live questions since `since` in tags the member follows, unanswered first.
    std::vector<digest_question> tag_questions(std::int64_t user_id, std::int64_t since, std::int64_t limit);
    // The best-scored live answers since `since` in tags the member follows.
    std::vector<digest_answer> best_answers(std::int64_t user_id, std::int64_t since, std::int64_t limit);
    std::int64_t reputation_change(std::int64_t user_id, std::int64_t since);

    // ---- names for mentions
    // Usernames starting with prefix (any case), shortest first.
    std::vector<std::pair<std::int64_t, std::string>> names_with_prefix(std::string_view prefix, std::int64_t limit);
    // The secret of this name, hex-encoded.
    std::string secret(std::string_view name);

private:
    connection& db_;
};

}  // namespace peerdesk::store
