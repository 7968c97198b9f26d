// Ideas: the board, proposing, voting from a budget, statuses with a public history, merging,
// links from support questions, and the roadmap — the actions first, then the JSON API, then
// the pages.
//
// DESIGN. An idea is a post of kind 'idea' (comments, flags, review, revisions, delete and
// undelete, the spam rules and rate limits act on it as on any post); idea_store keeps what
// only ideas have. A vote is spent while its idea is open: the budget is the count of a member's
// votes on open, public ideas, read in the transaction that adds one, so that two votes at once
// cannot both take the last one. A status change writes its history row, the author's
// notification and reputation, and one fan-out row in one transaction; the voters and
// followers are told by the notification worker in batches (notifications.cpp), never in the
// moderator's request. A merge moves votes, followers and links in one transaction.
#include "server/app/ideas.hpp"

#include "server/app/frame.hpp"
#include "server/app/inbox.hpp"
#include "server/app/permissions.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/notifications.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/search_service.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/render/markdown.hpp"
#include "server/store/idea_store.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/notification_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;
using store::idea_status;

constexpr std::int64_t board_pagesize = 30;
constexpr std::int64_t trending_seconds = 21 * 24 * 3600;  // "votes in recent weeks"
constexpr std::int64_t roadmap_delivered_seconds = 90 * 24 * 3600;
constexpr std::size_t response_max = 5000;  // characters of a staff response
constexpr std::int64_t linked_limit = 50;

struct status_info {
    idea_status status;
    std::string_view label;
};
constexpr status_info statuses[] = {
    {idea_status::new_, "New"},
    {idea_status::under_review, "Under review"},
    {idea_status::planned, "Planned"},
    {idea_status::in_progress, "In progress"},
    {idea_status::delivered, "Delivered"},
    {idea_status::declined, "Declined"},
    {idea_status::duplicate, "Duplicate"},
};

std::string_view label_of(idea_status s)
{
    return statuses[static_cast<std::size_t>(s)].label;
}

failure invalid(domain::field_error const& e)
{
    return {failure_kind::invalid, "invalid_field", e.message, e.field};
}

failure no_idea()
{
    return {failure_kind::not_found, "not_found", "There is no such idea.", ""};
}

failure merged_failure(std::int64_t into)
{
    return {failure_kind::conflict, "idea_merged",
            "This idea was merged into idea #" + std::to_string(into) + "; go on there.", ""};
}

// ---- actions ----

// The idea's post when it is public (a live idea), else nothing.
std::optional<store::post_row> find_idea(context& ctx, std::int64_t id, bool with_deleted = false)
{
    store::post_store posts(ctx.db.reader());
    auto post = with_deleted ? posts.find_any_post(id) : posts.find_post(id);
    if (!post || post->kind != domain::post_kind::idea) return std::nullopt;
    return post;
}

std::variant<store::rendered_body, failure> render_text(context const& ctx, std::string_view text,
                                                        std::string const& field)
{
    render::markdown_limits limits;
    limits.max_bytes = ctx.config.limits.body_max * 4;
    auto result = render::render_markdown(text, limits);
    if (!result.value) return failure{failure_kind::invalid, "invalid_field", result.error, field};
    return store::rendered_body{std::string(text), result.value->html.str(), std::move(result.value->excerpt)};
}

