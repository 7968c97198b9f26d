#include "server/store/reach_store.hpp"

namespace peerdesk::store {
namespace sql {

constexpr std::string_view parts = "SELECT part, lastmod FROM sitemap_parts ORDER BY part";
constexpr std::string_view part = "SELECT part, lastmod FROM sitemap_parts WHERE part = ?1";
// By primary key over one block: its cost is the block's, never the site's. The thin-page rule
// is worth_indexing's (length counts characters, as the page's rule does).
constexpr std::string_view entries =
    "SELECT p.id, p.title, max(p.last_activity_at, coalesce(p.edited_at, 0)) FROM visible_posts p "
    "WHERE p.id >= ?1 AND p.id < ?2 AND p.kind = 'question' "
    "AND (p.answer_count > 0 OR length(p.body_markdown) >= ?3) ORDER BY p.id";

}  // namespace sql

std::vector<sitemap_part> reach_store::parts()
{
    std::vector<sitemap_part> out;
    auto& s = db_.cached(sql::parts).bind();
    while (s.step()) out.push_back({s.integer(0), s.integer(1)});
    s.reset();
    return out;
}

std::optional<sitemap_part> reach_store::part(std::int64_t part)
{
    auto& s = db_.cached(sql::part).bind(part);
    std::optional<sitemap_part> out;
    if (s.step()) out = sitemap_part{s.integer(0), s.integer(1)};
    s.reset();
    return out;
}

std::vector<sitemap_entry> reach_store::entries(std::int64_t part)
{
    std::vector<sitemap_entry> out;
    auto& s =
        db_.cached(sql::entries)
            .bind(part * sitemap_block, (part + 1) * sitemap_block, static_cast<std::int64_t>(thin_question_body));
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.integer(2)});
    s.reset();
    return out;
}

}  // namespace peerdesk::store
