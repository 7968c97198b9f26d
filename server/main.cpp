// The peerdesk command line: serve, migrate, schema, recount, reindex, backup, generate, user create, settings.
#include "server/app/application.hpp"
#include "server/app/mailer.hpp"
#include "server/app/members.hpp"
#include "server/app/notifications.hpp"
#include "server/app/search_service.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/access_log.hpp"
#include "server/http/server.hpp"
#include "server/store/idea_store.hpp"
#include "server/store/insight_store.hpp"
#include "server/store/migrations.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"
#include "server/tools/generate.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

using namespace peerdesk;

constexpr char const* usage = R"(usage:
  peerdesk serve [--port 8080] [--address 127.0.0.1] [--data ./data] [--threads N]
                 [--tls-cert F --tls-key F [--http-redirect-port P]] [--rate-limits on|off]
                 [--read-timeout 15] [--idle-timeout 60] [--max-connections 1024]
                 [--max-connections-per-address 128] [--search-cache 4096]
                 [--public-url URL] [--smtp-url smtp://host:port | smtps://host:port]
                 [--smtp-password-file F] [--mail-from "Name <address>"] [--smtp-ca-file F]
                 [--smtp-retry-seconds 30] [--mail-fold-seconds 900]
                 [--digest-daily-seconds 86400] [--digest-weekly-seconds 604800]
  peerdesk migrate [--data ./data]
  peerdesk schema                      (prints the schema the migrations make: schema/CURRENT.sql)
  peerdesk recount [--data ./data]
  peerdesk reindex [--data ./data]     (rebuilds the search index; a running server keeps serving)
  peerdesk backup FILE [--data ./data]   (an online, consistent copy while the server serves;
                                          uploaded images go to FILE-uploads/)
  peerdesk generate --posts N [--seed S] [--data ./data]   (a synthetic community, for benchmarks)
  peerdesk user create NAME --email E --password-file F [--role member|moderator|admin] [--data ./data]
  peerdesk settings set KEY VALUE [--data ./data]     (keys: privilege.upvote, privilege.comment,
                                      privilege.downvote, privilege.edit, post.max_characters,
                                      search.quality_boost, ideas.vote_budget, spam.*, flags.*,
                                      rate.*, uploads.*, site.og_image: see README)
Every option also reads the environment variable PEERDESK_<OPTION> (PEERDESK_PORT, PEERDESK_DATA, …).
)";

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Options given as --name value; the environment fills in what the command line leaves out.
class options {
public:
    options(std::vector<std::string> args, std::vector<std::string> const& allowed)
    {
        for (std::size_t i = 0; i < args.size(); ++i) {
            auto const& a = args[i];
            if (!a.starts_with("--")) {
                positional_.push_back(a);
                continue;
            }
            auto name = a.substr(2);
            std::string value;
            if (auto const eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            } else {
                if (i + 1 >= args.size()) throw usage_error("--" + name + " needs a value");
                value = args[++i];
            }
            if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
                throw usage_error("unknown option --" + name);
            values_[name] = value;
        }
        for (auto const& name : allowed) {
            if (values_.contains(name)) continue;
            std::string env = "PEERDESK_";
            for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (char const* v = std::getenv(env.c_str())) values_[name] = v;
        }
    }
    std::string get(std::string const& name, std::string const& fallback) const
    {
        auto const it = values_.find(name);
        return it == values_.end() ? fallback : it->second;
    }
    std::optional<std::string> find(std::string const& name) const
    {
        auto const it = values_.find(name);
        if (it == values_.end()) return std::nullopt;
        return it->second;
    }
    int number(std::string const& name, int fallback, int min, int max) const
    {
        auto const text = find(name);
        if (!text) return fallback;
        try {
            std::size_t used = 0;
            int const v = std::stoi(*text, &used);
            if (used != text->size() || v < min || v > max) throw std::out_of_range(name);
            return v;
        } catch (std::exception const&) {
            throw usage_error("--" + name + " takes a whole number from " + std::to_string(min) + " to " +
                              std::to_string(max) + ", not " + *text);
        }
    }
    std::vector<std::string> const& positional() const { return positional_; }

private:
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

std::string database_path(options const& o)
{
    auto const dir = o.get("data", "./data");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create the data directory " + dir + ": " + ec.message());
    return (std::filesystem::path(dir) / "peerdesk.db").string();
}

std::filesystem::path search_root(options const& o)
{
    return std::filesystem::path(o.get("data", "./data")) / "search";
}

std::filesystem::path uploads_root(options const& o)
{
    return std::filesystem::path(o.get("data", "./data")) / "uploads";
}

int migrate_database(store::database& db)
{
    int const applied = db.write_alone([](store::connection& c) { return store::migrate(c); });
    // The insights' aggregates are kept by every write from now on; a community from before
    // them gets them built once, here (36 s of CPU for a million posts), before anything is served.
    db.write_alone([](store::connection& c) {
        store::insight_store insights(c);
        if (!insights.built()) insights.rebuild();
        return 0;
    });
    return applied;
}

void refuse_positional(options const& o)
{
    if (!o.positional().empty()) throw usage_error("unexpected argument " + o.positional().front());
}

// Each connection is a descriptor, and the database, index and log need some more: lift the
// soft limit toward the hard one so the connection cap, not EMFILE, is what refuses clients.
void raise_file_limit(std::size_t connections)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    rlim_t const wanted = std::min<rlim_t>(limit.rlim_max, static_cast<rlim_t>(connections) + 256);
    if (wanted > limit.rlim_cur) {
        limit.rlim_cur = wanted;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur < connections + 64)
        std::cerr << "warning: the open-file limit (" << limit.rlim_cur << ") is below --max-connections ("
                  << connections << ") plus what the server needs; raise it with ulimit -n\n";
}

