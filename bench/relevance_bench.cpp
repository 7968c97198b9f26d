// The relevance benchmark (scripts/bench --relevance): how often search finds the thread a
// customer is looking for, beside SQLite FTS5 with bm25 (its AND and its OR), on real text.
//
//   peerdesk-bench-relevance POSTS_XML [--per-kind N] [--seed S] [--set NAME=VALUE]... [--json]
//
// The corpus is a Stack Exchange dump's Posts.xml (questions and answers; tag wikis are left
// out). Every thread with an answer is a possible known item; a seeded shuffle puts half of
// them in the tuning part and half in the held-out part, and each part draws the same number
// of queries of each kind from its own threads, by a seeded random draw:
//   plain      three distinct words of the question (title and body), drawn uniformly;
//   inflected  the same draw, each word that has another form in the corpus (a suffix s, es,
//              ed, d, ing, er, ers or y/ies added or taken off) changed to that form, at least one;
//   misspelt   the same draw, one word of four letters or more given one typo (a deletion,
//              an insertion, a substitution or a transposition of neighbours) that makes a word
//              the corpus never uses;
//   spread     two words of the question that its answer lacks and two of the answer that
//              the question lacks, such that no single post of the thread holds all four;
//   garbled    three words of four letters or more, every one given one typo as above (words
//              that all may miss in an engine without typo tolerance, even with OR); drawn
//              from a generator of its own, so the other kinds are drawn as before it was added.
// Words are letters only, three or more, not in a list of common English words. Both engines
// index every post of the dump (an answer with its question's title and tags, as peerdesk
// does) and answer with threads: the first ten distinct threads are the page.
// Printed: MRR@10, recall@10 and the queries that found nothing, per kind and part, for each
// engine ("all": the first four kinds, as before garbled came, so that the overall figure
// stays comparable and is not lifted by a kind that an engine without typos cannot answer),
// engine, and each engine's time per query. --set changes a peerdesk ranking knob
// (search::tuning) for a run, for tuning on the tuning part.
#include "search/index.hpp"
#include "server/render/plain_text.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

using namespace peerdesk;
namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

// ---- the dump ----

struct post {
    std::int64_t id = 0;
    std::int64_t thread = 0;
    bool question = true;
    std::string title;  // the question's, for answers too
    std::string body;   // plain text
    std::vector<std::string> tags;
    std::int64_t score = 0;
    std::int64_t created = 0;
    bool accepted = false;         // an accepted answer, or a question that has one
    std::int64_t accepted_id = 0;  // a question's accepted answer
};

std::string decode_entities(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        auto const end = s.find(';', i);
        if (end == std::string_view::npos || end - i > 10) {
            out += '&';
            continue;
        }
        auto const name = s.substr(i + 1, end - i - 1);
        if (name == "lt")
            out += '<';
        else if (name == "gt")
            out += '>';
        else if (name == "amp")
            out += '&';
        else if (name == "quot")
            out += '"';
        else if (name == "apos")
            out += '\'';
        else if (!name.empty() && name[0] == '#') {
            unsigned long cp = name.size() > 1 && (name[1] == 'x' || name[1] == 'X')
                                   ? std::stoul(std::string(name.substr(2)), nullptr, 16)
                                   : std::stoul(std::string(name.substr(1)));
            if (cp < 0x80) {
                out += static_cast<char>(cp);
            } else if (cp < 0x800) {
                out += static_cast<char>(0xC0 | (cp >> 6));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out += static_cast<char>(0xE0 | (cp >> 12));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
                out += ' ';
            }
        } else {
            out.append(s.substr(i, end - i + 1));
        }
        i = end;
    }
    return out;
}

std::string attribute(std::string const& row, std::string const& name)
{
    auto const key = " " + name + "=\"";
    auto const at = row.find(key);
    if (at == std::string::npos) return {};
    auto const start = at + key.size();
    auto const end = row.find('"', start);
    return decode_entities(std::string_view(row).substr(start, end - start));
}

std::int64_t number(std::string const& s)
{
    return s.empty() ? 0 : std::stoll(s);
}

