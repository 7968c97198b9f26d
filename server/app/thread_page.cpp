// The question page as its audience sees it, kept with holes, and each viewer's parts in them
// (see thread_page.hpp).
#include "server/app/thread_page.hpp"

#include "server/app/frame.hpp"
#include "server/app/inbox.hpp"
#include "server/app/own_content.hpp"
#include "server/app/people.hpp"
#include "server/app/permissions.hpp"
#include "server/app/reach.hpp"
#include "server/store/notification_store.hpp"

#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/auth.hpp"
#include "server/app/drafts.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/search_service.hpp"
#include "server/app/thread_cache.hpp"
#include "server/app/timing.hpp"
#include "server/app/urls.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/idea_store.hpp"
#include "server/store/member_store.hpp"
#include "server/store/moderation_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/reach_store.hpp"

#include <unordered_map>

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;
using render::view;

std::string refusal_text(verdict const& v)
{
    return v ? v->message : std::string();
}

// What the viewer may do on one post, decided once per request from the permissions the actions
// use, so that the page offers only what the server would accept and says what is missing.
struct post_rights {
    bool interactive = false;  // votes and comments: not in a locked thread, a deleted post or for a restricted member
    std::string up_needs, down_needs, comment_needs;
    bool may_comment = false;
    bool may_edit = false;
    bool may_flag = false;
};

post_rights rights_on(permissions const& can, store::post_row const& p, store::post_row const& question)
{
    auto const& who = can.who();
    bool const gone = p.deleted_at || question.deleted_at;  // shown to moderators, to undelete only
    bool const restricted = who.user && check_standing(who).has_value();
    post_rights r;
    r.interactive = !question.locked && !restricted && !gone;
    if (who.signed_in() && r.interactive) {
        r.up_needs = refusal_text(can.may_vote(p, question, 1));
        r.down_needs = refusal_text(can.may_vote(p, question, -1));
        r.comment_needs = refusal_text(can.may_comment(p, question));
        r.may_comment = r.comment_needs.empty();
    }
    r.may_edit = !gone && !can.may_edit(p);
    r.may_flag = !gone && !can.may_flag(p);
    return r;
}

// The comments under a post: the first top-level ones (each with its replies) shown, the rest
// folded behind "show N more" (a <details>, which opens without JavaScript), open when the
// form asked for is among them.
struct comment_list {
    std::vector<view> shown, folded;
    std::int64_t folded_count = 0;  // replies included
    bool folded_open = false;
};

comment_list comment_views(store::post_row const& p, post_rights const& rights, viewer const& who,
                           open_form const& open)
{
    // Top-level comments in order, each followed by its replies.
    auto const viewer_id = who.user ? who.user->id : 0;
    comment_list list;
    std::size_t top_level = 0;
    for (auto const& c : p.comments) {
        if (c.reply_to) continue;
        bool const folded = ++top_level > comments_shown;
        auto& out = folded ? list.folded : list.shown;
        auto opens = [&](std::int64_t id) {
            return open.is(open_form::kind::reply, id) || open.is(open_form::kind::flag_comment, id);
        };
        if (folded) {
            ++list.folded_count;
            list.folded_open = list.folded_open || opens(c.id);
        }
        view v;
        v.set("id", c.id)
            .set("post_id", c.post_id)
            .set("author", author_view(c.author))
            .set("created", time_view(c.created_at))
            .set("edited", c.edited_at.has_value());
        v.set_html("body_html", render::stored_markdown_html(c.body_html));
        // Set on every comment: a missing key would be looked up on the post around it.
        v.set("flag_open", open.is(open_form::kind::flag_comment, c.id) && who.signed_in() && c.author.id != viewer_id);
        v.set("reply_open", open.is(open_form::kind::reply, c.id) && rights.may_comment);
        std::vector<view> replies;
        for (auto const& r : p.comments) {
            if (r.reply_to != c.id) continue;
            view rv;
            rv.set("id", r.id)
                .set("author", author_view(r.author))
                .set("created", time_view(r.created_at))
                .set("edited", r.edited_at.has_value());
            rv.set_html("body_html", render::stored_markdown_html(r.body_html));
            rv.set("flag_open",
                   open.is(open_form::kind::flag_comment, r.id) && who.signed_in() && r.author.id != viewer_id);
            replies.push_back(std::move(rv));
            if (folded) {
                ++list.folded_count;
                list.folded_open = list.folded_open || opens(r.id);
            }
        }
        v.set("has_replies", !replies.empty()).set("replies", std::move(replies));
        out.push_back(std::move(v));
    }
    return list;
}

