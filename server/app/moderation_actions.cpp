#include "server/app/moderation_actions.hpp"
#include "server/app/notifications.hpp"
#include "server/app/own_content.hpp"

#include "moderation/flags.hpp"
#include "moderation/review.hpp"
#include "moderation/suspension.hpp"
#include "server/app/permissions.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/store/post_store.hpp"
#include "server/store/search_store.hpp"
#include "server/store/user_store.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace peerdesk::app {
namespace {

failure not_found(std::string_view what)
{
    return {failure_kind::not_found, "not_found", "There is no such " + std::string(what) + ".", ""};
}

std::optional<failure> require_moderator(context& ctx, viewer const& who)
{
    return permissions(ctx, who).may_moderate();
}

std::optional<failure> check_reason(std::string const& reason, bool required, std::string_view what)
{
    if (required && domain::trim(reason).empty())
        return failure{failure_kind::invalid, "invalid_field",
                       "Say why you " + std::string(what) + "; the reason is kept in the audit log.", "reason"};
    if (!domain::valid_utf8(reason) || reason.size() > 500)
        return failure{failure_kind::invalid, "invalid_field", "A reason is at most 500 characters of text.", "reason"};
    return std::nullopt;
}

std::string before_json(store::post_row const& p)
{
    boost::json::object o{{"body_markdown", p.body_markdown}, {"state", domain::to_sql(p.state)}};
    if (p.kind != domain::post_kind::answer) {
        o["title"] = p.title;
        boost::json::array tags;
        for (auto const& t : p.tags) tags.emplace_back(t);
        o["tags"] = std::move(tags);
    }
    return boost::json::serialize(o);
}

std::int64_t thread_of(store::post_row const& p)
{
    return p.question_id.value_or(p.id);
}

// A question, for the question-only actions.
std::variant<store::post_row, failure> moderated_question(context& ctx, viewer const& who, std::int64_t id)
{
    if (auto f = require_moderator(ctx, who)) return *f;
    auto q = store::post_store(ctx.db.reader()).find_any_post(id);
    if (!q || q->kind != domain::post_kind::question || q->deleted_at) return not_found("question");
    return std::move(*q);
}

}  // namespace

std::string close_reason_text(std::string_view reason)
{
    if (reason == "duplicate") return "a duplicate";
    if (reason == "off_topic") return "off-topic";
    if (reason == "needs_details") return "needing details";
    if (reason == "resolved_elsewhere") return "resolved elsewhere";
    return std::string(reason);
}

std::optional<failure> protect_admin_post(context& ctx, viewer const& who, store::post_row const& post)
{
    if (!who.user || post.author.id == who.user->id || who.is_admin()) return std::nullopt;
    auto const author = store::user_store(ctx.db.reader()).find(post.author.id);
    if (author && author->role == domain::role::admin)
        return failure{failure_kind::forbidden, "forbidden",
                       "An admin wrote this post; only an admin can edit or delete it.", ""};
    return std::nullopt;
}

outcome<store::flag_result> flag(context& ctx, viewer const& who, std::optional<std::int64_t> post_id,
                                 std::optional<std::int64_t> comment_id, std::string const& reason,
                                 std::string const& note)
{
    if (auto f = permissions(ctx, who).may_write("flag")) return *f;
    auto const kind = moderation::parse_flag_reason(reason);
    if (reason.empty())
        return failure{failure_kind::invalid, "invalid_field",
                       "Choose what is wrong: spam, rude, off-topic, needs improvement or something else.", "reason"};
    if (!kind)
        return failure{failure_kind::invalid, "invalid_field",
                       "reason is one of spam, rude, off_topic, needs_improvement, other.", "reason"};
    if (!domain::valid_utf8(note) || note.size() > 500)
        return failure{failure_kind::invalid, "invalid_field", "A note is at most 500 characters of text.", "note"};
    if (kind == moderation::flag_reason::other && domain::trim(note).empty())
        return failure{failure_kind::invalid, "invalid_field",
                       "Say what is wrong in the note when the reason is other.", "note"};
    if (auto f = check_rate(ctx, who, "flag", ctx.config.rates.flag)) return *f;
    auto const result = ctx.db.write([&](store::connection& c) {
        return store::moderation_store(c).add_flag(
            post_id, comment_id, who.user->id, reason, std::string(domain::trim(note)),
            ctx.config.flag_established_reputation,
            [&](std::int64_t serious) {
                return moderation::hide_now({serious},
                                            {ctx.config.flag_hide_after, ctx.config.flag_established_reputation});
            },
            domain::now());
    });
    if (result.outcome == store::flag_outcome::missing) return not_found(post_id ? "post" : "comment");
    if (result.outcome == store::flag_outcome::own)
        return failure{failure_kind::forbidden, "own_post",
                       "You cannot flag what you wrote; edit or delete it instead.", ""};
    if (result.outcome == store::flag_outcome::duplicate)
        return failure{failure_kind::conflict, "already_flagged",
                       "You have flagged this already; moderators will look at it.", ""};
    return result;
}

