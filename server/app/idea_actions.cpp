// The ideas room's actions: proposing, voting from a budget, statuses with a public history,
// merging, and links from support questions.
//
// DESIGN. An idea is a post of kind 'idea' (comments, flags, review, revisions, delete and
// undelete, the spam rules and rate limits act on it as on any post); idea_store keeps what
// only ideas have. A vote is spent while its idea is open: the budget is the count of a member's
// votes on open, public ideas, read in the transaction that adds one, so that two votes at once
// cannot both take the last one. A status change writes its history row, the author's
// notification and reputation, and one fan-out row in one transaction; the voters and
// followers are told by the notification worker in batches (notifications.cpp), never in the
// moderator's request. A merge moves votes, followers and links in one transaction.
#include "server/app/idea_actions.hpp"

#include "server/app/frame.hpp"
#include "server/app/inbox.hpp"
#include "server/app/notifications.hpp"
#include "server/app/permissions.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/render/markdown.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/notification_store.hpp"
#include "server/store/user_store.hpp"

namespace peerdesk::app::idea {
namespace {

using store::idea_status;

constexpr std::size_t response_max = 5000;  // characters of a staff response

failure merged_failure(std::int64_t into)
{
    return {failure_kind::conflict, "idea_merged",
            "This idea was merged into idea #" + std::to_string(into) + "; go on there.", ""};
}

// Runs change(connection, ideas, facts) in one writing transaction on an idea that may still
// change (live, not merged into another: read in that transaction), and commits what it did
// unless it answers a failure.
template <typename Change>
auto change_idea(context& ctx, std::int64_t id, Change change)
    -> decltype(change(std::declval<store::connection&>(), std::declval<store::idea_store&>(),
                       std::declval<store::idea_facts const&>()))
{
    using result = decltype(change(std::declval<store::connection&>(), std::declval<store::idea_store&>(),
                                   std::declval<store::idea_facts const&>()));
    return ctx.db.write([&](store::connection& c) -> result {
        auto tx = c.begin_immediate();
        store::idea_store ideas(c);
        auto const facts = ideas.facts(id);
        if (!facts || !facts->live) return no_idea();
        if (facts->merged_into) return merged_failure(*facts->merged_into);
        auto out = change(c, ideas, *facts);
        if (!failed(out)) tx.commit();
        return out;
    });
}

std::optional<failure> check_response(std::string_view response)
{
    if (!domain::valid_utf8(response))
        return failure{failure_kind::invalid, "invalid_field", "The response is not valid UTF-8 text.", "response"};
    if (domain::trim(response).empty())
        return failure{failure_kind::invalid, "invalid_field",
                       "Write a response: it is shown on the idea and sent to its voters.", "response"};
    if (domain::length_in_characters(response) > response_max)
        return failure{failure_kind::invalid, "invalid_field",
                       "A response is at most " + std::to_string(response_max) + " characters.", "response"};
    return std::nullopt;
}

// Tells the author now and queues the voters and followers; pays the author once per idea for
// planned and delivered.
void announce(context& ctx, store::connection& c, std::int64_t idea_id, std::int64_t author_id, std::int64_t actor_id,
              std::int64_t history_id, idea_status status, std::int64_t now)
{
    auto const detail = std::to_string(history_id) + " " + std::string(store::to_sql(status));
    notify(c, {author_id, "idea_status", actor_id, idea_id, idea_id, std::nullopt, detail, ""}, now);
    queue_idea_fanout(c, idea_id, actor_id, detail, {author_id}, now);
    auto const reward = [&](std::string const& reason, int delta) {
        if (delta == 0 || store::idea_store(c).rewarded(idea_id, reason)) return;
        store::apply_ledger(c, {{author_id, delta, reason}}, idea_id, actor_id, now);
        notify_reputation(c, author_id, delta, now);
    };
    if (status == idea_status::planned) reward("idea_planned", ctx.config.rules.idea_planned);
    if (status == idea_status::delivered) reward("idea_delivered", ctx.config.rules.idea_delivered);
}

}  // namespace

std::string_view label_of(idea_status s)
{
    return statuses[static_cast<std::size_t>(s)].label;
}

failure no_idea()
{
    return {failure_kind::not_found, "not_found", "There is no such idea.", ""};
}

std::optional<store::post_row> find_idea(context& ctx, std::int64_t id, bool with_deleted)
{
    store::post_store posts(ctx.db.reader());
    auto post = with_deleted ? posts.find_any_post(id) : posts.find_post(id);
    if (!post || post->kind != domain::post_kind::idea) return std::nullopt;
    return post;
}

outcome<posted> propose(context& ctx, viewer const& who, std::string_view title, std::string_view body,
                        std::vector<std::string> tags)
{
    if (auto f = permissions(ctx, who).may_write("propose an idea")) return *f;
    std::vector<std::int64_t> mentioned;
    auto checked = checked_question(ctx, who, title, body, std::move(tags), &mentioned);
    if (auto const* f = failed(checked)) return *f;
    auto const& idea = std::get<store::new_question>(checked);
    if (auto f = check_rate(ctx, who, "ideas", ctx.config.rates.question)) return *f;
    if (auto f = check_rate(ctx, who, "posts", ctx.config.rates.posts_per_address, rate_scope::address)) return *f;
    auto const now = domain::now();
    auto const id = ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        auto const id = store::idea_store(c).create(idea, now);
        follow_thread(c, who.user->id, id, now);
        notify_mentions(c, mentioned, who.user->id, id, id, std::nullopt, now);
        if (idea.held) notify_decision(c, who.user->id, std::nullopt, id, id, "held for review: " + *idea.held, now);
        tx.commit();
        return id;
    });
    return posted{id, idea.held};
}