// "https://support.example.com/" → "https://support.example.com"; a usage error for anything
// that cannot begin a link in a mail.
std::string public_url_option(std::string const& url)
{
    auto const scheme_end = url.find("://");
    bool ok = (url.starts_with("http://") || url.starts_with("https://")) && url.size() < 500 &&
              scheme_end + 3 < url.size() && url[scheme_end + 3] != '/';
    for (char c : url) {
        auto const u = static_cast<unsigned char>(c);
        ok = ok && u > 0x20 && u < 0x7f && c != '?' && c != '#' && c != '<' && c != '>' && c != '"' && c != '\\';
    }
    if (!ok)
        throw usage_error("--public-url is the address members reach the site at, like https://support.example.com");
    auto out = url;
    while (out.ends_with('/')) out.pop_back();
    return out;
}

std::string host_of(std::string const& url)
{
    auto const start = url.find("://") + 3;
    auto const end = url.find_first_of(":/", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string first_line_of(std::string const& file, std::string const& option)
{
    std::ifstream in(file);
    if (!in) throw usage_error("cannot read the " + option + " " + file);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// Mail as the options set it up: the settings pages and actions see, and the relay for the
// sender (nothing when no --smtp-url is given: then no mail is queued or sent).
std::optional<mail::relay_config> mail_options(options const& o, app::mail_options& out)
{
    if (auto const url = o.find("public-url")) out.public_url = public_url_option(*url);
    auto const smtp = o.find("smtp-url");
    if (!smtp) {
        for (auto const* name : {"smtp-password-file", "smtp-ca-file", "smtp-retry-seconds", "mail-fold-seconds",
                                 "digest-daily-seconds", "digest-weekly-seconds"})
            if (o.find(name)) throw usage_error(std::string("--") + name + " needs --smtp-url");
        return std::nullopt;
    }
    if (out.public_url.empty()) throw usage_error("--smtp-url needs --public-url: the links in mail lead there");
    auto const from_text = o.find("mail-from");
    if (!from_text) throw usage_error("--smtp-url needs --mail-from \"Name <address>\"");
    auto from = mail::parse_mailbox(*from_text);
    if (!from) throw usage_error("--mail-from is \"Name <address>\" with a plain address like support@example.com");
    auto parsed = mail::parse_relay_url(*smtp, host_of(out.public_url));
    if (auto const* why = std::get_if<std::string>(&parsed)) throw usage_error(*why);
    auto relay = std::get<mail::relay_config>(std::move(parsed));
    if (auto const file = o.find("smtp-password-file")) {
        if (relay.username.empty())
            throw usage_error("--smtp-password-file needs a user in --smtp-url (smtp://user@host:port)");
        relay.password = first_line_of(*file, "--smtp-password-file");
    } else if (!relay.username.empty()) {
        throw usage_error("--smtp-url names a user: give the password in --smtp-password-file");
    }
    if (auto const ca = o.find("smtp-ca-file")) {
        if (!std::ifstream(*ca)) throw usage_error("cannot read the --smtp-ca-file " + *ca);
        relay.ca_file = *ca;
    }
    out.enabled = true;
    out.from = *from;
    return relay;
}

int command_serve(options const& o)
{
    refuse_positional(o);
    http::server_config config;
    config.address = o.get("address", "127.0.0.1");
    config.port = static_cast<std::uint16_t>(o.number("port", 8080, 0, 65535));
    config.threads = o.number("threads", static_cast<int>(std::max(2u, std::thread::hardware_concurrency())), 1, 256);
    config.tls_certificate_file = o.get("tls-cert", "");
    config.tls_key_file = o.get("tls-key", "");
    if (config.tls_certificate_file.empty() != config.tls_key_file.empty())
        throw usage_error("--tls-cert and --tls-key go together");
    bool const tls = !config.tls_certificate_file.empty();
    config.read_timeout = std::chrono::seconds(o.number("read-timeout", 15, 1, 3600));
    config.idle_timeout = std::chrono::seconds(o.number("idle-timeout", 60, 1, 3600));
    config.max_connections = static_cast<std::size_t>(o.number("max-connections", 1024, 1, 1000000));
    config.max_connections_per_address =
        static_cast<std::size_t>(o.number("max-connections-per-address", 128, 1, 1000000));
    config.redirect_port = static_cast<std::uint16_t>(o.number("http-redirect-port", 0, 0, 65535));
    if (config.redirect_port && !tls) throw usage_error("--http-redirect-port needs --tls-cert and --tls-key");
    raise_file_limit(config.max_connections);
    config.write_thread_start = [] { store::database::set_thread_reader_cache(4 * 1024); };
    // The page caches of two reading threads (32 MiB each), the writer (32 MiB) and sixteen
    // write threads (4 MiB each) could hold 160 MiB together; the server keeps them to a pool
    // of 40 MiB, and SQLite's other memory to about 16 MiB, within its goal of 150 MB under load
    // with the rendered-page cache (48 MB).
    store::database::configure_memory(40 << 20, 16 << 20);
    auto const rate_limits = o.get("rate-limits", "on");
    if (rate_limits != "on" && rate_limits != "off") throw usage_error("--rate-limits is on or off");

    app::settings settings;
    auto const relay = mail_options(o, settings.mail);
    auto const first_retry = o.number("smtp-retry-seconds", 30, 1, 3600);

    store::database db(database_path(o));
    migrate_database(db);
    settings.secure_cookies = tls;
    settings.uploads.directory = uploads_root(o).string();
    if (auto const problems = db.write([&](store::connection& c) { return app::load_settings(c, settings); });
        !problems.empty())
        std::cerr << "warning: " << problems;
    // An image upload may be larger than other requests: its limit and a little for the form.
    config.large_body_limit = settings.uploads.limits.max_bytes + (64 << 10);
    config.takes_large_body = [](std::string_view method, std::string_view target) {
        return method == "POST" && (target == "/api/v1/uploads" || target == "/uploads");
    };
    app::search_service search(db, search_root(o),
                               static_cast<std::size_t>(o.number("search-cache", 4096, 0, 1000000)));
    // Keeps each question's related questions in the database, off the request path; stopped
    // with the search service.
    app::related_options relating;
    relating.quality_boost = settings.search_quality_boost;
    search.start_related(relating);
    app::rate_limiter limiter(rate_limits == "on");
    app::application application(db, settings, &search, &limiter);
    // Declared after the database, so that it stops before the database closes.
    std::unique_ptr<app::mail_sender> sender;
    if (relay) {
        app::sender_options sending;
        sending.first_retry = std::chrono::seconds(first_retry);
        sender = std::make_unique<app::mail_sender>(db, *relay, sending);
        std::cout << "mail: sending through " << relay->shown << " as " << settings.mail.from.address << std::endl;
    }

    // Tells followers and sends notification mail and digests; stopped before the database closes.
    app::notification_worker_options notifying;
    notifying.fold_window = std::chrono::seconds(o.number("mail-fold-seconds", 900, 1, 86400));
    notifying.daily = std::chrono::seconds(o.number("digest-daily-seconds", 86400, 1, 30 * 86400));
    notifying.weekly = std::chrono::seconds(o.number("digest-weekly-seconds", 7 * 86400, 1, 90 * 86400));
    auto notifier = std::make_unique<app::notification_worker>(db, settings.mail, notifying);
    // Keeps members' figures and awards badges; stopped before the database closes.
    auto members = std::make_unique<app::member_worker>(db);

    http::buffered_log access_log(stdout);
    auto const log = [&](http::access_record const& r) {
        // Reused on each I/O thread: a request's line costs no allocation, and the time is
        // formatted once a second rather than once a request.
        thread_local std::int64_t second = -1;
        thread_local std::string time, line;
        if (auto const now = domain::now(); now != second) {
            time = domain::rfc3339(now);
            second = now;
        }
        line.clear();
        http::append_access_line(line, r, time);
        access_log.add(line);
    };
    http::serve(
        config, [&](http::request& req) { return application.handle(req); }, log,
        [&](std::uint16_t port) {
            std::cout << "peerdesk listening on " << (tls ? "https://" : "http://") << config.address << ":" << port
                      << std::endl;
        });
    members.reset();
    notifier.reset();
    sender.reset();  // cancels a delivery in flight; the message stays queued
    access_log.flush();
    std::cout << "peerdesk stopped" << std::endl;
    return 0;
}

int command_migrate(options const& o)
{
    refuse_positional(o);
    store::database db(database_path(o));
    int const applied = migrate_database(db);
    std::cout << "applied " << applied << " migration(s); schema version " << store::latest_schema_version() << "\n";
    return 0;
}

int command_schema(options const& o)
{
    refuse_positional(o);
    std::cout << store::current_schema();
    return 0;
}

int command_recount(options const& o)
{
    refuse_positional(o);
    store::database db(database_path(o));
    migrate_database(db);
    int const changed =
        db.write([](store::connection& c) { return store::user_store(c).recount(domain::reputation_rules{}.start); });
    std::cout << "recounted reputation; " << changed << " total(s) corrected\n";
    int const counts = db.write([](store::connection& c) { return store::post_store(c).recount(); });
    std::cout << "recounted questions per tag and in all; " << counts << " count(s) corrected\n";
    auto const members = app::recount_members(db);
    std::cout << "recounted the figures and badges of " << members << " member(s) and the leaderboard\n";
    auto const insights = db.write([](store::connection& c) { return store::insight_store(c).rebuild(); });
    std::cout << "rebuilt the insights' counts; " << insights << " row(s) corrected\n";
    int const ideas = db.write([](store::connection& c) { return store::idea_store(c).recount(); });
    std::cout << "recounted idea votes, demand and the board; " << ideas << " count(s) corrected\n";
    return 0;
}

// A line that rewrites itself on a terminal: done/total, rate, time left.
class progress_bar {
public:
    void operator()(search::rebuild_progress const& p)
    {
        auto const now = std::chrono::steady_clock::now();
        bool const finished = p.done >= p.total;
        if (!finished && now - last_ < std::chrono::milliseconds(tty_ ? 200 : 5000)) return;
        last_ = now;
        auto const seconds = std::chrono::duration<double>(p.elapsed).count();
        auto const rate = seconds > 0 ? static_cast<double>(p.done) / seconds : 0.0;
        auto const left = rate > 0 ? static_cast<long>(static_cast<double>(p.total - p.done) / rate) : 0;
        int const width = 30;
        int const filled =
            p.total > 0 ? static_cast<int>(width * std::min<std::int64_t>(p.done, p.total) / p.total) : width;
        char line[200];
        std::snprintf(line, sizeof line, "[%s%s] %lld/%lld posts  %.0f posts/s  %ld:%02ld left",
                      std::string(static_cast<std::size_t>(filled), '#').c_str(),
                      std::string(static_cast<std::size_t>(width - filled), '-').c_str(),
                      static_cast<long long>(p.done), static_cast<long long>(p.total), rate, left / 60, left % 60);
        std::cerr << (tty_ ? "\r" : "") << line << (tty_ ? "" : "\n") << std::flush;
        shown_ = true;
    }
    ~progress_bar()
    {
        if (tty_ && shown_) std::cerr << "\n";
    }

private:
    bool tty_ = ::isatty(2) != 0;
    bool shown_ = false;
    std::chrono::steady_clock::time_point last_{};
};

int command_reindex(options const& o)
{
    refuse_positional(o);
    store::database db(database_path(o));
    migrate_database(db);
    auto const root = search_root(o);
    std::filesystem::create_directories(root);
    auto const old = search::current_dir(root);
    app::database_source source(db);
    auto const started = std::chrono::steady_clock::now();
    std::string name;
    {
        progress_bar bar;
        name = search::rebuild(root, source, [&](search::rebuild_progress const& p) { bar(p); });
    }
    auto const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    bool const server_running = old && search::is_locked(root / *old);
    if (server_running) {
        std::cout << "reindexed into " << name << " in " << seconds
                  << " s; the running server switches to it within a second\n";
    } else {
        // No server to take the new index up: the outbox hold ends here, the old index goes.
        search::settle_rebuild(root, source);
        if (old && *old != name) std::filesystem::remove_all(root / *old);
        std::cout << "reindexed into " << name << " in " << seconds << " s\n";
    }
    return 0;
}

struct copied {
    std::int64_t files = 0;
    std::int64_t bytes = 0;
};

// Copies the uploaded images' folder (content-addressed, never changed in place) to dest;
// files still being written (".part-…") are left out.
copied copy_uploads(std::filesystem::path const& from, std::filesystem::path const& dest)
{
    namespace fs = std::filesystem;
    copied done;
    fs::create_directories(dest);
    if (!fs::exists(from)) return done;
    for (auto const& entry : fs::recursive_directory_iterator(from)) {
        if (!entry.is_regular_file() || entry.path().filename().string().find(".part-") != std::string::npos) continue;
        auto const target = dest / fs::relative(entry.path(), from);
        fs::create_directories(target.parent_path());
        fs::copy_file(entry.path(), target, fs::copy_options::skip_existing);
        done.files += 1;
        done.bytes += static_cast<std::int64_t>(entry.file_size());
    }
    return done;
}

// An online, consistent copy of the database while the server keeps serving.
int command_backup(options const& o)
{
    auto const& p = o.positional();
    if (p.size() != 2) throw usage_error("backup FILE");
    auto const& file = p[1];
    if (std::filesystem::exists(file)) throw std::runtime_error(file + " exists already; choose a new file name");
    if (std::filesystem::exists(file + "-uploads"))
        throw std::runtime_error(file + "-uploads exists already; choose a new file name");
    auto const source = database_path(o);
    if (!std::filesystem::exists(source)) throw std::runtime_error("there is no database at " + source);
    auto const started = std::chrono::steady_clock::now();
    auto const r = store::backup(source, file);
    // Uploaded images after the database: every file its rows name was written before its row,
    // so the copy holds them all. Files never change, so a copy of each is the whole of it.
    auto const images = copy_uploads(uploads_root(o), file + "-uploads");
    auto const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "backed up " << r.pages << " pages (" << r.bytes / 1024 << " KiB) to " << file << " and "
              << images.files << " uploaded images (" << images.bytes / 1024 << " KiB) to " << file << "-uploads in "
              << seconds
              << " s\nto restore: stop the server, copy it to DATA/peerdesk.db (removing peerdesk.db-wal and -shm) "
                 "and the images folder to DATA/uploads, then run peerdesk reindex\n";
    return 0;
}

// Benchmarks and demos: a realistic community, deterministic from the seed.
int command_generate(options const& o)
{
    refuse_positional(o);
    tools::generate_options g;
    g.posts = o.number("posts", 10000, 1, 10'000'000);
    g.seed = static_cast<std::uint64_t>(o.number("seed", 1, 0, 1'000'000'000));
    store::database db(database_path(o));
    migrate_database(db);
    auto const started = std::chrono::steady_clock::now();
    progress_bar bar;
    auto const r = tools::generate(db, g, [&](std::int64_t done, std::int64_t total) {
        bar({done, total, std::chrono::steady_clock::now() - started});
    });
    auto const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "generated " << r.questions << " questions, " << r.answers << " answers, " << r.comments
              << " comments, " << r.votes << " votes, " << r.accepted << " accepted answers by " << r.users
              << " users in " << seconds << " s ("
              << static_cast<long>((r.questions + r.answers) / std::max(seconds, 1e-9)) << " posts/s)\n";
    // Members' figures and badges now, so that a server started on the community (a benchmark)
    // does not spend its first minutes catching up with them in the background.
    auto const counted_from = std::chrono::steady_clock::now();
    // Each member once (the generation queued a row per post and vote).
    app::recount_members(db);
    std::cout << "counted members' figures and badges in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - counted_from).count() << " s\n";
    return 0;
}

int command_user(options const& o)
{
    auto const& p = o.positional();
    if (p.size() != 3 || p[1] != "create") throw usage_error("user create NAME --email E --password-file F");
    auto const& name = p[2];
    auto const email = o.find("email");
    auto const file = o.find("password-file");
    if (!email || !file) throw usage_error("user create needs --email and --password-file");
    auto const role = o.get("role", "member");
    if (role != "member" && role != "moderator" && role != "admin")
        throw usage_error("--role is member, moderator or admin");
    std::ifstream in(*file);
    if (!in) throw std::runtime_error("cannot read the password file " + *file);
    std::string password;
    std::getline(in, password);
    if (auto e = domain::check_username(name)) throw std::runtime_error(e->message);
    if (auto e = domain::check_email(*email)) throw std::runtime_error(e->message);
    if (auto e = domain::check_password(password, name)) throw std::runtime_error(e->message);
    store::database db(database_path(o));
    migrate_database(db);
    auto const hash = domain::hash_password(password);
    auto const result = db.write(
        [&](store::connection& c) { return store::user_store(c).create(name, *email, hash, role, domain::now()); });
    if (result.outcome == store::create_user_outcome::username_taken)
        throw std::runtime_error("the username " + name + " is taken");
    if (result.outcome == store::create_user_outcome::email_taken)
        throw std::runtime_error("an account with the email " + *email + " exists already");
    std::cout << "created " << role << " " << name << " (id " << result.id << ")\n";
    return 0;
}

int command_settings(options const& o)
{
    auto const& p = o.positional();
    if (p.size() != 4 || p[1] != "set") throw usage_error("settings set KEY VALUE");
    auto const& key = p[2];
    // The same rules and words as the settings page (app::check_setting).
    if (auto const e = app::check_setting(key, p[3])) {
        if (e->problem == app::setting_problem::unknown_key) throw usage_error(e->message);
        throw std::runtime_error(e->message);
    }
    store::database db(database_path(o));
    migrate_database(db);
    db.write([&](store::connection& c) { store::user_store(c).set_setting(key, p[3]); });
    std::cout << "set " << key << " = " << p[3]
              << " (a running server takes it up when it starts; /admin/settings changes it at once)\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    // glibc hands freed memory back to the kernel eagerly; under a steady load that is a brk
    // and a TLB flush again and again. Keeping some at the top of the heap avoids the churn.
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << usage;
        return args.empty() ? 2 : 0;
    }
    auto const command = args[0];
    try {
        if (command == "serve")
            return command_serve(options({args.begin() + 1, args.end()}, {"port",
                                                                          "address",
                                                                          "data",
                                                                          "threads",
                                                                          "rate-limits",
                                                                          "read-timeout",
                                                                          "idle-timeout",
                                                                          "tls-cert",
                                                                          "tls-key",
                                                                          "max-connections",
                                                                          "max-connections-per-address",
                                                                          "http-redirect-port",
                                                                          "search-cache",
                                                                          "public-url",
                                                                          "smtp-url",
                                                                          "smtp-password-file",
                                                                          "mail-from",
                                                                          "smtp-ca-file",
                                                                          "smtp-retry-seconds",
                                                                          "mail-fold-seconds",
                                                                          "digest-daily-seconds",
                                                                          "digest-weekly-seconds"}));
        if (command == "migrate") return command_migrate(options({args.begin() + 1, args.end()}, {"data"}));
        if (command == "schema") return command_schema(options({args.begin() + 1, args.end()}, {}));
        if (command == "recount") return command_recount(options({args.begin() + 1, args.end()}, {"data"}));
        if (command == "reindex") return command_reindex(options({args.begin() + 1, args.end()}, {"data"}));
        if (command == "backup") return command_backup(options(args, {"data"}));
        if (command == "generate")
            return command_generate(options({args.begin() + 1, args.end()}, {"data", "posts", "seed"}));
        if (command == "user") return command_user(options(args, {"data", "email", "password-file", "role"}));
        if (command == "settings") return command_settings(options(args, {"data"}));
        std::cerr << "peerdesk: unknown command " << command << "\n" << usage;
        return 2;
    } catch (usage_error const& e) {
        std::cerr << "peerdesk: " << e.what() << "\n" << usage;
        return 2;
    } catch (std::exception const& e) {
        std::cerr << "peerdesk: " << e.what() << "\n";
        return 1;
    }
}
