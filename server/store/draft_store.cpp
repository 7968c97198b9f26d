#include "server/store/draft_store.hpp"

namespace peerdesk::store {
namespace sql {

constexpr std::string_view find_draft =
    "SELECT title, body, tags, updated_at FROM drafts WHERE user_id = ?1 AND place = ?2";
constexpr std::string_view put_draft =
    "INSERT INTO drafts (user_id, place, title, body, tags, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (user_id, place) DO UPDATE SET title = excluded.title, body = excluded.body, tags = excluded.tags, "
    "updated_at = excluded.updated_at";
constexpr std::string_view trim_drafts =
    "DELETE FROM drafts WHERE user_id = ?1 AND place NOT IN "
    "(SELECT place FROM drafts WHERE user_id = ?1 ORDER BY updated_at DESC, place LIMIT ?2)";
constexpr std::string_view remove_draft = "DELETE FROM drafts WHERE user_id = ?1 AND place = ?2";

}  // namespace sql

std::optional<draft_row> draft_store::find(std::int64_t user_id, std::string_view place)
{
    auto& s = db_.cached(sql::find_draft).bind(user_id, place);
    if (!s.step()) return std::nullopt;
    draft_row d{s.text(0), s.text(1), s.text(2), s.integer(3)};
    s.reset();
    return d;
}

void draft_store::put(std::int64_t user_id, std::string_view place, draft_row const& d, int max_per_member)
{
    auto tx = db_.begin_immediate();
    db_.cached(sql::put_draft).bind(user_id, place, d.title, d.body, d.tags, d.updated_at).run();
    db_.cached(sql::trim_drafts).bind(user_id, max_per_member).run();
    tx.commit();
}

bool draft_store::remove(std::int64_t user_id, std::string_view place)
{
    db_.cached(sql::remove_draft).bind(user_id, place).run();
    return db_.changes() > 0;
}

}  // namespace peerdesk::store
