#include "server/store/feed_store.hpp"

namespace peerdesk::store {
namespace sql {

#define PEERDESK_FEED_COLUMNS                                                                                \
    "SELECT p.id, p.kind, coalesce(p.question_id, p.id), q.title, u.username, p.body_html, p.created_at, "   \
    "coalesce(p.edited_at, p.created_at) FROM posts p JOIN posts q ON q.id = coalesce(p.question_id, p.id) " \
    "JOIN users u ON u.id = p.author_id "
#define PEERDESK_FEED_LIVE "p.deleted_at IS NULL AND p.state = 'live' AND q.deleted_at IS NULL AND q.state = 'live'"

constexpr std::string_view questions = PEERDESK_FEED_COLUMNS "WHERE p.kind = 'question' AND " PEERDESK_FEED_LIVE
                                                             " ORDER BY p.created_at DESC, p.id DESC LIMIT ?1";
constexpr std::string_view tagged = PEERDESK_FEED_COLUMNS
    "JOIN question_tags qt ON qt.question_id = p.id JOIN tags t ON t.id = qt.tag_id "
    "WHERE t.name = ?1 AND p.kind = 'question' AND " PEERDESK_FEED_LIVE
    " ORDER BY p.created_at DESC, p.id DESC LIMIT ?2";
constexpr std::string_view thread =
    PEERDESK_FEED_COLUMNS "WHERE (p.id = ?1 OR (p.question_id = ?1 AND p.kind = 'answer')) AND " PEERDESK_FEED_LIVE
                          " ORDER BY p.created_at DESC, p.id DESC LIMIT ?2";
constexpr std::string_view by_author = PEERDESK_FEED_COLUMNS "WHERE p.author_id = ?1 AND " PEERDESK_FEED_LIVE
                                                             " ORDER BY p.created_at DESC, p.id DESC LIMIT ?2";

#undef PEERDESK_FEED_COLUMNS
#undef PEERDESK_FEED_LIVE

}  // namespace sql

namespace {

std::vector<feed_entry> read(statement& s)
{
    std::vector<feed_entry> out;
    while (s.step())
        out.push_back(
            {s.integer(0), s.text(1), s.integer(2), s.text(3), s.text(4), s.text(5), s.integer(6), s.integer(7)});
    s.reset();
    return out;
}

}  // namespace

std::vector<feed_entry> feed_store::questions(std::optional<std::string_view> tag, std::int64_t limit)
{
    if (tag) return read(db_.cached(sql::tagged).bind(*tag, limit));
    return read(db_.cached(sql::questions).bind(limit));
}

std::vector<feed_entry> feed_store::thread(std::int64_t question_id, std::int64_t limit)
{
    return read(db_.cached(sql::thread).bind(question_id, limit));
}

std::vector<feed_entry> feed_store::by_author(std::int64_t user_id, std::int64_t limit)
{
    return read(db_.cached(sql::by_author).bind(user_id, limit));
}

}  // namespace peerdesk::store
