// The related questions kept in the database: the background thread of search_service that
// finds them (search_service::start_related says what it finds and when).
//
// DESIGN. One thread, at the lowest priority. Its work comes from three places:
// - wanted_: questions the indexer handed out (with the outbox position the index must reach),
//   questions whose page found no list, and neighbours to find again. A wish waits at most
//   ready_anyway for its position, then is looked at as the index stands.
// - neighbours: after finding a list for a question that had none or had another text, the
//   questions on that list with room for more are found again, once; a question no longer live
//   gives its list's questions the same (it held a place in theirs).
// - the walk: every live question in id order, walk_batch at a time, when nothing is wanted.
// The order that keeps neighbours right: a question is looked at from elsewhere than the
// indexer only when the index holds all its changes and no wish for it waits; otherwise a wish
// for its last change's position does it, with the neighbours, once the index can find it. Each batch is
// written in one transaction, unseen by page caches (database::seen::no). What it does not do:
// notice at once a question asked that belongs in a full list (that waits for the list's
// max_age), or re-rank lists when the quality boost changes (the same).
#include "server/app/background.hpp"
#include "server/app/search_service.hpp"
#include "server/domain/time.hpp"
#include "server/store/related_store.hpp"

#include <algorithm>
#include <iostream>
#include <limits>
#include <set>