outcome<std::int64_t> delete_post(context& ctx, viewer const& who, std::int64_t post_id, std::string const& reason)
{
    if (auto f = permissions(ctx, who).signed_in("do that")) return *f;
    if (auto f = check_reason(reason, false, "delete")) return *f;
    auto const now = domain::now();
    // Decided on what the transaction reads: an answer arriving, or an acceptance, just before
    // an author's deletion is seen by it (own_content.hpp).
    return ctx.db.write([&](store::connection& c) -> outcome<std::int64_t> {
        auto tx = c.begin_immediate();
        store::post_store posts(c);
        auto const post = posts.find_any_post(post_id);
        if (!post || post->state != domain::post_state::live || (post->deleted_at && !who.is_moderator()))
            return not_found("post");
        auto const question = post->question_id ? posts.find_any_post(*post->question_id) : post;
        if (!question || (!who.is_moderator() && question->deleted_at)) return not_found("post");
        if (post->deleted_at)
            return failure{failure_kind::conflict, "already_deleted", "That post is deleted already.", ""};
        if (auto f = protect_admin_post(ctx, who, *post)) return *f;
        if (!who.is_moderator()) {
            if (post->author.id != who.user->id)
                return failure{failure_kind::forbidden, "forbidden",
                               "Only the author or a moderator can delete a post.", ""};
            if (auto f = check_standing(who)) return *f;
            if (auto f = may_remove_own_post(who, *post, *question)) return *f;
        }
        if (post->kind == domain::post_kind::answer && question->accepted_answer_id == post->id)
            posts.set_accepted(question->id, std::nullopt, who.user->id, ctx.config.rules, now);
        posts.change_visibility(post_id, now,
                                [&] { store::moderation_store(c).set_deleted(post_id, who.user->id, now); });
        if (who.is_moderator()) {
            store::add_audit(
                c, {who.user->id, "delete", post_id, std::nullopt, post->author.id, reason, before_json(*post), now});
            notify_decision(c, post->author.id, who.user->id, thread_of(*post), post_id,
                            "deleted by a moderator" + (reason.empty() ? std::string() : ": " + reason), now);
        }
        tx.commit();
        return thread_of(*post);
    });
}

outcome<std::int64_t> undelete_post(context& ctx, viewer const& who, std::int64_t post_id, std::string const& reason)
{
    if (auto f = permissions(ctx, who).signed_in("do that")) return *f;
    if (auto f = check_reason(reason, false, "undelete")) return *f;
    auto const now = domain::now();
    return ctx.db.write([&](store::connection& c) -> outcome<std::int64_t> {
        auto tx = c.begin_immediate();
        store::post_store posts(c);
        auto const post = posts.find_any_post(post_id);
        if (!post || post->state != domain::post_state::live) return not_found("post");
        if (!who.is_moderator() && post->question_id) {
            auto const q = posts.find_any_post(*post->question_id);
            if (!q || q->deleted_at) return not_found("post");
        }
        if (!post->deleted_at) return failure{failure_kind::conflict, "not_deleted", "That post is not deleted.", ""};
        if (!who.is_moderator()) {
            auto const by = store::moderation_store(c).deleted_by(post_id);
            if (post->author.id != who.user->id)
                return failure{failure_kind::forbidden, "forbidden", "Only a moderator can undelete this post.", ""};
            if (auto f = check_standing(who)) return *f;
            if (auto f = may_restore_own_post(who, *post, by.value_or(0), *post->deleted_at, now)) return *f;
        }
        posts.change_visibility(post_id, now,
                                [&] { store::moderation_store(c).set_deleted(post_id, std::nullopt, now); });
        if (who.is_moderator())
            store::add_audit(
                c, {who.user->id, "undelete", post_id, std::nullopt, post->author.id, reason, std::nullopt, now});
        tx.commit();
        return thread_of(*post);
    });
}

