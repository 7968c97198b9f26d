#include "server/store/post_store.hpp"

#include "server/store/insight_store.hpp"
#include "server/store/search_store.hpp"
#include "server/store/upload_store.hpp"
#include "server/store/user_store.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>

namespace peerdesk::store {
namespace {

author_ref read_author(statement& s, int first)
{
    return {s.integer(first), s.text(first + 1), s.integer(first + 2)};
}

// A post and its author, as every query of whole posts selects them (the post as p, the
// author as u); read_post reads them in this order.
std::string const post_columns =
    "SELECT p.id, p.kind, p.question_id, u.id, u.username, u.reputation, p.title, p.body_markdown, p.body_html, "
    "p.score, p.answer_count, p.accepted_answer_id, p.created_at, p.edited_at, p.last_activity_at, "
    "p.close_reason, p.duplicate_of, p.closed_at, p.locked_at IS NOT NULL, p.pinned_at IS NOT NULL, "
    "p.endorsed_at IS NOT NULL, p.state, p.deleted_at ";

post_row read_post(statement& s)
{
    post_row p;
    p.id = s.integer(0);
    p.kind = stored_post_kind(s.text(1));
    p.question_id = s.optional_integer(2);
    p.author = read_author(s, 3);
    p.title = s.text(6);
    p.body_markdown = s.text(7);
    p.body_html = s.text(8);
    p.score = s.integer(9);
    p.answer_count = s.integer(10);
    p.accepted_answer_id = s.optional_integer(11);
    p.created_at = s.integer(12);
    p.edited_at = s.optional_integer(13);
    p.last_activity_at = s.integer(14);
    p.close_reason = s.optional_text(15);
    p.duplicate_of = s.optional_integer(16);
    p.closed_at = s.optional_integer(17);
    p.locked = s.integer(18) != 0;
    p.pinned = s.integer(19) != 0;
    p.endorsed = s.integer(20) != 0;
    p.state = stored_post_state(s.text(21));
    p.deleted_at = s.optional_integer(22);
    return p;
}

// A comment and its author (the comment as c, the author as u); read_comment reads them.
std::string const comment_columns =
    "SELECT c.id, c.post_id, c.reply_to, u.id, u.username, u.reputation, c.body_markdown, c.body_html, c.created_at, "
    "c.edited_at ";

comment_row read_comment(statement& s)
{
    return {s.integer(0), s.integer(1), s.optional_integer(2), read_author(s, 3),
            s.text(6),    s.text(7),    s.integer(8),          s.optional_integer(9)};
}

}  // namespace

namespace sql {

constexpr std::string_view insert_question =
    "INSERT INTO posts (kind, author_id, title, body_markdown, body_html, excerpt, created_at, last_activity_at, "
    "state) "
    "VALUES ('question', ?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)";
constexpr std::string_view insert_answer =
    "INSERT INTO posts (kind, question_id, author_id, body_markdown, body_html, excerpt, created_at, "
    "last_activity_at, state) VALUES ('answer', ?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)";
constexpr std::string_view insert_held_item =
    "INSERT INTO review_items (post_id, kind, reason, created_at) VALUES (?1, 'held', ?2, ?3)";
constexpr std::string_view touch_question = "UPDATE posts SET last_activity_at = ?2 WHERE id = ?1";
constexpr std::string_view insert_comment =
    "INSERT INTO comments (post_id, reply_to, author_id, body_markdown, body_html, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view insert_tag = "INSERT INTO tags (name) VALUES (?1) ON CONFLICT (name) DO NOTHING";
constexpr std::string_view link_tag =
    "INSERT INTO question_tags (question_id, tag_id, position) SELECT ?1, id, ?3 FROM tags WHERE name = ?2";
// Tags count live questions only: held, hidden and deleted ones are not counted, nor ideas
// (which carry tags too, in the same table).
constexpr std::string_view count_tags_down =
    "UPDATE tags SET question_count = question_count - 1 "
    "WHERE id IN (SELECT tag_id FROM question_tags WHERE question_id = ?1) "
    "AND EXISTS (SELECT 1 FROM live_posts WHERE id = ?1 AND kind = 'question')";
constexpr std::string_view count_tags_up =
    "UPDATE tags SET question_count = question_count + 1 "
    "WHERE id IN (SELECT tag_id FROM question_tags WHERE question_id = ?1) "
    "AND EXISTS (SELECT 1 FROM live_posts WHERE id = ?1 AND kind = 'question')";
// The site's count of live questions, kept like the tags' counts: ?2 is +1 or -1.
constexpr std::string_view count_live =
    "UPDATE site_counts SET value = value + ?2 WHERE name = 'live_questions' "
    "AND EXISTS (SELECT 1 FROM live_posts WHERE id = ?1 AND kind = 'question')";
constexpr std::string_view live_questions = "SELECT value FROM site_counts WHERE name = 'live_questions'";
// The board's counts: live ideas by status, as 'ideas:<status>'; ?2 is +1 or -1.
constexpr std::string_view count_idea =
    "INSERT INTO site_counts (name, value) SELECT 'ideas:' || i.status, ?2 FROM ideas i "
    "WHERE i.post_id = ?1 AND EXISTS (SELECT 1 FROM live_posts WHERE id = ?1) "
    "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value";
constexpr std::string_view insert_idea =
    "INSERT INTO posts (kind, author_id, title, body_markdown, body_html, excerpt, created_at, last_activity_at, "
    "state) VALUES ('idea', ?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)";
constexpr std::string_view insert_idea_row = "INSERT INTO ideas (post_id, status, status_at) VALUES (?1, 'new', ?2)";
#define PEERDESK_LIVE_QUESTIONS "(SELECT count(*) FROM live_posts WHERE kind = 'question')"
#define PEERDESK_TAG_QUESTIONS                                                                                     \
    "(SELECT count(*) FROM question_tags qt JOIN live_posts p ON p.id = qt.question_id WHERE qt.tag_id = tags.id " \
    "AND p.kind = 'question')"
constexpr std::string_view recount_live = "UPDATE site_counts SET value = " PEERDESK_LIVE_QUESTIONS
                                          " WHERE name = 'live_questions' AND value IS NOT " PEERDESK_LIVE_QUESTIONS;
constexpr std::string_view recount_tags =
    "UPDATE tags SET question_count = " PEERDESK_TAG_QUESTIONS " WHERE question_count IS NOT " PEERDESK_TAG_QUESTIONS;
constexpr std::string_view recount_answers =
    "UPDATE posts SET answer_count = "
    "(SELECT count(*) FROM live_posts a WHERE a.question_id = ?1 AND a.kind = 'answer') WHERE id = ?1";
constexpr std::string_view post_thread = "SELECT coalesce(question_id, id), kind FROM posts WHERE id = ?1";
// A tag's id and count, and the highest post id (how many posts there are, near enough).
constexpr std::string_view tag_for_list =
    "SELECT id, question_count, (SELECT max(id) FROM posts) FROM tags WHERE name = ?1";
// A synonym's name stands for its tag (asking with "wifi" tags "wireless").
constexpr std::string_view resolve_synonym =
    "SELECT t.name FROM tag_synonyms s JOIN tags t ON t.id = s.tag_id WHERE s.name = ?1";
// A member's draft for a place goes when the post it was for is posted.
constexpr std::string_view drop_draft = "DELETE FROM drafts WHERE user_id = ?1 AND place = ?2";
constexpr std::string_view unlink_tags = "DELETE FROM question_tags WHERE question_id = ?1";
constexpr std::string_view tags_of =
    "SELECT t.name FROM question_tags qt JOIN tags t ON t.id = qt.tag_id WHERE qt.question_id = ?1 "
    "ORDER BY qt.position";
constexpr std::string_view insert_revision =
    "INSERT INTO revisions (post_id, author_id, title, body_markdown, tags, summary, created_at) "
    "SELECT p.id, ?2, p.title, p.body_markdown, "
    "(SELECT group_concat(name, ' ') FROM (SELECT t.name FROM question_tags qt JOIN tags t ON t.id = qt.tag_id "
    "  WHERE qt.question_id = p.id ORDER BY qt.position)), ?3, ?4 "
    "FROM posts p WHERE p.id = ?1";
constexpr std::string_view update_title = "UPDATE posts SET title = ?2 WHERE id = ?1";
constexpr std::string_view update_body =
    "UPDATE posts SET body_markdown = ?2, body_html = ?3, excerpt = ?4 WHERE id = ?1";
constexpr std::string_view mark_edited = "UPDATE posts SET edited_at = ?2, last_activity_at = ?2 WHERE id = ?1";
std::string const find_any_post = post_columns + "FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = ?1";
std::string const find_post = post_columns + "FROM visible_posts p JOIN users u ON u.id = p.author_id WHERE p.id = ?1";
// Accepted answer first, then the best voted, then the oldest.
// The question is known to be live (find_post); its answers need only their own state.
std::string const thread_answers = post_columns +
                                   "FROM live_posts p JOIN users u ON u.id = p.author_id "
                                   "WHERE p.question_id = ?1 AND p.kind = 'answer' "
                                   "ORDER BY p.id = ?2 DESC, p.score DESC, p.id ASC LIMIT ?3 OFFSET ?4";
// Moderators see deleted answers too, to restore them; held and hidden ones wait in review.
std::string const thread_answers_with_deleted =
    post_columns +
    "FROM posts p JOIN users u ON u.id = p.author_id "
    "WHERE p.question_id = ?1 AND p.kind = 'answer' AND p.state = 'live' "
    "ORDER BY p.deleted_at IS NOT NULL, p.id = ?2 DESC, p.score DESC, p.id ASC LIMIT ?3 OFFSET ?4";
// A page of a long thread reads the comments of its own posts only (comments_post serves it).
std::string const window_comments = comment_columns +
                                    "FROM live_comments c JOIN users u ON u.id = c.author_id "
                                    "WHERE c.post_id IN (" +
                                    statement::in_list(100) + ") ORDER BY c.id";
constexpr std::string_view answer_total =
    "SELECT count(*) FROM posts p WHERE p.question_id = ?1 AND p.kind = 'answer' AND p.state = 'live' "
    "AND (?2 OR p.deleted_at IS NULL)";
// An answer's place in thread_answers' order: the answers before it. ?2 is whether deleted ones
// count (after every live one, in the same order among themselves).
constexpr std::string_view answer_position =
    "SELECT (SELECT count(*) FROM posts b WHERE b.question_id = a.question_id AND b.kind = 'answer' "
    "  AND b.state = 'live' AND (?2 OR b.deleted_at IS NULL) AND ("
    "    (b.deleted_at IS NULL AND a.deleted_at IS NOT NULL) OR ((b.deleted_at IS NULL) = (a.deleted_at IS NULL) AND ("
    "      (b.id = q.accepted_answer_id AND a.id IS NOT q.accepted_answer_id) OR "
    "      (a.id IS NOT q.accepted_answer_id AND b.id IS NOT q.accepted_answer_id AND "
    "        (b.score > a.score OR (b.score = a.score AND b.id < a.id))))))) "
    "FROM posts a JOIN posts q ON q.id = a.question_id "
    "WHERE a.id = ?1 AND a.kind = 'answer' AND a.state = 'live' AND (?2 OR a.deleted_at IS NULL) "
    "AND q.state = 'live' AND (?2 OR q.deleted_at IS NULL)";
std::string const thread_comments = comment_columns +
                                    "FROM live_comments c JOIN posts p ON p.id = c.post_id "
                                    "JOIN users u ON u.id = c.author_id "
                                    "WHERE (p.id = ?1 OR p.question_id = ?1) ORDER BY c.id";
// From the thread's posts into the viewer's votes by (user, post): the cost follows the
// thread's size, never the viewer's history. Left to itself SQLite started from every vote the
// viewer ever cast (14 ms for a member with 8,225 votes); CROSS JOIN keeps posts outside.
constexpr std::string_view thread_votes =
    "SELECT v.post_id, v.value FROM posts p CROSS JOIN votes v ON v.user_id = ?2 AND v.post_id = p.id "
    "WHERE p.id = ?1 OR p.question_id = ?1";
std::string const find_comment = comment_columns +
                                 "FROM live_comments c JOIN users u ON u.id = c.author_id "
                                 "JOIN visible_posts p ON p.id = c.post_id WHERE c.id = ?1";
// A post is live only in a live thread: an answer of a deleted question takes no votes.
constexpr std::string_view vote_target = "SELECT p.kind, p.author_id FROM visible_posts p WHERE p.id = ?1";
constexpr std::string_view old_vote = "SELECT value FROM votes WHERE user_id = ?1 AND post_id = ?2";
constexpr std::string_view put_vote =
    "INSERT INTO votes (user_id, post_id, value, created_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (user_id, post_id) DO UPDATE SET value = excluded.value, created_at = excluded.created_at";
constexpr std::string_view delete_vote = "DELETE FROM votes WHERE user_id = ?1 AND post_id = ?2";
constexpr std::string_view add_score = "UPDATE posts SET score = score + ?2 WHERE id = ?1 RETURNING score";
constexpr std::string_view acceptance =
    "SELECT q.author_id, q.accepted_answer_id, a.author_id FROM posts q "
    "LEFT JOIN posts a ON a.id = q.accepted_answer_id WHERE q.id = ?1";
constexpr std::string_view answer_author = "SELECT author_id FROM posts WHERE id = ?1";
constexpr std::string_view set_accepted =
    "UPDATE posts SET accepted_answer_id = ?2, last_activity_at = ?3 WHERE id = ?1";
constexpr std::string_view revisions =
    "SELECT r.id, u.id, u.username, u.reputation, r.title, r.body_markdown, r.tags, r.summary, r.created_at, "
    "r.redacted_at IS NOT NULL FROM revisions r JOIN users u ON u.id = r.author_id WHERE r.post_id = ?1 ORDER BY r.id";
// The text is erased, not only hidden: redaction is for personal data posted by mistake.
constexpr std::string_view redact_revision =
    "UPDATE revisions SET body_markdown = '', title = CASE WHEN title IS NULL THEN NULL ELSE '' END, "
    "tags = CASE WHEN tags IS NULL THEN NULL ELSE '' END, redacted_at = ?2, redacted_by = ?3 "
    "WHERE id = ?1 AND redacted_at IS NULL";
constexpr std::string_view revision_post =
    "SELECT r.post_id, r.id = (SELECT max(id) FROM revisions WHERE post_id = r.post_id) FROM revisions r WHERE r.id = "
    "?1";
constexpr std::string_view tag_count = "SELECT count(*) FROM tags WHERE question_count > 0";
constexpr std::string_view tag_page =
    "SELECT name, question_count, description FROM tags WHERE question_count > 0 "
    "ORDER BY question_count DESC, name LIMIT ?1 OFFSET ?2";
constexpr std::string_view find_tag = "SELECT name, question_count, description FROM tags WHERE name = ?1";

}  // namespace sql

std::vector<std::string> split_words(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(' ', start);
        if (end == std::string_view::npos) end = text.size();
        if (end > start) out.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::int64_t post_store::create_question(new_question const& q, std::int64_t now)
{
    auto tx = db_.begin_immediate();
    db_.cached(sql::insert_question)
        .bind(q.author_id, q.title, q.body.markdown, q.body.html, q.body.excerpt, now, q.held ? "held" : "live")
        .run();
    auto const id = db_.last_insert_rowid();
    if (q.held) db_.cached(sql::insert_held_item).bind(id, *q.held, now).run();
    db_.cached(sql::count_live).bind(id, 1).run();
    set_tags(id, q.tags);
    add_revision(id, q.author_id, "", now);
    upload_store(db_).link(id, q.body.markdown);
    db_.cached(sql::drop_draft).bind(q.author_id, "ask").run();
    enqueue_post(db_, id, now);
    insight_store(db_).question_enters(id);
    tx.commit();
    return id;
}

std::int64_t post_store::create_idea(new_question const& q, std::int64_t now)
{
    auto tx = db_.begin_immediate();
    db_.cached(sql::insert_idea)
        .bind(q.author_id, q.title, q.body.markdown, q.body.html, q.body.excerpt, now, q.held ? "held" : "live")
        .run();
    auto const id = db_.last_insert_rowid();
    if (q.held) db_.cached(sql::insert_held_item).bind(id, *q.held, now).run();
    db_.cached(sql::insert_idea_row).bind(id, now).run();
    count_idea(db_, id, 1);
    set_tags(id, q.tags);
    add_revision(id, q.author_id, "", now);
    enqueue_post(db_, id, now);
    tx.commit();
    return id;
}

void count_idea(connection& db, std::int64_t idea_id, int sign)
{
    db.cached(sql::count_idea).bind(idea_id, sign).run();
}

std::int64_t post_store::create_answer(std::int64_t question_id, std::int64_t author_id, rendered_body const& body,
                                       std::int64_t now, std::optional<std::string> const& held)
{
    auto tx = db_.begin_immediate();
    insight_store insights(db_);
    insights.question_leaves(question_id);  // its first answer may be this one
    db_.cached(sql::insert_answer)
        .bind(question_id, author_id, body.markdown, body.html, body.excerpt, now, held ? "held" : "live")
        .run();
    auto const id = db_.last_insert_rowid();
    if (held) db_.cached(sql::insert_held_item).bind(id, *held, now).run();
    db_.cached(sql::recount_answers).bind(question_id).run();
    db_.cached(sql::touch_question).bind(question_id, now).run();
    add_revision(id, author_id, "", now);
    upload_store(db_).link(id, body.markdown);
    db_.cached(sql::drop_draft).bind(author_id, "answer-" + std::to_string(question_id)).run();
    enqueue_post(db_, id, now);
    enqueue_if_newly_answered(db_, question_id, now);
    insights.question_enters(question_id);
    insights.answer_enters(id);
    tx.commit();
    return id;
}

std::int64_t post_store::create_comment(std::int64_t post_id, std::optional<std::int64_t> reply_to,
                                        std::int64_t author_id, rendered_body const& body, std::int64_t now)
{
    auto tx = db_.begin_immediate();
    db_.cached(sql::insert_comment).bind(post_id, reply_to, author_id, body.markdown, body.html, now).run();
    auto const id = db_.last_insert_rowid();
    enqueue_post(db_, post_id, now);
    tx.commit();
    return id;
}

void post_store::set_tags(std::int64_t question_id, std::vector<std::string> const& tags)
{
    db_.cached(sql::count_tags_down).bind(question_id).run();
    db_.cached(sql::unlink_tags).bind(question_id).run();
    int position = 0;
    std::vector<std::string> done;
    for (auto const& given : tags) {
        std::string t = given;
        if (auto& s = db_.cached(sql::resolve_synonym).bind(given); s.step()) {
            t = s.text(0);
            s.reset();
        }
        if (std::find(done.begin(), done.end(), t) != done.end()) continue;
        done.push_back(t);
        db_.cached(sql::insert_tag).bind(t).run();
        db_.cached(sql::link_tag).bind(question_id, t, position++).run();
    }
    db_.cached(sql::count_tags_up).bind(question_id).run();
}

void post_store::add_revision(std::int64_t post_id, std::int64_t author_id, std::string_view summary, std::int64_t now)
{
    db_.cached(sql::insert_revision).bind(post_id, author_id, summary, now).run();
}

void post_store::edit(std::int64_t post_id, post_edit const& e, std::int64_t now)
{
    auto tx = db_.begin_immediate();
    if (e.title) db_.cached(sql::update_title).bind(post_id, *e.title).run();
    if (e.body) {
        db_.cached(sql::update_body).bind(post_id, e.body->markdown, e.body->html, e.body->excerpt).run();
        upload_store(db_).link(post_id, e.body->markdown);
    }
    if (e.tags) {
        insight_store(db_).thread_leaves(post_id);  // counted under its tags
        set_tags(post_id, *e.tags);
        insight_store(db_).thread_enters(post_id);
    }
    db_.cached(sql::mark_edited).bind(post_id, now).run();
    add_revision(post_id, e.editor_id, e.summary, now);
    // Answers carry their question's title, tags and body (an answer's thread is itself).
    enqueue_thread(db_, post_id, now);
    tx.commit();
}

vote_result post_store::vote(std::int64_t post_id, std::int64_t voter_id, int value,
                             domain::reputation_rules const& rules, std::int64_t now)
{
    auto tx = db_.begin_immediate();
    auto& target = db_.cached(sql::vote_target).bind(post_id);
    if (!target.step()) throw error(0, "vote on a missing post");
    auto const kind = target.text(0) == "answer" ? domain::post_kind::answer : domain::post_kind::question;
    auto const author_id = target.integer(1);
    target.reset();

    auto& old = db_.cached(sql::old_vote).bind(voter_id, post_id);
    int const old_value = old.step() ? static_cast<int>(old.integer(0)) : 0;
    old.reset();

    insight_store insights(db_);
    insights.vote_leaves(voter_id, post_id);
    if (value == 0)
        db_.cached(sql::delete_vote).bind(voter_id, post_id).run();
    else
        db_.cached(sql::put_vote).bind(voter_id, post_id, value, now).run();

    auto& score = db_.cached(sql::add_score).bind(post_id, value - old_value);
    score.step();
    vote_result result{score.integer(0), value};
    score.reset();
    insights.vote_enters(voter_id, post_id);

    apply_ledger(db_, domain::vote_entries(kind, author_id, voter_id, old_value, value, rules), post_id, voter_id, now);
    enqueue_post(db_, post_id, now);  // the score ranks it
    tx.commit();
    return result;
}

void post_store::set_accepted(std::int64_t question_id, std::optional<std::int64_t> answer_id, std::int64_t actor_id,
                              domain::reputation_rules const& rules, std::int64_t now)
{
    auto tx = db_.begin_immediate();
    auto& current = db_.cached(sql::acceptance).bind(question_id);
    if (!current.step()) throw error(0, "accept on a missing question");
    auto const asker_id = current.integer(0);
    auto const old_answer = current.optional_integer(1);
    auto const old_author = current.optional_integer(2);
    current.reset();
    if (old_answer == answer_id) return;  // nothing changes; the transaction rolls back empty

    std::optional<std::int64_t> new_author;
    if (answer_id) {
        auto& a = db_.cached(sql::answer_author).bind(*answer_id);
        if (a.step()) new_author = a.integer(0);
        a.reset();
    }
    // The question's accepted state and both answers' change: out before, in after.
    insight_store insights(db_);
    auto each_part = [&](auto&& fn) {
        fn(question_id, true);
        for (auto const& a : {old_answer, answer_id})
            if (a) fn(*a, false);
    };
    each_part([&](std::int64_t id, bool is_question) {
        is_question ? insights.question_leaves(id) : insights.answer_leaves(id);
    });
    db_.cached(sql::set_accepted).bind(question_id, answer_id, now).run();
    each_part([&](std::int64_t id, bool is_question) {
        is_question ? insights.question_enters(id) : insights.answer_enters(id);
    });
    // The ledger rows point at the answer whose acceptance changed.
    auto entries = domain::accept_entries(asker_id, old_author, std::nullopt, rules);
    apply_ledger(db_, entries, old_answer, actor_id, now);
    entries = domain::accept_entries(asker_id, std::nullopt, new_author, rules);
    apply_ledger(db_, entries, answer_id, actor_id, now);
    enqueue_thread(db_, question_id, now);
    tx.commit();
}

void post_store::change_visibility(std::int64_t post_id, std::int64_t now, std::function<void()> const& change)
{
    auto& t = db_.cached(sql::post_thread).bind(post_id);
    if (!t.step()) {
        t.reset();
        throw error(0, "visibility change of a missing post");
    }
    auto const question_id = t.integer(0);
    auto const kind = t.text(1);
    bool const is_question = kind == "question", is_idea = kind == "idea";
    t.reset();
    insight_store insights(db_);
    insights.thread_leaves(question_id);
    if (is_question) {
        db_.cached(sql::count_tags_down).bind(question_id).run();
        db_.cached(sql::count_live).bind(question_id, -1).run();
    }
    if (is_idea) count_idea(db_, post_id, -1);
    change();
    if (is_idea) {
        count_idea(db_, post_id, 1);
    } else if (is_question) {
        db_.cached(sql::count_tags_up).bind(question_id).run();
        db_.cached(sql::count_live).bind(question_id, 1).run();
    } else {
        db_.cached(sql::recount_answers).bind(question_id).run();
    }
    insights.thread_enters(question_id);
    // The whole thread: answers take their question's visibility and state.
    enqueue_thread(db_, question_id, now);
}

int post_store::recount()
{
    auto tx = db_.begin_immediate();
    db_.cached(sql::recount_live).run();
    int changed = db_.changes();
    db_.cached(sql::recount_tags).run();
    changed += db_.changes();
    tx.commit();
    return changed;
}

std::optional<post_row> post_store::find_post(std::int64_t id)
{
    auto& s = db_.cached(sql::find_post).bind(id);
    std::optional<post_row> out;
    if (s.step()) out = read_post(s);
    s.reset();
    if (out && out->kind != domain::post_kind::answer) out->tags = tags_of(id);
    return out;
}

std::optional<post_row> post_store::find_any_post(std::int64_t id)
{
    auto& s = db_.cached(sql::find_any_post).bind(id);
    std::optional<post_row> out;
    if (s.step()) out = read_post(s);
    s.reset();
    if (out && out->kind != domain::post_kind::answer) out->tags = tags_of(id);
    return out;
}

std::optional<comment_row> post_store::find_comment(std::int64_t id)
{
    auto& s = db_.cached(sql::find_comment).bind(id);
    std::optional<comment_row> out;
    if (s.step()) out = read_comment(s);
    s.reset();
    return out;
}

std::vector<comment_row> post_store::idea_comments(std::int64_t post_id)
{
    std::vector<comment_row> out;
    auto& s = db_.cached(sql::thread_comments).bind(post_id);
    while (s.step()) out.push_back(read_comment(s));
    s.reset();
    return out;
}

std::vector<std::string> post_store::tags_of(std::int64_t question_id)
{
    std::vector<std::string> out;
    auto& s = db_.cached(sql::tags_of).bind(question_id);
    while (s.step()) out.push_back(s.text(0));
    s.reset();
    return out;
}

std::optional<question_thread> post_store::thread(std::int64_t question_id, std::optional<std::int64_t> viewer_id,
                                                  deleted_posts deleted, answer_window window)
{
    bool const with_deleted = deleted == deleted_posts::shown;
    auto question = find_post(question_id);
    if (!question && with_deleted) {
        question = find_any_post(question_id);
        if (question && (!question->deleted_at || question->state != domain::post_state::live)) question.reset();
    }
    if (!question || question->kind != domain::post_kind::question) return std::nullopt;
    question_thread t{std::move(*question), {}};

    auto& answers = db_.cached(with_deleted ? sql::thread_answers_with_deleted : sql::thread_answers)
                        .bind(question_id, t.question.accepted_answer_id.value_or(0), window.limit, window.offset);
    while (answers.step()) t.answers.push_back(read_post(answers));
    answers.reset();

    std::map<std::int64_t, post_row*> by_id{{t.question.id, &t.question}};
    for (auto& a : t.answers) by_id[a.id] = &a;

    auto add_comments = [&](statement& comments) {
        while (comments.step()) {
            auto c = read_comment(comments);
            if (auto it = by_id.find(c.post_id); it != by_id.end()) it->second->comments.push_back(std::move(c));
        }
        comments.reset();
    };
    if (window.limit >= 0 && by_id.size() <= 100) {
        std::vector<std::int64_t> ids;
        for (auto const& [id, post] : by_id) ids.push_back(id);
        add_comments(db_.cached(sql::window_comments).bind_ids(ids));
    } else {
        add_comments(db_.cached(sql::thread_comments).bind(question_id));
    }

    if (viewer_id) {
        auto& votes = db_.cached(sql::thread_votes).bind(question_id, *viewer_id);
        while (votes.step())
            if (auto it = by_id.find(votes.integer(0)); it != by_id.end())
                it->second->my_vote = static_cast<int>(votes.integer(1));
        votes.reset();
    }
    return t;
}

std::int64_t post_store::answer_total(std::int64_t question_id, deleted_posts deleted)
{
    auto& s = db_.cached(sql::answer_total).bind(question_id, deleted == deleted_posts::shown ? 1 : 0);
    std::int64_t n = s.step() ? s.integer(0) : 0;
    s.reset();
    return n;
}

std::optional<std::int64_t> post_store::answer_position(std::int64_t answer_id, deleted_posts deleted)
{
    auto& s = db_.cached(sql::answer_position).bind(answer_id, deleted == deleted_posts::shown ? 1 : 0);
    std::optional<std::int64_t> at;
    if (s.step()) at = s.integer(0);
    s.reset();
    return at;
}

std::vector<std::pair<std::int64_t, int>> post_store::viewer_votes(std::int64_t question_id, std::int64_t viewer_id)
{
    std::vector<std::pair<std::int64_t, int>> out;
    auto& votes = db_.cached(sql::thread_votes).bind(question_id, viewer_id);
    while (votes.step()) out.emplace_back(votes.integer(0), static_cast<int>(votes.integer(1)));
    votes.reset();
    return out;
}

namespace {

// A question as lists show it; read by read_summary.
constexpr std::string_view summary_columns =
    "SELECT p.id, p.title, u.id, u.username, u.reputation, p.score, p.answer_count, "
    "p.accepted_answer_id IS NOT NULL, p.created_at, p.last_activity_at, p.excerpt, "
    "(SELECT group_concat(name, ' ') FROM (SELECT t.name FROM question_tags qt JOIN tags t ON t.id = qt.tag_id "
    "WHERE qt.question_id = p.id ORDER BY qt.position)), p.pinned_at IS NOT NULL, p.closed_at IS NOT NULL ";

question_summary read_summary(statement& s)
{
    question_summary q;
    q.id = s.integer(0);
    q.title = s.text(1);
    q.author = read_author(s, 2);
    q.score = s.integer(5);
    q.answer_count = s.integer(6);
    q.accepted = s.integer(7) != 0;
    q.created_at = s.integer(8);
    q.last_activity_at = s.integer(9);
    q.excerpt = s.text(10);
    q.tags = split_words(s.text_view(11));
    q.pinned = s.integer(12) != 0;
    q.closed = s.integer(13) != 0;
    return q;
}

}  // namespace

page_of<question_summary> post_store::summaries(std::string_view where_sql, std::string_view order_sql,
                                                std::optional<std::int64_t> arg, std::int64_t page,
                                                std::int64_t pagesize, bool count_total)
{
    bool const has_arg = arg.has_value();
    std::string const base = " FROM live_posts p WHERE p.kind = 'question' ";
    std::string const count_sql = "SELECT count(*)" + base + std::string(where_sql);
    // The page's ids first (an index walk), then the columns and tags of those rows only.
    std::string const list_sql =
        std::string(summary_columns) + "FROM (SELECT p.id" + base + std::string(where_sql) + " ORDER BY " +
        std::string(order_sql) + (has_arg ? " LIMIT ?2 OFFSET ?3" : " LIMIT ?1 OFFSET ?2") +
        ") page JOIN posts p ON p.id = page.id JOIN users u ON u.id = p.author_id ORDER BY " + std::string(order_sql);

    page_of<question_summary> out{{}, page, pagesize, 0};
    auto& count = db_.cached(count_sql);
    auto& list = db_.cached(list_sql);
    std::int64_t const offset = (page - 1) * pagesize;
    if (arg) {
        count.bind(*arg);
        list.bind(*arg, pagesize, offset);
    } else {
        count.bind();
        list.bind(pagesize, offset);
    }
    if (count_total && count.step()) out.total = count.integer(0);
    count.reset();
    while (list.step()) out.items.push_back(read_summary(list));
    list.reset();
    return out;
}

std::vector<question_summary> post_store::summaries_of(std::vector<std::int64_t> const& ids)
{
    std::vector<question_summary> out;
    if (ids.empty()) return out;
    auto& s =
        db_.cached(std::string(summary_columns) + "FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id IN (" +
                   statement::in_list(ids.size()) + ")")
            .bind_ids(ids);
    std::unordered_map<std::int64_t, question_summary> found;
    while (s.step()) {
        auto q = read_summary(s);
        found.emplace(q.id, std::move(q));
    }
    s.reset();
    for (auto id : ids)
        if (auto it = found.find(id); it != found.end()) out.push_back(std::move(it->second));
    return out;
}

// A tag's list: its pinned questions first, then the rest in the list's order. A tag on a fair
// share of the posts (the popular ones, tens of thousands of questions at a million posts) walks
// the list's own index and keeps the tag's questions: a page reads a few dozen rows, where
// sorting all of the tag's questions took 0.4 s. A rarer tag takes its questions (at most 1 %
// of the posts) and sorts them, where the walk could pass over most of the site.
page_of<question_summary> post_store::tagged(std::string const& tag, question_sort sort, std::string_view order,
                                             std::int64_t page, std::int64_t pagesize)
{
    page_of<question_summary> out{{}, page, pagesize, 0};
    auto& t = db_.cached(sql::tag_for_list).bind(tag);
    if (!t.step()) {
        t.reset();
        return out;
    }
    auto const tag_id = t.integer(0), count = t.integer(1), last_post = t.integer(2);
    t.reset();
    std::string live = " FROM live_posts p WHERE p.kind = 'question'";
    if (sort == question_sort::unanswered) live += " AND p.answer_count = 0";
    live += count * 100 >= last_post
                ? " AND EXISTS (SELECT 1 FROM question_tags qt WHERE qt.question_id = p.id AND qt.tag_id = ?1)"
                : " AND p.id IN (SELECT qt.question_id FROM question_tags qt WHERE qt.tag_id = ?1)";

    std::vector<std::int64_t> pinned, ids;
    auto& ps = db_.cached("SELECT p.id" + live + " AND p.pinned_at IS NOT NULL ORDER BY p.pinned_at DESC, " +
                          std::string(order) + " LIMIT 1000")
                   .bind(tag_id);
    while (ps.step()) pinned.push_back(ps.integer(0));
    ps.reset();
    auto const offset = (page - 1) * pagesize;
    auto const npinned = static_cast<std::int64_t>(pinned.size());
    for (auto i = offset; i < npinned && static_cast<std::int64_t>(ids.size()) < pagesize; ++i)
        ids.push_back(pinned[static_cast<std::size_t>(i)]);
    if (auto const room = pagesize - static_cast<std::int64_t>(ids.size()); room > 0) {
        auto& us = db_.cached("SELECT p.id" + live + " AND p.pinned_at IS NULL ORDER BY " + std::string(order) +
                              " LIMIT ?2 OFFSET ?3")
                       .bind(tag_id, room, std::max<std::int64_t>(0, offset - npinned));
        while (us.step()) ids.push_back(us.integer(0));
        us.reset();
    }
    out.items = summaries_of(ids);
    // The tag's count is its live questions; only the unanswered ones are counted here.
    if (sort == question_sort::unanswered) {
        auto& c = db_.cached("SELECT count(*)" + live).bind(tag_id);
        if (c.step()) out.total = c.integer(0);
        c.reset();
    } else {
        out.total = count;
    }
    return out;
}

page_of<question_summary> post_store::questions(question_sort sort, std::optional<std::string> const& tag,
                                                std::int64_t page, std::int64_t pagesize)
{
    std::string where;
    if (sort == question_sort::unanswered) where += " AND p.answer_count = 0";
    std::string_view order = "p.created_at DESC, p.id DESC";
    if (sort == question_sort::active) order = "p.last_activity_at DESC, p.id DESC";
    if (sort == question_sort::votes) order = "p.score DESC, p.id DESC";
    if (tag) return tagged(*tag, sort, order, page, pagesize);
    // Every live question: the kept count (only the unanswered ones are counted here).
    bool const counted = sort != question_sort::unanswered;
    auto out = summaries(where, order, std::nullopt, page, pagesize, !counted);
    if (counted) {
        auto& s = db_.cached(sql::live_questions).bind();
        if (s.step()) out.total = s.integer(0);
        s.reset();
    }
    return out;
}

// The profile's lists need no totals (the counts come from user_store::counts), and a very
// active member has tens of thousands of posts: both lists read only recent rows.
page_of<question_summary> post_store::questions_by(std::int64_t author_id, std::int64_t page, std::int64_t pagesize)
{
    return summaries(" AND p.author_id = ?1", "p.created_at DESC, p.id DESC", author_id, page, pagesize, false);
}

// The threads of the member's most recent answers (up to 100 of them), most active first.
page_of<question_summary> post_store::answered_by(std::int64_t author_id, std::int64_t page, std::int64_t pagesize)
{
    return summaries(
        " AND p.id IN (SELECT a.question_id FROM live_posts a WHERE a.author_id = ?1 AND a.kind = 'answer' "
        "ORDER BY a.id DESC LIMIT 100)",
        "p.last_activity_at DESC, p.id DESC", author_id, page, pagesize, false);
}

std::vector<revision_row> post_store::revisions(std::int64_t post_id)
{
    std::vector<revision_row> out;
    auto& s = db_.cached(sql::revisions).bind(post_id);
    while (s.step())
        out.push_back({s.integer(0), static_cast<std::int64_t>(out.size() + 1), read_author(s, 1), s.optional_text(4),
                       s.text(5), s.optional_text(6), s.text(7), s.integer(8), s.integer(9) != 0});
    s.reset();
    return out;
}

std::vector<std::string_view> post_store::viewer_queries()
{
    return {sql::thread_votes};
}

std::optional<std::pair<std::int64_t, bool>> post_store::revision_post(std::int64_t revision_id)
{
    auto& s = db_.cached(sql::revision_post).bind(revision_id);
    std::optional<std::pair<std::int64_t, bool>> out;
    if (s.step()) out.emplace(s.integer(0), s.integer(1) != 0);
    s.reset();
    return out;
}

bool post_store::redact_revision(std::int64_t revision_id, std::int64_t actor_id, std::int64_t now)
{
    db_.cached(sql::redact_revision).bind(revision_id, now, actor_id).run();
    return db_.changes() > 0;
}

page_of<tag_row> post_store::tags(std::int64_t page, std::int64_t pagesize)
{
    page_of<tag_row> out{{}, page, pagesize, 0};
    auto& count = db_.cached(sql::tag_count).bind();
    if (count.step()) out.total = count.integer(0);
    count.reset();
    auto& s = db_.cached(sql::tag_page).bind(pagesize, (page - 1) * pagesize);
    while (s.step()) out.items.push_back({s.text(0), s.integer(1), s.text(2)});
    s.reset();
    return out;
}

std::optional<tag_row> post_store::find_tag(std::string_view name)
{
    auto& s = db_.cached(sql::find_tag).bind(name);
    std::optional<tag_row> out;
    if (s.step()) out = tag_row{s.text(0), s.integer(1), s.text(2)};
    s.reset();
    return out;
}

}  // namespace peerdesk::store
