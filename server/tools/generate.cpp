#include "server/tools/generate.hpp"

#include "server/domain/crypto.hpp"
#include "server/domain/reputation.hpp"
#include "server/render/markdown.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace peerdesk::tools {
namespace {

// Words people use in support questions, most common first; the rest of the vocabulary is
// made of syllables, so that a Zipf tail of rare words exists as in real text.
constexpr char const* common_words[] = {"the",        "to",           "and",      "a",
                                        "i",          "it",           "is",       "in",
                                        "my",         "of",           "for",      "on",
                                        "with",       "not",          "this",     "when",
                                        "but",        "app",          "error",    "sync",
                                        "file",       "account",      "update",   "settings",
                                        "after",      "windows",      "login",    "password",
                                        "invoice",    "billing",      "export",   "upload",
                                        "folder",     "share",        "link",     "email",
                                        "phone",      "android",      "ios",      "network",
                                        "printer",    "install",      "version",  "crash",
                                        "slow",       "offline",      "backup",   "restore",
                                        "cache",      "server",       "api",      "token",
                                        "limit",      "calendar",     "photos",   "desktop",
                                        "browser",    "chrome",       "firefox",  "mac",
                                        "permission", "admin",        "team",     "user",
                                        "import",     "csv",          "pdf",      "notification",
                                        "screen",     "button",       "menu",     "click",
                                        "open",       "close",        "delete",   "reset",
                                        "restart",    "connect",      "timeout",  "certificate",
                                        "vpn",        "proxy",        "dns",      "wifi",
                                        "bluetooth",  "battery",      "storage",  "memory",
                                        "disk",       "drive",        "download", "payment",
                                        "card",       "subscription", "plan",     "trial",
                                        "license",    "key",          "code",     "script",
                                        "command",    "log",          "report",   "support"};
constexpr char const* syllables[] = {"ka", "lo", "mi", "ren", "to",  "sha", "vi",  "dor", "en",  "pa", "qu", "ix",
                                     "ul", "be", "zo", "tri", "gan", "fe",  "nor", "sy",  "lak", "mo", "re", "tu"};
constexpr char const* tag_stems[] = {
    "sync",    "billing",      "windows",     "macos",   "android",  "ios",    "api",          "network", "printing",
    "account", "security",     "sharing",     "backup",  "calendar", "email",  "photos",       "desktop", "mobile",
    "admin",   "integrations", "performance", "install", "export",   "import", "notifications"};

class zipf {
public:
    zipf(std::size_t n, double s)
    {
        cdf_.reserve(n);
        double sum = 0;
        for (std::size_t k = 1; k <= n; ++k) cdf_.push_back(sum += 1.0 / std::pow(static_cast<double>(k), s));
        for (auto& c : cdf_) c /= sum;
    }
    template <typename Rng>
    std::size_t operator()(Rng& rng) const
    {
        auto const u = std::uniform_real_distribution<double>(0, 1)(rng);
        return static_cast<std::size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    }

private:
    std::vector<double> cdf_;
};

struct corpus {
    std::mt19937_64 rng;
    std::vector<std::string> words;
    std::vector<std::string> tags;
    zipf word_pick;
    zipf tag_pick;

    explicit corpus(std::uint64_t seed) : rng(seed), word_pick(6000, 1.07), tag_pick(200, 1.1)
    {
        for (auto const* w : common_words) words.emplace_back(w);
        std::mt19937_64 vocab(seed ^ 0x5eed);
        while (words.size() < 6000) {
            std::string w;
            auto const n = 2 + vocab() % 3;
            for (std::size_t i = 0; i < n; ++i) w += syllables[vocab() % std::size(syllables)];
            words.push_back(std::move(w));
        }
        for (auto const* t : tag_stems) tags.emplace_back(t);
        for (std::size_t i = 0; tags.size() < 200; ++i)
            tags.push_back(std::string(tag_stems[i % std::size(tag_stems)]) + "-" + words[100 + i]);
    }

