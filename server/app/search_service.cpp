#include "server/app/search_service.hpp"

#include "server/app/background.hpp"
#include "server/app/rate_limits.hpp"
#include "server/app/timing.hpp"
#include "server/app/urls.hpp"
#include "server/domain/insights.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/render/plain_text.hpp"
#include "server/store/related_store.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <unordered_map>

namespace peerdesk::app {
namespace {

// The search log is written as counts per query and day, summed in memory between writes.
// Written each second it cost four statements a search and a commit a second whose pages are
// scattered over the log's indexes (and the checkpoints that follow), all on the one writer the
// posts wait for; summed, a query searched again within the interval costs nothing more.
// Read-your-writes for admins: the pages that show the log write it first (flush_log). A crash
// loses at most this much of it.
constexpr auto log_interval = std::chrono::seconds(10);
constexpr std::size_t max_log_backlog = 10000;  // distinct queries held before a write

void to_text(search::post_document& d)
{
    d.body = render::plain_text(d.body);
    d.comments = render::plain_text(d.comments);
    d.thread_text = render::plain_text(d.thread_text);
}

char const* source_name(query_source s)
{
    switch (s) {
        case query_source::site:
            return "site";
        case query_source::api:
            return "api";
        case query_source::widget:
            return "widget";
    }
    return "site";
}

failure unavailable(std::string message)
{
    // The index is being rebuilt or repaired, or the disk is failing: worth trying again soon.
    return {failure_kind::unavailable, "search_unavailable", std::move(message), "", 5};
}

}  // namespace

// ---- the database as the indexer's source ----

std::vector<search::source::change> database_source::changes_after(std::int64_t seq, std::size_t limit)
{
    auto rows = store::search_store(db_.reader()).changes_after(seq, limit);
    std::vector<change> out;
    out.reserve(rows.size());
    for (auto& r : rows) {
        to_text(r.doc);
        if (on_question_ && r.doc.is_question && !r.doc.is_idea) on_question_(r.doc.id, r.seq);
        out.push_back({r.seq, std::move(r.doc)});
    }
    return out;
}

bool database_source::forget_applied(std::int64_t seq, std::size_t limit)
{
    return db_.write([&](store::connection& c) { return store::search_store(c).forget_applied(seq, limit); },
                     store::database::seen::no);
}

std::vector<std::int64_t> database_source::rebuild_order()
{
    return store::search_store(db_.reader()).rebuild_order();
}

std::vector<search::post_document> database_source::documents(std::vector<std::int64_t> const& ids)
{
    auto docs = store::search_store(db_.reader()).documents(ids);
    for (auto& d : docs) to_text(d);
    return docs;
}

std::int64_t database_source::post_count()
{
    return store::search_store(db_.reader()).post_count();
}

std::int64_t database_source::begin_rebuild(std::string const& dir)
{
    return db_.write([&](store::connection& c) { return store::search_store(c).begin_rebuild(dir); },
                     store::database::seen::no);
}

std::optional<std::string> database_source::rebuild_dir()
{
    return store::search_store(db_.reader()).rebuild_dir();
}

void database_source::end_rebuild()
{
    db_.write([&](store::connection& c) { store::search_store(c).end_rebuild(); }, store::database::seen::no);
}

// ---- the service ----

search_service::search_service(store::database& db, std::filesystem::path root, std::size_t cache_pages)
    : db_(db), source_(db), readers_(root, cache_pages)
{
    std::filesystem::create_directories(root);
    // No index, or CURRENT names one that is gone: build it before serving. (A damaged index
    // is reported by /healthz instead; `peerdesk reindex` replaces it while serving.)
    if (auto const dir = search::current_dir(root); !dir || !std::filesystem::exists(root / *dir)) {
        if (source_.post_count() > 0) std::cout << "search: building the index from the database" << std::endl;
        search::rebuild(root, source_);
        search::settle_rebuild(root, source_);
    }
    // PEERDESK_SEARCH_GATHER_MS holds changes back longer before a commit: the crash tests use
    // it to kill the server while acknowledged posts are certainly not indexed yet.
    auto gather = std::chrono::milliseconds(50);
    if (char const* v = std::getenv("PEERDESK_SEARCH_GATHER_MS"))
        gather = std::chrono::milliseconds(std::clamp(std::atoi(v), 0, 60'000));
    source_.on_question([this](std::int64_t id, std::int64_t seq) { want_related(id, seq); });
    indexer_ = std::make_unique<search::indexer>(root, source_, readers_, gather);
    live_indexer_.store(indexer_.get(), std::memory_order_release);
    db_.set_after_write([this] { notify(); });
    log_thread_ = std::thread([this] {
        lower_this_thread(10);
        std::unique_lock lock(log_mutex_);
        while (!stop_) {
            log_wake_.wait_for(lock, log_interval, [&] { return stop_ || log_.size() >= max_log_backlog; });
            lock.unlock();
            flush_log();
            lock.lock();
        }
    });
}

search_service::~search_service()
{
    stop_related();
    {
        std::lock_guard lock(log_mutex_);
        stop_ = true;
    }
    log_wake_.notify_all();
    log_thread_.join();
    flush_log();
    live_indexer_.store(nullptr, std::memory_order_release);
    indexer_.reset();
    db_.set_after_write({});
}

void search_service::log(std::string query, std::int64_t hits, query_source source,
                         std::optional<std::int64_t> widget_key)
{
    tally(std::move(query), source_name(source), widget_key.value_or(0), {1, hits == 0 ? 1 : 0, 0, 0});
}

void search_service::log_click(std::int64_t widget_key, std::int64_t, std::string query, bool deflected)
{
    tally(std::move(query), "widget", widget_key, {0, 0, 1, deflected ? 1 : 0});
}

void search_service::tally(std::string query, char const* source, std::int64_t widget_key,
                           store::search_counts const& n)
{
    auto const at = domain::now();
    auto text = domain::normalize_logged_query(query);
    auto key =
        std::to_string(domain::day_of(at)) + '\x1f' + source + '\x1f' + std::to_string(widget_key) + '\x1f' + text;
    bool full = false;
    {
        std::lock_guard lock(log_mutex_);
        auto it = log_.find(key);
        if (it == log_.end()) {
            if (log_.size() >= 2 * max_log_backlog) return;  // the database is stuck; searching goes on
            it = log_.emplace(std::move(key), store::query_tally{at, source, widget_key, std::move(text), {}}).first;
            full = log_.size() >= max_log_backlog;
        }
        auto& t = it->second;
        t.at = std::max(t.at, at);
        t.counts.searches += n.searches;
        t.counts.no_results += n.no_results;
        t.counts.clicks += n.clicks;
        t.counts.deflected += n.deflected;
    }
    if (full) log_wake_.notify_one();
}

void search_service::flush_log()
{
    std::vector<store::query_tally> batch;
    {
        std::lock_guard lock(log_mutex_);
        batch.reserve(log_.size());
        for (auto& [key, t] : log_) batch.push_back(std::move(t));
        log_.clear();
    }
    if (batch.empty()) return;
    try {
        db_.write([&](store::connection& c) { store::search_store(c).log_tallies(batch); }, store::database::seen::no);
    } catch (std::exception const& e) {
        std::cerr << "search: could not write the query log: " << e.what() << "\n";
    }
}

// ---- searching ----

std::variant<search_request, failure> read_search_request(http::fields const& query, query_source source)
{
    search_request r;
    r.source = source;
    if (auto const q = http::find_field(query, "q")) r.q = std::string(*q);
    for (auto const& [name, value] : query)
        if (name == "tag" && !value.empty()) r.tags.push_back(value);
    auto flag = [&](std::string_view name, bool& out) -> std::optional<failure> {
        auto const v = http::find_field(query, name);
        if (!v || v->empty() || *v == "0" || *v == "false") return std::nullopt;
        if (*v == "1" || *v == "true") {
            out = true;
            return std::nullopt;
        }
        return failure{failure_kind::invalid, "invalid_field", std::string(name) + " is true or false.",
                       std::string(name)};
    };
    if (auto f = flag("answered", r.answered)) return *f;
    if (auto f = flag("accepted", r.accepted)) return *f;
    if (auto f = flag("exact", r.exact)) return *f;
    if (auto const s = http::find_field(query, "sort"); s && !s->empty()) {
        auto const* chosen = std::find_if(std::begin(search_sorts), std::end(search_sorts),
                                          [&](search_choice const& c) { return c.key == *s; });
        if (chosen == std::end(search_sorts))
            return failure{failure_kind::invalid, "invalid_field", "sort is one of relevance, newest, votes.", "sort"};
        r.sort = chosen->sort;
    }
    if (auto f = read_number(query, "page", r.page, 100000)) return *f;
    if (auto f = read_number(query, "pagesize", r.pagesize, 100)) return *f;
    return r;
}

outcome<search_results> find(context& ctx, search_request const& request)
{
    if (!ctx.search) return unavailable("Search is not available here.");
    if (!domain::valid_utf8(request.q))
        return failure{failure_kind::malformed, "invalid_encoding", "The search text is not valid UTF-8.", "q"};
    auto parsed = search::parse_query(request.q);
    if (!parsed.error.empty()) return failure{failure_kind::invalid, "invalid_query", parsed.error, "q"};
    for (auto const& t : request.tags) {
        auto const tag = domain::normalize_tag(t);
        if (tag.empty() || tag.size() > 35)
            return failure{failure_kind::invalid, "invalid_field", "The tag " + t.substr(0, 40) + " is not a tag name.",
                           "tag"};
        if (std::find(parsed.filter.tags.begin(), parsed.filter.tags.end(), tag) == parsed.filter.tags.end())
            parsed.filter.tags.push_back(tag);
    }
    parsed.filter.answered = parsed.filter.answered || request.answered;
    parsed.filter.accepted = parsed.filter.accepted || request.accepted;
    auto const offset = (request.page - 1) * request.pagesize;
    if (offset >= max_search_results)
        return failure{
            failure_kind::invalid, "invalid_field",
            "Search results go up to " + std::to_string(max_search_results) + "; add words or filters to narrow them.",
            "page"};

    search::query_request q{parsed.text,
                            parsed.filter,
                            request.sort,
                            static_cast<std::size_t>(offset),
                            static_cast<std::size_t>(request.pagesize),
                            request.exact};
    search::results found;
    try {
        timing::span span("search");
        found = ctx.search->readers().search(q, {ctx.config.search_quality_boost / 100.0});
    } catch (search::unavailable const& e) {
        return unavailable(e.what());
    } catch (search::bad_query const& e) {
        return failure{failure_kind::invalid, "invalid_query", e.what(), "q"};
    }

    std::vector<std::int64_t> ids;
    for (auto const& h : found.hits) ids.push_back(h.post_id);
    search_results out;
    out.total = static_cast<std::int64_t>(found.total);
    out.total_exact = found.exact;
    out.page = request.page;
    out.pagesize = request.pagesize;
    // Posts deleted since they were indexed are not in these rows: they vanish at once.
    std::vector<store::hit_row> rows;
    {
        timing::span span("db");
        rows = store::search_store(ctx.db.reader()).hits(ids, store::search_store::hit_columns::with_text);
    }
    std::string text;
    for (auto& row : rows) {
        found_hit h;
        // The text as it was indexed: the body, then the live comments.
        text = render::plain_text(row.body_html);
        if (!row.comments_html.empty()) text.append("\n").append(render::plain_text(row.comments_html));
        h.snippet = render::snippet_html(search::hit_snippet(text, found.marked));
        // A duplicate's hit leads to its original question, whose id is not the post's.
        h.url = row.is_idea       ? urls::idea(row.question_id)
                : row.is_question ? urls::question(row.question_id)
                                  : urls::post(row.question_id, row.post_id);
        h.row = std::move(row);
        out.hits.push_back(std::move(h));
    }
    if (!found.suggestion.empty()) out.suggestion = search::format_query(found.suggestion, parsed.filter);
    if (!found.corrected.empty()) out.corrected = search::format_query(found.corrected, parsed.filter);
    out.parsed = std::move(parsed);
    out.some_words = found.some_words;
    // Posts with only some of the words do not answer the search: logged as finding nothing,
    // it stays among the searches with no hits and the content gaps that Insights shows.
    ctx.search->log(request.q, found.some_words ? 0 : out.total, request.source, request.widget_key);
    return out;
}

namespace {

outcome<std::vector<std::int64_t>> similar_ids(context& ctx, std::string_view title,
                                               std::optional<std::int64_t> exclude, std::size_t limit, bool partial,
                                               search::post_kind kind = search::post_kind::question,
                                               bool titles_only = false)
{
    if (!ctx.search) return unavailable("Search is not available here.");
    if (!domain::valid_utf8(title))
        return failure{failure_kind::malformed, "invalid_encoding", "The title is not valid UTF-8.", "title"};
    if (title.size() > 1000) title = title.substr(0, 1000);
    std::vector<search::hit> hits;
    try {
        hits = ctx.search->readers().similar(title, exclude, limit, partial, {ctx.config.search_quality_boost / 100.0},
                                             kind, titles_only);
    } catch (search::unavailable const& e) {
        return unavailable(e.what());
    } catch (search::bad_query const&) {
        return std::vector<std::int64_t>{};
    }
    std::vector<std::int64_t> ids;
    for (auto const& h : hits) ids.push_back(h.post_id);
    return ids;
}

constexpr auto related_life = std::chrono::minutes(1);
// None found, or found while the index was behind, may only mean that it has not caught up yet (a new
// question, an import): looked for again soon.
constexpr auto unsettled_related_life = std::chrono::seconds(2);
constexpr std::size_t max_related = 20000;  // entries, each a few hundred bytes

}  // namespace

outcome<std::vector<store::hit_row>> similar_questions(context& ctx, std::string_view title,
                                                       std::optional<std::int64_t> exclude, std::size_t limit,
                                                       bool partial)
{
    auto ids = similar_ids(ctx, title, exclude, limit, partial);
    if (auto const* f = failed(ids)) return *f;
    return store::search_store(ctx.db.reader()).hits(std::get<std::vector<std::int64_t>>(ids));
}

outcome<std::string> read_typed_title(context& ctx, viewer const& who, http::fields const& query)
{
    auto const title = http::find_field(query, "title");
    if (!title)
        return failure{failure_kind::invalid, "invalid_field", "Send the title typed so far as title.", "title"};
    // No real title is longer; a longer text only costs the search more for everyone.
    if (domain::length_in_characters(*title) > ctx.config.limits.title_max)
        return failure{failure_kind::invalid, "invalid_field",
                       "A title is at most " + std::to_string(ctx.config.limits.title_max) +
                           " characters; send the title typed so far.",
                       "title"};
    // Typing sends a request every pause: five times the search allowance.
    auto rule = ctx.config.rates.search_per_address;
    rule.count *= 5;
    if (auto f = check_rate(ctx, who, "similar", rule, rate_scope::address)) return *f;
    return std::string(*title);
}

outcome<std::vector<std::int64_t>> similar_idea_ids(context& ctx, std::string_view title, std::size_t limit)
{
    return similar_ids(ctx, title, std::nullopt, limit, true, search::post_kind::idea);
}

namespace {

// The rows of the first `most` of these posts that still have one (a post deleted or hidden
// since drops out); the ones after are read only when some of the first are gone. Each row is
// a random page of a large table: a column of six need not read eight.
std::vector<store::hit_row> first_rows(context& ctx, std::vector<std::int64_t> const& ids,
                                       store::search_store::hit_columns columns, std::size_t most)
{
    store::search_store hits(ctx.db.reader());
    if (ids.size() <= most) return hits.hits(ids, columns);
    auto rows = hits.hits({ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(most)}, columns);
    if (rows.size() < most)
        for (auto& r : hits.hits({ids.begin() + static_cast<std::ptrdiff_t>(most), ids.end()}, columns)) {
            if (rows.size() == most) break;
            rows.push_back(std::move(r));
        }
    return rows;
}

}  // namespace

outcome<std::vector<store::hit_row>> related_questions(context& ctx, store::post_row const& question,
                                                       store::search_store::hit_columns columns, std::size_t most)
{
    auto const question_id = question.id;
    // Found in the background and kept (search_service::start_related): one read by the id.
    // Rows are read each time: a question deleted or hidden since drops out at once.
    if (auto const kept = store::related_store(ctx.db.reader()).find(question_id);
        kept && kept->text_hash == store::related_text_hash(question.title, question.tags))
        return first_rows(ctx, kept->ids, columns, most);
    if (!ctx.search) return unavailable("Search is not available here.");
    // None kept yet (a question asked a moment ago, a community from before they were kept) or
    // kept for another title or tags: found here as before, and in the background for next time.
    ctx.search->want_related(question_id);
    auto text = question.title;
    for (auto const& t : question.tags) text += " " + t;
    auto key = std::to_string(question_id) + '\n' + text;
    if (auto ids = ctx.search->related(key)) return first_rows(ctx, *ids, columns, most);
    auto ids = similar_ids(ctx, text, question_id, related_limit, false, search::post_kind::question, true);
    if (auto const* f = failed(ids)) return *f;
    auto& found = std::get<std::vector<std::int64_t>>(ids);
    auto const settled =
        store::search_store(ctx.db.reader()).outbox(ctx.search->indexer_status().applied_seq).length == 0;
    ctx.search->keep_related(std::move(key), found, settled);
    return first_rows(ctx, found, columns, most);
}

std::optional<std::vector<std::int64_t>> search_service::related(std::string const& key)
{
    std::lock_guard lock(related_mutex_);
    auto const it = related_.find(key);
    if (it == related_.end()) return std::nullopt;
    auto const life = it->second.ids.empty() || !it->second.settled ? unsettled_related_life : related_life;
    if (std::chrono::steady_clock::now() - it->second.at > life) return std::nullopt;
    return it->second.ids;
}

void search_service::keep_related(std::string key, std::vector<std::int64_t> ids, bool settled)
{
    auto const now = std::chrono::steady_clock::now();
    std::lock_guard lock(related_mutex_);
    if (related_.size() >= max_related) {
        std::erase_if(related_, [&](auto const& e) { return now - e.second.at > related_life; });
        // Still full of fresh entries (a crawl): start again rather than grow.
        if (related_.size() >= max_related) related_.clear();
    }
    related_.insert_or_assign(std::move(key), related_entry{std::move(ids), now, settled});
}

}  // namespace peerdesk::app