// The shared view of a post: the same for every viewer of the audience, except for the one form
// a viewer asked to open (then the page is not kept).
view post_view(call& c, store::post_row const& p, store::post_row const& question, question_form_state const& form)
{
    permissions const can(c.ctx, c.who);
    auto const rights = rights_on(can, p, question);
    bool const is_answer = p.kind == domain::post_kind::answer;
    view v;
    v.set("id", p.id)
        .set("kind", domain::to_sql(p.kind))
        .set("is_answer", is_answer)
        .set("anchor", (is_answer ? "answer-" : "post-") + std::to_string(p.id))
        .set("score", p.score)
        .set("author", author_view(p.author))
        .set("created", time_view(p.created_at))
        .set("has_comments", !p.comments.empty())
        .set("moderator", c.who.is_moderator())
        .set("endorsed", p.endorsed)
        .set("flag_open", form.open.is(open_form::kind::flag, p.id) && rights.may_flag);
    auto comments = comment_views(p, rights, c.who, form.open);
    v.set("comments", std::move(comments.shown))
        .set("has_more_comments", comments.folded_count > 0)
        .set("more_comments", std::move(comments.folded))
        .set("more_count", comments.folded_count)
        .set("more_label", comments.folded_count == 1 ? "comment" : "comments")
        .set("more_open", comments.folded_open);
    bool const comment_open = form.open.is(open_form::kind::comment, p.id) && rights.may_comment;
    v.set("comment_open", comment_open);
    if (comment_open) v.set("comment_body", form.comment_body).set("comment_error", form.comment_error);
    if (p.edited_at) v.set("edited", time_view(*p.edited_at));
    // Only moderators are shown deleted posts, marked so that no one takes them for live ones.
    if (p.deleted_at)
        v.set("deleted", time_view(*p.deleted_at));
    else
        v.set("deleted", false);  // not the question's flag, which the answers' sections would find
    v.set_html("body_html", render::stored_markdown_html(p.body_html));
    if (is_answer) v.set("accepted", question.accepted_answer_id == p.id);
    return v;
}

// What moderators did to the thread, in words for its readers.
std::vector<view> history_views(call& c, std::int64_t question_id)
{
    std::vector<view> out;
    for (auto const& r : store::moderation_store(c.ctx.db.reader()).thread_history(question_id)) {
        auto const& a = r.entry.action;
        bool const on_question = r.entry.post_id == question_id;
        std::string what, reason;
        if (a == "accept_on_behalf")
            what = "accepted an answer on the asker’s behalf";
        else if (a == "unaccept_on_behalf")
            what = "withdrew the acceptance on the asker’s behalf";
        else if (a == "close")
            what = "closed the question as " + close_reason_text(r.entry.reason.substr(0, r.entry.reason.find(' ')));
        else if (a == "reopen")
            what = "reopened the question";
        else if (a == "lock")
            what = "locked the thread";
        else if (a == "unlock")
            what = "unlocked the thread";
        else if (a == "endorse")
            what = "endorsed an answer";
        else if (a == "delete")
            what = on_question ? "deleted the question" : "deleted an answer", reason = r.entry.reason;
        else if (a == "undelete")
            what = on_question ? "restored the question" : "restored an answer", reason = r.entry.reason;
        else if (a == "edit")
            what = on_question ? "edited the question" : "edited an answer", reason = r.entry.reason;
        else
            continue;
        view v;
        v.set("actor", r.actor_name)
            .set("actor_id", r.entry.actor_id)
            .set("what", what)
            .set("reason", reason)
            .set("when", time_view(r.entry.created_at));
        out.push_back(std::move(v));
    }
    return out;
}

// Questions like this one, beside it; none when search cannot answer just now.
std::vector<view> related_views(call& c, store::post_row const& question)
{
    timing::span span("related");
    constexpr std::size_t shown = 6;  // a column beside the thread; the API gives all of them
    auto const found = related_questions(c.ctx, question, store::search_store::hit_columns::titles, shown);
    std::vector<view> out;
    if (failed(found)) return out;
    for (auto const& r : std::get<std::vector<store::hit_row>>(found)) {
        view v;
        v.set("url", urls::question(r.question_id))
            .set("title", r.title)
            .set("answer_count", r.answer_count)
            .set("answers_label", r.answer_count == 1 ? "answer" : "answers")
            .set("accepted", r.accepted);
        out.push_back(std::move(v));
    }
    return out;
}

