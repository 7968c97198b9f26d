#include "server/store/own_content_store.hpp"

#include "server/store/search_store.hpp"

namespace peerdesk::store {
namespace sql {

constexpr std::string_view comment =
    "SELECT c.id, c.post_id, coalesce(p.question_id, p.id), c.author_id, c.created_at, c.deleted_at, c.deleted_by, "
    "c.state <> 'live', "
    "p.deleted_at IS NULL AND p.state = 'live' AND q.deleted_at IS NULL AND q.state = 'live', "
    "q.locked_at IS NOT NULL, c.body_markdown "
    "FROM comments c JOIN posts p ON p.id = c.post_id JOIN posts q ON q.id = coalesce(p.question_id, p.id) "
    "WHERE c.id = ?1";
constexpr std::string_view edit_comment =
    "UPDATE comments SET body_markdown = ?2, body_html = ?3, edited_at = ?4 WHERE id = ?1";
constexpr std::string_view set_deleted = "UPDATE comments SET deleted_at = ?2, deleted_by = ?3 WHERE id = ?1";
constexpr std::string_view post_of = "SELECT post_id FROM comments WHERE id = ?1";
constexpr std::string_view post_deletion =
    "SELECT deleted_by, deleted_at FROM posts WHERE id = ?1 AND deleted_at IS NOT NULL";

}  // namespace sql

std::optional<comment_state> own_content_store::comment(std::int64_t id)
{
    auto& s = db_.cached(sql::comment).bind(id);
    std::optional<comment_state> out;
    if (s.step()) {
        comment_state c;
        c.id = s.integer(0);
        c.post_id = s.integer(1);
        c.question_id = s.integer(2);
        c.author_id = s.integer(3);
        c.created_at = s.integer(4);
        c.deleted_at = s.optional_integer(5);
        c.deleted_by = s.optional_integer(6);
        c.hidden = s.integer(7) != 0;
        c.thread_live = s.integer(8) != 0;
        c.locked = s.integer(9) != 0;
        c.body_markdown = s.text(10);
        out = std::move(c);
    }
    s.reset();
    return out;
}

namespace {

void reindex_post_of(connection& db, std::int64_t comment_id, std::int64_t now)
{
    auto& s = db.cached(sql::post_of).bind(comment_id);
    std::optional<std::int64_t> post;
    if (s.step()) post = s.integer(0);
    s.reset();
    if (post) enqueue_post(db, *post, now);
}

}  // namespace

void own_content_store::edit_comment(std::int64_t id, rendered_body const& body, std::int64_t now)
{
    db_.cached(sql::edit_comment).bind(id, body.markdown, body.html, now).run();
    reindex_post_of(db_, id, now);
}

void own_content_store::set_comment_deleted(std::int64_t id, std::optional<std::int64_t> by, std::int64_t now)
{
    std::optional<std::int64_t> at;
    if (by) at = now;
    db_.cached(sql::set_deleted).bind(id, at, by).run();
    reindex_post_of(db_, id, now);
}

std::optional<std::pair<std::int64_t, std::int64_t>> own_content_store::post_deletion(std::int64_t post_id)
{
    auto& s = db_.cached(sql::post_deletion).bind(post_id);
    std::optional<std::pair<std::int64_t, std::int64_t>> out;
    if (s.step()) out = std::pair{s.optional_integer(0).value_or(0), s.integer(1)};
    s.reset();
    return out;
}

}  // namespace peerdesk::store
