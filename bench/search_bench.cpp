// peerdesk's side of the search comparison, in one process and one thread like the FTS5
// reference: the same queries through search::searcher, straight on the index.
//
//   peerdesk-bench-search make-queries DATA_DIR COUNT > queries.tsv
//   peerdesk-bench-search run DATA_DIR queries.tsv [--dump FILE]
//   peerdesk-bench-search typo-cost DATA_DIR queries.tsv
//
// --dump writes a line a query (microseconds, words, tag, total, the ids on the page, their
// threads): two builds that rank alike write the same lines but for the first field.
#include "search/index.hpp"
#include "server/store/db.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using clock_type = std::chrono::steady_clock;
using namespace peerdesk;

namespace {

// 1–3 words of a question's title (words people would type), with that question's first tag
// for every other query: queries drawn from the corpus itself, deterministic.
int make_queries(std::string const& dir, int count)
{
    store::connection db(dir + "/peerdesk.db", store::open_mode::read_only);
    auto& s = db.cached(
        "SELECT p.title, (SELECT t.name FROM question_tags qt JOIN tags t ON t.id = qt.tag_id WHERE qt.question_id = "
        "p.id "
        "ORDER BY qt.position LIMIT 1) FROM posts p WHERE p.kind = 'question' ORDER BY p.id");
    std::vector<std::pair<std::string, std::string>> titles;
    s.bind();
    while (s.step()) titles.emplace_back(s.text(0), s.optional_text(1).value_or(""));
    s.reset();
    if (titles.empty()) return 1;
    std::mt19937_64 rng(42);
    static char const* const skip[] = {"the", "and", "for", "with", "not", "this", "when", "but", "my",
                                       "it",  "is",  "in",  "of",   "on",  "to",   "a",    "i"};
    for (int n = 0; n < count; ++n) {
        auto const& [title, tag] = titles[rng() % titles.size()];
        std::vector<std::string> words;
        std::istringstream in(title);
        for (std::string w; in >> w;) {
            std::string clean;
            for (char c : w)
                if (std::isalpha(static_cast<unsigned char>(c)))
                    clean += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (clean.size() >= 3 && std::find(std::begin(skip), std::end(skip), clean) == std::end(skip))
                words.push_back(clean);
        }
        if (words.empty()) continue;
        std::shuffle(words.begin(), words.end(), rng);
        words.resize(std::min<std::size_t>(words.size(), 1 + rng() % 3));
        std::string q;
        for (auto const& w : words) q += (q.empty() ? "" : " ") + w;
        std::cout << q << "\t" << (n % 2 ? tag : "") << "\n";
    }
    return 0;
}

search::tuning knobs;  // --set NAME=VALUE, to measure a ranking choice's cost

int run(std::string const& dir, std::string const& file, std::string const& dump_file)
{
    std::ofstream dump;
    if (!dump_file.empty()) dump.open(dump_file);
    search::searcher s(std::filesystem::path(dir) / "search", 0);  // no result cache: every query runs
    std::vector<search::query_request> queries;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        auto const tab = line.find('\t');
        search::query_request r;
        r.text = line.substr(0, tab);
        if (tab != std::string::npos && tab + 1 < line.size()) r.filter.tags.push_back(line.substr(tab + 1));
        r.limit = 10;
        queries.push_back(std::move(r));
    }
    std::vector<std::int64_t> us;
    std::size_t hits = 0;
    s.search(queries.front(), {});  // open the index before timing
    auto const all = clock_type::now();
    for (auto const& q : queries) {
        auto const t0 = clock_type::now();
        auto const found = s.search(q, knobs);
        us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - t0).count());
        hits += found.hits.size();
        if (dump.is_open()) {
            dump << us.back() << '\t' << q.text << '\t' << (q.filter.tags.empty() ? "" : q.filter.tags.front()) << '\t'
                 << found.total << '\t';
            for (auto const& h : found.hits) dump << h.post_id << ' ';
            // The threads on the page, for the agreement with FTS5's top ten.
            dump << '\t';
            for (auto const& h : found.hits) dump << h.question_id << ' ';
            dump << '\n';
        }
    }
    auto const seconds = std::chrono::duration<double>(clock_type::now() - all).count();
    auto pct = [&](double p) {
        auto v = us;
        auto const k = static_cast<std::size_t>(
            std::min<double>(static_cast<double>(v.size()) - 1, p / 100 * static_cast<double>(v.size())));
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
        return v[k];
    };
    std::printf("{\"queries\":%zu,\"hits\":%zu,\"p50_us\":%lld,\"p99_us\":%lld,\"qps\":%.1f}\n", queries.size(), hits,
                static_cast<long long>(pct(50)), static_cast<long long>(pct(99)),
                queries.size() / std::max(seconds, 1e-9));
    return 0;
}

