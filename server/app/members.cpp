#include "server/app/members.hpp"

#include "server/app/background.hpp"
#include "server/app/notifications.hpp"
#include "server/domain/badges.hpp"
#include "server/domain/time.hpp"
#include "server/store/member_store.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <tuple>

namespace peerdesk::app {
namespace {

constexpr std::string_view ledger_cursor = "ledger";

// Folds the next ledger rows into the reputation gained per period; true when it folded some.
bool fold_ledger(store::database& db, std::int64_t limit)
{
    {
        store::member_store reader(db.reader());
        if (reader.ledger_after(reader.cursor(ledger_cursor), 1).empty()) return false;
    }
    return db.write([&](store::connection& c) {
        store::member_store s(c);
        auto const rows = s.ledger_after(s.cursor(ledger_cursor), limit);
        if (rows.empty()) return false;
        std::map<std::tuple<domain::period, std::int64_t, std::int64_t>, std::int64_t> gains;
        for (auto const& r : rows)
            for (auto const p : {domain::period::week, domain::period::month, domain::period::year})
                gains[{p, domain::period_start(p, r.created_at), r.user_id}] += r.delta;
        for (auto const& [key, gained] : gains) {
            auto const& [p, starts, user_id] = key;
            if (gained != 0) s.add_gain(p, starts, user_id, gained);
        }
        s.set_cursor(ledger_cursor, rows.back().id);
        return static_cast<std::int64_t>(rows.size()) == limit;
    });
}

std::string badge_sentence(domain::earned_badge const& b)
{
    std::string const klass(domain::to_string(b.badge->klass));
    if (b.badge->per_tag) return "You earned the " + klass + " badge for the tag “" + b.tag + "”.";
    return "You earned the " + klass + " badge “" + std::string(b.badge->name) + "”.";
}

struct computed {
    std::int64_t user_id;
    domain::member_facts facts;
    std::vector<store::helped_row> helped;
    store::member_store::kept_figures before;
};

// Recomputes a batch of members from the outbox; answers how many, or 0 when none waited. The
// reading is done on the worker's reader, outside the writer; the write holds only the changes.
std::int64_t recompute_members(store::database& db, member_worker_options const& options, member_cooldown* cooldown,
                               bool& more)
{
    std::vector<computed> batch;
    std::int64_t last_seq = 0;
    {
        store::member_store reader(db.reader());
        auto const box = reader.outbox(options.members_per_round);
        last_seq = box.last_seq;
        more = !box.user_ids.empty();  // the next round looks again: events may have come meanwhile
        std::vector<std::int64_t> ids;
        auto const now = std::chrono::steady_clock::now();
        if (cooldown) {
            auto const cooling = [&](std::int64_t id) {
                auto const it = cooldown->until.find(id);
                return it != cooldown->until.end() && it->second > now;
            };
            for (auto const id : box.user_ids) {
                if (cooling(id))
                    cooldown->waiting.insert(id);
                else
                    ids.push_back(id);
            }
            for (auto it = cooldown->waiting.begin(); it != cooldown->waiting.end();) {
                if (cooling(*it)) {
                    ++it;
                    continue;
                }
                if (std::find(ids.begin(), ids.end(), *it) == ids.end()) ids.push_back(*it);
                it = cooldown->waiting.erase(it);
            }
            std::erase_if(cooldown->until, [&](auto const& kv) { return kv.second <= now; });
        } else {
            ids = box.user_ids;
        }
        if (ids.empty() && last_seq == 0) return 0;
        for (auto const id : ids) {
            auto facts = reader.facts(id);
            auto helped = reader.helped(id);
            facts.helped = static_cast<std::int64_t>(helped.size());
            if (cooldown && facts.questions + facts.answers >= options.heavy_posts)
                cooldown->until[id] = now + options.heavy_cooldown;
            batch.push_back({id, std::move(facts), std::move(helped), reader.kept(id)});
        }
    }
    bool const awarded = db.write([&](store::connection& c) {
        store::member_store s(c);
        auto const now = domain::now();
        bool any = false;
        for (auto const& m : batch) {
            s.save(m.user_id, m.facts, m.helped, m.before);
            for (auto const& b : domain::earned_badges(m.facts)) {
                if (!s.award(m.user_id, b, now)) continue;
                any = true;
                store::new_notification n;
                n.user_id = m.user_id;
                n.kind = "badge";
                n.detail = badge_sentence(b);
                notify(c, std::move(n), now);
            }
            s.recount_badges(m.user_id);
        }
        if (last_seq > 0) s.forget_outbox(last_seq);
        return any;
    });
    if (awarded) advance_notification_epoch();
    return static_cast<std::int64_t>(batch.size());
}

}  // namespace

bool member_round(store::database& db, member_worker_options const& options, member_cooldown* cooldown)
{
    bool const folded = fold_ledger(db, options.ledger_per_round);
    bool more = false;
    recompute_members(db, options, cooldown, more);
    return folded || more;
}

std::int64_t recount_members(store::database& db)
{
    db.write([](store::connection& c) { store::member_store(c).start_over(); });
    std::int64_t members = 0;
    member_worker_options options;
    options.members_per_round = 200;
    options.ledger_per_round = 5000;
    for (;;) {
        bool more = false;
        bool const folded = fold_ledger(db, options.ledger_per_round);
        members += recompute_members(db, options, nullptr, more);
        if (!folded && !more) break;
    }
    return members;
}

member_worker::member_worker(store::database& db, member_worker_options options) : db_(db), options_(options)
{
    thread_ = std::thread([this] { run(); });
}

member_worker::~member_worker()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void member_worker::run()
{
    lower_this_thread(10);
    // Its reader walks one member's posts at a time: a small page cache does, and keeps the
    // server within its memory goal.
    store::database::set_thread_reader_cache(8 * 1024);
    while (!stop_) {
        bool more = false;
        try {
            more = member_round(db_, options_, &cooldown_);
        } catch (std::exception const& e) {
            // A full or failing disk: the outbox keeps the work; try again after the pause.
            std::cerr << "members: " << e.what() << "\n";
        }
        std::unique_lock lock(mutex_);
        // Between batches a short pause lets requests' writes that queued behind one go first.
        wake_.wait_for(lock, more ? options_.batch_pause : options_.idle_pause, [&] { return stop_.load(); });
    }
}

}  // namespace peerdesk::app
