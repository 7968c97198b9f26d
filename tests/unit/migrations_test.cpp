#include "server/store/migrations.hpp"

#include <doctest/doctest.h>

using namespace peerdesk::store;

namespace {

std::int64_t number(connection& db, std::string const& sql)
{
    auto& s = db.cached(sql);
    s.bind();
    REQUIRE(s.step());
    auto const n = s.integer(0);
    s.reset();
    return n;
}

// Two features built on table t, then a third rebuilds t to loosen its CHECK (as ideas rebuilt
// posts): the triggers and the view the others made must work after it as before.
constexpr std::string_view first = R"(
CREATE TABLE t (id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('a', 'b')));
CREATE TABLE log (what TEXT NOT NULL);
CREATE TABLE other (id INTEGER PRIMARY KEY, t_id INTEGER NOT NULL);
CREATE TRIGGER t_added AFTER INSERT ON t BEGIN INSERT INTO log (what) VALUES ('t ' || NEW.kind); END;
CREATE TRIGGER other_added AFTER INSERT ON other
BEGIN INSERT INTO log (what) SELECT 'other of ' || kind FROM t WHERE id = NEW.t_id; END;
CREATE VIEW kinds AS SELECT kind, count(*) AS n FROM t GROUP BY kind;
)";
constexpr std::string_view rebuild = R"(-- peerdesk: rebuilds tables
CREATE TABLE t_new (id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('a', 'b', 'c')));
INSERT INTO t_new (id, kind) SELECT id, kind FROM t;
DROP TABLE t;
ALTER TABLE t_new RENAME TO t;
)";

}  // namespace

TEST_CASE("a rebuild keeps the triggers and views other migrations made on its table")
{
    connection db(":memory:", open_mode::read_write);
    REQUIRE(migrate(db, {{1, first}}) == 1);
    db.exec("INSERT INTO t (id, kind) VALUES (1, 'a')");
    REQUIRE(migrate(db, {{1, first}, {2, rebuild}}) == 1);
    CHECK(number(db, "PRAGMA user_version") == 2);
    db.exec("INSERT INTO t (id, kind) VALUES (2, 'c')");  // the loosened CHECK
    db.exec("INSERT INTO other (id, t_id) VALUES (1, 2)");
    CHECK(number(db, "SELECT count(*) FROM log WHERE what = 't c'") == 1);
    CHECK(number(db, "SELECT count(*) FROM log WHERE what = 'other of c'") == 1);
    CHECK(number(db, "SELECT count(*) FROM kinds") == 2);
    CHECK(number(db, "SELECT count(*) FROM sqlite_schema WHERE type IN ('trigger', 'view')") == 3);
}

TEST_CASE("a rebuild that makes a view again itself keeps its own")
{
    constexpr std::string_view remake = R"(-- peerdesk: rebuilds tables
DROP VIEW IF EXISTS kinds;
CREATE TABLE t_new (id INTEGER PRIMARY KEY, kind TEXT NOT NULL);
INSERT INTO t_new (id, kind) SELECT id, kind FROM t;
DROP TABLE t;
ALTER TABLE t_new RENAME TO t;
CREATE VIEW kinds AS SELECT DISTINCT kind FROM t;
)";
    connection db(":memory:", open_mode::read_write);
    REQUIRE(migrate(db, {{1, first}, {2, remake}}) == 2);
    db.exec("INSERT INTO t (id, kind) VALUES (1, 'z'), (2, 'z')");
    CHECK(number(db, "SELECT count(*) FROM kinds") == 1);  // the new view, not the kept one
}