outcome<posted> propose(context& ctx, viewer const& who, std::string_view title, std::string_view body,
                        std::vector<std::string> tags)
{
    if (auto f = permissions(ctx, who).may_write("propose an idea")) return *f;
    auto const& l = ctx.config.limits;
    if (auto e = domain::check_title(title, l)) return invalid(*e);
    if (auto e = domain::check_body(body, l)) return invalid(*e);
    if (auto e = domain::check_tags(tags, l)) return invalid(*e);
    auto rendered = render_text(ctx, body, "body");
    if (auto const* f = std::get_if<failure>(&rendered)) return *f;
    store::new_question idea{who.user->id, std::string(domain::trim(title)),
                             std::move(std::get<store::rendered_body>(rendered)), std::move(tags), std::nullopt};
    // The spam rules judge an idea as they judge a question.
    moderation::author_facts facts{who.user->reputation, who.is_moderator(), 0};
    if (ctx.config.spam.hold_first_post) facts.posts = store::moderation_store(ctx.db.reader()).posts_by(who.user->id);
    auto const verdict =
        moderation::judge(moderation::post_type::question, body, idea.body.html, facts, ctx.config.spam);
    if (verdict.what == moderation::verdict::kind::refuse)
        return failure{failure_kind::invalid, "refused", verdict.message, "body"};
    if (verdict.what == moderation::verdict::kind::hold) idea.held = verdict.message;
    if (auto f = check_rate(ctx, who, "ideas", ctx.config.rates.question)) return *f;
    if (auto f = check_rate(ctx, who, "posts", ctx.config.rates.posts_per_address, rate_scope::address)) return *f;
    auto const now = domain::now();
    auto const id = ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        auto const id = store::idea_store(c).create(idea, now);
        follow_thread(c, who.user->id, id, now);
        if (idea.held) notify_decision(c, who.user->id, std::nullopt, id, id, "held for review: " + *idea.held, now);
        tx.commit();
        return id;
    });
    return posted{id, idea.held};
}

struct vote_state {
    std::int64_t votes = 0;
    bool my_vote = false;
    std::int64_t votes_left = 0;
};

std::int64_t votes_left(context& ctx, store::connection& c, std::int64_t user_id)
{
    return std::max<std::int64_t>(0, ctx.config.idea_vote_budget - store::idea_store(c).open_votes(user_id));
}

