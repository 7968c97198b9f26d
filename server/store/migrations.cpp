#include "server/store/migrations.hpp"

#include "server/assets.hpp"

#include <charconv>
#include <string>
#include <vector>

namespace peerdesk::store {
namespace {

// A trigger or view as the schema holds it, to make again after a rebuild.
struct schema_object {
    std::string type;
    std::string name;
    std::string table;
    std::string sql;
};

// Every trigger and view, in the order they were made (a view may read another).
std::vector<schema_object> triggers_and_views(connection& db)
{
    std::vector<schema_object> out;
    auto& s = db.cached(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type IN ('trigger', 'view') AND sql IS NOT NULL "
        "ORDER BY rowid");
    s.bind();
    while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3)});
    s.reset();
    return out;
}

bool exists(connection& db, std::string const& type, std::string const& name)
{
    auto& s = db.cached("SELECT 1 FROM sqlite_schema WHERE type = ?1 AND name = ?2");
    s.bind(type, name);
    bool const found = s.step();
    s.reset();
    return found;
}

std::string quoted_name(std::string const& name)
{
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::vector<migration> embedded_migrations()
{
    std::vector<migration> out;
    constexpr std::string_view prefix = "schema/";
    for (auto const& f : assets::all()) {
        if (!f.path.starts_with(prefix) || !f.path.ends_with(".sql")) continue;
        auto const name = f.path.substr(prefix.size());
        int version = 0;
        auto const [end, ec] = std::from_chars(name.data(), name.data() + name.size(), version);
        if (ec != std::errc{} || end == name.data()) continue;
        out.push_back({version, f.bytes});
    }
    return out;  // assets are sorted by path, and names are zero-padded
}

}  // namespace

int latest_schema_version()
{
    auto const all = embedded_migrations();
    return all.empty() ? 0 : all.back().version;
}

int migrate(connection& db)
{
    return migrate(db, embedded_migrations());
}

int migrate(connection& db, std::vector<migration> const& migrations)
{
    auto& current = db.cached("PRAGMA user_version");
    current.bind();
    current.step();
    int const have = static_cast<int>(current.integer(0));
    current.reset();
    int applied = 0;
    for (auto const& m : migrations) {
        if (m.version <= have) continue;
        // A migration that rebuilds a table (create, copy, drop, rename) runs with foreign keys
        // off, as SQLite's documented procedure asks, and the keys are checked before it counts.
        bool const rebuilds = m.sql.find("-- peerdesk: rebuilds tables") != std::string_view::npos;
        if (rebuilds) db.exec("PRAGMA foreign_keys=OFF");
        auto tx = db.begin_immediate();
        // A rebuild drops its table, and with it the table's triggers, which other features made
        // (a trigger on posts that keeps a feature's figures), and renaming the new table into
        // place fails while any trigger or view names a table that is, for that moment, missing.
        // So every trigger and view goes first and is made again after, unless the migration
        // made it itself: a rebuild keeps what other migrations built on its tables.
        std::vector<schema_object> kept;
        if (rebuilds) {
            kept = triggers_and_views(db);
            for (auto it = kept.rbegin(); it != kept.rend(); ++it)
                db.exec("DROP " + std::string(it->type == "view" ? "VIEW" : "TRIGGER") + " IF EXISTS " +
                        quoted_name(it->name));
        }
        db.exec(m.sql);
        for (auto const& o : kept) {
            if (exists(db, o.type, o.name)) continue;
            // A trigger on a table the migration removed for good goes with it.
            if (o.type == "trigger" && !exists(db, "table", o.table)) continue;
            db.exec(o.sql);
        }
        if (rebuilds) {
            auto& check = db.cached("PRAGMA foreign_key_check");
            check.bind();
            bool const broken = check.step();
            check.reset();
            if (broken) throw error(0, "migration " + std::to_string(m.version) + " would break a foreign key");
        }
        db.exec("PRAGMA user_version = " + std::to_string(m.version));
        tx.commit();
        if (rebuilds) db.exec("PRAGMA foreign_keys=ON");
        ++applied;
    }
    return applied;
}

std::string current_schema()
{
    connection db(":memory:", open_mode::read_write);
    migrate(db);
    // SQLite keeps each statement's text as written (comments included) and rewrites it for an
    // ALTER TABLE, so this is the schema as a new database holds it. Its own tables are left out.
    auto& s = db.cached(
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY tbl_name, CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name");
    s.bind();
    std::string out =
        "-- The whole schema as schema/0001_init.sql to the newest migration leave a new database\n"
        "-- (schema version " +
        std::to_string(latest_schema_version()) +
        "). Generated by scripts/schema (peerdesk schema); do not edit:\n"
        "-- change the schema with a new migration, then run scripts/schema.\n";
    while (s.step()) {
        out += '\n';
        out += s.text_view(0);
        out += ";\n";
    }
    s.reset();
    return out;
}

}  // namespace peerdesk::store
