#pragma once
// Notifications: what a member is told, written in the transaction of the event that causes it,
// and the background worker that tells followers and sends the mail.
//
// DESIGN. A direct notification (an answer to my question, a reply to my comment, a mention, a
// moderator's decision, …) is one row written by the action in its own write transaction:
// cheap, bounded, durable with the event. Followers can be many (a tag 10,000 members follow),
// so the action only queues the event in notification_fanout; the worker thread drains it in
// batches of its own transactions, resuming from a cursor after a restart, with unique indexes
// so that no member is told twice. What may be shown is decided when the inbox is read, by
// joining the live posts: a post deleted, held or hidden later drops out by itself.
// Mail goes through the mail outbox (mailer.hpp): the worker takes notifications whose
// delivery is "email", at most one message per member and thread in each fold window (later
// ones wait and go together), and makes daily and weekly digests, each recorded in the same
// transaction as its mail so that a restart sends nothing twice.
#include "server/app/context.hpp"
#include "server/store/db.hpp"
#include "server/store/notification_store.hpp"

#include <boost/json/object.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace peerdesk::app {

inline constexpr std::array<std::string_view, 12> notification_kinds = {
    "answer",     "comment",           "reply",        "mention",       "accepted", "reputation",
    "moderation", "followed_question", "followed_tag", "followed_user", "badge",    "idea_status"};
inline constexpr std::array<std::string_view, 5> deliveries = {"inbox", "email", "daily", "weekly", "off"};

bool known_kind(std::string_view kind);
bool known_delivery(std::string_view delivery);
// The default for a kind: an answer to my question by mail at once, followed tags weekly,
// everything else in the inbox only.
std::string_view default_delivery(std::string_view kind);
// The member's choice for the kind, or its default.
std::string delivery_for(store::connection& c, std::int64_t user_id, std::string_view kind);

// ---- inside a write transaction (c is the writer connection) ----

// Tells n.user_id, unless they are the actor or chose "off"; delivery is filled in here.
// Answers whether a row was written.
bool notify(store::connection& c, store::new_notification n, std::int64_t now);
// Adds a reputation change to the member's row for the day (none for a change of 0).
void notify_reputation(store::connection& c, std::int64_t user_id, std::int64_t delta, std::int64_t now);
// Tells mentioned members (not the actor) once per post or comment; answers who was told.
std::vector<std::int64_t> notify_mentions(store::connection& c, std::vector<std::int64_t> const& mentioned,
                                          std::int64_t actor_id, std::int64_t question_id, std::int64_t post_id,
                                          std::optional<std::int64_t> comment_id, std::int64_t now);
// Queues the event for the followers of the thread, its tags and the actor; `notified` were
// told directly and are skipped.
void queue_fanout(store::connection& c, std::string_view event, std::int64_t question_id, std::int64_t post_id,
                  std::optional<std::int64_t> comment_id, std::int64_t actor_id,
                  std::vector<std::int64_t> const& notified, std::int64_t now);
// Queues an idea's status change (detail "<history id> <status>") for its voters, then its
// followers; `notified` were told directly and are skipped.
void queue_idea_fanout(store::connection& c, std::int64_t idea_id, std::int64_t actor_id, std::string const& detail,
                       std::vector<std::int64_t> const& notified, std::int64_t now);
// Taking part in a thread follows it, unless the member unfollowed it before.
void follow_thread(store::connection& c, std::int64_t user_id, std::int64_t question_id, std::int64_t now);
// A moderator's decision about a member's post (or, with no post, their account).
void notify_decision(store::connection& c, std::int64_t user_id, std::optional<std::int64_t> actor_id,
                     std::optional<std::int64_t> question_id, std::optional<std::int64_t> post_id, std::string detail,
                     std::int64_t now);

// Writes that change only what signed-in members see (notifications told by the worker, marks
// read, follows, preferences) leave the database's write count alone, so that the page cache
// of anonymous pages stays valid; they advance this count instead, after their commit, and the
// live streams look at both.
std::uint64_t notification_epoch();
void advance_notification_epoch();

// ---- words and links ----

// One sentence for a notification ("ana answered your question “…”").
std::string notification_text(store::notification_row const& n);
// The path of the exact post or comment, or the member's reputation; empty when it may not be linked.
std::string notification_path(store::notification_row const& n, std::int64_t user_id);

// {id,kind,created_at,read,actor:{id,username}|null,question_id,post_id,comment_id,text,url}
boost::json::object notification_json(store::notification_row const& n, std::int64_t user_id);

// ---- unsubscribe links ----

// A token that sets the member's deliveries of `scope` ("email": immediate mail; "digest":
// daily and weekly) to the inbox; signed with the database's secret.
std::string unsubscribe_token(store::connection& c, std::int64_t user_id, std::string_view scope);
struct unsubscribe_request {
    std::int64_t user_id = 0;
    std::string scope;
};
std::optional<unsubscribe_request> read_unsubscribe_token(store::connection& c, std::string_view token);
// Applies it inside a write; answers the kinds changed.
std::vector<std::string> apply_unsubscribe(store::connection& c, unsubscribe_request const& r);

// ---- the worker ----

struct notification_worker_options {
    std::chrono::seconds fold_window{15 * 60};  // at most one immediate mail per member and thread in this time
    std::chrono::seconds daily{24 * 3600};
    std::chrono::seconds weekly{7 * 24 * 3600};
    // Followers told per transaction, and the pause between two: short transactions, so that
    // a request's write waits little behind one. At a million posts a follower's row costs
    // about 40 µs of the writer, five index entries each far from the last: 200 held the writer
    // for about 8 ms, as long as the requests' goal for their whole p99. A request queued
    // behind a transaction leads its own batch as soon as that one commits, so 1 ms between
    // is enough for it to go first (at 3 ms the worker told 4,500 followers a second, at 1 ms
    // 7,900, the requests' p99 the same).
    std::int64_t fanout_batch = 50;
    std::chrono::milliseconds batch_pause{1};
};

// One thread, started by the constructor and stopped by the destructor. It runs whether mail
// is on or not (followers are told either way); mail is queued only when options.enabled.
class notification_worker {
public:
    notification_worker(store::database& db, mail_options mail, notification_worker_options options = {});
    ~notification_worker();
    notification_worker(notification_worker const&) = delete;
    notification_worker& operator=(notification_worker const&) = delete;
    // Called after writes: there may be work.
    void wake();

private:
    void run();
    bool fan_out();    // one batch; true when more may wait
    bool send_mail();  // true when more may wait
    void make_digests(std::string_view period, std::int64_t seconds);

    store::database& db_;
    mail_options mail_;
    notification_worker_options options_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    std::thread thread_;
};

}  // namespace peerdesk::app
