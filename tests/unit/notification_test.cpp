// Notifications below HTTP: the fan-out to many followers (each told once, resumed in batches),
// the bell's query plan, unsubscribe tokens, and @mentions in Markdown.
#include "server/app/notifications.hpp"
#include "server/render/markdown.hpp"
#include "server/store/migrations.hpp"
#include "server/store/notification_store.hpp"
#include "server/store/post_store.hpp"
#include "server/store/user_store.hpp"
#include "tests/unit/fresh_database.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

using namespace peerdesk;
using namespace peerdesk::store;

namespace {

struct temp_database : testing::fresh_database {
    temp_database() : fresh_database("peerdesk-notify-test-") {}
    std::int64_t count(std::string const& sql)
    {
        auto& s = db->reader().cached(sql);
        s.bind();
        std::int64_t out = 0;
        if (s.step()) out = s.integer(0);
        s.reset();
        return out;
    }
};

bool eventually(std::function<bool()> const& done)
{
    for (int i = 0; i < 400; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
}

}  // namespace

TEST_CASE("a question in a tag 2,500 members follow tells each once, in batches, never the asker")
{
    temp_database t;
    constexpr int followers = 2500;
    std::int64_t asker = 0, question = 0, told_directly = 0;
    t.db->write([&](connection& c) {
        user_store users(c);
        notification_store s(c);
        asker = users.create("asker", "asker@example.com", "hash", "member", 100).id;
        for (int i = 0; i < followers; ++i) {
            auto const id =
                users.create("f" + std::to_string(i), "f" + std::to_string(i) + "@example.com", "hash", "member", 100)
                    .id;
            if (i == 0) told_directly = id;
        }
        question = post_store(c).create_question({asker,
                                                  "How many members follow this tag?",
                                                  {"Body text.", "<p>Body text.</p>", "Body text."},
                                                  {"crowd"},
                                                  std::nullopt},
                                                 200);
        auto const tag = s.tag_id("crowd");
        REQUIRE(tag);
        for (std::int64_t id = asker + 1; id <= asker + followers; ++id)
            s.follow(id, follow_target::tag, *tag, follow_mode::chosen, 150);
        // The asker follows the tag and themself: still not told of their own question.
        s.follow(asker, follow_target::tag, *tag, follow_mode::chosen, 150);
        // One follower also follows the asker: told once all the same.
        s.follow(asker + 2, follow_target::user, asker, follow_mode::chosen, 150);
        app::queue_fanout(c, "question", question, question, std::nullopt, asker, {told_directly}, 200);
    });
    app::notification_worker_options options;
    options.fanout_batch = 1000;
    {
        app::notification_worker worker(*t.db, app::mail_options{}, options);
        CHECK(eventually([&] { return t.count("SELECT count(*) FROM notification_fanout") == 0; }));
    }
    CHECK(t.count("SELECT count(*) FROM notifications WHERE kind = 'followed_tag'") == followers - 1);
    CHECK(t.count("SELECT count(*) FROM notifications WHERE kind = 'followed_user'") == 0);
    CHECK(t.count("SELECT count(*) FROM notifications WHERE user_id = " + std::to_string(asker)) == 0);
    CHECK(t.count("SELECT count(*) FROM notifications WHERE user_id = " + std::to_string(told_directly)) == 0);
    CHECK(t.count("SELECT count(DISTINCT user_id) FROM notifications") == followers - 1);
    // Followed tags default to the weekly digest.
    CHECK(t.count("SELECT count(*) FROM notifications WHERE delivery <> 'weekly'") == 0);
}

TEST_CASE("a fan-out stopped half way resumes from its cursor without telling anyone twice")
{
    temp_database t;
    std::int64_t asker = 0, question = 0;
    t.db->write([&](connection& c) {
        user_store users(c);
        asker = users.create("asker", "asker@example.com", "hash", "member", 100).id;
        question = post_store(c).create_question(
            {asker, "A question with followers", {"Body.", "<p>Body.</p>", "Body."}, {"t"}, std::nullopt}, 200);
        notification_store s(c);
        for (int i = 0; i < 30; ++i) {
            auto const id =
                users.create("m" + std::to_string(i), "m" + std::to_string(i) + "@example.com", "hash", "member", 100)
                    .id;
            s.follow(id, follow_target::question, question, follow_mode::chosen, 150);
        }
        app::queue_fanout(c, "answer", question, question, std::nullopt, asker, {}, 200);
        // As if a batch had been written and the process died before the cursor moved on.
        auto const first = s.followers(follow_target::question, question, 0, 10);
        for (auto id : first)
            app::notify(c, {id, "followed_question", asker, question, question, std::nullopt, "", ""}, 200);
    });
    app::notification_worker_options options;
    options.fanout_batch = 7;
    {
        app::notification_worker worker(*t.db, app::mail_options{}, options);
        CHECK(eventually([&] { return t.count("SELECT count(*) FROM notification_fanout") == 0; }));
    }
    CHECK(t.count("SELECT count(*) FROM notifications") == 30);
    CHECK(t.count("SELECT count(DISTINCT user_id) FROM notifications") == 30);
}

TEST_CASE("the bell's count starts from the member's unread notifications, not from all of them")
{
    temp_database t;
    std::string plan;
    auto& s = t.db->reader().cached(
        "EXPLAIN QUERY PLAN SELECT 1 FROM notifications n WHERE n.user_id = ?1 AND n.read_at IS NULL LIMIT 100");
    s.bind(1);
    while (s.step()) plan += s.text(3) + "\n";
    s.reset();
    CHECK(plan.find("notifications_unread") != std::string::npos);
    // The real query, with its joins to the live posts, uses the same index.
    t.db->write([&](connection& c) { notification_store(c).unread_count(1, 100); });
    std::string full;
    auto& q = t.db->reader().cached(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT 1 FROM notifications n LEFT JOIN users a ON a.id = "
        "n.actor_id LEFT JOIN posts q ON q.id = n.question_id LEFT JOIN posts p ON p.id = n.post_id LEFT JOIN "
        "comments c ON c.id = n.comment_id WHERE n.user_id = ?1 AND n.read_at IS NULL LIMIT 100)");
    q.bind(1);
    while (q.step()) full += q.text(3) + "\n";
    q.reset();
    CHECK(full.find("notifications_unread") != std::string::npos);
    CHECK(full.find("SCAN n") == std::string::npos);
}

TEST_CASE("an unsubscribe token names its member and scope; any change to it is refused")
{
    temp_database t;
    t.db->write([&](connection& c) {
        auto const token = app::unsubscribe_token(c, 42, "email");
        auto const read = app::read_unsubscribe_token(c, token);
        REQUIRE(read);
        CHECK(read->user_id == 42);
        CHECK(read->scope == "email");
        CHECK_FALSE(app::read_unsubscribe_token(c, "43" + token.substr(2)));
        CHECK_FALSE(app::read_unsubscribe_token(c, "42-digest" + token.substr(8)));
        auto altered = token;
        altered.back() = altered.back() == 'A' ? 'B' : 'A';
        CHECK_FALSE(app::read_unsubscribe_token(c, altered));
        CHECK_FALSE(app::read_unsubscribe_token(c, ""));
        CHECK_FALSE(app::read_unsubscribe_token(c, "42-all-x"));
        CHECK_FALSE(app::read_unsubscribe_token(c, std::string(500, '1')));
    });
}

TEST_CASE("@name becomes a link to the member outside code, addresses and links; at most ten")
{
    render::mention_resolver r;
    r.find = [](std::string_view name) -> std::optional<std::int64_t> {
        if (name == "ana" || name == "Ana") return 7;
        if (name.starts_with("m") && name.size() <= 3) return 100 + std::stoi(std::string(name.substr(1)));
        return std::nullopt;
    };
    auto const one = render::render_markdown("Thanks @ana. Also @nobody, `@ana` and ana@example.com.", {}, &r);
    REQUIRE(one.value);
    auto const html = one.value->html.str();
    CHECK(html.find("<a class=\"mention\" href=\"/users/7\">@ana</a>.") != std::string::npos);
    CHECK(html.find("<code>@ana</code>") != std::string::npos);
    CHECK(html.find("@nobody") != std::string::npos);
    CHECK(html.find("href=\"/users/7\">@example") == std::string::npos);
    CHECK(one.value->mentioned == std::vector<std::int64_t>{7});
    auto const link = render::render_markdown("[ask @ana](https://example.com)", {}, &r);
    CHECK(link.value->html.str().find("class=\"mention\"") == std::string::npos);

    std::string many;
    for (int i = 0; i < 12; ++i) many += "@m" + std::to_string(i) + " ";
    many += "@ana @m0";
    auto const crowd = render::render_markdown(many, {}, &r);
    REQUIRE(crowd.value);
    CHECK(crowd.value->mentioned.size() == 10);
    auto const text = crowd.value->html.str();
    CHECK(text.find(">@m9</a>") != std::string::npos);
    CHECK(text.find(">@m10</a>") == std::string::npos);
    CHECK(text.find(">@ana</a>") == std::string::npos);
    // The same member again is linked again: only new members count against the ten.
    CHECK(text.rfind(">@m0</a>") != text.find(">@m0</a>"));
    // Without a resolver nothing changes.
    CHECK(render::render_markdown("@ana").value->html.str() == "<p>@ana</p>\n");
}

TEST_CASE("an inbox page reads its own rows from the member's index, however long the history")
{
    temp_database t;
    std::int64_t member = 0;
    t.db->write([&](connection& c) {
        user_store users(c);
        member = users.create("keen", "keen@example.com", "hash", "member", 100).id;
        auto const other = users.create("other", "other@example.com", "hash", "member", 100).id;
        auto const q = post_store(c).create_question(
            {other, "A question with many notifications", {"Body text.", "<p>Body text.</p>", "Body text."}, {"inbox"}},
            100);
        notification_store s(c);
        for (int i = 0; i < 2000; ++i) s.add({member, "answer", other, q, q, std::nullopt, "", "inbox"}, 1000 + i);
        s.mark_all_read(member, 5000);
        for (int i = 0; i < 3; ++i) s.add({member, "comment", other, q, q, std::nullopt, "", "inbox"}, 6000 + i);
    });
    auto& db = t.db->reader();
    notification_store s(db);
    auto const first = s.inbox(member, false, 1, 30);
    CHECK(first.items.size() == 30);
    CHECK(first.older);
    CHECK(first.items.front().created_at == 6002);
    auto const last = s.inbox(member, false, 67, 30);  // 2,003 rows: the 67th page holds 23
    CHECK(last.items.size() == 23);
    CHECK_FALSE(last.older);
    auto const unread = s.inbox(member, true, 1, 30);
    CHECK(unread.items.size() == 3);
    CHECK_FALSE(unread.older);
    CHECK(s.inbox_total(member, false, 1000) == 1000);
    CHECK(s.inbox_total(member, true, 1000) == 3);
    // The plans: the newest rows straight from the member's index, no sort of the whole history;
    // the unread ones from the unread index.
    auto const plan = [&](std::string const& where, std::string const& indexed = "") {
        std::string out;
        auto& q = db.cached("EXPLAIN QUERY PLAN SELECT n.id FROM notifications n " + indexed +
                            " LEFT JOIN users a ON a.id = "
                            "n.actor_id LEFT JOIN posts q ON q.id = n.question_id LEFT JOIN posts p ON p.id = "
                            "n.post_id LEFT JOIN comments c ON c.id = n.comment_id WHERE " +
                            where + " ORDER BY n.created_at DESC, n.id DESC LIMIT 31");
        q.bind(member);
        while (q.step()) out += q.text(3) + "\n";
        q.reset();
        return out;
    };
    auto const all = plan("n.user_id = ?1");
    CHECK(all.find("notifications_inbox") != std::string::npos);
    CHECK(all.find("TEMP B-TREE") == std::string::npos);
    // Left to itself SQLite walks the whole history in order for the few unread rows; the
    // query names the unread index.
    auto const unread_plan = plan("n.user_id = ?1 AND n.read_at IS NULL", "INDEXED BY notifications_unread");
    CHECK(unread_plan.find("notifications_unread") != std::string::npos);
    CHECK(unread_plan.find("SCAN n") == std::string::npos);
}
