// Atom feeds (RFC 4287): the newest questions, a tag's, a thread's answers and a member's posts,
// linked from the head of the matching page. Public posts only; answered with an ETag and
// Last-Modified, so that a reader asking again gets 304 when nothing changed.
#include "server/app/frame.hpp"
#include "server/app/reach.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/render/safe_html.hpp"
#include "server/store/feed_store.hpp"
#include "server/store/idea_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"

#include <algorithm>
#include <ctime>

namespace peerdesk::app {

using http::response;

namespace {

constexpr std::int64_t feed_size = 30;

// Text for XML: escaped as for HTML, and the control characters XML 1.0 does not allow dropped
// (a stored body never has them, but a title is checked only for Unicode).
std::string xml(std::string_view text)
{
    std::string allowed;
    allowed.reserve(text.size());
    for (char ch : text) {
        auto const u = static_cast<unsigned char>(ch);
        if (u >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r') allowed += ch;
    }
    return render::escape_html(allowed);
}

std::optional<std::int64_t> parse_http_date(std::string_view text)
{
    std::tm tm{};
    std::string const s(text.substr(0, 64));
    if (!strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return std::nullopt;
    return static_cast<std::int64_t>(timegm(&tm));
}

response atom(call& c, std::string const& self, std::string const& alternate, std::string const& title,
              std::vector<store::feed_entry> const& entries)
{
    auto const base = site_base(c);
    std::int64_t updated = 0;
    for (auto const& e : entries) updated = std::max(updated, e.updated_at);
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
    out += "  <title>" + xml(title) + "</title>\n";
    out += "  <id>" + xml(base + self) + "</id>\n";
    out += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" + xml(base + self) + "\"/>\n";
    out += "  <link rel=\"alternate\" type=\"text/html\" href=\"" + xml(base + alternate) + "\"/>\n";
    out += "  <updated>" + domain::rfc3339(updated) + "</updated>\n";
    out += "  <generator>peerdesk</generator>\n";
    for (auto const& e : entries) {
        auto const link = base + (!e.link.empty()    ? e.link
                                  : e.kind == "idea" ? urls::idea(e.id)
                                                     : urls::post(e.question_id, e.id));
        out += "  <entry>\n";
        out += "    <title>" + xml(e.kind == "answer" ? "Answer to: " + e.title : e.title) + "</title>\n";
        out += "    <id>" + xml(link) + "</id>\n";
        out += "    <link rel=\"alternate\" type=\"text/html\" href=\"" + xml(link) + "\"/>\n";
        out += "    <published>" + domain::rfc3339(e.created_at) + "</published>\n";
        out += "    <updated>" + domain::rfc3339(e.updated_at) + "</updated>\n";
        out += "    <author><name>" + xml(e.author) + "</name></author>\n";
        out += "    <content type=\"html\">" + xml(e.body_html) + "</content>\n";
        out += "  </entry>\n";
    }
    out += "</feed>\n";
    // The same ETag the page cache gives (it may answer the next request from its copy).
    auto const etag = "\"" + domain::hex(domain::sha256(out)).substr(0, 20) + "\"";
    response r;
    r.set("Content-Type", "application/atom+xml; charset=utf-8");
    r.set("Cache-Control", "no-cache");
    r.set("ETag", etag);
    r.set("Last-Modified", http_date(updated));
    bool unchanged = false;
    if (auto const match = c.req.header("if-none-match"))
        unchanged = *match == etag || *match == etag.substr(0, etag.size() - 1) + "-gz\"";
    else if (auto const since = c.req.header("if-modified-since"))
        if (auto const t = parse_http_date(*since); t && updated <= *t) unchanged = true;
    if (unchanged) {
        r.status = 304;
        return r;
    }
    r.status = 200;
    r.body = std::move(out);
    return r;
}

// "{name}.atom" → name; nothing for anything else.
std::optional<std::string> stem(std::string_view file)
{
    if (!file.ends_with(".atom") || file.size() <= 5) return std::nullopt;
    return std::string(file.substr(0, file.size() - 5));
}

response not_found_feed()
{
    return text_response(404, "text/plain; charset=utf-8", "There is no such feed.\n");
}

response questions_feed(call& c)
{
    return atom(c, "/feeds/questions.atom", urls::questions(), "Newest questions",
                store::feed_store(c.ctx.db.reader()).questions(std::nullopt, feed_size));
}

response tag_feed(call& c)
{
    auto const name = stem(c.match["file"]);
    if (!name) return not_found_feed();
    auto const tag = domain::normalize_tag(*name);
    if (!store::post_store(c.ctx.db.reader()).find_tag(tag)) return not_found_feed();
    return atom(c, "/feeds/tags/" + http::percent_encode(tag) + ".atom", urls::tag(tag), "Questions tagged " + tag,
                store::feed_store(c.ctx.db.reader()).questions(tag, feed_size));
}

response thread_feed(call& c)
{
    auto const name = stem(c.match["file"]);
    auto const id = name ? parse_id(*name) : std::nullopt;
    if (!id) return not_found_feed();
    auto const question = store::post_store(c.ctx.db.reader()).find_post(*id);
    if (!question || question->kind != domain::post_kind::question) return not_found_feed();
    return atom(c, "/feeds/questions/" + std::to_string(*id) + ".atom", urls::question(*id), question->title,
                store::feed_store(c.ctx.db.reader()).thread(*id, feed_size));
}

response user_feed(call& c)
{
    auto const name = stem(c.match["file"]);
    auto const id = name ? parse_id(*name) : std::nullopt;
    if (!id) return not_found_feed();
    auto const user = store::user_store(c.ctx.db.reader()).find(*id);
    if (!user) return not_found_feed();
    return atom(c, "/feeds/users/" + std::to_string(*id) + ".atom", urls::user(*id), "Posts by " + user->username,
                store::feed_store(c.ctx.db.reader()).by_author(*id, feed_size));
}

// Every status change of a public idea, newest first: what the roadmap page shows as it moves.
response ideas_feed(call& c)
{
    std::vector<store::feed_entry> entries;
    for (auto const& ch : store::idea_store(c.ctx.db.reader()).recent_changes(feed_size)) {
        store::feed_entry e;
        e.id = ch.idea_id;
        e.kind = "idea_status";
        e.question_id = ch.idea_id;
        auto status = std::string(store::to_sql(ch.status));
        std::replace(status.begin(), status.end(), '_', ' ');
        e.title = ch.title + " \u2014 " + status;
        e.author = ch.actor;
        e.body_html = ch.response_html;
        e.created_at = e.updated_at = ch.created_at;
        e.link = urls::idea(ch.idea_id) + "#status-" + std::to_string(ch.history_id);
        entries.push_back(std::move(e));
    }
    return atom(c, "/feeds/ideas.atom", urls::roadmap(), "Idea status changes", entries);
}

}  // namespace

void add_feed_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/feeds/questions.atom", questions_feed);
    r.add(method::get, "/feeds/tags/{file}", tag_feed);
    r.add(method::get, "/feeds/questions/{file}", thread_feed);
    r.add(method::get, "/feeds/users/{file}", user_feed);
    r.add(method::get, "/feeds/ideas.atom", ideas_feed);
}

}  // namespace peerdesk::app
