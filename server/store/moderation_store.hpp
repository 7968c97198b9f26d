#pragma once
// The moderation tables: flags, the review queue, suspensions, post states set by moderators,
// and the audit log (written once, never changed: triggers refuse updates and deletes).
#include "server/store/db.hpp"
#include "server/store/models.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace peerdesk::store {

struct audit_entry {
    std::int64_t actor_id = 0;
    std::string action;
    std::optional<std::int64_t> post_id;
    std::optional<std::int64_t> comment_id;
    std::optional<std::int64_t> user_id;
    std::string reason;
    std::optional<std::string> before;  // JSON of the content as it was
    std::int64_t created_at = 0;
};

struct audit_row {
    std::int64_t id = 0;
    audit_entry entry;
    std::string actor_name;
    std::optional<std::string> user_name;
    std::optional<std::int64_t> question_id;  // the thread of post_id, for links
};

struct audit_filter {
    std::optional<std::int64_t> actor_id;
    std::optional<std::string> action;
    std::optional<std::int64_t> post_id;
    std::optional<std::int64_t> user_id;
    std::optional<std::int64_t> actor_or_user_id;  // what one member did or had done to them
};

// A member who is suspended or silenced, with who did it last (from the audit log).
struct restriction_row {
    author_ref user;
    std::optional<std::int64_t> suspended_until;
    bool silenced = false;
    std::string reason;
    std::optional<std::int64_t> actor_id;
    std::string actor_name;
    std::optional<std::int64_t> since;
};

// Writes an audit row inside the caller's transaction.
void add_audit(connection& db, audit_entry const& e);

enum class flag_outcome { created, duplicate, missing, own };
struct flag_result {
    flag_outcome outcome = flag_outcome::created;
    std::int64_t id = 0;
    bool hidden = false;  // this flag took the post or comment down pending review
};

struct flag_count {
    std::string reason;
    std::int64_t count = 0;
};

// One open flag and the member who raised it.
struct flagger {
    author_ref user;
    std::string reason;
    std::string note;
};

struct review_row {
    std::int64_t id = 0;
    std::string kind;    // flagged or held
    std::string reason;  // why held
    std::optional<std::int64_t> post_id;
    std::optional<std::int64_t> comment_id;
    std::int64_t question_id = 0;
    std::string title;      // the thread's
    std::string post_kind;  // question, answer or comment
    std::string body_html;
    author_ref author;
    std::string state;  // live, held or hidden
    bool deleted = false;
    std::vector<flag_count> flags;
    std::vector<std::string> notes;  // the flaggers' notes
    std::vector<flagger> flaggers;   // review_queue only: who flagged, oldest first
    std::int64_t created_at = 0;
};

class moderation_store {
public:
    explicit moderation_store(connection& db) : db_(db) {}

    // Records a member's flag and opens a review item for its target, then asks hide whether
    // the open spam or rude flags from members with at least established reputation (this one
    // included) hide the target at once; if so it is hidden, with its counts and index entry,
    // in the same transaction.
    flag_result add_flag(std::optional<std::int64_t> post_id, std::optional<std::int64_t> comment_id,
                         std::int64_t user_id, std::string const& reason, std::string const& note,
                         std::int64_t established, std::function<bool(std::int64_t serious_flags)> const& hide,
                         std::int64_t now);

    page_of<review_row> review_queue(std::int64_t page, std::int64_t pagesize);
    // Open review items: one count on the partial index of open items, cheap enough for every
    // page a moderator sees.
    std::int64_t open_review_count();
    std::optional<review_row> review_item(std::int64_t id);
    // Closes the item with its outcome; flags on the target become helpful or declined.
    void resolve_item(std::int64_t id, std::string const& outcome, bool flags_helpful, std::string const& note,
                      std::int64_t actor_id, std::int64_t now);

    void set_post_state(std::int64_t post_id, std::string const& state);
    void set_comment_state(std::int64_t comment_id, std::string const& state);
    void set_deleted(std::int64_t post_id, std::optional<std::int64_t> deleted_by, std::int64_t now);
    void delete_comment(std::int64_t comment_id, std::int64_t now);
    void set_closed(std::int64_t question_id, std::optional<std::string> const& reason,
                    std::optional<std::int64_t> duplicate_of, std::int64_t now);
    void set_locked(std::int64_t question_id, bool locked, std::int64_t now);
    void set_pinned(std::int64_t question_id, bool pinned, std::int64_t now);
    void set_endorsed(std::int64_t answer_id, bool endorsed, std::int64_t now);
    // Sets or lifts (until empty, not silenced) a suspension; by is who decided it.
    void suspend(std::int64_t user_id, std::optional<std::int64_t> until, bool silenced, std::string const& reason,
                 std::optional<std::int64_t> by);
    // The role of whoever imposed the user's current suspension or silence, if any.
    std::optional<std::string> suspended_by_role(std::int64_t user_id);
    // Who deleted the post: its author, a moderator, or nobody (not deleted).
    std::optional<std::int64_t> deleted_by(std::int64_t post_id);

    // Members who may not write now (silenced, or suspended past now), soonest end first,
    // silenced last; total is set.
    page_of<restriction_row> restricted_users(std::int64_t now, std::int64_t page, std::int64_t pagesize);
    // The audit row of the member's latest suspension or silencing, when there is one.
    std::optional<audit_row> latest_restriction(std::int64_t user_id);

    std::vector<audit_row> audit(audit_filter const& filter, std::int64_t page, std::int64_t pagesize,
                                 std::int64_t& total);
    // The moderator actions on a thread that its readers are told about.
    std::vector<audit_row> thread_history(std::int64_t question_id);
    std::int64_t posts_by(std::int64_t user_id);

private:
    connection& db_;
};

}  // namespace peerdesk::store