// Votes for the idea (or, with voting false, takes the vote back), from the member's budget.
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
    return ctx.db.write([&](store::connection& c) -> outcome<vote_state> {
        auto tx = c.begin_immediate();
        store::idea_store ideas(c);
        auto const facts = ideas.facts(id);
        if (!facts || !facts->live) return no_idea();
        if (facts->merged_into) return merged_failure(*facts->merged_into);
        if (store::closes(facts->status))
            return failure{failure_kind::conflict, "idea_closed",
                           "This idea is " + lowercase_first(std::string(label_of(facts->status))) +
                               ": its votes went back to the voters, and it takes no more.",
                           ""};
        if (voting) {
            if (facts->author_id == user_id)
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
        tx.commit();
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
    auto rendered = render_text(ctx, response, "response");
    if (auto const* f = std::get_if<failure>(&rendered)) return *f;
    auto const& r = std::get<store::rendered_body>(rendered);
    auto const post = find_idea(ctx, id);
    if (!post) return no_idea();
    auto const now = domain::now();
    return ctx.db.write([&](store::connection& c) -> outcome<std::int64_t> {
        auto tx = c.begin_immediate();
        store::idea_store ideas(c);
        auto const facts = ideas.facts(id);
        if (!facts || !facts->live) return no_idea();
        if (facts->merged_into) return merged_failure(*facts->merged_into);
        auto const history_id = ideas.set_status(id, *status, r.markdown, r.html, who.user->id, now);
        store::add_audit(
            c, {who.user->id, "idea_status", id, std::nullopt, facts->author_id,
                std::string(store::to_sql(*status)) + ": " + std::string(domain::trim(response)), std::nullopt, now});
        announce(ctx, c, id, facts->author_id, who.user->id, history_id, *status, now);
        tx.commit();
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
    auto rendered = render_text(ctx, text, "response");
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
    return ctx.db.write([&](store::connection& c) -> outcome<std::int64_t> {
        auto tx = c.begin_immediate();
        store::idea_store ideas(c);
        auto const facts = ideas.facts(id);
        if (!facts || !facts->live) return no_idea();
        if (facts->merged_into) return merged_failure(*facts->merged_into);
        if (!ideas.link(id, *question_id, who.user->id, now))
            return failure{failure_kind::conflict, "already_linked", "That question is linked to this idea already.",
                           "question_id"};
        tx.commit();
        return id;
    });
}

// ---- JSON ----

json::object summary_json(store::idea_summary const& i)
{
    return {{"id", i.id},
            {"title", i.title},
            {"status", store::to_sql(i.status)},
            {"votes", i.votes},
            {"demand", i.demand},
            {"comment_count", i.comments},
            {"tags", tags_json(i.tags)},
            {"author", author_json(i.author)},
            {"created_at", domain::rfc3339(i.created_at)},
            {"status_changed_at", domain::rfc3339(i.status_at)},
            {"excerpt", i.excerpt},
            {"url", urls::idea(i.id)}};
}

std::optional<json::object> idea_json(call& c, std::int64_t id)
{
    auto& db = c.ctx.db.reader();
    auto const post = find_idea(c.ctx, id);
    if (!post) return std::nullopt;
    store::idea_store ideas(db);
    auto const facts = ideas.facts(id);
    if (!facts) return std::nullopt;
    json::object o{{"id", id},
                   {"title", post->title},
                   {"body_markdown", post->body_markdown},
                   {"body_html", post->body_html},
                   {"status", store::to_sql(facts->status)},
                   {"votes", facts->votes},
                   {"demand", facts->demand},
                   {"tags", tags_json(post->tags)},
                   {"author", author_json(post->author)},
                   {"created_at", domain::rfc3339(post->created_at)},
                   {"url", urls::idea(id)}};
    o["merged_into"] = facts->merged_into ? json::value(*facts->merged_into) : json::value(nullptr);
    if (c.who.signed_in()) {
        o["my_vote"] = ideas.voted(id, c.who.user->id) ? 1 : 0;
        o["votes_left"] = votes_left(c.ctx, c.ctx.db.reader(), c.who.user->id);
    } else {
        o["my_vote"] = 0;
    }
    json::array history;
    for (auto const& h : ideas.history(id))
        history.push_back(json::object{{"status", store::to_sql(h.status)},
                                       {"response_markdown", h.response_markdown},
                                       {"response_html", h.response_html},
                                       {"by", author_json(h.actor)},
                                       {"created_at", domain::rfc3339(h.created_at)}});
    o["status_history"] = std::move(history);
    json::array linked;
    for (auto const& q : ideas.linked_questions(id, linked_limit))
        linked.push_back(json::object{{"id", q.id},
                                      {"title", q.title},
                                      {"answer_count", q.answer_count},
                                      {"accepted", q.accepted},
                                      {"url", urls::question(q.id)}});
    o["linked_questions"] = std::move(linked);
    json::array comments;
    for (auto const& cm : store::post_store(db).idea_comments(id)) comments.push_back(comment_json(cm));
    o["comments"] = std::move(comments);
    return o;
}

}  // namespace

response idea_response(call& c, std::int64_t id, int status)
{
    auto const o = idea_json(c, id);
    if (!o) return error_response(no_idea());
    return json_response(status, *o);
}

namespace {

struct sort_choice {
    std::string_view key;
    std::string_view label;
    store::idea_sort sort;
};
constexpr sort_choice sorts[] = {{"top", "Top", store::idea_sort::top},
                                 {"trending", "Trending", store::idea_sort::trending},
                                 {"newest", "Newest", store::idea_sort::newest}};

std::optional<sort_choice> sort_named(std::optional<std::string_view> key)
{
    if (!key || key->empty()) return sorts[0];
    for (auto const& s : sorts)
        if (s.key == *key) return s;
    return std::nullopt;
}

response api_list(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const& q = std::get<http::fields>(query);
    auto paged = read_paging(q);
    if (auto const* f = std::get_if<failure>(&paged)) return error_response(*f);
    auto const p = std::get<paging>(paged);
    auto const chosen = sort_named(http::find_field(q, "sort"));
    if (!chosen)
        return error_response(
            {failure_kind::invalid, "invalid_field", "sort is one of top, trending, newest.", "sort"});
    std::optional<idea_status> status;
    if (auto const s = http::find_field(q, "status"); s && !s->empty()) {
        status = store::parse_idea_status(*s);
        if (!status)
            return error_response({failure_kind::invalid, "invalid_field",
                                   "status is one of new, under_review, planned, in_progress, delivered, declined, "
                                   "duplicate.",
                                   "status"});
    }
    std::optional<std::string> tag;
    if (auto const t = http::find_field(q, "tag"); t && !t->empty()) tag = domain::normalize_tag(*t);
    auto const page = store::idea_store(c.ctx.db.reader())
                          .board(chosen->sort, status, tag, domain::now() - trending_seconds, p.page, p.pagesize);
    return json_response(200, list_json(page, summary_json));
}

response api_create(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string title, text;
    std::optional<std::vector<std::string>> tags;
    if (auto f = require_string(body, "title", title)) return error_response(*f);
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    if (auto f = read_tags(body, tags)) return error_response(*f);
    auto const result = propose(c.ctx, c.who, title, text, tags.value_or(std::vector<std::string>{}));
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& done = std::get<posted>(result);
    if (done.held) return held_response(done, "idea");
    auto r = idea_response(c, done.id, 201);
    r.set("Location", urls::api_idea(done.id));
    return r;
}

response api_show(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    return idea_response(c, *id, 200);
}

template <bool Voting>
response api_vote(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    auto const result = idea_vote(c.ctx, c.who, *id, Voting);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& v = std::get<vote_state>(result);
    return json_response(
        200, json::object{{"votes", v.votes}, {"my_vote", v.my_vote ? 1 : 0}, {"votes_left", v.votes_left}});
}

// An optional whole number in a JSON body: absent → nothing; anything but a positive integer
// → the failure.
std::variant<std::optional<std::int64_t>, failure> id_field(json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    if (!v || v->is_null()) return std::optional<std::int64_t>{};
    if (v->is_int64() && v->get_int64() > 0) return std::optional<std::int64_t>(v->get_int64());
    if (v->is_uint64() && v->get_uint64() > 0 && v->get_uint64() < (1ull << 62))
        return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_uint64()));
    return failure{failure_kind::invalid, "invalid_field",
                   std::string(key) + " must be a positive whole number (an id).", std::string(key)};
}

response api_status(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    PEERDESK_TRY_BODY(body);
    std::string status, text;
    if (auto f = require_string(body, "status", status)) return error_response(*f);
    if (auto f = require_string(body, "response", text)) return error_response(*f);
    auto const result = change_status(c.ctx, c.who, *id, status, text);
    if (auto const* f = failed(result)) return error_response(*f);
    return idea_response(c, *id, 200);
}

response api_merge(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    PEERDESK_TRY_BODY(body);
    auto into = id_field(body, "into");
    if (auto const* f = std::get_if<failure>(&into)) return error_response(*f);
    std::optional<std::string> text;
    if (auto f = read_string(body, "response", text)) return error_response(*f);
    auto const result = merge_idea(c.ctx, c.who, *id, std::get<std::optional<std::int64_t>>(into), text.value_or(""));
    if (auto const* f = failed(result)) return error_response(*f);
    return idea_response(c, std::get<std::int64_t>(result), 200);
}

response api_link(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("idea");
    PEERDESK_TRY_BODY(body);
    auto question = id_field(body, "question_id");
    if (auto const* f = std::get_if<failure>(&question)) return error_response(*f);
    auto const result = link_question(c.ctx, c.who, *id, std::get<std::optional<std::int64_t>>(question));
    if (auto const* f = failed(result)) return error_response(*f);
    return idea_response(c, *id, 201);
}

response api_similar(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const title = http::find_field(std::get<http::fields>(query), "title");
    if (!title)
        return error_response(
            {failure_kind::invalid, "invalid_field", "Send the title typed so far as title.", "title"});
    if (domain::length_in_characters(*title) > c.ctx.config.limits.title_max)
        return error_response({failure_kind::invalid, "invalid_field",
                               "A title is at most " + std::to_string(c.ctx.config.limits.title_max) + " characters.",
                               "title"});
    auto rule = c.ctx.config.rates.search_per_address;
    rule.count *= 5;
    if (auto f = check_rate(c.ctx, c.who, "similar", rule, rate_scope::address)) return error_response(*f);
    auto const ids = similar_idea_ids(c.ctx, *title, 8);
    if (auto const* f = failed(ids)) return error_response(*f);
    json::array items;
    for (auto const& i : store::idea_store(c.ctx.db.reader()).summaries_of(std::get<std::vector<std::int64_t>>(ids)))
        if (i.status != idea_status::duplicate) items.push_back(summary_json(i));
    return json_response(200, whole_list_json(std::move(items)));
}

// ---- pages ----

view status_view(idea_status s)
{
    view v;
    v.set("label", label_of(s))
        .set("key", store::to_sql(s))
        .set("label_lower", lowercase_first(std::string(label_of(s))));
    return v;
}

view idea_summary_view(store::idea_summary const& i)
{
    view v;
    v.set("id", i.id)
        .set("url", urls::idea(i.id))
        .set("title", i.title)
        .set("status", status_view(i.status))
        .set("votes", i.votes)
        .set("votes_label", i.votes == 1 ? "vote" : "votes")
        .set("demand", i.demand)
        .set("demand_label", i.demand == 1 ? "question" : "questions")
        .set("comments", i.comments)
        .set("excerpt", i.excerpt)
        .set("tags", tag_views(i.tags))
        .set("author", author_view(i.author))
        .set("proposed", time_view(i.created_at))
        .set("changed", time_view(i.status_at));
    return v;
}

std::vector<view> idea_summary_views(std::vector<store::idea_summary> const& items)
{
    std::vector<view> out;
    for (auto const& i : items) out.push_back(idea_summary_view(i));
    return out;
}

std::string board_url(std::string_view sort, std::optional<idea_status> status, std::optional<std::string> const& tag)
{
    std::string url = urls::ideas() + "?sort=" + std::string(sort);
    if (status) url += "&status=" + std::string(store::to_sql(*status));
    if (tag) url += "&tag=" + http::percent_encode(*tag);
    return url;
}

response board_page(call& c)
{
    auto const query = query_fields(c);
    auto const chosen = sort_named(http::find_field(query, "sort")).value_or(sorts[0]);
    std::optional<idea_status> status;
    if (auto const s = http::find_field(query, "status"); s && !s->empty()) status = store::parse_idea_status(*s);
    std::optional<std::string> tag;
    if (auto const t = http::find_field(query, "tag"); t && !t->empty()) tag = domain::normalize_tag(*t);
    auto const page_number = page_param(query);
    auto const data =
        store::idea_store(c.ctx.db.reader())
            .board(chosen.sort, status, tag, domain::now() - trending_seconds, page_number, board_pagesize);
    std::vector<view> tabs;
    for (auto const& s : sorts) {
        view t;
        t.set("label", s.label).set("url", board_url(s.key, status, tag)).set("current", s.key == chosen.key);
        tabs.push_back(std::move(t));
    }
    std::vector<view> filters;
    {
        view all;
        all.set("label", "All").set("url", board_url(chosen.key, std::nullopt, tag)).set("current", !status);
        filters.push_back(std::move(all));
    }
    for (auto const& s : statuses) {
        if (s.status == idea_status::duplicate) continue;
        view f;
        f.set("label", s.label).set("url", board_url(chosen.key, s.status, tag)).set("current", status == s.status);
        filters.push_back(std::move(f));
    }
    view v;
    v.set("heading", tag ? "Ideas tagged [" + *tag + "]" : std::string("Ideas"))
        .set("total", with_thousands(data.total))
        .set("total_label", data.total == 1 ? "idea" : "ideas")
        .set("tabs", tabs)
        .set("filters", filters)
        .set("ideas", idea_summary_views(data.items))
        .set("empty", data.items.empty())
        .set("new_url", urls::new_idea())
        .set("pager", pager_view(page_number, board_pagesize, data.total, board_url(chosen.key, status, tag)));
    if (tag) v.set("tag", *tag).set("all_url", board_url(chosen.key, status, std::nullopt));
    page_state feed;
    feed.feed_url = "/feeds/ideas.atom";
    feed.feed_title = "Idea status changes";
    auto const title = tag ? "Ideas tagged " + *tag : std::string("Ideas");
    // The board is the same for every member but for their votes left: kept for all, the count
    // written into its slot for each.
    if (c.who.signed_in())
        return shared_page(c, 200, "ideas", title, std::move(v), feed, [](render::html_builder& out, call& viewer) {
            auto const left = votes_left(viewer.ctx, viewer.ctx.db.reader(), viewer.who.user->id);
            out.markup(" · <span class=\"votes-left\">you have <b>")
                .number(left)
                .markup("</b> ")
                .markup(left == 1, "vote", "votes")
                .markup(" left</span>");
        });
    return page(c, 200, "ideas", title, std::move(v), feed);
}

response roadmap_page(call& c)
{
    store::idea_store ideas(c.ctx.db.reader());
    auto const now = domain::now();
    view v;
    std::vector<view> columns;
    for (auto const& [status, since, note] :
         {std::tuple{idea_status::planned, std::int64_t{0}, "What the team will build."},
          std::tuple{idea_status::in_progress, std::int64_t{0}, "Being built now."},
          std::tuple{idea_status::delivered, now - roadmap_delivered_seconds, "Delivered in the last 90 days."}}) {
        auto const items = ideas.by_status(status, since, 50);
        view col;
        col.set("label", label_of(status))
            .set("key", store::to_sql(status))
            .set("note", note)
            .set("ideas", idea_summary_views(items))
            .set("empty", items.empty());
        columns.push_back(std::move(col));
    }
    v.set("columns", columns).set("board_url", urls::ideas());
    page_state feed;
    feed.feed_url = "/feeds/ideas.atom";
    feed.feed_title = "Idea status changes";
    return page(c, 200, "roadmap", "Roadmap", std::move(v), feed);
}

struct idea_form_state {
    std::string notice;        // a refused vote or action, at the top
    std::string comment_body;  // a refused comment, kept
    std::string comment_error;
    std::string status_response;  // a refused status change, kept
    std::string status_error;
    std::string merge_error;
    std::string link_error;
};

// Only what a moderator needs to decide on undeleting: what it said, and the button.
response deleted_idea_page(call& c, store::post_row const& post)
{
    view v;
    v.set("id", post.id)
        .set("url", urls::idea(post.id))
        .set("title", post.title)
        .set("deleted", time_view(*post.deleted_at))
        .set("author", author_view(post.author))
        .set("proposed", time_view(post.created_at))
        .set("board_url", urls::ideas());
    v.set_html("body_html", render::stored_markdown_html(post.body_html));
    return page(c, 200, "idea_deleted", post.title, std::move(v));
}

response idea_page(call& c, std::int64_t id, page_status status, idea_form_state const& form)
{
    auto& db = c.ctx.db.reader();
    store::idea_store ideas(db);
    auto const facts = ideas.facts(id);
    if (facts && facts->live && facts->merged_into) return redirect(urls::idea(*facts->merged_into), 301);
    // Moderators open a deleted idea, marked as such, to undelete it; everyone else gets "not found".
    auto const post = find_idea(c.ctx, id, c.who.is_moderator());
    if (!post || !facts)
        return message_page(c, 404, "Idea not found", "There is no such idea.", urls::ideas(), "the ideas");
    if (post->deleted_at) return deleted_idea_page(c, *post);
    permissions const can(c.ctx, c.who);
    view v;
    v.set("id", id)
        .set("url", urls::idea(id))
        .set("title", post->title)
        .set("status", status_view(facts->status))
        .set("open", !store::closes(facts->status))
        .set("votes", facts->votes)
        .set("votes_label", facts->votes == 1 ? "vote" : "votes")
        .set("demand", facts->demand)
        .set("demand_label", facts->demand == 1 ? "question asks" : "questions ask")
        .set("tags", tag_views(post->tags))
        .set("author", author_view(post->author))
        .set("proposed", time_view(post->created_at))
        .set("board_url", urls::ideas())
        .set("revisions_url", urls::revisions(id));
    v.set_html("body_html", render::stored_markdown_html(post->body_html));
    if (post->edited_at) v.set("edited", time_view(*post->edited_at));
    std::vector<view> history;
    for (auto const& h : ideas.history(id)) {
        view hv;
        hv.set("status", status_view(h.status)).set("by", author_view(h.actor)).set("at", time_view(h.created_at));
        hv.set_html("response_html", render::stored_markdown_html(h.response_html));
        history.push_back(std::move(hv));
    }
    v.set("history", history).set("has_history", !history.empty());
    std::vector<view> linked;
    for (auto const& q : ideas.linked_questions(id, linked_limit)) {
        view lv;
        lv.set("title", q.title)
            .set("url", urls::question(q.id))
            .set("answers", q.answer_count)
            .set("answers_label", q.answer_count == 1 ? "answer" : "answers")
            .set("accepted", q.accepted);
        linked.push_back(std::move(lv));
    }
    v.set("linked", linked).set("has_linked", !linked.empty());
    // Comments: the post's own, as on a question.
    std::vector<view> comments;
    for (auto const& cm : store::post_store(db).idea_comments(id)) {
        view cv;
        cv.set("id", cm.id).set("author", author_view(cm.author)).set("at", time_view(cm.created_at));
        cv.set_html("body_html", render::stored_markdown_html(cm.body_html));
        comments.push_back(std::move(cv));
    }
    v.set("comments", comments).set("has_comments", !comments.empty());
    if (!form.notice.empty()) v.set("notice", form.notice);
    if (c.who.signed_in()) {
        v.set("signed_in", true);
        auto const voted = ideas.voted(id, c.who.user->id);
        auto const left = votes_left(c.ctx, c.ctx.db.reader(), c.who.user->id);
        v.set("voted", voted)
            .set("votes_left", left)
            .set("votes_left_label", left == 1 ? "vote" : "votes")
            .set("own", post->author.id == c.who.user->id);
        if (!can.may_edit(*post)) v.set("edit_url", urls::edit(id));
        v.set("comment_body", form.comment_body);
        if (!form.comment_error.empty()) v.set("comment_error", form.comment_error);
        if (auto const f = can.may_write("comment")) v.set("comment_refused", f->message);
        v.set("follow", follow_button(c, store::follow_target::question, id, urls::idea(id) + "/follow", "idea"));
        if (c.who.is_moderator()) {
            std::vector<view> choices;
            for (auto const& s : statuses) {
                if (s.status == idea_status::duplicate) continue;
                view o;
                o.set("key", store::to_sql(s.status)).set("label", s.label).set("selected", s.status == facts->status);
                choices.push_back(std::move(o));
            }
            v.set("moderator", true).set("choices", choices).set("status_response", form.status_response);
            if (!form.status_error.empty()) v.set("status_error", form.status_error);
            if (!form.merge_error.empty()) v.set("merge_error", form.merge_error);
        }
        if (!form.link_error.empty()) v.set("link_error", form.link_error);
    } else {
        v.set("signin_url", urls::signin(urls::idea(id)));
    }
    return page(c, status, "idea", post->title, std::move(v));
}

response show_idea(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Idea not found", "There is no such idea.", urls::ideas(), "the ideas");
    return idea_page(c, *id, 200, {});
}

// A form about one idea: its id and the checked fields, or the refusal.
struct idea_form {
    std::int64_t id = 0;
    http::fields fields;
};

std::variant<idea_form, response> read_idea_form(call& c)
{
    auto const id = parse_id(c.match["id"]);
    if (!id) return message_page(c, 404, "Idea not found", "There is no such idea.", urls::ideas(), "the ideas");
    auto checked = signed_in_form(c, urls::idea(*id));
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    return idea_form{*id, std::move(std::get<http::fields>(checked))};
}

response post_vote_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    auto const action = field(form.fields, "action");
    if (action != "vote" && action != "unvote")
        return message_page(c, 422, "Not understood", "The form asks to vote or to take a vote back; reload the page.");
    auto const result = idea_vote(c.ctx, c.who, form.id, action == "vote");
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.notice = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(form.id));
}