audience audience_of(viewer const& who)
{
    return who.is_moderator() ? audience::moderator : who.signed_in() ? audience::member : audience::anonymous;
}

// The hole named "up 12" in the rendered page: what goes there, for which post or comment.
std::optional<thread_hole> parse_hole(std::string_view name, std::unordered_map<std::int64_t, std::size_t> const& posts,
                                      std::unordered_map<std::int64_t, std::size_t> const& comments)
{
    using k = thread_hole::kind;
    auto const space = name.find(' ');
    auto const word = name.substr(0, space);
    if (word == "csrf") return thread_hole{k::csrf, 0};
    if (word == "hint") return thread_hole{k::hint, 0};
    if (word == "follow") return thread_hole{k::follow, 0};
    auto const id = space == std::string_view::npos ? std::nullopt : parse_id(name.substr(space + 1));
    if (!id) return std::nullopt;
    static constexpr std::pair<std::string_view, k> on_posts[] = {{"up", k::up},         {"down", k::down},
                                                                  {"accept", k::accept}, {"edit", k::edit},
                                                                  {"flag", k::flag},     {"comments", k::comments}};
    for (auto const& [n, what] : on_posts)
        if (word == n) {
            auto const it = posts.find(*id);
            if (it == posts.end()) return std::nullopt;
            return thread_hole{what, it->second};
        }
    if (word == "comment")
        if (auto const it = comments.find(*id); it != comments.end()) return thread_hole{k::comment, it->second};
    return std::nullopt;
}

// What the thread's first page tells search engines in its structured data: the question and
// its accepted and best answers (the first page holds them, in that order).
constexpr std::size_t structured_answers = 4;
constexpr std::size_t structured_text = 4000;

qa_facts facts_of(store::question_thread const& t, std::int64_t live_answers)
{
    auto const& q = t.question;
    qa_facts f;
    f.id = q.id;
    f.title = q.title;
    f.text = description_text(q.body_html, structured_text);
    f.author = q.author.username;
    f.author_id = q.author.id;
    f.created_at = q.created_at;
    f.edited_at = q.edited_at.value_or(0);
    f.score = q.score;
    f.answer_count = live_answers;
    for (auto const& a : t.answers) {
        if (a.deleted_at) continue;
        if (f.answers.size() == structured_answers) break;
        f.answers.push_back({a.id, description_text(a.body_html, structured_text), a.author.username, a.author.id,
                             a.created_at, a.score, q.accepted_answer_id == a.id});
    }
    return f;
}

std::size_t characters(std::string_view utf8)
{
    std::size_t n = 0;
    for (unsigned char ch : utf8) n += (ch & 0xC0) != 0x80;
    return n;
}

