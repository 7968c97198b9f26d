#include "server/render/templates.hpp"
#include "server/app/frame.hpp"
#include "server/assets.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <regex>

using namespace peerdesk;
using namespace peerdesk::render;

TEST_CASE("templates print raw HTML only under names ending in _html")
{
    std::regex const raw(R"(\{\{\{\s*([^}\s]+)\s*\}\}\}|\{\{&\s*([^}\s]+)\s*\}\})");
    int files = 0;
    for (auto const& f : assets::all()) {
        if (!f.path.starts_with("templates/")) continue;
        ++files;
        std::string const text(f.bytes);
        for (auto it = std::sregex_iterator(text.begin(), text.end(), raw); it != std::sregex_iterator(); ++it) {
            std::string const name = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
            CAPTURE(f.path);
            CAPTURE(name);
            CHECK(name.ends_with("_html"));
        }
    }
    CHECK(files > 5);
}

TEST_CASE("views refuse plain text under an _html name and safe HTML under another")
{
    view v;
    CHECK_THROWS_AS(v.set("body_html", std::string("<b>")), std::logic_error);
    CHECK_THROWS_AS(v.set_html("body", stored_markdown_html("<b>x</b>")), std::logic_error);
}

TEST_CASE("every page template renders, and plain values are escaped")
{
    for (auto const& name : template_names()) {
        CAPTURE(name);
        view v;
        v.set("title", "<script>alert(1)</script>").set("heading", "\"quoted\" & <b>");
        std::string out;
        CHECK_NOTHROW(out = render_template(name, v).str());
        CHECK(out.find("<script>alert(1)") == std::string::npos);
    }
    view v;
    v.set("heading", "<img src=x onerror=alert(1)>").set("message", "a & b");
    auto const out = render_template("message", v).str();
    CHECK(out.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
    CHECK(out.find("a &amp; b") != std::string::npos);
}

TEST_CASE("an empty value is falsy in sections and prints nothing")
{
    view v;
    v.set("heading", "").set("message", "shown");
    auto const out = render_template("message", v).str();
    CHECK(out.find("<h1></h1>") != std::string::npos);
    CHECK(out.find("shown") != std::string::npos);
}

TEST_CASE("partials are spliced into pages, even where a value has the same name")
{
    view pager;
    pager.set("several", true).set("page", 1).set("pages", 2).set("next_url", "/questions?page=2");
    view v;
    v.set("pager", pager).set("heading", "All questions");
    auto const out = render_template("questions", v).str();
    CHECK(out.find("Page 1 of 2") != std::string::npos);
    CHECK(out.find(R"(href="/questions?page=2")") != std::string::npos);
}

TEST_CASE("counts for people have thousands separators")
{
    CHECK(app::with_thousands(0) == "0");
    CHECK(app::with_thousands(999) == "999");
    CHECK(app::with_thousands(1000) == "1,000");
    CHECK(app::with_thousands(232100) == "232,100");
    CHECK(app::with_thousands(1234567) == "1,234,567");
    CHECK(app::with_thousands(-45000) == "-45,000");
}

TEST_CASE("a page rendered for many viewers is cut at its holes, and no text can open one")
{
    view post;
    post.set("id", 7).set("score", 3).set("deleted", false).set("comments", std::vector<view>{});
    post.set_html("body_html", stored_markdown_html("<p>\x1ehole-00000000000000000000000000000000\x1f up 9</p>"));
    view v;
    // What a member writes is escaped or stored Markdown; it may hold anything, even bytes that
    // look like the marker, and still stays text.
    v.set("id", 7).set("title", "up 8 \x1ehole- {{{viewer_html}}}").set("question", std::move(post));
    auto const page = render_slotted("question", std::move(v));
    REQUIRE(page.text.size() == page.holes.size() + 1);
    auto const has = [&](std::string const& h) {
        return std::find(page.holes.begin(), page.holes.end(), h) != page.holes.end();
    };
    CHECK(has("csrf"));
    CHECK(has("hint"));
    CHECK(has("up 7"));
    CHECK(has("down 7"));
    CHECK(has("comments 7"));
    CHECK_FALSE(has("up 8"));
    CHECK_FALSE(has("up 9"));
    std::string joined;
    for (auto const& t : page.text) joined += t;
    CHECK(joined.find("up 9</p>") != std::string::npos);
    CHECK(joined.find("\x1ehole-") != std::string::npos);  // the member's bytes, as they wrote them
    CHECK(page.bytes() > joined.size());
}

TEST_CASE("the viewer's parts are written with markup from literals and every text escaped")
{
    html_builder b;
    b.markup("<a href=\"/posts/").number(-42).markup("\" title=\"").text("<b>\"Tom & Jerry's\"</b>").markup("\">");
    b.markup(false, "yes", "no");
    auto const html = std::move(b).done();
    CHECK(html.str() == "<a href=\"/posts/-42\" title=\"&lt;b&gt;&quot;Tom &amp; Jerry&#39;s&quot;&lt;/b&gt;\">no");
}