// The cost of a misspelt query against the correct one: each query with a word of four letters
// or more is run as it is and with one seeded typo in that word (a deletion, an insertion, a
// substitution or a transposition), alternately, so that both meet the same caches. Prints
// the mean time of each, their ratio, and how often the misspelt query's first hit is the
// correct one's.
int typo_cost(std::string const& dir, std::string const& file)
{
    search::searcher s(std::filesystem::path(dir) / "search", 0);
    std::mt19937_64 rng(27);
    std::vector<std::pair<search::query_request, search::query_request>> pairs;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        auto const tab = line.find('\t');
        search::query_request r;
        r.text = line.substr(0, tab);
        if (tab != std::string::npos && tab + 1 < line.size()) r.filter.tags.push_back(line.substr(tab + 1));
        r.limit = 10;
        std::vector<std::string> words;
        std::istringstream split(r.text);
        for (std::string w; split >> w;) words.push_back(w);
        std::vector<std::size_t> long_enough;
        for (std::size_t i = 0; i < words.size(); ++i)
            if (words[i].size() >= 4) long_enough.push_back(i);
        if (long_enough.empty()) continue;
        auto& w = words[long_enough[rng() % long_enough.size()]];
        auto const at = rng() % w.size();
        switch (rng() % 4) {
            case 0:
                w.erase(at, 1);
                break;
            case 1:
                w.insert(w.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>('a' + rng() % 26));
                break;
            case 2:
                w[at] = static_cast<char>('a' + (w[at] - 'a' + 1 + rng() % 25) % 26);
                break;
            default:
                if (at + 1 < w.size() && w[at] != w[at + 1])
                    std::swap(w[at], w[at + 1]);
                else
                    w.erase(at, 1);
        }
        auto typo = r;
        typo.text.clear();
        for (auto const& x : words) typo.text += (typo.text.empty() ? "" : " ") + x;
        pairs.emplace_back(std::move(r), std::move(typo));
    }
    if (pairs.empty()) return 1;
    s.search(pairs.front().first, {});  // open the index before timing
    double correct_s = 0, misspelt_s = 0;
    std::size_t same_first = 0, corrected = 0;
    for (auto const& [right, wrong] : pairs) {
        auto const t0 = clock_type::now();
        auto const a = s.search(right, knobs);
        auto const t1 = clock_type::now();
        auto const b = s.search(wrong, knobs);
        auto const t2 = clock_type::now();
        correct_s += std::chrono::duration<double>(t1 - t0).count();
        misspelt_s += std::chrono::duration<double>(t2 - t1).count();
        if (!b.corrected.empty()) ++corrected;
        if (!a.hits.empty() && !b.hits.empty() && a.hits.front().question_id == b.hits.front().question_id)
            ++same_first;
    }
    auto const n = static_cast<double>(pairs.size());
    std::printf(
        "{\"pairs\":%zu,\"correct_us\":%.1f,\"misspelt_us\":%.1f,\"ratio\":%.2f,\"corrected\":%zu,"
        "\"same_first\":%zu}\n",
        pairs.size(), correct_s * 1e6 / n, misspelt_s * 1e6 / n, misspelt_s / std::max(correct_s, 1e-9), corrected,
        same_first);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> a;
    for (int i = 1; i < argc; ++i) {
        std::string const arg = argv[i];
        if (arg == "--set" && i + 1 < argc) {
            std::string const v = argv[++i];
            auto const eq = v.find('=');
            bool known = false;
            for (auto const& k : search::tuning_knobs())
                if (eq != std::string::npos && v.substr(0, eq) == k.name) {
                    knobs.*(k.field) = std::stod(v.substr(eq + 1));
                    known = true;
                }
            if (!known) {
                std::cerr << "no knob " << v << "\n";
                return 2;
            }
            continue;
        }
        a.push_back(arg);
    }
    if (a.size() == 3 && a[0] == "make-queries") return make_queries(a[1], std::stoi(a[2]));
    if (a.size() == 3 && a[0] == "run") return run(a[1], a[2], "");
    if (a.size() == 5 && a[0] == "run" && a[3] == "--dump") return run(a[1], a[2], a[4]);
    if (a.size() == 3 && a[0] == "typo-cost") return typo_cost(a[1], a[2]);
    std::cerr << "usage: peerdesk-bench-search make-queries DATA_DIR COUNT | run DATA_DIR QUERIES [--dump FILE] | "
                 "typo-cost DATA_DIR QUERIES\n";
    return 2;
}