// The thread's page as its audience sees it, with holes for the viewer; nothing when there is
// no such question (for this audience). A page beyond the last is answered with its `pages`
// and no content.
std::shared_ptr<thread_skeleton> build_skeleton(call& c, std::int64_t id, std::int64_t page,
                                                question_form_state const& form)
{
    timing::span span("thread");
    // The page's ten reads in one snapshot: consistent with each other, and one lock taken. The
    // write count is read before the snapshot is: a write between the two makes the kept page
    // look older than it is (dropped at once), never newer.
    auto const writes = c.ctx.db.write_count();
    store::read_snapshot const snapshot(c.ctx.db.reader());
    auto const deleted = c.who.is_moderator() ? store::deleted_posts::shown : store::deleted_posts::hidden;
    store::post_store posts(c.ctx.db.reader());
    auto t = posts.thread(id, std::nullopt, deleted, {(page - 1) * answers_per_page, answers_per_page});
    if (!t) return nullptr;
    auto sk = std::make_shared<thread_skeleton>();
    sk->writes = writes;
    sk->at = std::chrono::steady_clock::now();
    sk->title = t->question.title;
    auto const& q = t->question;
    auto const shown_answers = posts.answer_total(id, deleted);
    auto const live_answers =
        deleted == store::deleted_posts::shown ? posts.answer_total(id, store::deleted_posts::hidden) : shown_answers;
    sk->pages = std::max<std::int64_t>(1, (shown_answers + answers_per_page - 1) / answers_per_page);
    if (page > sk->pages) return sk;
    sk->canonical = question_path(id, q.title, page);
    sk->description = description_text(q.body_html, 155);
    if (sk->description.empty()) sk->description = q.title;
    sk->thin = !store::worth_indexing(live_answers, characters(q.body_markdown));
    sk->image = first_uploaded_image(q.body_html);
    if (page == 1) sk->facts = facts_of(*t, live_answers);
    bool const restricted = c.who.user && check_standing(c.who).has_value();
    // Badge counts beside each author's name. An award is a write, and any write drops this
    // skeleton (and the anonymous page), so the counts are never older than the page itself.
    std::vector<std::int64_t> author_ids{q.author.id};
    for (auto const& a : t->answers) author_ids.push_back(a.author.id);
    std::unordered_map<std::int64_t, view> medals;
    for (auto const& m : store::member_store(c.ctx.db.reader()).badge_counts_of(author_ids))
        medals.emplace(m.user_id, medals_view(m.bronze, m.silver, m.gold));
    auto const with_medals = [&](view v, std::int64_t author_id) {
        if (auto const it = medals.find(author_id); it != medals.end()) v.set("medals", it->second);
        return v;
    };
    std::vector<view> answers;
    for (auto const& a : t->answers) answers.push_back(with_medals(post_view(c, a, q, form), a.author.id));
    view v;
    v.set("id", q.id)
        .set("title", q.title)
        .set("url", urls::question(id))
        .set("tags", tag_views(q.tags))
        .set("question", with_medals(post_view(c, q, q, form), q.author.id))
        .set("answers", std::move(answers))
        .set("answer_count", live_answers)
        .set("answers_label", live_answers == 1 ? "Answer" : "Answers")
        .set("has_answers", shown_answers > 0)
        .set("pager", pager_view(page, answers_per_page, shown_answers, question_path(id, q.title)))
        .set("deleted_question", q.deleted_at.has_value())
        .set("has_accepted", q.accepted_answer_id.has_value())
        .set("asked", time_view(q.created_at))
        .set("active", time_view(q.last_activity_at))
        .set("signed_in", c.who.signed_in())
        .set("may_answer", c.who.signed_in() && !q.deleted_at && !permissions(c.ctx, c.who).may_answer(q))
        .set("answer_body", form.answer_body)
        .set("answer_error", form.answer_error)
        .set("notice", form.notice)
        .set("signin_url", urls::signin(urls::question(id)))
        .set("signup_url", urls::signup(urls::question(id)));
    if (page > 1) v.set("page", page).set("pages", sk->pages);
    if (q.deleted_at) v.set("deleted", time_view(*q.deleted_at));
    if (c.who.user && restricted) v.set("standing_notice", standing_short(*c.who.user, "answer"));
    // The ideas this question was linked to ("this question asks for idea #12").
    std::vector<view> ideas;
    for (auto const& i : store::idea_store(c.ctx.db.reader()).ideas_of_question(id)) {
        view iv, status;
        status.set("key", store::to_sql(i.status));
        auto label = std::string(store::to_sql(i.status));  // "in_progress" → "In progress"
        std::replace(label.begin(), label.end(), '_', ' ');
        label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
        status.set("label", label);
        iv.set("title", i.title).set("url", urls::idea(i.id)).set("status", std::move(status));
        ideas.push_back(std::move(iv));
    }
    v.set("has_ideas", !ideas.empty()).set("ideas", std::move(ideas));
    auto related = related_views(c, q);
    v.set("has_related", !related.empty()).set("related", std::move(related));
    v.set("moderator", c.who.is_moderator()).set("locked", q.locked).set("pinned", q.pinned);
    if (q.closed_at) {
        view closed;
        closed.set("reason_text", close_reason_text(q.close_reason.value_or("")));
        if (q.duplicate_of)
            if (auto original = store::post_store(c.ctx.db.reader()).find_post(*q.duplicate_of))
                closed.set("duplicate_url", urls::question(original->id)).set("duplicate_title", original->title);
        v.set("closed", std::move(closed));
    }
    auto history = history_views(c, id);
    v.set("has_history", !history.empty()).set("history", std::move(history));
    sk->page = render::render_slotted("question", std::move(v));

    // The facts the holes are decided from, without the bodies the page holds already: the posts
    // are moved in with their bodies and comments released, not copied with them first.
    std::unordered_map<std::int64_t, std::size_t> post_index, comment_index;
    auto keep = [&](store::post_row& p) {
        auto const at = sk->posts.size();
        post_index.emplace(p.id, at);
        for (auto const& cm : p.comments) {
            comment_index.emplace(cm.id, sk->comments.size());
            sk->comments.push_back({cm.id, at, cm.author.id, cm.created_at, !cm.reply_to.has_value()});
        }
        p.comments = {};
        p.body_html = {};
        p.body_markdown = {};
        sk->posts.push_back(std::move(p));
    };
    keep(t->question);
    for (auto& a : t->answers) keep(a);
    for (auto const& name : sk->page.holes) {
        auto const hole = parse_hole(name, post_index, comment_index);
        if (!hole) throw std::runtime_error("question page: a hole names nothing on the page: " + name);
        sk->holes.push_back(*hole);
    }
    return sk;
}

