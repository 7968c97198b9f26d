#include "server/store/upload_store.hpp"

#include <algorithm>

namespace peerdesk::store {
namespace sql {

constexpr std::string_view insert_upload =
    "INSERT INTO uploads (user_id, sha256, content_type, bytes, width, height, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view member_bytes = "SELECT coalesce(sum(bytes), 0) FROM uploads WHERE user_id = ?1";
// A post deleted counts from its own deletion or its thread's, whichever came first.
constexpr std::string_view upload_access =
    "SELECT u.content_type, "
    "  NOT EXISTS (SELECT 1 FROM upload_refs r WHERE r.sha256 = ?1) "
    "  OR EXISTS (SELECT 1 FROM upload_refs r JOIN posts p ON p.id = r.post_id "
    "             LEFT JOIN posts q ON q.id = p.question_id "
    "             WHERE r.sha256 = ?1 AND coalesce(min(p.deleted_at, q.deleted_at), p.deleted_at, q.deleted_at, ?2 + "
    "1) > ?2) "
    "FROM uploads u WHERE u.sha256 = ?1 LIMIT 1";
constexpr std::string_view link_upload =
    "INSERT INTO upload_refs (sha256, post_id) SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM uploads WHERE sha256 = ?1) "
    "ON CONFLICT (sha256, post_id) DO NOTHING";

}  // namespace sql

std::vector<std::string> upload_names_in(std::string_view markdown)
{
    std::vector<std::string> names;
    constexpr std::string_view prefix = "/uploads/";
    for (auto pos = markdown.find(prefix); pos != std::string_view::npos; pos = markdown.find(prefix, pos + 1)) {
        auto const name = markdown.substr(pos + prefix.size(), 64);
        if (name.size() != 64 || !std::all_of(name.begin(), name.end(),
                                              [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
            continue;
        if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
        if (names.size() >= 100) break;  // a post shows at most so many; the rest stay unlinked
    }
    return names;
}

void upload_store::add(new_upload const& u)
{
    db_.cached(sql::insert_upload)
        .bind(u.user_id, u.sha256, u.content_type, u.bytes, u.width, u.height, u.created_at)
        .run();
}

std::int64_t upload_store::bytes_of(std::int64_t user_id)
{
    auto& s = db_.cached(sql::member_bytes).bind(user_id);
    s.step();
    auto const bytes = s.integer(0);
    s.reset();  // a statement left on a row would hold the reader's snapshot open
    return bytes;
}

std::optional<upload_access> upload_store::access(std::string_view sha256, std::int64_t deleted_after)
{
    auto& s = db_.cached(sql::upload_access).bind(sha256, deleted_after);
    if (!s.step()) return std::nullopt;
    upload_access a{s.text(0), s.integer(1) != 0};
    s.reset();
    return a;
}

void upload_store::link(std::int64_t post_id, std::string_view markdown)
{
    for (auto const& name : upload_names_in(markdown)) db_.cached(sql::link_upload).bind(name, post_id).run();
}

}  // namespace peerdesk::store
