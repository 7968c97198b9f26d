// Reading one thread: posts and comments with their authors, a thread's page of answers,
// the viewer's votes on it, revisions.
#include "server/store/post_store.hpp"

#include <map>
#include <unordered_map>

namespace peerdesk::store {
namespace {

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

constexpr std::string_view tags_of =
    "SELECT t.name FROM question_tags qt JOIN tags t ON t.id = qt.tag_id WHERE qt.question_id = ?1 "
    "ORDER BY qt.position";
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
// One statement for each size statement::in_list makes (10, 30, 100 places): SQLite fills a
// table with the list's values on every run, and a thread of four posts filled a hundred.
std::string const& window_comments(std::size_t posts)
{
    auto const text = [](std::size_t n) {
        return comment_columns +
               "FROM live_comments c JOIN users u ON u.id = c.author_id "
               "WHERE c.post_id IN (" +
               statement::in_list(n) + ") ORDER BY c.id";
    };
    static std::string const by_size[] = {text(10), text(30), text(100)};
    return by_size[posts <= 10 ? 0 : posts <= 30 ? 1 : 2];
}
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
constexpr std::string_view revisions =
    "SELECT r.id, u.id, u.username, u.reputation, r.title, r.body_markdown, r.tags, r.summary, r.created_at, "
    "r.redacted_at IS NOT NULL FROM revisions r JOIN users u ON u.id = r.author_id WHERE r.post_id = ?1 ORDER BY r.id";
constexpr std::string_view revision_post =
    "SELECT r.post_id, r.id = (SELECT max(id) FROM revisions WHERE post_id = r.post_id) FROM revisions r WHERE r.id = "
    "?1";

}  // namespace sql

author_ref read_author(statement& s, int first)
{
    return {s.integer(first), s.text(first + 1), s.integer(first + 2)};
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
        add_comments(db_.cached(sql::window_comments(ids.size())).bind_ids(ids));
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

}  // namespace peerdesk::store