// New members learn what reputation opens before they reach for a control.
std::string privilege_hint(call& c)
{
    std::vector<std::string> missing;
    for (auto p : {domain::privilege::upvote, domain::privilege::comment_everywhere, domain::privilege::downvote}) {
        auto const needed = c.ctx.config.thresholds.required(p);
        if (!domain::check_privilege(c.who.actor(), p, c.ctx.config.thresholds)) continue;
        missing.push_back(std::string(domain::privilege_description(p)) + " needs " + std::to_string(needed));
    }
    if (missing.empty()) return {};
    std::string text;
    for (std::size_t k = 0; k < missing.size(); ++k)
        text += (k == 0                    ? ""
                 : k + 1 == missing.size() ? " and "
                                           : ", ") +
                (k == 0 ? missing[k] : lowercase_first(missing[k]));
    return text + " reputation; you have " + std::to_string(c.who.user->reputation) + ". Answers that help earn it.";
}

void vote_button(render::html_builder& out, store::post_row const& p, int value, int my_vote, std::string const& needs)
{
    bool const up = value == 1;
    if (!needs.empty()) {
        out.markup("<span class=\"vote-wrap\" title=\"").text(needs);
        out.markup(up, "\"><button type=\"button\" class=\"vote up\" disabled aria-label=\"Vote up: ",
                   "\"><button type=\"button\" class=\"vote down\" disabled aria-label=\"Vote down: ");
        out.text(needs).markup(up, "\">▲</button></span>", "\">▼</button></span>");
        return;
    }
    bool const on = my_vote == value;
    out.markup("<button type=\"submit\" form=\"act\" formaction=\"/posts/").number(p.id);
    out.markup("/vote\" name=\"value\" value=\"").number(on ? 0 : value);
    out.markup(up, "\" class=\"vote up", "\" class=\"vote down");
    out.markup(on, " on\" aria-pressed=\"true\"", "\" aria-pressed=\"false\"");
    out.markup(up, " aria-label=\"Vote up: this is useful\" title=\"This is useful\" data-vote>▲</button>",
               " aria-label=\"Vote down: this is not useful\" title=\"This is not useful\" data-vote>▼</button>");
}