outcome<std::int64_t> redact_revision(context& ctx, viewer const& who, std::int64_t revision_id,
                                      std::string const& reason)
{
    if (auto f = require_moderator(ctx, who)) return *f;
    if (auto f = check_reason(reason, true, "hide this revision")) return *f;
    auto const now = domain::now();
    return ctx.db.write([&](store::connection& c) -> outcome<std::int64_t> {
        auto tx = c.begin_immediate();
        store::post_store posts(c);
        auto const found = posts.revision_post(revision_id);
        if (!found) return not_found("revision");
        auto const [post_id, latest] = *found;
        if (latest)
            return failure{
                failure_kind::conflict, "current_revision",
                "This revision is the post's current text: edit the post to remove it, then hide this revision.", ""};
        if (!posts.redact_revision(revision_id, who.user->id, now))
            return failure{failure_kind::conflict, "already_redacted", "This revision's text is hidden already.", ""};
        auto const post = posts.find_any_post(post_id);
        store::add_audit(c, {who.user->id, "redact_revision", post_id, std::nullopt,
                             post ? std::optional(post->author.id) : std::nullopt,
                             "revision " + std::to_string(revision_id) + ": " + std::string(domain::trim(reason)),
                             std::nullopt, now});
        tx.commit();
        return post_id;
    });
}

outcome<std::int64_t> close_question(context& ctx, viewer const& who, std::int64_t id, std::string const& reason,
                                     std::optional<std::int64_t> duplicate_of)
{
    auto found = moderated_question(ctx, who, id);
    if (auto const* f = std::get_if<failure>(&found)) return *f;
    auto const& q = std::get<store::post_row>(found);
    if (reason != "duplicate" && reason != "off_topic" && reason != "needs_details" && reason != "resolved_elsewhere")
        return failure{failure_kind::invalid, "invalid_field",
                       "reason is one of duplicate, off_topic, needs_details, resolved_elsewhere.", "reason"};
    if (reason == "duplicate") {
        if (!duplicate_of)
            return failure{failure_kind::invalid, "invalid_field",
                           "Give the id of the original question in duplicate_of.", "duplicate_of"};
        if (*duplicate_of == id)
            return failure{failure_kind::invalid, "invalid_field", "A question cannot be a duplicate of itself.",
                           "duplicate_of"};
        auto const original = store::post_store(ctx.db.reader()).find_post(*duplicate_of);
        if (!original || original->kind != domain::post_kind::question)
            return failure{failure_kind::invalid, "invalid_field",
                           "There is no question " + std::to_string(*duplicate_of) + " to point to.", "duplicate_of"};
        if (original->duplicate_of)
            return failure{failure_kind::invalid, "invalid_field",
                           "Question " + std::to_string(*duplicate_of) +
                               " is itself a duplicate; point to its original, " +
                               std::to_string(*original->duplicate_of) + ".",
                           "duplicate_of"};
    } else {
        duplicate_of.reset();
    }
    if (q.closed_at)
        return failure{failure_kind::conflict, "already_closed",
                       "The question is closed already; reopen it first to change the reason.", ""};
    auto const now = domain::now();
    ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        store::moderation_store(c).set_closed(id, reason, duplicate_of, now);
        store::add_audit(c, {who.user->id, "close", id, std::nullopt, q.author.id,
                             reason + (duplicate_of ? " of " + std::to_string(*duplicate_of) : ""), std::nullopt, now});
        notify_decision(c, q.author.id, who.user->id, id, id, "closed as " + close_reason_text(reason), now);
        tx.commit();
    });
    return id;
}

outcome<std::int64_t> reopen_question(context& ctx, viewer const& who, std::int64_t id)
{
    auto found = moderated_question(ctx, who, id);
    if (auto const* f = std::get_if<failure>(&found)) return *f;
    auto const& q = std::get<store::post_row>(found);
    if (!q.closed_at) return failure{failure_kind::conflict, "not_closed", "The question is open.", ""};
    auto const now = domain::now();
    ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        store::moderation_store(c).set_closed(id, std::nullopt, std::nullopt, now);
        store::add_audit(c, {who.user->id, "reopen", id, std::nullopt, q.author.id, "", std::nullopt, now});
        tx.commit();
    });
    return id;
}

