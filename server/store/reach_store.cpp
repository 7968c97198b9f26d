#include "server/store/reach_store.hpp"

namespace peerdesk::store {
namespace sql {

constexpr std::string_view parts = "SELECT part, lastmod FROM sitemap_parts ORDER BY part";
constexpr std::string_view part = "SELECT part, lastmod FROM sitemap_parts WHERE part = ?1";
// By primary key over one block: its cost is the block's, never the site's. The thin-page rule
// is worth_indexing's (length counts characters, as the page's rule does).
// Ideas are posts of the same blocks; a merged idea's page points at the one it went into.
constexpr std::string_view entries =
    "SELECT p.id, p.title, max(p.last_activity_at, coalesce(p.edited_at, 0)), p.kind FROM visible_posts p "
    "LEFT JOIN ideas i ON i.post_id = p.id "
    "WHERE p.id >= ?1 AND p.id < ?2 AND ((p.kind = 'question' "
    "AND (p.answer_count > 0 OR length(p.body_markdown) >= ?3)) OR (p.kind = 'idea' AND i.merged_into IS NULL)) "
    "ORDER BY p.id";
constexpr std::string_view set_parts = "SELECT part, lastmod FROM sitemap_sets WHERE kind = ?1 ORDER BY part";
constexpr std::string_view set_part = "SELECT part, lastmod FROM sitemap_sets WHERE kind = ?1 AND part = ?2";
// By primary key over one block, as the posts' parts are read.
constexpr std::string_view tag_items =
    "SELECT t.id, t.name FROM tags t WHERE t.id >= ?1 AND t.id < ?2 AND t.question_count > 0 "
    "AND NOT EXISTS (SELECT 1 FROM tag_synonyms s WHERE s.name = t.name) ORDER BY t.id";
constexpr std::string_view user_items =
    "SELECT m.user_id, '' FROM member_stats m WHERE m.user_id >= ?1 AND m.user_id < ?2 "
    "AND m.questions + m.answers > 0 ORDER BY m.user_id";

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
    while (s.step())
        out.push_back({s.integer(0), s.text(1), s.integer(2),
                       s.text_view(3) == "idea" ? sitemap_post_kind::idea : sitemap_post_kind::question});
    s.reset();
    return out;
}

std::string_view to_sql(sitemap_set set)
{
    return set == sitemap_set::tags ? "tags" : "users";
}

std::vector<sitemap_part> reach_store::parts(sitemap_set set)
{
    std::vector<sitemap_part> out;
    auto& s = db_.cached(sql::set_parts).bind(to_sql(set));
    while (s.step()) out.push_back({s.integer(0), s.integer(1)});
    s.reset();
    return out;
}

std::optional<sitemap_part> reach_store::part(sitemap_set set, std::int64_t part)
{
    auto& s = db_.cached(sql::set_part).bind(to_sql(set), part);
    std::optional<sitemap_part> out;
    if (s.step()) out = sitemap_part{s.integer(0), s.integer(1)};
    s.reset();
    return out;
}

std::vector<sitemap_item> reach_store::items(sitemap_set set, std::int64_t part)
{
    std::vector<sitemap_item> out;
    auto& s = db_.cached(set == sitemap_set::tags ? sql::tag_items : sql::user_items)
                  .bind(part * sitemap_block, (part + 1) * sitemap_block);
    while (s.step()) out.push_back({s.integer(0), s.text(1)});
    s.reset();
    return out;
}

}  // namespace peerdesk::store