std::int64_t votes_left(context& ctx, store::connection& c, std::int64_t user_id)
{
    return std::max<std::int64_t>(0, ctx.config.idea_vote_budget - store::idea_store(c).open_votes(user_id));
}

outcome<vote_state> idea_vote(context& ctx, viewer const& who, std::int64_t id, bool voting)
{
    permissions const can(ctx, who);
    if (auto f = can.may_write("vote for ideas")) return *f;
    // The same standing as an upvote on a post.
    if (voting)
        if (auto f = can.lacks(domain::privilege::upvote)) return *f;
    if (!find_idea(ctx, id)) return no_idea();
    if (auto f = check_rate(ctx, who, "votes", ctx.config.rates.vote)) return *f;
    auto const now = domain::now();
    auto const user_id = who.user->id;
    return change_idea(
        ctx, id,
        [&](store::connection& c, store::idea_store& ideas, store::idea_facts const& facts) -> outcome<vote_state> {
            if (store::closes(facts.status))
                return failure{failure_kind::conflict, "idea_closed",
                               "This idea is " + lowercase_first(std::string(label_of(facts.status))) +
                                   ": its votes went back to the voters, and it takes no more.",
                               ""};
            if (voting) {
                if (facts.author_id == user_id)
                    return failure{failure_kind::forbidden, "own_idea", "You cannot vote for your own idea.", ""};
                if (ideas.voted(id, user_id))
                    return failure{failure_kind::conflict, "already_voted", "You voted for this idea already.", ""};
                if (ideas.open_votes(user_id) >= ctx.config.idea_vote_budget)
                    return failure{failure_kind::invalid, "vote_budget_exhausted",
                                   "You have used all " + std::to_string(ctx.config.idea_vote_budget) +
                                       " of your votes. Take one back from another idea, or wait until one of "
                                       "your ideas is delivered or declined.",
                                   ""};
                ideas.vote(id, user_id, now);
            } else if (!ideas.unvote(id, user_id)) {
                return failure{failure_kind::conflict, "not_voted", "You have not voted for this idea.", ""};
            }
            auto const after = ideas.facts(id);
            vote_state out{after ? after->votes : 0, voting, votes_left(ctx, c, user_id)};
            return out;
        });
}

outcome<std::int64_t> change_status(context& ctx, viewer const& who, std::int64_t id, std::string_view status_text,
                                    std::string_view response)
{
    if (auto f = permissions(ctx, who).may_moderate("set the status of an idea")) return *f;
    auto const status = store::parse_idea_status(status_text);
    if (!status)
        return failure{failure_kind::invalid, "invalid_field",
                       "status is one of new, under_review, planned, in_progress, delivered, declined "
                       "(duplicate: merge the idea instead).",
                       "status"};
    if (*status == idea_status::duplicate)
        return failure{failure_kind::invalid, "use_merge",
                       "An idea becomes a duplicate by merging it into the other idea (POST /api/v1/ideas/" +
                           std::to_string(id) + "/merge with {\"into\": id}).",
                       "status"};
    if (auto f = check_response(response)) return *f;
    auto rendered = render_body(ctx, response, "response");
    if (auto const* f = std::get_if<failure>(&rendered)) return *f;
    auto const& r = std::get<store::rendered_body>(rendered);
    auto const post = find_idea(ctx, id);
    if (!post) return no_idea();
    auto const now = domain::now();
    return change_idea(
        ctx, id,
        [&](store::connection& c, store::idea_store& ideas, store::idea_facts const& facts) -> outcome<std::int64_t> {
            auto const history_id = ideas.set_status(id, *status, r.markdown, r.html, who.user->id, now);
            store::add_audit(c, {who.user->id, "idea_status", id, std::nullopt, facts.author_id,
                                 std::string(store::to_sql(*status)) + ": " + std::string(domain::trim(response)),
                                 std::nullopt, now});
            announce(ctx, c, id, facts.author_id, who.user->id, history_id, *status, now);
            return id;
        });
}

