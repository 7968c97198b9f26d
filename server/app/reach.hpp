#pragma once
// DESIGN: how search engines and link previews find the community. Most readers of a support
// community arrive from a search engine, so every thread has one address of its own (with its
// title in it), and what a search engine reads about a page is decided here:
//   - addresses: /questions/{id}/{slug} is a thread's canonical address; any other slug is
//     answered with a 301 to it; /questions/{id} stays the short address links inside the
//     product use, and names the canonical one in its head. /a/{id} is an answer's permalink
//     and lands on the page of the thread that holds it.
//   - the head: title, description, canonical link, OpenGraph and Twitter card tags with a
//     picture (a question's own uploaded image, else the site's), robots; `QAPage` structured
//     data (JSON-LD) on the first page of a thread.
//   - /robots.txt and /sitemap.xml: an index of sitemaps, one per block of 50,000 post ids
//     (threads and ideas), tag ids and member ids, whose times tables kept by triggers hold
//     (schema/0021_sitemap.sql, 0028_sitemap_more.sql), so that no request scans the posts.
// Absolute addresses are made from --public-url, or else from the Host asked for (the page
// cache keys pages by host, so that one host's page is never served to another).
#include "server/app/context.hpp"
#include "server/render/templates.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::app {

// Answers on one page of a thread.
inline constexpr std::int64_t answers_per_page = 30;
// Top-level comments shown under a post before the rest fold away behind "show N more".
inline constexpr std::size_t comments_shown = 5;

// The title's words for an address: "How do I reset my router?" → "how-do-i-reset-my-router".
// ASCII letters and digits only, at most 80 bytes, cut at a word; "question" when nothing is left.
std::string slug(std::string_view title);
// A thread's canonical path: "/questions/12/how-do-i-reset-my-router", "?page=N" beyond the first.
std::string question_path(std::int64_t id, std::string_view title, std::int64_t page = 1);
// "https://support.example.com": --public-url, else the Host the request came to.
std::string site_base(call const& c);
// "Mon, 07 Dec 2026 10:17:40 GMT", as Last-Modified and If-Modified-Since carry a time.
std::string http_date(std::int64_t unix_seconds);
// The text of stored, safe HTML for a description: tags dropped, entities decoded, at most
// `max` bytes, cut at a word with "…" when cut.
std::string description_text(std::string_view html, std::size_t max);

// What a thread's JSON-LD says: the question and its best answers.
struct qa_answer {
    std::int64_t id = 0;
    std::string text;
    std::string author;
    std::int64_t author_id = 0;
    std::int64_t created_at = 0;
    std::int64_t score = 0;
    bool accepted = false;
};
struct qa_facts {
    std::int64_t id = 0;
    std::string title, text, author;
    std::int64_t author_id = 0;
    std::int64_t created_at = 0;
    std::int64_t edited_at = 0;  // 0: never
    std::int64_t score = 0;
    std::int64_t answer_count = 0;
    std::vector<qa_answer> answers;  // the accepted one first, then the best voted
};
// The <script type="application/ld+json"> element of a thread's first page. Every '<', '>' and
// '&' inside is written as a JSON escape, so that no post can close the script.
render::safe_html structured_data(call const& c, qa_facts const& facts);

// What a page's head says to search engines and link previews.
struct page_head {
    std::string description;       // else a sentence made from the title
    std::string canonical;         // a path; made absolute
    bool noindex = false;          // besides the pages no search engine should list (indexable)
    std::string og_type;           // "article" for threads, else "website"
    std::string image;             // the page's own picture: a path on this site (else the site's)
    render::safe_html structured;  // JSON-LD, when the page has some
};
// The first image uploaded here that stored, safe HTML shows ("/uploads/<hash>.png"); empty
// when it shows none. Images from other sites are links, never images, so none is found.
std::string first_uploaded_image(std::string_view html);
// The absolute address of the picture link previews show for a page: its own, else the site's
// (site.og_image, else the packaged static/og-image.png). Made from --public-url and never from
// the request, as it is printed into pages the cache shares; empty without --public-url unless
// site.og_image is an absolute address.
std::string preview_image(call const& c, page_head const& head);
// Fills the layout's head values for this request.
void set_head(call const& c, int status, std::string const& title, page_head const& head, render::view& layout);

// Where a post or comment is shown: its thread's address at the page holding it, with the
// anchor ("#answer-N", "#comment-N"). Nothing when it is not shown to this viewer.
std::optional<std::string> post_location(call& c, std::int64_t post_id);
std::optional<std::string> comment_location(call& c, std::int64_t comment_id);
// For a GET of "/questions/{id}/<one segment the router could not read or match>" (a slug
// with %00 or %2F in it): the 301 to the thread's canonical address; nothing otherwise.
std::optional<http::response> mangled_question_address(call& c);
// The page of a thread that holds this answer (1 for the question itself).
std::int64_t page_of_post(call& c, std::int64_t question_id, std::int64_t post_id);

}  // namespace peerdesk::app
