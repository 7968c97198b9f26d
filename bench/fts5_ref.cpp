// The search reference: SQLite FTS5 with bm25 over the same posts and the same queries as
// peerdesk's search, in one process and one thread (as peerdesk-bench-search measures Xapian).
// Prints one JSON line with the build time, p50/p99 and queries per second.
//
//   peerdesk-fts5 DATA_DIR QUERIES_FILE     (each line: terms, then a tab and a tag or nothing)
#include "server/render/plain_text.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using clock_type = std::chrono::steady_clock;

static void check(int rc, sqlite3* db, char const* what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        std::exit(1);
    }
}

int main(int argc, char** argv)
{
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: peerdesk-fts5 DATA_DIR QUERIES_FILE [DUMP_FILE]\n");
        return 2;
    }
    sqlite3* db = nullptr;
    check(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, nullptr), db, "open");
    std::string const attach = std::string("ATTACH 'file:") + argv[1] + "/peerdesk.db?mode=ro' AS src";
    sqlite3_config(SQLITE_CONFIG_URI, 1);
    check(sqlite3_exec(db, attach.c_str(), nullptr, nullptr, nullptr), db, "attach");
    check(sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(title, body, tags, tokenize='porter unicode61')", nullptr,
                       nullptr, nullptr),
          db, "create");

    auto const build_start = clock_type::now();
    sqlite3_stmt* read = nullptr;
    sqlite3_stmt* insert = nullptr;
    check(
        sqlite3_prepare_v2(db,
                           "SELECT p.id, coalesce(q.title, ''), p.body_html, (SELECT group_concat(t.name, ' ') "
                           "FROM src.question_tags qt JOIN src.tags t ON t.id = qt.tag_id WHERE qt.question_id = q.id) "
                           "FROM src.posts p JOIN src.posts q ON q.id = coalesce(p.question_id, p.id) "
                           "WHERE p.deleted_at IS NULL",
                           -1, &read, nullptr),
        db, "prepare read");
    check(sqlite3_prepare_v2(db, "INSERT INTO f (rowid, title, body, tags) VALUES (?1, ?2, ?3, ?4)", -1, &insert,
                             nullptr),
          db, "prepare insert");
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    std::int64_t rows = 0;
    while (sqlite3_step(read) == SQLITE_ROW) {
        auto const text = [&](int i) {
            auto const* t = reinterpret_cast<char const*>(sqlite3_column_text(read, i));
            return std::string(t ? t : "");
        };
        auto const body = peerdesk::render::plain_text(text(2));
        sqlite3_bind_int64(insert, 1, sqlite3_column_int64(read, 0));
        sqlite3_bind_text(insert, 2, text(1).c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 3, body.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 4, text(3).c_str(), -1, SQLITE_TRANSIENT);
        check(sqlite3_step(insert), db, "insert");
        sqlite3_reset(insert);
        ++rows;
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    auto const build_s = std::chrono::duration<double>(clock_type::now() - build_start).count();

    std::vector<std::pair<std::string, std::string>> queries;
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);) {
        auto const tab = line.find('\t');
        queries.emplace_back(line.substr(0, tab), tab == std::string::npos ? "" : line.substr(tab + 1));
    }
    // Terms AND-ed, with title weighted above body as in peerdesk; a tag is a column filter.
    sqlite3_stmt* search = nullptr;
    check(sqlite3_prepare_v2(db, "SELECT rowid FROM f WHERE f MATCH ?1 ORDER BY bm25(f, 5.0, 2.0, 0.0) LIMIT 10", -1,
                             &search, nullptr),
          db, "prepare search");
    std::vector<std::int64_t> us;
    std::int64_t hits = 0;
    std::vector<std::vector<std::int64_t>> found(queries.size());
    auto const all_start = clock_type::now();
    for (auto const& [terms, tag] : queries) {
        std::string match;
        std::size_t start = 0;
        while (start < terms.size()) {
            auto end = terms.find(' ', start);
            if (end == std::string::npos) end = terms.size();
            if (end > start) match += (match.empty() ? "" : " AND ") + ("\"" + terms.substr(start, end - start) + "\"");
            start = end + 1;
        }
        if (!tag.empty()) match = "tags : \"" + tag + "\" AND (" + match + ")";
        auto const t0 = clock_type::now();
        sqlite3_bind_text(search, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        auto& ids = found[us.size()];
        while (sqlite3_step(search) == SQLITE_ROW) {
            ++hits;
            ids.push_back(sqlite3_column_int64(search, 0));
        }
        sqlite3_reset(search);
        us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - t0).count());
    }
    auto const all_s = std::chrono::duration<double>(clock_type::now() - all_start).count();
    auto pct = [&](double p) {
        if (us.empty()) return std::int64_t{0};
        auto v = us;
        auto const k = static_cast<std::size_t>(
            std::min<double>(static_cast<double>(v.size()) - 1, p / 100 * static_cast<double>(v.size())));
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
        return v[k];
    };
    // The threads of each query's top ten, one line a query, after the timing: how far the two
    // engines agree is part of what "faster" is worth.
    if (argc == 4) {
        std::FILE* out = std::fopen(argv[3], "w");
        sqlite3_stmt* thread = nullptr;
        check(sqlite3_prepare_v2(db, "SELECT coalesce(question_id, id) FROM src.posts WHERE id = ?1", -1, &thread,
                                 nullptr),
              db, "prepare thread");
        for (auto const& ids : found) {
            for (auto id : ids) {
                sqlite3_bind_int64(thread, 1, id);
                if (sqlite3_step(thread) == SQLITE_ROW)
                    std::fprintf(out, "%lld ", static_cast<long long>(sqlite3_column_int64(thread, 0)));
                sqlite3_reset(thread);
            }
            std::fputc('\n', out);
        }
        sqlite3_finalize(thread);
        std::fclose(out);
    }
    std::printf(
        "{\"rows\":%lld,\"build_s\":%.3f,\"queries\":%zu,\"hits\":%lld,\"p50_us\":%lld,\"p99_us\":%lld,\"qps\":%.1f}\n",
        static_cast<long long>(rows), build_s, queries.size(), static_cast<long long>(hits),
        static_cast<long long>(pct(50)), static_cast<long long>(pct(99)), queries.size() / std::max(all_s, 1e-9));
    sqlite3_close(db);
    return 0;
}