    std::int64_t between(std::int64_t lo, std::int64_t hi)
    {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
    std::string const& word() { return words[word_pick(rng)]; }

    std::string sentence(int min_words, int max_words)
    {
        std::string s;
        auto const n = between(min_words, max_words);
        for (std::int64_t i = 0; i < n; ++i) s += (i ? " " : "") + word();
        if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
        return s;
    }

    std::string title()
    {
        auto t = sentence(5, 11);
        return t + (chance(0.6) ? "?" : "");
    }

    // About a kilobyte of Markdown: paragraphs, now and then a code block, a list or a link.
    std::string body(int paragraphs_min, int paragraphs_max)
    {
        std::string out;
        auto const paragraphs = between(paragraphs_min, paragraphs_max);
        for (std::int64_t p = 0; p < paragraphs; ++p) {
            if (!out.empty()) out += "\n\n";
            out += sentence(12, 24) + ". " + sentence(8, 20) + ".";
            if (chance(0.3))
                out += " See [the " + word() + " guide](https://docs.example.com/" + word() + "/" + word() + ").";
            if (chance(0.2)) out += " Use `" + word() + " --" + word() + "` first.";
        }
        if (chance(0.35))
            out += "\n\n```sh\n" + word() + " --" + word() + " " + word() + "\n" + word() + " " + word() + " > " +
                   word() + ".log\n```";
        if (chance(0.25)) out += "\n\n- " + sentence(3, 8) + "\n- " + sentence(3, 8) + "\n- " + sentence(3, 8);
        return out;
    }

    std::vector<std::string> pick_tags()
    {
        std::vector<std::string> out;
        auto const n = between(1, 4);
        while (static_cast<std::int64_t>(out.size()) < n) {
            auto const& t = tags[tag_pick(rng)];
            if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
        }
        return out;
    }
};

store::rendered_body render(std::string const& markdown)
{
    auto r = render::render_markdown(markdown);
    if (!r.value) throw std::runtime_error("generated Markdown was refused: " + r.error);
    return {markdown, r.value->html.str(), r.value->excerpt};
}

}  // namespace

generate_report generate(store::database& db, generate_options const& options,
                         std::function<void(std::int64_t, std::int64_t)> const& progress)
{
    corpus c(options.seed);
    generate_report report;
    auto const users = options.users > 0 ? options.users : std::clamp<std::int64_t>(options.posts / 20, 100, 50000);
    auto const hash = domain::hash_password("bench password 1");  // one slow hash, shared
    domain::reputation_rules const rules;
    std::int64_t const start_time = 1'700'000'000;
    std::int64_t now = start_time;
    std::vector<std::int64_t> user_ids;

    // A bulk load into a fresh database: no journal, no fsync, a cache that holds the whole
    // working set, and large transactions. Each post still goes through the store code the
    // server uses. A crash mid-way leaves a database to throw away (it was empty before).
    db.write_alone([](store::connection& conn) {
        conn.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;");
        return 0;
    });
    db.write([&](store::connection& conn) {
        auto tx = conn.begin_immediate();
        store::user_store u(conn);
        for (std::int64_t i = 0; i < users; ++i) {
            auto const name = "user" + std::to_string(i + 1);
            auto const r = u.create(name, name + "@example.com", hash, "member", now);
            if (r.outcome != store::create_user_outcome::created)
                throw std::runtime_error("the community is not empty");
            user_ids.push_back(r.id);
        }
        tx.commit();
    });
    report.users = users;
    zipf active_user(static_cast<std::size_t>(users), 1.0);  // a few people write much of it
    auto author = [&] { return user_ids[active_user(c.rng)]; };

    std::int64_t done = 0;
    std::int64_t const batch = 10000;
    while (done < options.posts) {
        db.write([&](store::connection& conn) {
            auto tx = conn.begin_immediate();
            store::post_store posts(conn);
            auto const until = std::min(options.posts, done + batch);
            while (done < until) {
                now += c.between(20, 600);
                auto const asker = author();
                store::new_question q{asker, c.title(), render(c.body(2, 4)), c.pick_tags(), std::nullopt};
                auto const qid = posts.create_question(q, now);
                ++report.questions;
                ++done;
                // Most questions get a few answers, some many, some none (0 to 15).
                auto const wanted = c.chance(0.15) ? 0 : c.chance(0.2) ? c.between(4, 15) : c.between(1, 4);
                auto const answers = std::min<std::int64_t>(until - done, wanted);
                std::vector<std::int64_t> answer_ids, answer_authors;
                for (std::int64_t a = 0; a < answers; ++a) {
                    now += c.between(5, 300);
                    auto by = author();
                    if (by == asker) by = user_ids[(static_cast<std::size_t>(by) + 1) % user_ids.size()];
                    answer_ids.push_back(posts.create_answer(qid, by, render(c.body(1, 3)), now));
                    answer_authors.push_back(by);
                    ++report.answers;
                    ++done;
                }
                std::vector<std::pair<std::int64_t, std::int64_t>> targets{{qid, asker}};  // post, author
                for (std::size_t i = 0; i < answer_ids.size(); ++i)
                    targets.emplace_back(answer_ids[i], answer_authors[i]);
                for (auto const& [post, post_author] : targets) {
                    if (c.chance(0.3)) {
                        posts.create_comment(post, std::nullopt, author(), render(c.sentence(6, 16) + "."), now);
                        ++report.comments;
                    }
                    auto const voters = c.between(0, 6);
                    for (std::int64_t v = 0; v < voters; ++v) {
                        auto const voter = author();
                        if (voter == post_author) continue;  // nobody votes on their own post
                        posts.vote(post, voter, c.chance(0.9) ? 1 : -1, rules, now);
                        ++report.votes;
                    }
                }
                if (!answer_ids.empty() && c.chance(0.45)) {
                    posts.set_accepted(qid,
                                       answer_ids[static_cast<std::size_t>(
                                           c.between(0, static_cast<std::int64_t>(answer_ids.size()) - 1))],
                                       asker, rules, now);
                    ++report.accepted;
                }
            }
            tx.commit();
        });
        if (progress) progress(done, options.posts);
    }
    db.write_alone([](store::connection& conn) {
        conn.exec("PRAGMA cache_size=-32768; PRAGMA synchronous=FULL; PRAGMA journal_mode=WAL;");
        return 0;
    });
    return report;
}

}  // namespace peerdesk::tools