response post_status_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    auto const text = field(form.fields, "response");
    auto const result = change_status(c.ctx, c.who, form.id, field(form.fields, "status"), text);
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.status_response = text;
        state.status_error = f->message;
        if (f->kind == failure_kind::forbidden || f->kind == failure_kind::not_found) state.notice = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(form.id) + "#history");
}

response post_merge_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    auto into_text = field(form.fields, "into");
    // "#12" and an idea's address are read as the idea's id.
    if (auto const slash = into_text.rfind('/'); slash != std::string::npos) into_text = into_text.substr(slash + 1);
    if (!into_text.empty() && into_text.front() == '#') into_text = into_text.substr(1);
    auto const result =
        merge_idea(c.ctx, c.who, form.id, parse_id(domain::trim(into_text)), field(form.fields, "response"));
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.merge_error = f->message;
        if (f->kind == failure_kind::forbidden || f->kind == failure_kind::not_found) state.notice = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(std::get<std::int64_t>(result)));
}

response post_link_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    auto text = std::string(domain::trim(field(form.fields, "question")));
    // A question's address ("/questions/12/…" or a full link) or its number.
    if (auto const at = text.find("/questions/"); at != std::string::npos) {
        text = text.substr(at + 11);
        text = text.substr(0, text.find_first_of("/?#"));
    }
    if (!text.empty() && text.front() == '#') text = text.substr(1);
    auto const result = link_question(c.ctx, c.who, form.id, parse_id(text));
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.link_error = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(form.id) + "#linked");
}

