// post_store's writes: posts, comments, tags, revisions, votes, acceptance, visibility and the
// recount of what they keep; reading a thread is in post_store_threads.cpp, the lists in
// post_store_lists.cpp.
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
// A synonym's name stands for its tag (asking with "wifi" tags "wireless").
constexpr std::string_view resolve_synonym =
    "SELECT t.name FROM tag_synonyms s JOIN tags t ON t.id = s.tag_id WHERE s.name = ?1";
// A member's draft for a place goes when the post it was for is posted.
constexpr std::string_view drop_draft = "DELETE FROM drafts WHERE user_id = ?1 AND place = ?2";
constexpr std::string_view unlink_tags = "DELETE FROM question_tags WHERE question_id = ?1";
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
// The text is erased, not only hidden: redaction is for personal data posted by mistake.
constexpr std::string_view redact_revision =
    "UPDATE revisions SET body_markdown = '', title = CASE WHEN title IS NULL THEN NULL ELSE '' END, "
    "tags = CASE WHEN tags IS NULL THEN NULL ELSE '' END, redacted_at = ?2, redacted_by = ?3 "
    "WHERE id = ?1 AND redacted_at IS NULL";

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

bool post_store::redact_revision(std::int64_t revision_id, std::int64_t actor_id, std::int64_t now)
{
    db_.cached(sql::redact_revision).bind(revision_id, now, actor_id).run();
    return db_.changes() > 0;
}

}  // namespace peerdesk::store