std::vector<post> read_dump(std::string const& file)
{
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file);
    std::vector<post> questions, answers;
    std::vector<std::int64_t> parents;
    for (std::string line; std::getline(in, line);) {
        if (line.find("<row ") == std::string::npos) continue;
        auto const type = attribute(line, "PostTypeId");
        if (type != "1" && type != "2") continue;  // tag wikis and the rest are not threads
        post p;
        p.id = number(attribute(line, "Id"));
        p.question = type == "1";
        p.body = render::plain_text(attribute(line, "Body"));
        p.score = number(attribute(line, "Score"));
        auto const date = attribute(line, "CreationDate");
        p.created = date.size() >= 10 ? number(date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2)) : 0;
        if (p.question) {
            p.thread = p.id;
            p.title = attribute(line, "Title");
            p.accepted_id = number(attribute(line, "AcceptedAnswerId"));
            auto const tags = attribute(line, "Tags");  // <a><b>
            std::string t;
            for (char c : tags) {
                if (c == '<')
                    t.clear();
                else if (c == '>')
                    p.tags.push_back(t);
                else
                    t += c;
            }
            questions.push_back(std::move(p));
        } else {
            p.thread = number(attribute(line, "ParentId"));
            answers.push_back(std::move(p));
        }
    }
    std::unordered_map<std::int64_t, post const*> by_id;
    for (auto& q : questions) by_id[q.id] = &q;
    std::vector<post> out;
    for (auto& q : questions) {
        q.accepted = q.accepted_id != 0;
        out.push_back(q);
    }
    for (auto& a : answers) {
        auto const it = by_id.find(a.thread);
        if (it == by_id.end()) continue;
        a.title = it->second->title;
        a.tags = it->second->tags;
        a.accepted = it->second->accepted_id == a.id;
        out.push_back(std::move(a));
    }
    return out;
}

// ---- words ----

constexpr char const* common_words[] = {
    "the",   "and",   "for",   "with", "not",   "this",   "that",  "but",     "are",   "was",    "were",   "you",
    "your",  "have",  "has",   "had",  "from",  "they",   "them",  "their",   "there", "what",   "which",  "when",
    "where", "who",   "why",   "how",  "can",   "could",  "would", "should",  "will",  "been",   "being",  "into",
    "about", "than",  "then",  "some", "any",   "all",    "also",  "just",    "very",  "more",   "most",   "other",
    "only",  "such",  "its",   "our",  "out",   "one",    "does",  "did",     "doing", "get",    "got",    "like",
    "these", "those", "here",  "his",  "her",   "she",    "him",   "because", "way",   "many",   "much",   "may",
    "well",  "even",  "make",  "know", "think", "really", "use",   "used",    "thing", "things", "want",   "see",
    "com",   "http",  "https", "www",  "html",  "org",    "each",  "both",    "same",  "after",  "before", "over",
};

std::vector<std::string> words_of(std::string const& text)
{
    static std::unordered_set<std::string> const common(std::begin(common_words), std::end(common_words));
    std::vector<std::string> out;
    std::string w;
    auto flush = [&] {
        if (w.size() >= 3 && !common.contains(w)) out.push_back(w);
        w.clear();
    };
    for (char c : text) {
        auto const u = static_cast<unsigned char>(c);
        if (std::isalpha(u) && u < 0x80)
            w += static_cast<char>(std::tolower(u));
        else if (c == '\'' && !w.empty())  // "don't", "beer's": the word ends here
            flush();
        else
            flush();
    }
    flush();
    return out;
}

std::set<std::string> distinct(std::vector<std::string> const& v)
{
    return {v.begin(), v.end()};
}