response post_comment_form(call& c)
{
    auto read = read_idea_form(c);
    if (auto* refusal = std::get_if<response>(&read)) return std::move(*refusal);
    auto const& form = std::get<idea_form>(read);
    if (!find_idea(c.ctx, form.id))
        return message_page(c, 404, "Idea not found", "There is no such idea.", urls::ideas(), "the ideas");
    auto const body = field(form.fields, "body");
    auto const result = comment(c.ctx, c.who, form.id, body, std::nullopt);
    if (auto const* f = failed(result)) {
        idea_form_state state;
        state.comment_body = body;
        state.comment_error = f->message;
        return idea_page(c, form.id, *f, state);
    }
    return redirect(urls::idea(form.id) + "#comment-" + std::to_string(std::get<std::int64_t>(result)));
}

response new_idea_form(call& c, page_status status, std::string const& title, std::string const& body,
                       std::string const& tags, failure const* error)
{
    view v;
    v.set("title_value", title).set("body_value", body).set("tags_value", tags);
    if (c.who.user && check_standing(c.who) && !error)
        v.set("standing_notice", standing_short(*c.who.user, "propose an idea"));
    if (error) {
        v.set("error", error->message);
        v.set("error_" + (error->field.empty() ? std::string("form") : error->field), true);
    }
    return page(c, status, "idea_new", "Propose an idea", std::move(v));
}

