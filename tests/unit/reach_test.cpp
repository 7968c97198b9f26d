// Addresses, descriptions and the own-content rules: pure decisions, tested without a server.
#include "server/app/reach.hpp"
#include "server/app/own_content.hpp"
#include "server/render/markdown.hpp"
#include "server/render/plain_text.hpp"

#include <doctest/doctest.h>

using namespace peerdesk;

namespace {

app::viewer member(std::int64_t id, std::string role = "member")
{
    app::viewer v;
    store::user_row u;
    u.id = id;
    u.username = "user" + std::to_string(id);
    u.reputation = 100;
    u.role = domain::parse_role(role);
    v.user = u;
    return v;
}

std::string code(app::verdict const& v)
{
    return v ? v->code : std::string("allowed");
}

store::comment_state comment_by(std::int64_t author, std::int64_t created_at)
{
    store::comment_state c;
    c.id = 7;
    c.post_id = 3;
    c.question_id = 3;
    c.author_id = author;
    c.created_at = created_at;
    c.thread_live = true;
    return c;
}

}  // namespace

TEST_CASE("a slug is the title's words in lower case, joined by hyphens, cut at a word")
{
    CHECK(app::slug("How do I reset my Router? (v2.1)") == "how-do-i-reset-my-router-v2-1");
    CHECK(app::slug("  --Leading and trailing--  ") == "leading-and-trailing");
    CHECK(app::slug("Привет мир") == "question");
    CHECK(app::slug("") == "question");
    CHECK(app::slug("Café crème brûlée, Ærøskøbing, Straße") == "cafe-creme-brulee-aeroskobing-strasse");
    CHECK(app::slug("2 × 3 ÷ 4") == "2-3-4");
    auto const long_slug = app::slug(std::string(30, 'a') + " " + std::string(30, 'b') + " " + std::string(30, 'c'));
    CHECK(long_slug == std::string(30, 'a') + "-" + std::string(30, 'b'));
    CHECK(app::slug(std::string(200, 'x')).size() <= 80);
    CHECK(app::question_path(12, "A title", 1) == "/questions/12/a-title");
    CHECK(app::question_path(12, "A title", 3) == "/questions/12/a-title?page=3");
}

TEST_CASE("a description is the text of the post, one space between words, cut at a word")
{
    CHECK(app::description_text("<p>Hello <strong>world</strong> &amp; you</p>", 155) == "Hello world & you");
    CHECK(app::description_text("<p>a</p>\n<ul><li>b</li></ul>", 155) == "a b");
    auto const cut = app::description_text("<p>" + std::string(50, 'w') + " alpha beta gamma delta</p>", 60);
    CHECK(cut == std::string(50, 'w') + " alpha…");
    // Never inside a UTF-8 sequence, even without a space to cut at.
    std::string accents;
    for (int i = 0; i < 100; ++i) accents += "é";
    auto const no_space = app::description_text("<p>" + accents + "</p>", 51);
    CHECK(no_space.size() <= 51 + 3);
    CHECK(no_space.ends_with("é…"));
}

TEST_CASE("a description made from the start of a long post reads as one made from all of it")
{
    std::string body;
    for (int i = 0; i < 400; ++i)
        body += "<p>Paragraph " + std::to_string(i) + " says <em>something</em> &amp; more.</p>\n";
    auto const whole = render::plain_text(body);
    CHECK(render::plain_text(body, 100).size() >= 100);
    CHECK(whole.starts_with(render::plain_text(body, 100)));
    CHECK(app::description_text(body, 155).starts_with("Paragraph 0 says something & more. Paragraph 1"));
    CHECK(app::description_text(body, 155).size() <= 155 + 3);
    // A run of spaces longer than the part first made: the whole text is read.
    auto const spaced = "<p>" + std::string(3000, ' ') + "late words arrive</p>";
    CHECK(app::description_text(spaced, 155) == "late words arrive");
    CHECK(app::description_text(spaced, 4000) == "late words arrive");
}

TEST_CASE("a comment's author edits it for five minutes; others never")
{
    auto const author = member(1), other = member(2), mod = member(3, "moderator");
    auto const c = comment_by(1, 1000);
    using app::comment_change;
    CHECK(code(app::may_change_comment(author, c, comment_change::edit, 1000 + 299)) == "allowed");
    CHECK(code(app::may_change_comment(author, c, comment_change::edit, 1000 + 301)) == "edit_window_closed");
    CHECK(code(app::may_change_comment(other, c, comment_change::edit, 1001)) == "forbidden");
    CHECK(code(app::may_change_comment(mod, c, comment_change::edit, 1001)) == "forbidden");
    CHECK(code(app::may_change_comment(app::viewer{}, c, comment_change::edit, 1001)) == "not_signed_in");
    auto locked = c;
    locked.locked = true;
    CHECK(code(app::may_change_comment(author, locked, comment_change::edit, 1001)) == "locked");
    auto hidden = c;
    hidden.hidden = true;
    CHECK(code(app::may_change_comment(author, hidden, comment_change::edit, 1001)) == "not_found");
}