// The viewer's parts of the page, put in the shared page's holes.
render::safe_html fill_holes(call& c, thread_skeleton const& sk, open_form const& open)
{
    timing::span span("viewer");
    permissions const can(c.ctx, c.who);
    auto const& question = sk.posts.front();
    auto const viewer_id = c.who.user ? c.who.user->id : 0;
    std::vector<int> my_votes(sk.posts.size(), 0);
    if (c.who.user)
        for (auto const& [post, value] : store::post_store(c.ctx.db.reader()).viewer_votes(question.id, viewer_id))
            for (std::size_t i = 0; i < sk.posts.size(); ++i)
                if (sk.posts[i].id == post) my_votes[i] = value;
    std::vector<post_rights> rights;
    rights.reserve(sk.posts.size());
    for (auto const& p : sk.posts) rights.push_back(rights_on(can, p, question));

    render::html_builder out;
    out.reserve(sk.page.bytes() + 200 * sk.holes.size() + 1024);
    using k = thread_hole::kind;
    for (std::size_t h = 0; h < sk.holes.size(); ++h) {
        out.shared(sk.page, h);
        auto const& hole = sk.holes[h];
        auto const& p = sk.posts[hole.what == k::comment ? sk.comments[hole.index].post : hole.index];
        auto const& r = rights[hole.what == k::comment ? sk.comments[hole.index].post : hole.index];
        switch (hole.what) {
            case k::csrf:
                if (c.who.signed_in())
                    out.markup("<input type=\"hidden\" name=\"csrf_token\" value=\"")
                        .text(c.who.csrf_token)
                        .markup("\">");
                break;
            case k::follow:
                // Whether this viewer follows the thread: theirs alone, so never in the shared page.
                append_follow_form(out, c, store::follow_target::question, question.id,
                                   urls::question(question.id) + "/follow", "question");
                break;
            case k::hint:
                if (c.who.user && !question.locked && !question.deleted_at && !check_standing(c.who))
                    if (auto const text = privilege_hint(c); !text.empty())
                        out.markup("<p class=\"hint privilege-hint\" id=\"privilege-hint\">").text(text).markup("</p>");
                break;
            case k::up:
            case k::down:
                if (r.interactive)
                    vote_button(out, p, hole.what == k::up ? 1 : -1, my_votes[hole.index],
                                hole.what == k::up ? r.up_needs : r.down_needs);
                break;
            case k::accept:
                if (c.who.signed_in() && !p.deleted_at && !question.deleted_at && !can.may_accept(question)) {
                    bool const accepted = question.accepted_answer_id == p.id;
                    out.markup("<button type=\"submit\" form=\"act\" formaction=\"/answers/").number(p.id);
                    out.markup(accepted,
                               "/accept\" name=\"action\" value=\"unaccept\" class=\"accept-button\" "
                               "data-accept>Unaccept</button>",
                               "/accept\" name=\"action\" value=\"accept\" class=\"accept-button\" "
                               "data-accept>Accept</button>");
                }
                break;
            case k::edit:
                if (r.may_edit) out.markup("<a href=\"/posts/").number(p.id).markup("/edit\">Edit</a>");
                // Authors delete their own post while nobody depends on it (moderators have their tools).
                if (c.who.user && !c.who.is_moderator() && p.author.id == viewer_id && !p.deleted_at &&
                    c.who.in_good_standing() && !may_remove_own_post(c.who, p, question))
                    // A button's type is submit by default: the bytes are left out of every own post.
                    out.markup(" <button form=\"act\" formaction=\"/posts/")
                        .number(p.id)
                        .markup(p.kind == domain::post_kind::question,
                                "/delete\" class=\"link danger\" data-confirm=\"Delete your question? You can undo it "
                                "for a day.\">Delete</button>",
                                "/delete\" class=\"link danger\" data-confirm=\"Delete your answer? You can undo it "
                                "for a day.\">Delete</button>");
                break;
            case k::flag:
                if (r.may_flag && !open.is(open_form::kind::flag, p.id))
                    out.markup("<a class=\"flag-link\" href=\"?flag=")
                        .number(p.id)
                        .markup("#flag-")
                        .number(p.id)
                        .markup("\">Flag</a>");
                break;
            case k::comment: {
                auto const& cm = sk.comments[hole.index];
                if (cm.top_level && r.may_comment && !open.is(open_form::kind::reply, cm.id))
                    out.markup("<a class=\"reply-link\" href=\"?reply=")
                        .number(cm.id)
                        .markup("#reply-form-")
                        .number(cm.id)
                        .markup("\">Reply</a> ");
                if (bool const own = c.who.user && cm.author_id == viewer_id;
                    (own && c.who.in_good_standing() && !question.locked) || c.who.is_moderator()) {
                    if (own && domain::now() - cm.created_at <= comment_edit_seconds)
                        out.markup("<a class=\"edit-comment\" href=\"/comments/")
                            .number(cm.id)
                            .markup("/edit\">Edit</a> ");
                    out.markup("<button type=\"submit\" form=\"act\" formaction=\"/comments/")
                        .number(cm.id)
                        .markup(
                            "/delete\" class=\"link danger delete-comment\" data-confirm=\"Delete this "
                            "comment?\">Delete</button> ");
                }
                if (c.who.signed_in() && cm.author_id != viewer_id && !open.is(open_form::kind::flag_comment, cm.id))
                    out.markup("<a class=\"flag-link\" href=\"?flag_comment=")
                        .number(cm.id)
                        .markup("#flag-comment-")
                        .number(cm.id)
                        .markup("\">Flag</a>");
                break;
            }
            case k::comments:
                if (!r.comment_needs.empty())
                    out.markup("<p class=\"hint privilege-hint\">").text(r.comment_needs).markup("</p>");
                else if (r.may_comment && !open.is(open_form::kind::comment, p.id))
                    out.markup("<a class=\"add-comment\" href=\"?comment=")
                        .number(p.id)
                        .markup("#add-comment-")
                        .number(p.id)
                        .markup("\">Add a comment</a>");
                break;
        }
    }
    out.shared(sk.page, sk.holes.size());
    return std::move(out).done();
}