// Other forms of a word that the corpus uses, by the suffix rules in the header.
std::vector<std::string> forms_of(std::string const& w, std::unordered_map<std::string, int> const& vocabulary)
{
    std::vector<std::string> candidates;
    static char const* const suffixes[] = {"s", "es", "ed", "d", "ing", "er", "ers"};
    for (auto const* s : suffixes) {
        std::string const suffix(s);
        candidates.push_back(w + suffix);
        if (w.size() > suffix.size() + 2 && w.ends_with(suffix))
            candidates.push_back(w.substr(0, w.size() - suffix.size()));
    }
    if (w.ends_with("y")) candidates.push_back(w.substr(0, w.size() - 1) + "ies");
    if (w.ends_with("ies")) candidates.push_back(w.substr(0, w.size() - 3) + "y");
    std::vector<std::string> out;
    for (auto& c : candidates)
        if (c != w && vocabulary.contains(c) && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    std::sort(out.begin(), out.end());
    return out;
}

// One typo of a seeded kind at a seeded place; empty when the result is a word the corpus uses
// (then it is not a misspelling the engines could tell from a real word).
std::string typo(std::string const& w, std::mt19937_64& rng, std::unordered_map<std::string, int> const& vocabulary,
                 std::string* kind)
{
    static char const letters[] = "abcdefghijklmnopqrstuvwxyz";
    for (int attempt = 0; attempt < 10; ++attempt) {
        std::string t = w;
        auto const k = rng() % 4;
        auto const at = rng() % w.size();
        if (k == 0) {
            t.erase(at, 1);
            *kind = "deletion";
        } else if (k == 1) {
            t.insert(t.begin() + static_cast<std::ptrdiff_t>(at), letters[rng() % 26]);
            *kind = "insertion";
        } else if (k == 2) {
            t[at] = letters[rng() % 26];
            *kind = "substitution";
        } else {
            if (at + 1 >= t.size() || t[at] == t[at + 1]) continue;
            std::swap(t[at], t[at + 1]);
            *kind = "transposition";
        }
        if (t != w && !vocabulary.contains(t)) return t;
    }
    return {};
}

// ---- queries ----

enum kind_index { plain, inflected, misspelt, spread, garbled, kinds };
constexpr char const* kind_names[] = {"plain", "inflected", "misspelt", "spread", "garbled"};

struct query {
    std::string text;
    std::int64_t thread = 0;
    int kind = plain;
    bool held_out = false;
};

std::vector<query> make_queries(std::vector<post> const& posts, std::uint64_t seed, std::size_t per_kind)
{
    std::unordered_map<std::string, int> vocabulary;
    for (auto const& p : posts) {
        for (auto const& w : words_of(p.body)) ++vocabulary[w];
        if (p.question)
            for (auto const& w : words_of(p.title)) ++vocabulary[w];
    }
    std::map<std::int64_t, std::vector<post const*>> threads;
    for (auto const& p : posts) threads[p.thread].push_back(&p);
    std::vector<std::int64_t> ids;
    for (auto& [id, t] : threads) {
        std::stable_sort(t.begin(), t.end(), [](auto* a, auto* b) { return a->question > b->question; });
        if (t.size() >= 2 && t.front()->question) ids.push_back(id);
    }
    std::mt19937_64 shared_rng(seed);
    std::shuffle(ids.begin(), ids.end(), shared_rng);
    // The garbled kind came later: it draws from a generator of its own, so that the other
    // kinds' queries stay those drawn before it (and older figures comparable).
    std::mt19937_64 garbled_rng(seed ^ 0x9a4b1edULL);
    std::vector<query> out;
    for (int part = 0; part < 2; ++part) {
        std::vector<std::int64_t> mine(ids.begin() + (part ? static_cast<std::ptrdiff_t>(ids.size() / 2) : 0),
                                       part ? ids.end() : ids.begin() + static_cast<std::ptrdiff_t>(ids.size() / 2));
        for (int kind = 0; kind < kinds; ++kind) {
            auto& rng = kind == garbled ? garbled_rng : shared_rng;
            std::size_t made = 0;
            // Threads in a seeded order, again and again, until enough queries of the kind.
            for (std::size_t round = 0; made < per_kind && round < 4 * per_kind; ++round) {
                auto const thread_id = mine[rng() % mine.size()];
                auto const& thread = threads[thread_id];
                auto const& q = *thread.front();
                std::vector<std::string> pool;
                for (auto const& w : distinct(words_of(q.title + " " + q.body))) pool.push_back(w);
                std::vector<std::string> words;
                if (kind == spread) {
                    auto const& a = *thread[1 + rng() % (thread.size() - 1)];
                    auto const qw = distinct(words_of(q.title + " " + q.body));
                    auto const aw = distinct(words_of(a.body));
                    std::vector<std::string> only_q, only_a;
                    for (auto const& w : qw)
                        if (!aw.contains(w)) only_q.push_back(w);
                    for (auto const& w : aw)
                        if (!qw.contains(w)) only_a.push_back(w);
                    if (only_q.size() < 2 || only_a.size() < 2) continue;
                    std::shuffle(only_q.begin(), only_q.end(), rng);
                    std::shuffle(only_a.begin(), only_a.end(), rng);
                    words = {only_q[0], only_a[0], only_q[1], only_a[1]};
                    bool one_post_has_all = false;
                    for (auto const* p : thread) {
                        auto const pw = distinct(words_of(p->title + " " + p->body));
                        if (std::all_of(words.begin(), words.end(), [&](auto const& w) { return pw.contains(w); }))
                            one_post_has_all = true;
                    }
                    if (one_post_has_all) continue;
                } else {
                    if (pool.size() < 3) continue;
                    std::shuffle(pool.begin(), pool.end(), rng);
                    words.assign(pool.begin(), pool.begin() + 3);
                    if (kind == inflected) {
                        int changed = 0;
                        for (auto& w : words) {
                            auto const forms = forms_of(w, vocabulary);
                            if (forms.empty()) continue;
                            w = forms[rng() % forms.size()];
                            ++changed;
                        }
                        if (changed == 0) continue;
                    } else if (kind == garbled) {
                        // Every word misspelt: words of four letters or more only, each one typo.
                        std::vector<std::string> longer;
                        for (auto const& w : pool)
                            if (w.size() >= 4) longer.push_back(w);
                        if (longer.size() < 3) continue;
                        std::shuffle(longer.begin(), longer.end(), rng);
                        words.assign(longer.begin(), longer.begin() + 3);
                        bool all = true;
                        for (auto& w : words) {
                            std::string how;
                            w = typo(w, rng, vocabulary, &how);
                            all = all && !w.empty();
                        }
                        if (!all) continue;
                    } else if (kind == misspelt) {
                        std::vector<std::size_t> long_enough;
                        for (std::size_t i = 0; i < words.size(); ++i)
                            if (words[i].size() >= 4) long_enough.push_back(i);
                        if (long_enough.empty()) continue;
                        auto const i = long_enough[rng() % long_enough.size()];
                        std::string how;
                        auto t = typo(words[i], rng, vocabulary, &how);
                        if (t.empty()) continue;
                        words[i] = t;
                    }
                }
                query one;
                for (auto const& w : words) one.text += (one.text.empty() ? "" : " ") + w;
                one.thread = thread_id;
                one.kind = kind;
                one.held_out = part == 1;
                out.push_back(std::move(one));
                ++made;
            }
        }
    }
    return out;
}

// ---- the engines ----

// The first ten distinct threads an engine answered, in order, or none.
using page = std::vector<std::int64_t>;

struct fts5 {
    sqlite3* db = nullptr;
    sqlite3_stmt* search = nullptr;
    std::unordered_map<std::int64_t, std::int64_t> thread_of;

    explicit fts5(std::vector<post> const& posts)
    {
        sqlite3_open(":memory:", &db);
        exec("CREATE VIRTUAL TABLE f USING fts5(title, body, tags, tokenize='porter unicode61')");
        exec("BEGIN");
        sqlite3_stmt* insert = nullptr;
        sqlite3_prepare_v2(db, "INSERT INTO f (rowid, title, body, tags) VALUES (?1, ?2, ?3, ?4)", -1, &insert,
                           nullptr);
        for (auto const& p : posts) {
            std::string tags;
            for (auto const& t : p.tags) tags += (tags.empty() ? "" : " ") + t;
            sqlite3_bind_int64(insert, 1, p.id);
            sqlite3_bind_text(insert, 2, p.title.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 3, p.body.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 4, tags.c_str(), -1, SQLITE_TRANSIENT);
            if (sqlite3_step(insert) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db));
            sqlite3_reset(insert);
            thread_of[p.id] = p.thread;
        }
        sqlite3_finalize(insert);
        exec("COMMIT");
        // Title weighted above body, as in peerdesk's reference (bench/fts5_ref.cpp); enough
        // rows to fill ten threads.
        sqlite3_prepare_v2(db, "SELECT rowid FROM f WHERE f MATCH ?1 ORDER BY bm25(f, 5.0, 2.0, 0.0) LIMIT 200", -1,
                           &search, nullptr);
    }
    ~fts5()
    {
        sqlite3_finalize(search);
        sqlite3_close(db);
    }
    void exec(char const* sql)
    {
        if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
    }
    page run(std::string const& text, char const* op)
    {
        std::string match;
        std::istringstream in(text);
        for (std::string w; in >> w;) match += (match.empty() ? "" : std::string(" ") + op + " ") + "\"" + w + "\"";
        sqlite3_bind_text(search, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        page out;
        while (out.size() < 10 && sqlite3_step(search) == SQLITE_ROW) {
            auto const t = thread_of[sqlite3_column_int64(search, 0)];
            if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
        }
        sqlite3_reset(search);
        return out;
    }
};

struct peerdesk_engine {
    fs::path root;
    std::unique_ptr<search::searcher> reader;
    search::tuning tune;

    peerdesk_engine(std::vector<post> const& posts, search::tuning t) : tune(t)
    {
        root = fs::temp_directory_path() / ("peerdesk-relevance-" + std::to_string(::getpid()));
        fs::remove_all(root);
        fs::create_directories(root);
        auto const dir = search::new_dir_name();
        {
            search::writer w(root / dir, true);
            // Best first, as a rebuild numbers them (search_store::rebuild_order).
            std::vector<search::post_document> docs;
            std::unordered_map<std::int64_t, std::string const*> question_body;
            for (auto const& p : posts)
                if (p.question) question_body[p.id] = &p.body;
            for (auto const& p : posts) {
                search::post_document d;
                d.id = p.id;
                d.question_id = p.thread;
                d.is_question = p.question;
                d.title = p.title;
                d.body = p.body;
                // As the store gives it: an answer carries its question's text.
                if (!p.question) d.thread_text = *question_body[p.thread];
                d.tags = p.tags;
                d.author = "someone";
                d.created_at = p.created;
                d.score = p.score;
                d.thread_answered = true;
                d.thread_accepted = p.question ? p.accepted_id != 0 : false;
                d.accepted_answer = !p.question && p.accepted;
                docs.push_back(std::move(d));
            }
            // An answer's thread is accepted when its question says so.
            std::unordered_map<std::int64_t, bool> accepted;
            for (auto const& p : posts)
                if (p.question) accepted[p.id] = p.accepted_id != 0;
            for (auto& d : docs) {
                d.thread_accepted = accepted[d.question_id];
                d.thread_answered = true;
            }
            std::stable_sort(docs.begin(), docs.end(), [](auto const& a, auto const& b) {
                auto const qa = std::lround(search::quality_of(a) * 100), qb = std::lround(search::quality_of(b) * 100);
                return qa != qb ? qa > qb : a.id < b.id;
            });
            for (auto const& d : docs) w.add(d);
            w.commit();
        }
        search::make_current(root, dir);
        reader = std::make_unique<search::searcher>(root, 0);
    }
    ~peerdesk_engine() { fs::remove_all(root); }
    page run(std::string const& text, std::string* shown = nullptr)
    {
        search::query_request r;
        r.text = text;
        r.limit = 10;
        auto const found = reader->search(r, tune);
        page out;
        for (auto const& h : found.hits) out.push_back(h.question_id);
        if (shown) *shown = found.corrected;
        return out;
    }
};

// ---- figures ----

struct tally {
    double rr = 0;
    std::size_t found = 0, zero = 0, count = 0;
    double seconds = 0;
    void add(page const& p, std::int64_t thread, double s)
    {
        ++count;
        seconds += s;
        if (p.empty()) ++zero;
        auto const at = std::find(p.begin(), p.end(), thread);
        if (at != p.end()) {
            rr += 1.0 / static_cast<double>(at - p.begin() + 1);
            ++found;
        }
    }
    void add(tally const& o)
    {
        rr += o.rr;
        found += o.found;
        zero += o.zero;
        count += o.count;
        seconds += o.seconds;
    }
    double mrr() const { return count ? rr / static_cast<double>(count) : 0; }
    double recall() const { return count ? static_cast<double>(found) / static_cast<double>(count) : 0; }
    double us() const { return count ? seconds * 1e6 / static_cast<double>(count) : 0; }
};

constexpr int engines = 3;
constexpr char const* engine_names[] = {"peerdesk", "fts5_and", "fts5_or"};

bool set_knob(search::tuning& t, std::string const& assignment)
{
    auto const eq = assignment.find('=');
    if (eq == std::string::npos) return false;
    auto const name = assignment.substr(0, eq);
    auto const value = std::stod(assignment.substr(eq + 1));
    for (auto const& k : search::tuning_knobs())
        if (k.name == name) {
            t.*(k.field) = value;
            return true;
        }
    return false;
}

}  // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> a(argv + 1, argv + argc);
    if (a.empty()) {
        std::cerr << "usage: peerdesk-bench-relevance POSTS_XML [--per-kind N] [--seed S] [--set NAME=VALUE]... "
                     "[--json] [--dump FILE]\n";
        return 2;
    }
    std::size_t per_kind = 150;
    std::uint64_t seed = 27;
    bool json = false;
    std::string dump_file;
    search::tuning tune;
    for (std::size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "--per-kind" && i + 1 < a.size())
            per_kind = std::stoul(a[++i]);
        else if (a[i] == "--seed" && i + 1 < a.size())
            seed = std::stoull(a[++i]);
        else if (a[i] == "--set" && i + 1 < a.size()) {
            if (!set_knob(tune, a[++i])) {
                std::cerr << "bench: no knob " << a[i] << "; knobs:";
                for (auto const& k : search::tuning_knobs()) std::cerr << " " << k.name;
                std::cerr << "\n";
                return 2;
            }
        } else if (a[i] == "--json")
            json = true;
        else if (a[i] == "--dump" && i + 1 < a.size())
            dump_file = a[++i];
        else {
            std::cerr << "bench: unknown argument " << a[i] << "\n";
            return 2;
        }
    }
    auto const posts = read_dump(a[0]);
    auto const queries = make_queries(posts, seed, per_kind);
    peerdesk_engine xapian(posts, tune);
    fts5 reference(posts);
    std::ofstream dump;
    if (!dump_file.empty()) dump.open(dump_file);

    // [engine][held_out][kind]
    tally t[engines][2][kinds];
    for (auto const& q : queries) {
        for (int e = 0; e < engines; ++e) {
            auto const t0 = clock_type::now();
            std::string shown;
            auto const p = e == 0 ? xapian.run(q.text, &shown) : reference.run(q.text, e == 1 ? "AND" : "OR");
            auto const s = std::chrono::duration<double>(clock_type::now() - t0).count();
            t[e][q.held_out][q.kind].add(p, q.thread, s);
            if (dump.is_open()) {
                auto const at = std::find(p.begin(), p.end(), q.thread);
                dump << engine_names[e] << '\t' << (q.held_out ? "held-out" : "tuning") << '\t' << kind_names[q.kind]
                     << '\t' << q.text << '\t' << q.thread << '\t' << (at == p.end() ? 0 : at - p.begin() + 1) << '\t'
                     << p.size() << '\t' << shown << '\n';
            }
        }
    }
    std::size_t docs = posts.size(), questions = 0;
    for (auto const& p : posts) questions += p.question;
    if (json) {
        std::cout << "{\"posts\":" << docs << ",\"questions\":" << questions << ",\"per_kind\":" << per_kind
                  << ",\"seed\":" << seed << ",\"parts\":{";
        for (int part = 0; part < 2; ++part) {
            std::cout << (part ? "," : "") << "\"" << (part ? "held_out" : "tuning") << "\":{";
            for (int e = 0; e < engines; ++e) {
                std::cout << (e ? "," : "") << "\"" << engine_names[e] << "\":{";
                tally all;
                for (int k = 0; k <= kinds; ++k) {
                    tally const& x = k < kinds ? t[e][part][k] : all;
                    if (k < kinds && k != garbled) all.add(x);
                    char line[256];
                    std::snprintf(line, sizeof line,
                                  "%s\"%s\":{\"queries\":%zu,\"mrr\":%.4f,\"recall\":%.4f,\"zero\":%zu,\"us\":%.1f}",
                                  k ? "," : "", k < kinds ? kind_names[k] : "all", x.count, x.mrr(), x.recall(), x.zero,
                                  x.us());
                    std::cout << line;
                }
                std::cout << "}";
            }
            std::cout << "}";
        }
        std::cout << "}}\n";
        return 0;
    }
    std::printf("%zu posts (%zu questions), %zu queries of each kind in each part, seed %llu\n", docs, questions,
                per_kind, static_cast<unsigned long long>(seed));
    for (int part = 0; part < 2; ++part) {
        std::printf("\n%s part\n%-10s %-9s %7s %7s %6s %9s\n", part ? "held-out" : "tuning", "kind", "engine", "MRR@10",
                    "R@10", "zero", "us/query");
        tally all[engines];
        for (int k = 0; k <= kinds; ++k)
            for (int e = 0; e < engines; ++e) {
                tally const& x = k < kinds ? t[e][part][k] : all[e];
                if (k < kinds && k != garbled) all[e].add(x);
                std::printf("%-10s %-9s %7.3f %7.3f %6zu %9.1f\n", k < kinds ? kind_names[k] : "all", engine_names[e],
                            x.mrr(), x.recall(), x.zero, x.us());
            }
    }
    return 0;
}
