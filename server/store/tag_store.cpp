#include "server/store/tag_store.hpp"

#include "server/store/search_store.hpp"

#include <algorithm>

namespace peerdesk::store {
namespace sql {

constexpr std::string_view find_tag =
    "SELECT id, name, question_count, description, wiki_markdown, wiki_html, edited_at FROM tags WHERE name = ?1";
constexpr std::string_view synonyms_of = "SELECT name FROM tag_synonyms WHERE tag_id = ?1 ORDER BY name";
constexpr std::string_view synonym_target =
    "SELECT t.name FROM tag_synonyms s JOIN tags t ON t.id = s.tag_id WHERE s.name = ?1";
// Names from ?1 up to (not including) ?2: a prefix range the unique index on name answers.
constexpr std::string_view suggest =
    "SELECT name, question_count, description FROM tags WHERE name >= ?1 AND name < ?2 AND question_count > 0 "
    "UNION "
    "SELECT t.name, t.question_count, t.description FROM tag_synonyms s JOIN tags t ON t.id = s.tag_id "
    "WHERE s.name >= ?1 AND s.name < ?2 "
    "ORDER BY 2 DESC, 1 LIMIT ?3";
constexpr std::string_view update_tag =
    "UPDATE tags SET description = ?2, wiki_markdown = ?3, wiki_html = ?4, edited_at = ?5 WHERE id = ?1";
constexpr std::string_view insert_revision =
    "INSERT INTO tag_revisions (tag_id, author_id, description, wiki_markdown, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view revisions =
    "SELECT r.id, u.id, u.username, r.description, r.wiki_markdown, r.created_at "
    "FROM tag_revisions r JOIN users u ON u.id = r.author_id WHERE r.tag_id = ?1 ORDER BY r.id DESC LIMIT ?2";
constexpr std::string_view tag_id_of = "SELECT id FROM tags WHERE name = ?1";
constexpr std::string_view has_synonyms = "SELECT 1 FROM tag_synonyms WHERE tag_id = ?1 LIMIT 1";
constexpr std::string_view insert_synonym =
    "INSERT INTO tag_synonyms (name, tag_id, created_by, created_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (name) DO NOTHING";
constexpr std::string_view moved_questions = "SELECT question_id FROM question_tags WHERE tag_id = ?1";
// A question carrying both names keeps the tag's link only.
constexpr std::string_view drop_double =
    "DELETE FROM question_tags WHERE tag_id = ?1 AND question_id IN "
    "(SELECT question_id FROM question_tags WHERE tag_id = ?2)";
constexpr std::string_view move_links = "UPDATE question_tags SET tag_id = ?2 WHERE tag_id = ?1";
constexpr std::string_view recount =
    "UPDATE tags SET question_count = (SELECT count(*) FROM question_tags qt JOIN live_posts p "
    "ON p.id = qt.question_id WHERE qt.tag_id = tags.id) WHERE id IN (?1, ?2)";
// Members who followed the old name follow the tag: a follow is carried over (and wins over an
// earlier unfollow of the tag, as the member asked for the subject under its other name); one
// who followed both keeps one follow. The old name's rows go, followed or not.
constexpr std::string_view move_follows =
    "INSERT INTO follows (user_id, target, target_id, following, created_at) "
    "SELECT user_id, 'tag', ?2, 1, created_at FROM follows WHERE target = 'tag' AND target_id = ?1 AND following = 1 "
    "ON CONFLICT (user_id, target, target_id) DO UPDATE SET following = 1";
constexpr std::string_view drop_follows = "DELETE FROM follows WHERE target = 'tag' AND target_id = ?1";
constexpr std::string_view remove_synonym = "DELETE FROM tag_synonyms WHERE name = ?1 AND tag_id = ?2";

}  // namespace sql

std::optional<tag_info> tag_store::find(std::string_view name)
{
    auto& s = db_.cached(sql::find_tag).bind(name);
    if (!s.step()) return std::nullopt;
    tag_info t{s.integer(0), s.text(1), s.integer(2), s.text(3), s.text(4), s.text(5), s.optional_integer(6), {}};
    s.reset();
    auto& syn = db_.cached(sql::synonyms_of).bind(t.id);
    while (syn.step()) t.synonyms.push_back(syn.text(0));
    return t;
}

std::optional<std::string> tag_store::synonym_target(std::string_view name)
{
    auto& s = db_.cached(sql::synonym_target).bind(name);
    if (!s.step()) return std::nullopt;
    auto target = s.text(0);
    s.reset();
    return target;
}

std::vector<tag_suggestion> tag_store::suggest(std::string_view prefix, int limit)
{
    std::string end(prefix);
    end += '\x7f';  // tag names are printable ASCII
    std::vector<tag_suggestion> out;
    auto& s = db_.cached(sql::suggest).bind(prefix, end, limit);
    while (s.step()) out.push_back({s.text(0), s.integer(1), s.text(2)});
    return out;
}

void tag_store::edit(std::int64_t tag_id, std::int64_t author_id, std::string const& description,
                     std::string const& wiki_markdown, std::string const& wiki_html, std::int64_t now)
{
    auto tx = db_.begin_immediate();
    db_.cached(sql::update_tag).bind(tag_id, description, wiki_markdown, wiki_html, now).run();
    db_.cached(sql::insert_revision).bind(tag_id, author_id, description, wiki_markdown, now).run();
    tx.commit();
}

std::vector<tag_revision_row> tag_store::revisions(std::int64_t tag_id, int limit)
{
    std::vector<tag_revision_row> out;
    auto& s = db_.cached(sql::revisions).bind(tag_id, limit);
    while (s.step()) out.push_back({s.integer(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.integer(5)});
    return out;
}

synonym_outcome tag_store::add_synonym(std::string const& name, tag_info const& target, std::int64_t by,
                                       std::int64_t now)
{
    if (name == target.name) return synonym_outcome::same_tag;
    auto tx = db_.begin_immediate();
    if (synonym_target(target.name)) return synonym_outcome::target_is_synonym;
    if (synonym_target(name)) return synonym_outcome::exists;
    std::optional<std::int64_t> old;
    if (auto& s = db_.cached(sql::tag_id_of).bind(name); s.step()) {
        old = s.integer(0);
        s.reset();
    }
    if (old) {
        auto& h = db_.cached(sql::has_synonyms).bind(*old);
        bool const has = h.step();
        h.reset();
        if (has) return synonym_outcome::name_has_synonyms;
    }
    db_.cached(sql::insert_synonym).bind(name, target.id, by, now).run();
    if (old) {
        std::vector<std::int64_t> questions;
        auto& q = db_.cached(sql::moved_questions).bind(*old);
        while (q.step()) questions.push_back(q.integer(0));
        db_.cached(sql::drop_double).bind(*old, target.id).run();
        db_.cached(sql::move_links).bind(*old, target.id).run();
        db_.cached(sql::recount).bind(*old, target.id).run();
        db_.cached(sql::move_follows).bind(*old, target.id).run();
        db_.cached(sql::drop_follows).bind(*old).run();
        // The index holds each question's tags: those questions are indexed again.
        for (auto id : questions) enqueue_thread(db_, id, now);
    }
    tx.commit();
    return synonym_outcome::added;
}

bool tag_store::remove_synonym(std::string_view name, std::int64_t tag_id)
{
    db_.cached(sql::remove_synonym).bind(name, tag_id).run();
    return db_.changes() > 0;
}

}  // namespace peerdesk::store