namespace peerdesk::app {
namespace {

constexpr std::size_t walk_batch = 200;
constexpr std::size_t wanted_batch = 50;
constexpr std::size_t max_wanted = 10000;
constexpr std::size_t max_pending = 10000;  // outbox posts looked through; more is a backlog
constexpr auto ready_anyway = std::chrono::seconds(30);
constexpr auto wanted_poll = std::chrono::milliseconds(50);
constexpr auto after_failure = std::chrono::seconds(5);

struct found_list {
    std::int64_t question_id = 0;
    std::int64_t text_hash = 0;
    std::vector<std::int64_t> ids;
    bool had_list_for_text = false;  // the question had a list for this text already
};

}  // namespace

void search_service::start_related(related_options options)
{
    stop_related();
    related_options_ = options;
    related_stop_.store(false, std::memory_order_release);
    related_thread_ = std::thread([this] { run_related(); });
}

void search_service::stop_related()
{
    {
        std::lock_guard lock(related_work_mutex_);
        related_stop_.store(true, std::memory_order_release);
    }
    related_wake_.notify_all();
    if (related_thread_.joinable()) related_thread_.join();
}

void search_service::want_related(std::int64_t question_id, std::int64_t after_seq, bool force)
{
    {
        std::lock_guard lock(related_work_mutex_);
        auto const it = wanted_.find(question_id);
        if (it == wanted_.end()) {
            if (wanted_.size() >= max_wanted) return;
            wanted_.emplace(question_id, wanted_related{after_seq, std::chrono::steady_clock::now(), force});
        } else {
            it->second.seq = std::max(it->second.seq, after_seq);
            it->second.force = it->second.force || force;
        }
    }
    related_wake_.notify_one();
}

void search_service::run_related()
{
    // The lowest priority: finding lists is never worth a reader's wait.
    lower_this_thread(19);
    // The walk reads every question once an hour: a small page cache, as the write threads keep.
    store::database::set_thread_reader_cache(4 * 1024);
    using clock = std::chrono::steady_clock;
    auto next_walk = clock::now() + related_options_.first_walk;
    std::int64_t cursor = 0;
    auto const rest = [&](clock::duration d) {
        std::unique_lock lock(related_work_mutex_);
        related_wake_.wait_for(lock, d, [&] { return related_stop_.load(std::memory_order_acquire); });
    };
    while (!related_stop_.load(std::memory_order_acquire)) {
        auto const now = clock::now();
        try {
            auto const applied = indexer_status().applied_seq;
            // The indexer's wishes first (with their neighbours), forced or not; then the rest.
            struct kind {
                origin from;
                neighbours then;
                bool forced;
                std::vector<std::int64_t> ids;
            };
            kind kinds[] = {{origin::index, neighbours::look_again, false, {}},
                            {origin::index, neighbours::look_again, true, {}},
                            {origin::elsewhere, neighbours::look_again, false, {}},
                            {origin::elsewhere, neighbours::leave, true, {}}};
            bool waiting = false;
            bool any = false;
            {
                std::lock_guard lock(related_work_mutex_);
                std::size_t taken = 0;
                for (auto it = wanted_.begin(); it != wanted_.end() && taken < wanted_batch;) {
                    auto const& w = it->second;
                    if (w.seq <= applied || now - w.at > ready_anyway) {
                        kinds[(w.seq > 0 ? 0 : 2) + (w.force ? 1 : 0)].ids.push_back(it->first);
                        ++taken;
                        any = true;
                        it = wanted_.erase(it);
                    } else {
                        ++it;
                    }
                }
                waiting = !wanted_.empty();
            }
            if (any) {
                for (auto& k : kinds) {
                    std::sort(k.ids.begin(), k.ids.end());
                    if (find_related(k.ids, k.from, k.then, k.forced) == outcome_of_batch::stopped) break;
                }
                continue;
            }
            if (now >= next_walk) {
                auto const step = walk_related(cursor);
                if (step == outcome_of_batch::backlog) {
                    next_walk = clock::now() + after_failure;  // the same batch, once the index has caught up
                } else if (step == outcome_of_batch::done && cursor != 0) {
                    next_walk = clock::now() + related_options_.walk_pause;
                } else {
                    next_walk = clock::now() + related_options_.walk_every;
                }
                continue;
            }
            std::unique_lock lock(related_work_mutex_);
            auto const until = waiting ? now + wanted_poll : std::min(next_walk, now + std::chrono::seconds(1));
            related_wake_.wait_until(lock, until, [&] {
                return related_stop_.load(std::memory_order_acquire) || (!waiting && !wanted_.empty());
            });
        } catch (search::unavailable const&) {
            rest(after_failure);  // being rebuilt or repaired: the lists wait for it
        } catch (std::exception const& e) {
            std::cerr << "related questions: " << e.what() << "\n";
            rest(after_failure);
        }
    }
}

search_service::outcome_of_batch search_service::find_related(std::vector<std::int64_t> const& ids, origin from,
                                                              neighbours then, bool forced)
{
    if (ids.empty()) return outcome_of_batch::done;
    auto const now = domain::now();
    auto const oldest = now - related_options_.max_age.count();
    search::tuning const tune{related_options_.quality_boost / 100.0};
    std::vector<found_list> found;
    std::vector<std::int64_t> gone;
    std::set<std::int64_t> look_again;
    {
        store::related_store reader(db_.reader());
        auto live = reader.questions(ids);
        if (from == origin::elsewhere) {
            // Read after the questions, so that a change they show is at or before applied.
            auto const applied = indexer_status().applied_seq;
            auto const pending = store::search_store(db_.reader()).pending_posts(applied, max_pending);
            if (!pending) return outcome_of_batch::backlog;
            std::unordered_map<std::int64_t, std::int64_t> waits(pending->begin(), pending->end());
            std::lock_guard lock(related_work_mutex_);
            std::erase_if(live, [&](store::related_candidate const& q) {
                auto const p = waits.find(q.question_id);
                auto const w = wanted_.find(q.question_id);
                if (p == waits.end() && w == wanted_.end()) return false;
                // Left to a wish that waits for the index to hold its change. Not to the
                // indexer's own: a rebuild taken up meanwhile holds the change without handing
                // it out.
                if (w == wanted_.end())
                    wanted_.emplace(q.question_id, wanted_related{p->second, std::chrono::steady_clock::now(), forced});
                else {
                    if (p != waits.end()) w->second.seq = std::max(w->second.seq, p->second);
                    w->second.force = w->second.force || forced;
                }
                return true;
            });
        }
        std::set<std::int64_t> live_ids;
        for (auto const& q : live) live_ids.insert(q.question_id);
        for (auto const id : ids) {
            if (live_ids.contains(id)) continue;
            // Deleted, hidden, held, not a question, or left for its indexer's wish.
            if (from == origin::elsewhere && !forced) continue;
            if (reader.questions({id}).empty())
                if (auto const kept = reader.find(id)) {
                    // Its list goes, and the questions it named most likely lost it from theirs.
                    gone.push_back(id);
                    if (then == neighbours::look_again) look_again.insert(kept->ids.begin(), kept->ids.end());
                }
        }
        for (auto const& q : live) {
            auto const hash = store::related_text_hash(q.title, q.tags);
            bool const same_text = q.stored && q.stored->text_hash == hash;
            if (!forced && same_text && q.stored->found_at >= oldest) continue;
            if (related_stop_.load(std::memory_order_acquire)) return outcome_of_batch::stopped;
            auto text = q.title;
            for (auto const& t : q.tags) text += " " + t;
            std::vector<search::hit> hits;
            try {
                hits = readers_.similar(text, q.question_id, related_limit, false, tune, search::post_kind::question,
                                        true);
            } catch (search::bad_query const&) {
            }
            found_list f{q.question_id, hash, {}, same_text};
            for (auto const& h : hits) f.ids.push_back(h.post_id);
            found.push_back(std::move(f));
        }
        if (then == neighbours::look_again) {
            for (auto const& f : found) {
                if (f.had_list_for_text) continue;  // found again as it aged: its neighbours knew it
                for (auto const id : f.ids)
                    if (auto const kept = reader.find(id); kept && kept->ids.size() < related_limit)
                        look_again.insert(id);
            }
        }
    }
    if (!found.empty() || !gone.empty())
        db_.write(
            [&](store::connection& c) {
                auto tx = c.begin_immediate();
                store::related_store s(c);
                for (auto const& f : found) s.keep(f.question_id, f.ids, f.text_hash, now);
                for (auto const id : gone) s.forget(id);
                tx.commit();
            },
            store::database::seen::no);
    for (auto const& f : found) look_again.erase(f.question_id);
    for (auto const id : gone) look_again.erase(id);
    if (look_again.empty()) return outcome_of_batch::done;
    auto const again = find_related({look_again.begin(), look_again.end()}, origin::elsewhere, neighbours::leave, true);
    return again == outcome_of_batch::stopped ? again : outcome_of_batch::done;
}

search_service::outcome_of_batch search_service::walk_related(std::int64_t& cursor)
{
    std::vector<store::related_candidate> batch;
    bool gone = false;
    constexpr auto last = std::numeric_limits<std::int64_t>::max();
    {
        store::related_store reader(db_.reader());
        batch = reader.questions_after(cursor, walk_batch);
        auto const up_to = batch.size() < walk_batch ? last : batch.back().question_id;
        auto const stored =
            std::count_if(batch.begin(), batch.end(), [](auto const& q) { return q.stored.has_value(); });
        // Lists of questions no longer live in this stretch of ids, to forget with the batch.
        gone = reader.count_between(cursor, up_to) > stored;
    }
    auto const oldest = domain::now() - related_options_.max_age.count();
    std::vector<std::int64_t> due;
    for (auto const& q : batch)
        if (!q.stored || q.stored->text_hash != store::related_text_hash(q.title, q.tags) ||
            q.stored->found_at < oldest)
            due.push_back(q.question_id);
    if (auto const r = find_related(due, origin::elsewhere, neighbours::leave, false); r != outcome_of_batch::done)
        return r;
    auto const from = cursor;
    auto const up_to = batch.size() < walk_batch ? last : batch.back().question_id;
    if (gone)
        db_.write([&](store::connection& c) { store::related_store(c).forget_gone(from, up_to); },
                  store::database::seen::no);
    cursor = batch.size() < walk_batch ? 0 : batch.back().question_id;
    return outcome_of_batch::done;
}

}  // namespace peerdesk::app
