#include "server/store/widget_store.hpp"

namespace peerdesk::store {
namespace sql {

constexpr std::string_view columns =
    "SELECT id, key, name, allowed_origins, default_tag, enabled, created_at, rotated_at FROM widget_keys ";
constexpr std::string_view insert =
    "INSERT INTO widget_keys (key, name, allowed_origins, default_tag, created_by, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view update =
    "UPDATE widget_keys SET name = ?2, allowed_origins = ?3, default_tag = ?4, enabled = ?5 WHERE id = ?1";
constexpr std::string_view rotate = "UPDATE widget_keys SET key = ?2, rotated_at = ?3 WHERE id = ?1";
constexpr std::string_view usage =
    "SELECT coalesce(sum(searches), 0), coalesce(sum(no_results), 0), coalesce(sum(clicks), 0) "
    "FROM search_day_totals WHERE source = 'widget' AND widget_key = ?1 AND day >= ?2";
constexpr std::string_view top_no_results =
    "SELECT query, sum(no_results) FROM search_days WHERE source = 'widget' AND widget_key = ?1 AND day >= ?2 "
    "AND no_results > 0 GROUP BY query ORDER BY 2 DESC, max(last_at) DESC LIMIT 10";

}  // namespace sql

namespace {

std::string join_lines(std::vector<std::string> const& items)
{
    std::string out;
    for (auto const& i : items) out += (out.empty() ? "" : "\n") + i;
    return out;
}

std::vector<std::string> split_lines(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        if (end > start) out.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

widget_key_row read_row(statement& s)
{
    return {s.integer(0),       s.text(1),         s.text(2),    split_lines(s.text_view(3)),
            s.optional_text(4), s.integer(5) != 0, s.integer(6), s.optional_integer(7)};
}

std::optional<widget_key_row> one(statement& s)
{
    std::optional<widget_key_row> out;
    if (s.step()) out = read_row(s);
    s.reset();
    return out;
}

}  // namespace

std::int64_t widget_store::create(std::string const& key, std::string const& name,
                                  std::vector<std::string> const& origins,
                                  std::optional<std::string> const& default_tag, std::int64_t created_by,
                                  std::int64_t now)
{
    db_.cached(sql::insert).bind(key, name, join_lines(origins), default_tag, created_by, now).run();
    return db_.last_insert_rowid();
}

std::vector<widget_key_row> widget_store::list()
{
    static std::string const q = std::string(sql::columns) + "ORDER BY id";
    std::vector<widget_key_row> out;
    auto& s = db_.cached(q).bind();
    while (s.step()) out.push_back(read_row(s));
    s.reset();
    return out;
}

std::optional<widget_key_row> widget_store::find(std::int64_t id)
{
    static std::string const q = std::string(sql::columns) + "WHERE id = ?1";
    return one(db_.cached(q).bind(id));
}

std::optional<widget_key_row> widget_store::find_by_key(std::string_view key)
{
    static std::string const q = std::string(sql::columns) + "WHERE key = ?1";
    return one(db_.cached(q).bind(key));
}

void widget_store::update(widget_key_row const& row)
{
    db_.cached(sql::update)
        .bind(row.id, row.name, join_lines(row.allowed_origins), row.default_tag, row.enabled ? 1 : 0)
        .run();
}

void widget_store::rotate(std::int64_t id, std::string const& new_key, std::int64_t now)
{
    db_.cached(sql::rotate).bind(id, new_key, now).run();
}

widget_usage widget_store::usage(std::int64_t key_id, std::int64_t since)
{
    widget_usage u;
    auto const day = since / 86400;
    auto& s = db_.cached(sql::usage).bind(key_id, day);
    if (s.step()) {
        u.searches = s.integer(0);
        u.no_results = s.integer(1);
        u.clicks = s.integer(2);
    }
    s.reset();
    auto& t = db_.cached(sql::top_no_results).bind(key_id, day);
    while (t.step()) u.top_no_results.emplace_back(t.text(0), t.integer(1));
    t.reset();
    return u;
}

}  // namespace peerdesk::store