outcome<std::int64_t> merge_idea(context& ctx, viewer const& who, std::int64_t from, std::optional<std::int64_t> into,
                                 std::string_view response)
{
    if (auto f = permissions(ctx, who).may_moderate("merge ideas")) return *f;
    if (!into)
        return failure{failure_kind::invalid, "invalid_field", "Name the idea to merge into: into is its id.", "into"};
    if (*into == from)
        return failure{failure_kind::invalid, "merge_into_self", "An idea cannot be merged into itself.", "into"};
    if (response.size() > 0)
        if (auto f = check_response(response)) return *f;
    std::string const text =
        domain::trim(response).empty() ? "Merged into idea #" + std::to_string(*into) + "." : std::string(response);
    auto rendered = render_body(ctx, text, "response");
    if (auto const* f = std::get_if<failure>(&rendered)) return *f;
    auto const& r = std::get<store::rendered_body>(rendered);
    if (!find_idea(ctx, from)) return no_idea();
    if (!find_idea(ctx, *into))
        return failure{failure_kind::invalid, "invalid_field", "There is no idea #" + std::to_string(*into) + ".",
                       "into"};
    auto const now = domain::now();
    return ctx.db.write([&](store::connection& c) -> outcome<std::int64_t> {
        auto tx = c.begin_immediate();
        store::idea_store ideas(c);
        auto const source = ideas.facts(from);
        auto const target = ideas.facts(*into);
        if (!source || !source->live) return no_idea();
        if (source->merged_into)
            return failure{failure_kind::conflict, "already_merged",
                           "This idea was merged into idea #" + std::to_string(*source->merged_into) + " already.", ""};
        if (!target || !target->live)
            return failure{failure_kind::invalid, "invalid_field", "There is no idea #" + std::to_string(*into) + ".",
                           "into"};
        if (target->merged_into)
            return failure{failure_kind::conflict, "into_merged",
                           "Idea #" + std::to_string(*into) + " was itself merged into idea #" +
                               std::to_string(*target->merged_into) + "; merge into that one.",
                           "into"};
        auto const history_id = ideas.merge(from, *into, r.markdown, r.html, who.user->id, now);
        store::add_audit(c, {who.user->id, "idea_merge", from, std::nullopt, source->author_id,
                             "into #" + std::to_string(*into), std::nullopt, now});
        announce(ctx, c, from, source->author_id, who.user->id, history_id, idea_status::duplicate, now);
        tx.commit();
        return *into;
    });
}

outcome<std::int64_t> link_question(context& ctx, viewer const& who, std::int64_t id,
                                    std::optional<std::int64_t> question_id)
{
    if (auto f = permissions(ctx, who).may_write("link a question to an idea")) return *f;
    if (!question_id)
        return failure{failure_kind::invalid, "invalid_field", "Name the question: question_id is its id.",
                       "question_id"};
    if (!find_idea(ctx, id)) return no_idea();
    auto const question = store::post_store(ctx.db.reader()).find_post(*question_id);
    if (!question || question->kind != domain::post_kind::question)
        return failure{failure_kind::invalid, "no_such_question",
                       "There is no question #" + std::to_string(*question_id) + ".", "question_id"};
    if (!who.is_moderator() && question->author.id != who.user->id)
        return failure{failure_kind::forbidden, "forbidden",
                       "Only the asker of the question or a moderator can link it to an idea.", ""};
    auto const now = domain::now();
    return change_idea(
        ctx, id, [&](store::connection&, store::idea_store& ideas, store::idea_facts const&) -> outcome<std::int64_t> {
            if (!ideas.link(id, *question_id, who.user->id, now))
                return failure{failure_kind::conflict, "already_linked",
                               "That question is linked to this idea already.", "question_id"};
            return id;
        });
}

}  // namespace peerdesk::app::idea
