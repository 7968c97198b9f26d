#include "server/store/migrations.hpp"

#include "server/assets.hpp"

#include <charconv>
#include <string>
#include <vector>

namespace peerdesk::store {
namespace {

struct migration {
    int version;
    std::string_view sql;
};

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
    auto& current = db.cached("PRAGMA user_version");
    current.bind();
    current.step();
    int const have = static_cast<int>(current.integer(0));
    current.reset();
    int applied = 0;
    for (auto const& m : embedded_migrations()) {
        if (m.version <= have) continue;
        // A migration that rebuilds a table (create, copy, drop, rename) runs with foreign keys
        // off, as SQLite's documented procedure asks, and the keys are checked before it counts.
        bool const rebuilds = m.sql.find("-- peerdesk: rebuilds tables") != std::string_view::npos;
        if (rebuilds) db.exec("PRAGMA foreign_keys=OFF");
        auto tx = db.begin_immediate();
        db.exec(m.sql);
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

}  // namespace peerdesk::store
