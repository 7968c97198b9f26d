#pragma once
// DESIGN: members' figures and badges, kept off the request path.
//
// Queue: member_outbox, written by triggers in the transaction of every event that can change a
// member's figures (a post, a vote, a score, an acceptance, a flag, an edit, a deletion); see
// schema/0014_members_badges.sql. The worker takes up to a batch of members, reads their facts
// on its own reader connection (outside the writer), then in one short write saves their
// figures, awards what the rules say they earned and deletes the outbox rows it read. Facts are
// read after the outbox rows, so they hold at least every event those rows stand for; an event
// that comes later leaves a row of its own and is read again in the next round.
//
// The leaderboard (reputation gained per calendar week, month and year) is folded from the
// reputation ledger, which is append-only, in order of id; the fold and its cursor are written
// in one transaction, so no row is counted twice or missed.
//
// A heavy member (thousands of posts, all read again to recompute them) is recomputed at most
// once per cool-down; events meanwhile wait in the worker's memory, not in the outbox.
//
// Awarding is idempotent (a badge is held once per member and tag) and never taken back.
// A new badge notifies its holder (kind "badge") in the same transaction.
//
// What it does not do: it never runs in a request; pages show the figures as of the last round
// (about a second behind). `peerdesk recount` recomputes everyone and folds the ledger again.
#include "server/store/db.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

namespace peerdesk::app {

struct member_worker_options {
    std::int64_t members_per_round = 50;   // members recomputed per write transaction
    std::int64_t ledger_per_round = 1000;  // ledger rows folded per write transaction
    std::chrono::milliseconds batch_pause{3};
    std::chrono::milliseconds idle_pause{1000};
    // A member with this many posts or more costs much to recompute (all their history is read)
    // and, being busy, is touched again and again: the worker recomputes them at most once per
    // cool-down, so that one member cannot keep a core busy beside the requests.
    std::int64_t heavy_posts = 2000;
    std::chrono::seconds heavy_cooldown{30};
};

// Heavy members recomputed lately, and those waiting for their cool-down to end: the worker's
// memory (lost at a restart, when a waiting member is recomputed at their next event or by
// recount). Not thread-safe: one worker holds it.
struct member_cooldown {
    std::unordered_map<std::int64_t, std::chrono::steady_clock::time_point> until;
    std::set<std::int64_t> waiting;
};

// One round of work: folds a batch of the ledger and recomputes a batch of members. Answers
// whether more may wait. Throws store::error when the database fails (nothing half written).
bool member_round(store::database& db, member_worker_options const& options = {}, member_cooldown* cooldown = nullptr);

// Recount: the leaderboard folded again from the whole ledger and every member recomputed (and
// awarded what is due), in rounds; answers how many members were recomputed.
std::int64_t recount_members(store::database& db);

// One thread, started by the constructor and stopped by the destructor.
class member_worker {
public:
    explicit member_worker(store::database& db, member_worker_options options = {});
    ~member_worker();
    member_worker(member_worker const&) = delete;
    member_worker& operator=(member_worker const&) = delete;

private:
    void run();
    store::database& db_;
    member_worker_options options_;
    member_cooldown cooldown_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace peerdesk::app