// The page of the thread holding the post or comment a form is open on.
std::int64_t page_of_form(call& c, std::int64_t id, open_form const& open)
{
    using k = open_form::kind;
    switch (open.what) {
        case k::none:
            return 1;
        case k::comment:
        case k::flag:
            return page_of_post(c, id, open.id);
        case k::reply:
        case k::flag_comment:
            if (auto const cm = store::post_store(c.ctx.db.reader()).find_comment(open.id))
                return page_of_post(c, id, cm->post_id);
            return 1;
    }
    return 1;
}

}  // namespace

response question_page(call& c, std::int64_t id, page_status status, question_form_state const& form, std::int64_t page,
                       std::optional<std::string_view> given_slug)
{
    if (page <= 0) page = page_of_form(c, id, form.open);
    auto const who = audience_of(c.who);
    // Kept for members and moderators in good standing, whose shared page is alike; a viewer with
    // a form open or a refusal to see gets a page of their own.
    bool const shared = c.ctx.threads && who != audience::anonymous && c.who.in_good_standing() && form.empty();
    std::shared_ptr<thread_skeleton const> sk;
    if (shared) sk = c.ctx.threads->find(id, page, who);
    if (!sk) {
        auto built = build_skeleton(c, id, page, form);
        if (!built) {
            // An idea is a post too, and links made for threads (notifications, feeds, search,
            // redirects after an edit) lead to its own page.
            if (auto const post = store::post_store(c.ctx.db.reader()).find_post(id);
                post && post->kind == domain::post_kind::idea)
                return redirect(urls::idea(id), 301);
            // An answer's id in a question's address: the answer's place in its thread.
            if (auto const where = post_location(c, id); where && where->find("#answer-") != std::string::npos)
                return redirect("/a/" + std::to_string(id), 301);
            return message_page(c, 404, "Question not found", "There is no question " + std::to_string(id) + ".");
        }
        sk = built;
        if (shared && page <= built->pages) c.ctx.threads->store(id, page, who, sk);
    }
    if (given_slug && *given_slug != slug(sk->title)) {
        // Any other slug (a renamed question, a mistyped or mangled address) leads to the one
        // address search engines should keep.
        auto const query = c.req.query;
        bool const plain_query =
            query.size() < 200 && query.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                      "=&_-") == std::string::npos;
        auto target = urls::question(id) + "/" + slug(sk->title);
        if (!query.empty() && plain_query) target += "?" + query;
        return redirect(target, 301);
    }
    if (page > sk->pages)
        return message_page(c, 404, "No such page",
                            "This question's answers fill " + std::to_string(sk->pages) +
                                (sk->pages == 1 ? " page." : " pages.") + " There is no page " + std::to_string(page) +
                                ".",
                            question_path(id, sk->title), "Back to the first page");
    page_state state;
    state.feed_url = "/feeds/questions/" + std::to_string(id) + ".atom";
    state.feed_title = "Answers to this question";
    state.head.description = sk->description;
    state.head.canonical = sk->canonical;
    state.head.noindex = sk->thin;
    state.head.og_type = "article";
    state.head.image = sk->image;
    if (sk->facts) {
        auto& memo = *sk->structured;
        auto base = site_base(c);
        std::lock_guard lock(memo.mutex);
        if (memo.html.str().empty() || memo.base != base) {
            memo.html = structured_data(c, *sk->facts);
            memo.base = std::move(base);
        }
        state.head.structured = memo.html;
    }
    auto const title = page > 1 ? sk->title + " (page " + std::to_string(page) + ")" : sk->title;
    return framed_page(c, status, title, fill_holes(c, *sk, form.open), state);
}

}  // namespace peerdesk::app
