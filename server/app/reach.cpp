// Reach: canonical addresses, permalinks, what a page's head tells search engines and link
// previews, structured data, robots.txt and the sitemap. See reach.hpp for the design.
#include "server/app/reach.hpp"

#include "server/app/frame.hpp"
#include "server/app/page_cache.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/static_files.hpp"
#include "server/app/urls.hpp"
#include "server/domain/time.hpp"
#include "server/render/plain_text.hpp"
#include "server/store/post_store.hpp"
#include "server/store/reach_store.hpp"

#include <boost/json.hpp>

namespace peerdesk::app {

namespace json = boost::json;
using http::response;

namespace {

// Latin-1's letters (U+00C0 to U+00FF, the second byte of "\xC3.") as the ASCII a reader would
// type for them: "Café" reads "cafe", not "caf". Empty: not a letter (× and ÷).
constexpr std::string_view latin1_letters[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e",  "e",  "e", "e", "i", "i", "i", "i", "d",  "n", "o",  "o", "o", "o",
    "o", "",  "o", "u", "u", "u", "u",  "y", "th", "ss", "a", "a", "a", "a", "a", "a", "ae", "c", "e",  "e", "e", "e",
    "i", "i", "i", "i", "d", "n", "o",  "o", "o",  "o",  "o", "",  "o", "u", "u", "u", "u",  "y", "th", "y"};

}  // namespace

std::string slug(std::string_view title)
{
    constexpr std::size_t max = 80;
    std::string out;
    bool gap = false;
    for (std::size_t i = 0; i < title.size(); ++i) {
        auto const ch = static_cast<unsigned char>(title[i]);
        std::string_view piece;
        char lower = 0;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            lower = static_cast<char>(ch);
        } else if (ch >= 'A' && ch <= 'Z') {
            lower = static_cast<char>(ch - 'A' + 'a');
        } else if (ch == 0xC3 && i + 1 < title.size() && (static_cast<unsigned char>(title[i + 1]) & 0xC0) == 0x80) {
            piece = latin1_letters[static_cast<unsigned char>(title[++i]) & 0x3F];
        }
        if (lower) piece = std::string_view(&lower, 1);
        if (piece.empty()) {
            gap = !out.empty();
            continue;
        }
        if (gap) {
            if (out.size() + 1 >= max) break;
            out += '-';
            gap = false;
        }
        if (out.size() + piece.size() > max) {
            // Cut at the last whole word rather than inside one.
            if (auto const dash = out.rfind('-'); dash != std::string::npos) out.resize(dash);
            break;
        }
        out += piece;
    }
    return out.empty() ? std::string("question") : out;
}

std::string question_path(std::int64_t id, std::string_view title, std::int64_t page)
{
    auto path = urls::question(id) + "/" + slug(title);
    if (page > 1) path += "?page=" + std::to_string(page);
    return path;
}

std::string site_base(call const& c)
{
    if (!c.ctx.config.mail.public_url.empty()) return c.ctx.config.mail.public_url;
    std::string host(c.req.header("host").value_or("localhost"));
    // Only a plain host name or address with a port: the value is printed into pages and feeds.
    bool const plain = !host.empty() && host.size() < 256 &&
                       host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:") ==
                           std::string::npos;
    return std::string(c.req.secure ? "https://" : "http://") + (plain ? host : "localhost");
}

std::string description_text(std::string_view html, std::size_t max)
{
    // One space between words, as a description reads (removed markup leaves runs of them).
    auto const collapse = [max](std::string const& text) {
        std::string out;
        out.reserve(std::min(text.size(), max + 8));
        for (char ch : text) {
            if (ch == ' ' && (out.empty() || out.back() == ' ')) continue;
            out += ch;
            if (out.size() > max + 4) break;
        }
        return out;
    };
    // The text is made only as far as the description reaches: the page's head needs 155
    // characters of a question, not its 30 KB (the structured data's four answers made whole
    // were a tenth of an uncached question page's instructions). A cut text that collapsed
    // short of the description (a run of spaces) is made whole instead.
    auto const reach = 2 * max + 64;
    auto text = render::plain_text(html, reach);
    auto out = collapse(text);
    if (out.size() <= max + 4 && text.size() >= reach) out = collapse(render::plain_text(html));
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.size() <= max) return out;
    // Cut at a word, and never inside a UTF-8 sequence.
    auto cut = out.rfind(' ', max);
    if (cut == std::string::npos || cut < max / 2) {
        cut = max;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    }
    out.resize(cut);
    while (!out.empty() && (out.back() == ',' || out.back() == '.' || out.back() == ':' || out.back() == ';'))
        out.pop_back();
    return out + "…";
}