response new_idea_page(call& c)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    auto const query = query_fields(c);
    return new_idea_form(c, 200, field(query, "title").substr(0, 150), "", "", nullptr);
}

response post_new_idea(call& c)
{
    auto checked = signed_in_form(c, urls::new_idea());
    if (auto* refusal = std::get_if<response>(&checked)) return std::move(*refusal);
    auto const* form = &std::get<http::fields>(checked);
    auto const title = field(*form, "title"), body = field(*form, "body"), tags = field(*form, "tags");
    auto const result = propose(c.ctx, c.who, title, body, domain::split_tags(tags));
    if (auto const* f = failed(result)) return new_idea_form(c, *f, title, body, tags, f);
    auto const& done = std::get<posted>(result);
    if (done.held) return message_page(c, 200, "Your idea is waiting for a moderator", *done.held);
    return redirect(urls::idea(done.id));
}

}  // namespace

void add_idea_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/ideas", board_page);
    r.add(method::get, "/ideas/new", new_idea_page);
    r.add(method::post, "/ideas/new", post_new_idea);
    r.add(method::get, "/ideas/roadmap", roadmap_page);
    r.add(method::get, "/ideas/{id}", show_idea);
    r.add(method::post, "/ideas/{id}/vote", post_vote_form);
    r.add(method::post, "/ideas/{id}/status", post_status_form);
    r.add(method::post, "/ideas/{id}/merge", post_merge_form);
    r.add(method::post, "/ideas/{id}/links", post_link_form);
    r.add(method::post, "/ideas/{id}/comments", post_comment_form);
    r.add(method::get, "/api/v1/ideas", api_list);
    r.add(method::post, "/api/v1/ideas", api_create);
    r.add(method::get, "/api/v1/ideas/similar", api_similar);
    r.add(method::get, "/api/v1/ideas/{id}", api_show);
    r.add(method::post, "/api/v1/ideas/{id}/vote", api_vote<true>);
    r.add(method::delete_, "/api/v1/ideas/{id}/vote", api_vote<false>);
    r.add(method::post, "/api/v1/ideas/{id}/status", api_status);
    r.add(method::post, "/api/v1/ideas/{id}/merge", api_merge);
    r.add(method::post, "/api/v1/ideas/{id}/links", api_link);
}

}  // namespace peerdesk::app
