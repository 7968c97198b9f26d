#include "server/app/notifications.hpp"

#include "server/app/background.hpp"
#include "server/app/mailer.hpp"
#include "server/app/urls.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/time.hpp"
#include "server/store/idea_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace peerdesk::app {
namespace {

constexpr std::int64_t day_seconds = 86400;
// Read notifications are kept this long; unread ones until read.
constexpr std::int64_t keep_read_seconds = 180 * day_seconds;

std::string site_name(mail_options const& o)
{
    return o.from.name.empty() ? std::string("peerdesk") : o.from.name;
}

std::string quoted(std::string_view title)
{
    return "\u201c" + std::string(title) + "\u201d";
}

std::string actor_or_someone(store::notification_row const& n)
{
    return n.actor_name.empty() ? std::string("Someone") : n.actor_name;
}

std::string date_of_day(std::int64_t day)
{
    return domain::rfc3339(day * day_seconds).substr(0, 10);
}

std::string join_ids(std::vector<std::int64_t> const& ids)
{
    std::string out;
    for (auto id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
    return out;
}

bool listed(std::string_view ids, std::int64_t id)
{
    auto const text = std::to_string(id);
    std::size_t start = 0;
    while (start <= ids.size()) {
        auto end = ids.find(' ', start);
        if (end == std::string_view::npos) end = ids.size();
        if (ids.substr(start, end - start) == text) return true;
        start = end + 1;
    }
    return false;
}

std::string lowercase_status(store::idea_status s)
{
    auto text = std::string(store::to_sql(s));
    std::replace(text.begin(), text.end(), '_', ' ');
    return text;
}

bool shown(store::notification_row const& n)
{
    return n.linkable || n.kind == "moderation";
}

}  // namespace

namespace {
std::atomic<std::uint64_t> epoch{0};
}  // namespace

std::uint64_t notification_epoch()
{
    return epoch.load(std::memory_order_acquire);
}

void advance_notification_epoch()
{
    epoch.fetch_add(1, std::memory_order_release);
}

bool known_kind(std::string_view kind)
{
    return std::find(notification_kinds.begin(), notification_kinds.end(), kind) != notification_kinds.end();
}

bool known_delivery(std::string_view delivery)
{
    return std::find(deliveries.begin(), deliveries.end(), delivery) != deliveries.end();
}

std::string_view default_delivery(std::string_view kind)
{
    if (kind == "answer") return "email";
    if (kind == "followed_tag") return "weekly";
    return "inbox";
}

std::string delivery_for(store::connection& c, std::int64_t user_id, std::string_view kind)
{
    if (auto stored = store::notification_store(c).preference(user_id, kind)) return *stored;
    return std::string(default_delivery(kind));
}

bool notify(store::connection& c, store::new_notification n, std::int64_t now)
{
    if (n.actor_id && *n.actor_id == n.user_id) return false;
    n.delivery = delivery_for(c, n.user_id, n.kind);
    if (n.delivery == "off") return false;
    return store::notification_store(c).add(n, now);
}

void notify_reputation(store::connection& c, std::int64_t user_id, std::int64_t delta, std::int64_t now)
{
    if (delta == 0) return;
    auto const delivery = delivery_for(c, user_id, "reputation");
    if (delivery == "off") return;
    store::notification_store(c).add_reputation(user_id, delta, now / day_seconds, delivery, now);
}

std::vector<std::int64_t> notify_mentions(store::connection& c, std::vector<std::int64_t> const& mentioned,
                                          std::int64_t actor_id, std::int64_t question_id, std::int64_t post_id,
                                          std::optional<std::int64_t> comment_id, std::int64_t now)
{
    std::vector<std::int64_t> told;
    for (auto id : mentioned) {
        store::new_notification n;
        n.user_id = id;
        n.kind = "mention";
        n.actor_id = actor_id;
        n.question_id = question_id;
        n.post_id = post_id;
        n.comment_id = comment_id;
        if (notify(c, std::move(n), now)) told.push_back(id);
    }
    return told;
}

void queue_fanout(store::connection& c, std::string_view event, std::int64_t question_id, std::int64_t post_id,
                  std::optional<std::int64_t> comment_id, std::int64_t actor_id,
                  std::vector<std::int64_t> const& notified, std::int64_t now)
{
    store::fanout_row row;
    row.event = std::string(event);
    row.question_id = question_id;
    row.post_id = post_id;
    row.comment_id = comment_id;
    row.actor_id = actor_id;
    row.notified = join_ids(notified);
    store::notification_store(c).enqueue_fanout(row, now);
}

void queue_idea_fanout(store::connection& c, std::int64_t idea_id, std::int64_t actor_id, std::string const& detail,
                       std::vector<std::int64_t> const& notified, std::int64_t now)
{
    store::fanout_row row;
    row.event = "idea_status";
    row.question_id = row.post_id = idea_id;
    row.actor_id = actor_id;
    row.notified = join_ids(notified);
    row.detail = detail;
    store::notification_store(c).enqueue_fanout(row, now);
}

void follow_thread(store::connection& c, std::int64_t user_id, std::int64_t question_id, std::int64_t now)
{
    store::notification_store(c).follow(user_id, store::follow_target::question, question_id,
                                        store::follow_mode::automatic, now);
}

void notify_decision(store::connection& c, std::int64_t user_id, std::optional<std::int64_t> actor_id,
                     std::optional<std::int64_t> question_id, std::optional<std::int64_t> post_id, std::string detail,
                     std::int64_t now)
{
    store::new_notification n;
    n.user_id = user_id;
    n.kind = "moderation";
    n.actor_id = actor_id;
    n.question_id = question_id;
    n.post_id = post_id;
    n.detail = std::move(detail);
    notify(c, std::move(n), now);
}

std::string notification_text(store::notification_row const& n)
{
    auto const who = actor_or_someone(n);
    auto const title = quoted(n.title);
    auto const post = n.post_kind.empty() ? std::string("post") : n.post_kind;
    if (n.kind == "answer") return who + " answered your question " + title;
    if (n.kind == "comment") return who + " commented on your " + post + " on " + title;
    if (n.kind == "reply") return who + " replied to your comment on " + title;
    if (n.kind == "mention") return who + " mentioned you on " + title;
    if (n.kind == "accepted") return who + " accepted your answer on " + title;
    if (n.kind == "reputation")
        return std::string(n.amount >= 0 ? "You earned " : "You lost ") + std::to_string(std::abs(n.amount)) +
               " reputation on " + date_of_day(n.day.value_or(n.created_at / day_seconds));
    if (n.kind == "moderation") {
        if (n.question_id) return "Your " + post + " on " + title + " was " + n.detail;
        return "Your account: " + n.detail;
    }
    if (n.kind == "followed_question")
        return who + (n.comment_id ? " commented on " : " answered ") + title + ", which you follow";
    if (n.kind == "followed_tag") return who + " asked " + title + " in a tag you follow";
    if (n.kind == "followed_user")
        return who + ", whom you follow, " + (n.post_kind == "question" ? "asked " : "answered ") + title;
    if (n.kind == "idea_status") {
        auto const space = n.detail.find(' ');
        auto const status = store::parse_idea_status(space == std::string::npos ? "" : n.detail.substr(space + 1));
        if (status == store::idea_status::duplicate) return "The idea " + title + " was merged into another idea";
        return "The idea " + title + " is now " + (status ? lowercase_status(*status) : std::string("changed"));
    }
    return n.detail;
}

std::string notification_path(store::notification_row const& n, std::int64_t user_id)
{
    if (n.kind == "reputation") return urls::user(user_id);
    if (n.kind == "badge") return urls::user(user_id) + "#badges";
    if (n.kind == "moderation" && !n.question_id) return "/account";
    if (!n.linkable || !n.question_id) return {};
    // An idea is its own page (comments on it included).
    if (n.kind == "idea_status") return urls::idea(*n.question_id);
    if (n.post_kind == "idea")
        return urls::idea(*n.question_id) + (n.comment_id ? "#comment-" + std::to_string(*n.comment_id) : "");
    if (n.comment_id) return urls::comment(*n.question_id, *n.comment_id);
    if (n.post_id) return urls::post(*n.question_id, *n.post_id);
    return urls::question(*n.question_id);
}

boost::json::object notification_json(store::notification_row const& n, std::int64_t user_id)
{
    boost::json::object o{{"id", n.id},
                          {"kind", n.kind},
                          {"created_at", domain::rfc3339(n.created_at)},
                          {"read", n.read},
                          {"text", notification_text(n)}};
    if (n.actor_id)
        o["actor"] = boost::json::object{{"id", *n.actor_id}, {"username", n.actor_name}};
    else
        o["actor"] = nullptr;
    auto const optional = [](std::optional<std::int64_t> v) { return v ? boost::json::value(*v) : nullptr; };
    o["question_id"] = optional(n.question_id);
    o["post_id"] = optional(n.post_id);
    o["comment_id"] = optional(n.comment_id);
    if (n.kind == "reputation") o["amount"] = n.amount;
    auto const path = notification_path(n, user_id);
    o["url"] = path.empty() ? boost::json::value(nullptr) : boost::json::value(path);
    return o;
}

// ---- unsubscribe tokens: "<user id>-<scope>-<HMAC, base64url>"

std::string unsubscribe_token(store::connection& c, std::int64_t user_id, std::string_view scope)
{
    auto const key = store::notification_store(c).secret("unsubscribe");
    auto const payload = std::to_string(user_id) + "-" + std::string(scope);
    return payload + "-" + domain::base64url(domain::hmac_sha256(key, "unsubscribe:" + payload)).substr(0, 32);
}

std::optional<unsubscribe_request> read_unsubscribe_token(store::connection& c, std::string_view token)
{
    if (token.size() > 100) return std::nullopt;
    auto const first = token.find('-');
    if (first == std::string_view::npos) return std::nullopt;
    auto const second = token.find('-', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    auto const id = parse_id(token.substr(0, first));
    auto const scope = token.substr(first + 1, second - first - 1);
    if (!id || (scope != "email" && scope != "digest")) return std::nullopt;
    auto const expected = unsubscribe_token(c, *id, scope);
    if (!domain::constant_time_equal(expected, token)) return std::nullopt;
    return unsubscribe_request{*id, std::string(scope)};
}

std::vector<std::string> apply_unsubscribe(store::connection& c, unsubscribe_request const& r)
{
    std::vector<std::string> changed;
    store::notification_store s(c);
    for (auto kind : notification_kinds) {
        auto const now_set = delivery_for(c, r.user_id, kind);
        bool const match = r.scope == "email" ? now_set == "email" : (now_set == "daily" || now_set == "weekly");
        if (!match) continue;
        s.set_preference(r.user_id, kind, "inbox");
        changed.emplace_back(kind);
    }
    return changed;
}

// ---- the worker

notification_worker::notification_worker(store::database& db, mail_options mail, notification_worker_options options)
    : db_(db), mail_(std::move(mail)), options_(options)
{
    thread_ = std::thread([this] { run(); });
}

notification_worker::~notification_worker()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void notification_worker::wake()
{
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void notification_worker::run()
{
    lower_this_thread(10);
    // The first pruning waits an hour: a start writes nothing of its own.
    std::int64_t digests_at = 0, pruned_at = domain::now();
    // Digests are looked for once a minute, or more often when either period is short (tests).
    auto const digest_every =
        std::clamp<std::int64_t>(std::min(options_.daily.count(), options_.weekly.count()) / 2, 1, 60);
    while (!stop_) {
        bool more = false;
        try {
            more = fan_out() || more;
            if (mail_.enabled) more = send_mail() || more;
            auto const now = domain::now();
            if (mail_.enabled && now - digests_at >= digest_every) {
                make_digests("daily", options_.daily.count());
                make_digests("weekly", options_.weekly.count());
                digests_at = now;
            }
            if (now - pruned_at > 3600) {
                db_.write([&](store::connection& c) { store::notification_store(c).prune(now - keep_read_seconds); },
                          store::database::seen::no);
                pruned_at = now;
            }
        } catch (std::exception const& e) {
            // A full or failing disk: the work stays queued; try again after the pause.
            std::cerr << "notifications: " << e.what() << "\n";
            more = false;
        }
        std::unique_lock lock(mutex_);
        // Between batches, a pause of a few milliseconds lets the requests' writes that queued
        // behind one go first: a large fan-out is spread out rather than holding the writer.
        if (more)
            wake_.wait_for(lock, options_.batch_pause, [&] { return stop_.load(); });
        else
            wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_.load() || woken_; });
        woken_ = false;
    }
}

bool notification_worker::fan_out()
{
    using store::follow_target;
    // Cheap first: most of the time there is nothing to do.
    if (!store::notification_store(db_.reader()).next_fanout()) return false;
    auto const now = domain::now();
    // One transaction tells at most fanout_batch followers, over as many events as that
    // reaches (at most 100): a thousand answers with few followers each go in a few commits,
    // and a tag with thousands of followers in many short ones, each resumable.
    db_.write(
        [&](store::connection& c) {
            store::notification_store s(c);
            auto budget = options_.fanout_batch;
            for (int events = 0; budget > 0 && events < 100; ++events) {
                auto const row = s.next_fanout();
                if (!row) break;
                // Who hears of each event, in this order; a member reached by an earlier stage
                // (or told directly) is not told again (the unique index on followed kinds).
                std::vector<std::pair<follow_target, char const*>> stages;
                if (row->event == "question")
                    stages = {{follow_target::tag, "followed_tag"}, {follow_target::user, "followed_user"}};
                if (row->event == "answer")
                    stages = {{follow_target::question, "followed_question"}, {follow_target::user, "followed_user"}};
                if (row->event == "comment") stages = {{follow_target::question, "followed_question"}};
                // An idea's status change: its voters (stage 0, from idea_votes), then its
                // followers; each hears of it once (the unique index on the detail).
                if (row->event == "idea_status")
                    stages = {{follow_target::user, "idea_status"}, {follow_target::question, "idea_status"}};
                if (row->stage >= static_cast<std::int64_t>(stages.size())) {
                    s.finish_fanout(row->id);
                    continue;
                }
                auto const [target, kind] = stages[static_cast<std::size_t>(row->stage)];
                auto const target_id = target == follow_target::user ? row->actor_id : row->question_id;
                bool const voters = row->event == "idea_status" && row->stage == 0;
                auto const followers = voters ? store::idea_store(c).voters(row->question_id, row->cursor, budget)
                                              : s.followers(target, target_id, row->cursor, budget);
                std::vector<std::int64_t> members;
                for (auto id : followers)
                    if (id != row->actor_id && !listed(row->notified, id)) members.push_back(id);
                store::new_notification n;
                n.kind = kind;
                n.actor_id = row->actor_id;
                n.question_id = row->question_id;
                n.post_id = row->post_id;
                n.comment_id = row->comment_id;
                n.detail = row->detail;
                s.add_for(members, n, default_delivery(kind), now);
                if (static_cast<std::int64_t>(followers.size()) < budget)
                    s.advance_fanout(row->id, row->stage + 1, 0);
                else
                    s.advance_fanout(row->id, row->stage, followers.back());
                budget -= std::max<std::int64_t>(1, static_cast<std::int64_t>(followers.size()));
            }
        },
        store::database::seen::no);
    advance_notification_epoch();
    return true;
}

bool notification_worker::send_mail()
{
    constexpr std::int64_t batch = 20;
    auto const now = domain::now();
    auto const groups = store::notification_store(db_.reader()).due_mail(now - options_.fold_window.count(), batch);
    for (auto const& g : groups) {
        if (stop_) break;
        db_.write(
            [&](store::connection& c) {
                store::notification_store s(c);
                auto const rows = s.waiting_mail(g.user_id, "email", g.question_id);
                std::vector<std::int64_t> ids;
                std::vector<render::view> items;
                std::string first_text, title;
                for (auto const& r : rows) {
                    ids.push_back(r.id);
                    if (!shown(r)) continue;  // removed or held meanwhile: never mailed
                    auto const text = notification_text(r);
                    if (first_text.empty()) first_text = text;
                    if (!r.title.empty()) title = r.title;
                    render::view item;
                    item.set("text", text);
                    if (auto const path = notification_path(r, g.user_id); !path.empty())
                        item.set("link", public_link(mail_, path));
                    items.push_back(std::move(item));
                }
                s.mark_mailed(ids, now);
                if (items.empty()) return;
                auto const to = notification_address(c, mail_, g.user_id);
                if (!to) return;
                outgoing_mail m;
                m.user_id = g.user_id;
                m.kind = "notification";
                m.to = *to;
                m.subject = items.size() == 1 ? first_text
                                              : std::to_string(items.size()) + " new notifications" +
                                                    (title.empty() ? std::string() : " on " + quoted(title));
                m.template_name = "mail/notification";
                m.list_unsubscribe = public_link(mail_, "/unsubscribe/" + unsubscribe_token(c, g.user_id, "email"));
                m.one_click = true;
                m.values.set("username", to->name)
                    .set("has_items", !items.empty())
                    .set("items", std::move(items))
                    .set("inbox_link", public_link(mail_, "/notifications"))
                    .set("preferences_link", public_link(mail_, "/account#notifications"))
                    .set("unsubscribe_link", m.list_unsubscribe);
                if (enqueue_mail(c, mail_, std::move(m), now)) s.record_mail(g.user_id, g.question_id, now);
            },
            store::database::seen::no);
    }
    return static_cast<std::int64_t>(groups.size()) == batch;
}

void notification_worker::make_digests(std::string_view period, std::int64_t seconds)
{
    constexpr std::int64_t batch = 50;
    auto const now = domain::now();
    auto const due = store::notification_store(db_.reader()).due_digests(period, now - seconds, batch);
    for (auto user_id : due) {
        if (stop_) break;
        db_.write(
            [&](store::connection& c) {
                store::notification_store s(c);
                auto const since = s.last_digest(user_id, period).value_or(now - seconds);
                bool const tags = delivery_for(c, user_id, "followed_tag") == period;
                auto const questions =
                    tags ? s.tag_questions(user_id, since, 10) : std::vector<store::digest_question>{};
                auto const answers = tags ? s.best_answers(user_id, since, 5) : std::vector<store::digest_answer>{};
                auto const pending = s.waiting_mail(user_id, period, std::nullopt);
                std::vector<std::int64_t> ids;
                std::vector<render::view> items;
                for (auto const& r : pending) {
                    ids.push_back(r.id);
                    // New questions in followed tags are listed from the tags themselves.
                    if (!shown(r) || r.kind == "followed_tag") continue;
                    render::view item;
                    item.set("text", notification_text(r));
                    if (auto const path = notification_path(r, user_id); !path.empty())
                        item.set("link", public_link(mail_, path));
                    items.push_back(std::move(item));
                }
                s.mark_mailed(ids, now);
                s.record_digest(user_id, period, now);
                if (questions.empty() && answers.empty() && items.empty()) return;
                auto const to = notification_address(c, mail_, user_id);
                if (!to) return;
                std::vector<render::view> unanswered, other, best;
                for (auto const& q : questions) {
                    render::view v;
                    v.set("title", q.title)
                        .set("link", public_link(mail_, urls::question(q.id)))
                        .set("answers", q.answer_count);
                    (q.answer_count == 0 ? unanswered : other).push_back(std::move(v));
                }
                for (auto const& a : answers) {
                    render::view v;
                    v.set("title", a.title)
                        .set("author", a.author)
                        .set("score", a.score)
                        .set("link", public_link(mail_, urls::post(a.question_id, a.id)));
                    best.push_back(std::move(v));
                }
                auto const change = s.reputation_change(user_id, since);
                outgoing_mail m;
                m.user_id = user_id;
                m.kind = std::string(period) + "_digest";
                m.to = *to;
                m.subject = std::string(period == "daily" ? "Your daily digest" : "Your weekly digest") + " from " +
                            site_name(mail_);
                m.template_name = "mail/digest";
                m.list_unsubscribe = public_link(mail_, "/unsubscribe/" + unsubscribe_token(c, user_id, "digest"));
                m.one_click = true;
                m.values.set("username", to->name)
                    .set("period", std::string(period == "daily" ? "day" : "week"))
                    .set("unanswered", std::move(unanswered))
                    .set("has_unanswered", !questions.empty() && questions.front().answer_count == 0)
                    .set("other_questions", std::move(other))
                    .set("best_answers", std::move(best))
                    .set("has_best", !answers.empty())
                    .set("has_items", !items.empty())
                    .set("items", std::move(items))
                    .set("reputation_change", (change > 0 ? "+" : "") + std::to_string(change))
                    .set("inbox_link", public_link(mail_, "/notifications"))
                    .set("preferences_link", public_link(mail_, "/account#notifications"))
                    .set("unsubscribe_link", m.list_unsubscribe);
                enqueue_mail(c, mail_, std::move(m), now);
            },
            store::database::seen::no);
    }
}

}  // namespace peerdesk::app