namespace {

json::object person(call const& c, std::string const& name, std::int64_t id)
{
    return json::object{{"@type", "Person"}, {"name", name}, {"url", site_base(c) + urls::user(id)}};
}

}  // namespace

render::safe_html structured_data(call const& c, qa_facts const& facts)
{
    // schema.org's QAPage as search engines read it: a Question with its name, text, answer
    // count, author and date, and its accepted and best suggested answers, each with text,
    // author, date, votes and its own address.
    auto const base = site_base(c);
    auto const page = question_path(facts.id, facts.title);
    json::object question{{"@type", "Question"},
                          {"name", facts.title},
                          {"text", facts.text.empty() ? facts.title : facts.text},
                          {"answerCount", facts.answer_count},
                          {"upvoteCount", facts.score},
                          {"dateCreated", domain::rfc3339(facts.created_at)},
                          {"author", person(c, facts.author, facts.author_id)}};
    if (facts.edited_at) question["dateModified"] = domain::rfc3339(facts.edited_at);
    json::array suggested;
    for (auto const& a : facts.answers) {
        json::object answer{{"@type", "Answer"},
                            {"text", a.text},
                            {"dateCreated", domain::rfc3339(a.created_at)},
                            {"upvoteCount", a.score},
                            {"url", base + page + "#answer-" + std::to_string(a.id)},
                            {"author", person(c, a.author, a.author_id)}};
        if (a.accepted)
            question["acceptedAnswer"] = std::move(answer);
        else
            suggested.push_back(std::move(answer));
    }
    if (!suggested.empty()) question["suggestedAnswer"] = std::move(suggested);
    json::object doc{{"@context", "https://schema.org"}, {"@type", "QAPage"}, {"mainEntity", std::move(question)}};
    return render::json_script_html(json::serialize(doc));
}

namespace {

// Pages no search engine should list: searches, member lists, forms, a member's own pages and
// the staff's. Everything else is indexable unless its handler says it is thin.
bool listed_for_search(call const& c, int status)
{
    if (status != 200) return false;
    auto const& p = c.req.path;
    static constexpr std::string_view private_prefixes[] = {
        "/search", "/signin",    "/signup",     "/signout",  "/questions/ask", "/notifications", "/account", "/review",
        "/audit",  "/admin",     "/moderation", "/password", "/verify",        "/unsubscribe",   "/drafts",  "/widget",
        "/posts/", "/revisions", "/email",      "/me"};
    for (auto const prefix : private_prefixes)
        if (p.starts_with(prefix)) return false;
    // The member list and its sorts; a member's own profile stays listed.
    if (p == "/users" || p == "/users/") return false;
    return true;
}

}  // namespace

std::string first_uploaded_image(std::string_view html)
{
    // The Markdown renderer writes an uploaded image as <img src="/uploads/…" …>, and nothing
    // else on a post starts so: a post's own HTML tags are escaped.
    constexpr std::string_view marker = "<img src=\"/uploads/";
    auto const at = html.find(marker);
    if (at == std::string_view::npos) return {};
    auto const start = at + marker.size() - std::string_view("/uploads/").size();
    auto const end = html.find('"', start);
    if (end == std::string_view::npos || end - start > 100) return {};
    auto const path = html.substr(start, end - start);
    bool const plain = path.find_first_not_of("/abcdefghijklmnopqrstuvwxyz0123456789.") == std::string_view::npos;
    return plain ? std::string(path) : std::string();
}

std::string preview_image(call const& c, page_head const& head)
{
    auto const& chosen = head.image.empty() ? c.ctx.config.site_image : head.image;
    if (chosen.starts_with("https://") || chosen.starts_with("http://")) return chosen;
    auto const& base = c.ctx.config.mail.public_url;
    if (base.empty()) return {};
    return base + (chosen.empty() ? static_url("og-image.png") : chosen);
}

void set_head(call const& c, int status, std::string const& title, page_head const& head, render::view& layout)
{
    auto const description =
        !head.description.empty()
            ? head.description
            : title + " — on peerdesk, where customers answer each other's questions about the product.";
    layout.set("description", description);
    layout.set("og_type", head.og_type.empty() ? std::string("website") : head.og_type);
    if (!head.canonical.empty()) layout.set("canonical", site_base(c) + head.canonical);
    layout.set("noindex", head.noindex || !listed_for_search(c, status));
    if (auto image = preview_image(c, head); !image.empty()) {
        layout.set("og_image", std::move(image));
        // A page's own picture is worth the large card; the site's picture is a logo.
        layout.set("twitter_card", head.image.empty() ? "summary" : "summary_large_image");
    } else {
        layout.set("twitter_card", "summary");
    }
    if (!head.structured.str().empty()) layout.set_html("structured_html", head.structured);
}