namespace {

// Lock, pin and endorse: a flag on a post, set or cleared, with its audit row.
template <typename Set>
outcome<std::int64_t> toggle(context& ctx, viewer const& who, store::post_row const& post, bool on, bool current,
                             std::string const& on_action, std::string const& off_action, Set&& set)
{
    if (on == current) return post.question_id.value_or(post.id);  // already so: nothing to record
    auto const now = domain::now();
    ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        set(store::moderation_store(c), now);
        store::add_audit(c, {who.user->id, on ? on_action : off_action, post.id, std::nullopt, post.author.id, "",
                             std::nullopt, now});
        tx.commit();
    });
    return post.question_id.value_or(post.id);
}

}  // namespace

outcome<std::int64_t> lock_question(context& ctx, viewer const& who, std::int64_t id, bool locked)
{
    auto found = moderated_question(ctx, who, id);
    if (auto const* f = std::get_if<failure>(&found)) return *f;
    auto const& q = std::get<store::post_row>(found);
    return toggle(ctx, who, q, locked, q.locked, "lock", "unlock",
                  [&](store::moderation_store m, std::int64_t now) { m.set_locked(id, locked, now); });
}

outcome<std::int64_t> pin_question(context& ctx, viewer const& who, std::int64_t id, bool pinned)
{
    auto found = moderated_question(ctx, who, id);
    if (auto const* f = std::get_if<failure>(&found)) return *f;
    auto const& q = std::get<store::post_row>(found);
    return toggle(ctx, who, q, pinned, q.pinned, "pin", "unpin",
                  [&](store::moderation_store m, std::int64_t now) { m.set_pinned(id, pinned, now); });
}

outcome<std::int64_t> endorse_answer(context& ctx, viewer const& who, std::int64_t id, bool endorsed)
{
    if (auto f = require_moderator(ctx, who)) return *f;
    auto const a = store::post_store(ctx.db.reader()).find_post(id);
    if (!a || a->kind != domain::post_kind::answer) return not_found("answer");
    return toggle(ctx, who, *a, endorsed, a->endorsed, "endorse", "unendorse",
                  [&](store::moderation_store m, std::int64_t now) { m.set_endorsed(id, endorsed, now); });
}