TEST_CASE("comments are deleted by their author or a moderator; the author undoes their own for a day")
{
    auto const author = member(1), other = member(2), mod = member(3, "moderator");
    auto const c = comment_by(1, 1000);
    using app::comment_change;
    CHECK(code(app::may_change_comment(author, c, comment_change::remove, 999999)) == "allowed");
    CHECK(code(app::may_change_comment(mod, c, comment_change::remove, 1001)) == "allowed");
    CHECK(code(app::may_change_comment(other, c, comment_change::remove, 1001)) == "forbidden");
    auto gone = c;
    gone.deleted_at = 5000;
    gone.deleted_by = 1;
    CHECK(code(app::may_change_comment(author, gone, comment_change::restore, 5000 + 86400)) == "allowed");
    CHECK(code(app::may_change_comment(author, gone, comment_change::restore, 5001 + 86400)) == "undo_window_closed");
    CHECK(code(app::may_change_comment(other, gone, comment_change::restore, 5001)) == "forbidden");
    CHECK(code(app::may_change_comment(other, gone, comment_change::edit, 5001)) == "not_found");
    CHECK(code(app::may_change_comment(mod, gone, comment_change::restore, 999999)) == "allowed");
    CHECK(code(app::may_change_comment(author, gone, comment_change::remove, 5001)) == "not_found");
    auto by_mod = gone;
    by_mod.deleted_by = 3;
    CHECK(code(app::may_change_comment(author, by_mod, comment_change::restore, 5001)) == "forbidden");
}

TEST_CASE("authors delete a question without answers and an answer not accepted")
{
    auto const author = member(1);
    store::post_row q;
    q.id = 10;
    q.kind = domain::post_kind::question;
    q.author.id = 1;
    CHECK(code(app::may_remove_own_post(author, q, q)) == "allowed");
    q.answer_count = 1;
    CHECK(code(app::may_remove_own_post(author, q, q)) == "has_answers");
    store::post_row a;
    a.id = 11;
    a.kind = domain::post_kind::answer;
    a.author.id = 1;
    a.question_id = 10;
    CHECK(code(app::may_remove_own_post(author, a, q)) == "allowed");
    q.accepted_answer_id = 11;
    CHECK(code(app::may_remove_own_post(author, a, q)) == "accepted");
    CHECK(code(app::may_remove_own_post(member(2), a, q)) == "forbidden");
    CHECK(code(app::may_restore_own_post(author, a, 1, 100, 100 + 86400)) == "allowed");
    CHECK(code(app::may_restore_own_post(author, a, 1, 100, 101 + 86400)) == "undo_window_closed");
    CHECK(code(app::may_restore_own_post(author, a, 3, 100, 101)) == "forbidden");
}

namespace {

std::string first_image_of(std::string_view markdown)
{
    auto const r = render::render_markdown(markdown);
    REQUIRE(r.value);
    return app::first_uploaded_image(r.value->html.str());
}

}  // namespace

TEST_CASE("a question's preview picture is the first image uploaded here that it shows")
{
    auto const a = "/uploads/" + std::string(64, 'a') + ".png";
    auto const b = "/uploads/" + std::string(64, 'b') + ".jpg";
    CHECK(first_image_of("Look:\n\n![first](" + a + ")\n\n![second](" + b + ")") == a);
    CHECK(first_image_of("No picture here, just words.").empty());
    // An image from elsewhere is a link, and a link to an upload is not a picture shown.
    CHECK(first_image_of("![far](https://images.example.net/x.png) and [a link](" + a + ")").empty());
    CHECK(first_image_of("![far](https://images.example.net/x.png)\n\n![here](" + b + ")") == b);
    // Raw HTML in a post is dropped, so it cannot name a picture.
    CHECK(first_image_of("<img src=\"" + a + "\">").empty());
    CHECK(first_image_of("`<img src=\"" + a + "\">`").empty());
}

TEST_CASE("the site's preview picture is a path here or an http(s) address, nothing else")
{
    for (std::string_view good : {"", "/uploads/abc.png", "/static/og-image.png?v=1", "https://cdn.example.org/a.png",
                                  "http://example.com/a%20b.png"})
        CHECK_MESSAGE(!app::check_setting("site.og_image", good), good);
    for (std::string_view bad :
         {"javascript:alert(1)", "//evil.example/x.png", "logo.png", "/x.png\" onerror=\"x", "/a b.png", "https://",
          "https:///x.png", "ftp://example.com/x.png", "/caf\xc3\xa9.png", "/x<script>"}) {
        auto const e = app::check_setting("site.og_image", bad);
        REQUIRE_MESSAGE(e, bad);
        CHECK(e->problem == app::setting_problem::bad_value);
        CHECK(e->message.starts_with("setting site.og_image "));
    }
    CHECK(app::check_setting("site.og_image", "/" + std::string(2000, 'x')));
}

TEST_CASE("structured data cannot end its script or start markup, whatever a post says")
{
    auto const html = render::json_script_html(R"({"text":"a </script><b>x</b> & y"})").str();
    CHECK(html == R"(<script type="application/ld+json">{"text":"a \u003c/script\u003e\u003cb\u003ex\u003c/b\u003e )"
                  R"(\u0026 y"}</script>)");
    CHECK(render::json_script_html("").str() == R"(<script type="application/ld+json"></script>)");
    CHECK(render::json_script_html("<").str() == R"(<script type="application/ld+json">\u003c</script>)");
}