namespace {

// The question a post belongs to and the post itself, as this viewer may see them.
struct placed_post {
    store::post_row post;
    store::post_row question;
};

std::optional<placed_post> place(call& c, std::int64_t post_id)
{
    store::post_store posts(c.ctx.db.reader());
    bool const moderator = c.who.is_moderator();
    auto post = moderator ? posts.find_any_post(post_id) : posts.find_post(post_id);
    if (!post || post->state != domain::post_state::live) return std::nullopt;
    if (post->kind != domain::post_kind::question && post->kind != domain::post_kind::answer) return std::nullopt;
    auto const question_id = post->question_id.value_or(post->id);
    auto question =
        question_id == post->id ? post : (moderator ? posts.find_any_post(question_id) : posts.find_post(question_id));
    if (!question || question->state != domain::post_state::live) return std::nullopt;
    return placed_post{std::move(*post), std::move(*question)};
}

}  // namespace

std::int64_t page_of_post(call& c, std::int64_t question_id, std::int64_t post_id)
{
    if (post_id == question_id) return 1;
    auto const at = store::post_store(c.ctx.db.reader())
                        .answer_position(
                            post_id, c.who.is_moderator() ? store::deleted_posts::shown : store::deleted_posts::hidden);
    return at ? *at / answers_per_page + 1 : 1;
}

std::optional<std::string> post_location(call& c, std::int64_t post_id)
{
    auto const placed = place(c, post_id);
    if (!placed) return std::nullopt;
    auto const& q = placed->question;
    bool const is_question = placed->post.id == q.id;
    return question_path(q.id, q.title, page_of_post(c, q.id, post_id)) + (is_question ? "#post-" : "#answer-") +
           std::to_string(post_id);
}

std::optional<std::string> comment_location(call& c, std::int64_t comment_id)
{
    auto const comment = store::post_store(c.ctx.db.reader()).find_comment(comment_id);
    if (!comment) return std::nullopt;
    auto const placed = place(c, comment->post_id);
    if (!placed) return std::nullopt;
    auto const& q = placed->question;
    return question_path(q.id, q.title, page_of_post(c, q.id, comment->post_id)) + "#comment-" +
           std::to_string(comment_id);
}

std::optional<response> mangled_question_address(call& c)
{
    if (c.req.verb != http::method::get && c.req.verb != http::method::head) return std::nullopt;
    constexpr std::string_view prefix = "/questions/";
    std::string_view path = c.req.path;
    if (!path.starts_with(prefix)) return std::nullopt;
    path.remove_prefix(prefix.size());
    auto const slash = path.find('/');
    if (slash == std::string_view::npos || path.find('/', slash + 1) != std::string_view::npos) return std::nullopt;
    auto const id = parse_id(path.substr(0, slash));
    if (!id) return std::nullopt;
    auto const question = store::post_store(c.ctx.db.reader()).find_post(*id);
    if (!question || question->kind != domain::post_kind::question) return std::nullopt;
    return redirect(question_path(question->id, question->title), 301);
}