outcome<std::string> review(context& ctx, viewer const& who, std::int64_t item_id, std::string const& action,
                            std::string const& note)
{
    if (auto f = require_moderator(ctx, who)) return *f;
    auto const chosen = moderation::parse_review_action(action);
    if (!chosen)
        return failure{failure_kind::invalid, "invalid_field", "action is one of approve, reject, dismiss, delete.",
                       "action"};
    if (auto f = check_reason(note, false, "decide")) return *f;
    if (!store::moderation_store(ctx.db.reader()).review_item(item_id))
        return failure{failure_kind::not_found, "not_found",
                       "There is no open review item " + std::to_string(item_id) + "; someone may have handled it.",
                       ""};
    auto const now = domain::now();
    // Decided inside the write transaction on the item as it is now: of two decisions on one
    // item (two moderators, or a double click), the second finds it closed and changes nothing.
    auto const refused = ctx.db.write([&](store::connection& c) -> std::optional<failure> {
        auto tx = c.begin_immediate();
        store::moderation_store m(c);
        store::post_store posts(c);
        auto const item = m.review_item(item_id);
        if (!item)
            return failure{failure_kind::conflict, "already_decided",
                           "Another moderator has decided this item already; nothing was changed.", ""};
        moderation::review_facts facts;
        facts.held = item->kind == "held";
        for (auto const& f : item->flags)
            if (auto r = moderation::parse_flag_reason(f.reason)) facts.flags.push_back(*r);
        auto const decision = moderation::decide(*chosen, facts);
        bool const keep = decision.keep;
        if (item->post_id) {
            auto const post = posts.find_any_post(*item->post_id);
            if (keep && item->state != "live")
                posts.change_visibility(*item->post_id, now, [&] { m.set_post_state(*item->post_id, "live"); });
            if (!keep && !item->deleted) {
                if (post && post->kind == domain::post_kind::answer)
                    if (auto q = posts.find_any_post(*post->question_id); q && q->accepted_answer_id == post->id)
                        posts.set_accepted(q->id, std::nullopt, who.user->id, ctx.config.rules, now);
                posts.change_visibility(*item->post_id, now, [&] { m.set_deleted(*item->post_id, who.user->id, now); });
            } else if (!keep && post && post->deleted_at) {
                // Deleted by its author first: the removal is now the moderator's, which only a
                // moderator can undo.
                m.set_deleted(*item->post_id, who.user->id, *post->deleted_at);
            }
            store::add_audit(c, {who.user->id, "review_" + action, item->post_id, std::nullopt, item->author.id, note,
                                 !keep && post ? std::optional(before_json(*post)) : std::nullopt, now});
            if (post && (item->kind == "held" || !keep))
                notify_decision(
                    c, item->author.id, who.user->id, post->question_id.value_or(post->id), post->id,
                    (keep ? std::string("approved by a moderator") : std::string("removed by a moderator")) +
                        (note.empty() ? std::string() : ": " + note),
                    now);
        } else {
            if (keep && item->state != "live") m.set_comment_state(*item->comment_id, "live");
            if (!keep) m.delete_comment(*item->comment_id, now);
            store::add_audit(c, {who.user->id, "review_" + action, std::nullopt, item->comment_id, item->author.id,
                                 note, std::nullopt, now});
            store::enqueue_post(c, item->question_id, now);
        }
        if (decision.penalise)
            store::apply_ledger(c,
                                {{item->author.id, -static_cast<int>(ctx.config.spam_penalty),
                                  std::string(domain::spam_penalty_reason)}},
                                item->post_id, who.user->id, now);
        m.resolve_item(item_id, action, !keep, note, who.user->id, now);
        tx.commit();
        return std::nullopt;
    });
    if (refused) return *refused;
    return action;
}

outcome<store::user_row> suspend_user(context& ctx, viewer const& who, std::int64_t user_id, suspension kind,
                                      std::int64_t days, std::string const& reason)
{
    if (auto f = require_moderator(ctx, who)) return *f;
    store::user_store users(ctx.db.reader());
    auto const target = users.find(user_id);
    if (!target) return not_found("user");
    if (auto f = permissions(ctx, who).may_suspend(*target)) return *f;
    if (kind == suspension::suspend)
        if (auto problem = moderation::check_days(days))
            return failure{failure_kind::invalid, "invalid_field", *problem, "days"};
    if (auto f = check_reason(reason, kind != suspension::lift, "suspend this member")) return *f;
    auto const now = domain::now();
    std::optional<std::int64_t> until;
    if (kind == suspension::suspend) until = moderation::suspended_until(now, days);
    auto const refused = ctx.db.write([&](store::connection& c) -> std::optional<failure> {
        auto tx = c.begin_immediate();
        store::moderation_store m(c);
        // What an admin decided stands until an admin changes it.
        if (!moderation::may_change(who.is_admin(), m.suspended_by_role(user_id)))
            return failure{failure_kind::forbidden, "forbidden",
                           "An admin suspended this member; only an admin can change or lift it.", ""};
        m.suspend(user_id, until, kind == suspension::silence,
                  kind == suspension::lift ? "" : std::string(domain::trim(reason)),
                  kind == suspension::lift ? std::nullopt : std::optional(who.user->id));
        auto const action = kind == suspension::suspend   ? "suspend"
                            : kind == suspension::silence ? "silence"
                                                          : "lift_suspension";
        store::add_audit(
            c, {who.user->id, action, std::nullopt, std::nullopt, user_id,
                kind == suspension::suspend ? moderation::audit_reason(days, reason) : reason, std::nullopt, now});
        auto const decision = kind == suspension::suspend
                                  ? "suspended until " + domain::readable_time(*until) + ": " + reason
                              : kind == suspension::silence ? "silenced: " + reason
                                                            : std::string("your suspension was lifted");
        notify_decision(c, user_id, who.user->id, std::nullopt, std::nullopt, decision, now);
        tx.commit();
        return std::nullopt;
    });
    if (refused) return *refused;
    return *store::user_store(ctx.db.reader()).find(user_id);
}

}  // namespace peerdesk::app