std::string http_date(std::int64_t t)
{
    std::time_t const tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

namespace {

// /a/{id}: an answer's permalink, and the question's own when the id is a question's.
response answer_permalink(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto const where = id ? post_location(c, *id) : std::nullopt;
    if (!where) return message_page(c, 404, "Answer not found", "There is no such answer, or it was deleted.");
    // Temporary: which page holds the answer changes as answers are voted on.
    return redirect(*where, 302);
}

// /comments/{id}: where a comment is shown, on the page of its thread that holds it.
response comment_permalink(call& c)
{
    auto const id = parse_id(c.match["id"]);
    auto const where = id ? comment_location(c, *id) : std::nullopt;
    if (!where) return message_page(c, 404, "Comment not found", "There is no such comment, or it was deleted.");
    return redirect(*where, 302);
}

response robots_txt(call& c)
{
    // Crawlers may read threads, tags and profiles; forms, searches and members' own pages
    // are of no use to them (and carry noindex too, for crawlers that ignore this file).
    std::string body =
        "User-agent: *\n"
        "Disallow: /search\n"
        "Disallow: /api/\n"
        "Disallow: /signin\n"
        "Disallow: /signup\n"
        "Disallow: /questions/ask\n"
        "Disallow: /notifications\n"
        "Disallow: /account\n"
        "Disallow: /review\n"
        "Disallow: /audit\n"
        "Disallow: /admin\n"
        "Disallow: /widget/\n"
        "Disallow: /*?flag=\n"
        "Disallow: /*?comment=\n"
        "Disallow: /*?reply=\n"
        "Disallow: /*?flag_comment=\n"
        "Allow: /\n"
        "\n"
        "Sitemap: " +
        site_base(c) + "/sitemap.xml\n";
    auto r = text_response(200, "text/plain; charset=utf-8", std::move(body));
    r.set("Cache-Control", "public, max-age=3600");
    return r;
}

// A sitemap answers with its time, and a crawler that has it already gets a 304.
response xml_with_time(call& c, std::string body, std::int64_t lastmod)
{
    auto const stamp = http_date(lastmod);
    response r;
    if (auto const since = c.req.header("if-modified-since"); since && *since == stamp) {
        r.status = 304;
    } else {
        r = text_response(200, "application/xml; charset=utf-8", std::move(body));
    }
    r.set("Last-Modified", stamp);
    r.set("Cache-Control", "public, max-age=600");
    // Not kept by the page cache, which knows ETags but not Last-Modified: crawlers ask with
    // If-Modified-Since, and a block's sitemap reads at most 50,000 rows by primary key.
    r.set(page_cache::private_header, "1");
    return r;
}

constexpr store::sitemap_set sitemap_sets[] = {store::sitemap_set::tags, store::sitemap_set::users};

response sitemap_index(call& c)
{
    store::reach_store store(c.ctx.db.reader());
    auto const base = render::escape_html(site_base(c));
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    std::int64_t newest = 0;
    auto const list = [&](std::string_view prefix, std::vector<store::sitemap_part> const& parts) {
        for (auto const& p : parts) {
            out += "<sitemap><loc>" + base + "/sitemaps/" + std::string(prefix) + std::to_string(p.part) +
                   ".xml</loc><lastmod>" + domain::rfc3339(p.lastmod) + "</lastmod></sitemap>\n";
            newest = std::max(newest, p.lastmod);
        }
    };
    list("", store.parts());
    for (auto const set : sitemap_sets) list(std::string(store::to_sql(set)) + "-", store.parts(set));
    out += "</sitemapindex>\n";
    return xml_with_time(c, std::move(out), newest);
}

// "12.xml": a block of posts; "tags-0.xml", "users-3.xml": a block of a set. Anything else is
// no sitemap.
struct sitemap_name {
    std::optional<store::sitemap_set> set;
    std::int64_t part = 0;
};
std::optional<sitemap_name> parse_sitemap_name(std::string_view file)
{
    if (!file.ends_with(".xml")) return std::nullopt;
    file.remove_suffix(4);
    sitemap_name name;
    for (auto const set : sitemap_sets) {
        auto const prefix = std::string(store::to_sql(set)) + "-";
        if (file.starts_with(prefix)) {
            name.set = set;
            file.remove_prefix(prefix.size());
            break;
        }
    }
    if (file == "0") return name;
    auto const part = parse_id(file);
    if (!part || *part >= (std::int64_t{1} << 40)) return std::nullopt;
    name.part = *part;
    return name;
}

response sitemap_part(call& c)
{
    auto const name = parse_sitemap_name(c.match["file"]);
    store::reach_store store(c.ctx.db.reader());
    auto const found = !name ? std::nullopt : name->set ? store.part(*name->set, name->part) : store.part(name->part);
    if (!found) return text_response(404, "text/plain; charset=utf-8", "There is no such sitemap.\n");
    auto const base = render::escape_html(site_base(c));
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    if (!name->set) {
        for (auto const& e : store.entries(name->part)) {
            auto const path =
                e.kind == store::sitemap_post_kind::idea ? urls::idea(e.id) : question_path(e.id, e.title);
            out += "<url><loc>" + base + render::escape_html(path) + "</loc><lastmod>" + domain::rfc3339(e.lastmod) +
                   "</lastmod></url>\n";
        }
    } else {
        // A tag's or a profile's own time is not kept (only its block's): a sitemap may leave
        // lastmod out, and a wrong one would only mislead.
        for (auto const& i : store.items(*name->set, name->part)) {
            auto const path = *name->set == store::sitemap_set::tags ? urls::tag(i.name) : urls::user(i.id);
            out += "<url><loc>" + base + render::escape_html(path) + "</loc></url>\n";
        }
    }
    out += "</urlset>\n";
    return xml_with_time(c, std::move(out), found->lastmod);
}

}  // namespace

void add_reach_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/a/{id}", answer_permalink);
    r.add(method::get, "/comments/{id}", comment_permalink);
    r.add(method::get, "/robots.txt", robots_txt);
    r.add(method::get, "/sitemap.xml", sitemap_index);
    r.add(method::get, "/sitemaps/{file}", sitemap_part);
}

}  // namespace peerdesk::app
