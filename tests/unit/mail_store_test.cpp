#include "server/store/mail_store.hpp"
#include "server/app/mailer.hpp"
#include "server/store/migrations.hpp"
#include "server/store/user_store.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include <unistd.h>

using namespace peerdesk;
using namespace peerdesk::store;

namespace {

struct mail_database {
    std::filesystem::path dir;
    std::unique_ptr<database> db;
    mail_database()
    {
        static int n = 0;
        dir = std::filesystem::temp_directory_path() /
              ("peerdesk-mail-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        std::filesystem::create_directories(dir);
        db = std::make_unique<database>((dir / "peerdesk.db").string());
        db->write_alone([](connection& c) { return migrate(c); });
    }
    ~mail_database()
    {
        db.reset();
        std::filesystem::remove_all(dir);
    }
    std::int64_t user(std::string const& name)
    {
        return db->write(
            [&](connection& c) { return user_store(c).create(name, name + "@example.com", "x", "member", 1000).id; });
    }
};

app::mail_options mail_on()
{
    app::mail_options o;
    o.enabled = true;
    o.from = {"Acme", "support@acme.example"};
    o.public_url = "https://acme.example";
    return o;
}

}  // namespace

TEST_CASE("a queued mail is due at once, and leaves the queue when sent")
{
    mail_database t;
    auto const id = t.db->write([](connection& c) {
        return mail_store(c).enqueue({std::nullopt, "test", "m1@acme.example", "support@acme.example",
                                      "ada@example.com", "Subject: x\r\n\r\nbody\r\n"},
                                     100);
    });
    auto due = mail_store(t.db->reader()).due(100, 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].id == id);
    CHECK(due[0].recipient == "ada@example.com");
    t.db->write([&](connection& c) { mail_store(c).mark_retry(id, 160, "451 try later"); });
    CHECK(mail_store(t.db->reader()).due(159, 10).empty());
    CHECK(mail_store(t.db->reader()).next_due() == 160);
    due = mail_store(t.db->reader()).due(160, 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].attempts == 1);
    t.db->write([&](connection& c) { mail_store(c).mark_sent(id, 170, "250 ok"); });
    CHECK(mail_store(t.db->reader()).due(10'000, 10).empty());
    auto const counts = mail_store(t.db->reader()).counts();
    CHECK(counts.sent == 1);
    CHECK(counts.waiting == 0);
}

TEST_CASE("a mail queued in a transaction that rolls back was never queued")
{
    mail_database t;
    auto const uid = t.user("ada");
    CHECK_THROWS(t.db->write([&](connection& c) {
        app::outgoing_mail m;
        m.user_id = uid;
        m.kind = "verify_email";
        m.to = {"ada", "ada@example.com"};
        m.subject = "Confirm";
        m.template_name = "mail/verify_email";
        m.values.set("username", "ada").set("email", "ada@example.com").set("link", "https://acme.example/v");
        CHECK(app::enqueue_mail(c, mail_on(), std::move(m), 100));
        throw std::runtime_error("the event failed");
    }));
    CHECK(mail_store(t.db->reader()).counts().waiting == 0);
}

TEST_CASE("enqueue_mail renders both parts from the templates and queues nothing when mail is off")
{
    mail_database t;
    auto const uid = t.user("ada");
    auto make = [&] {
        app::outgoing_mail m;
        m.user_id = uid;
        m.kind = "verify_email";
        m.to = {"Ada <&>", "ada@example.com"};
        m.subject = "Confirm";
        m.template_name = "mail/verify_email";
        m.values.set("username", "Ada <&>")
            .set("email", "ada@example.com")
            .set("link", "https://acme.example/v?a=1&b=2");
        return m;
    };
    CHECK_FALSE(t.db->write([&](connection& c) { return app::enqueue_mail(c, app::mail_options{}, make(), 100); }));
    CHECK(mail_store(t.db->reader()).counts().waiting == 0);
    CHECK(t.db->write([&](connection& c) { return app::enqueue_mail(c, mail_on(), make(), 100); }));
    auto const due = mail_store(t.db->reader()).due(100, 10);
    REQUIRE(due.size() == 1);
    auto const& content = due[0].content;
    CHECK(content.find("Content-Type: text/plain; charset=utf-8") != std::string::npos);
    CHECK(content.find("Content-Type: text/html; charset=utf-8") != std::string::npos);
    // Escaped in the HTML part, as typed in the text part.
    CHECK(content.find("Ada &lt;&amp;&gt;") != std::string::npos);
    CHECK(content.find("Hello Ada <&>,") != std::string::npos);
    CHECK(content.find("Message-ID: <verify_email.") != std::string::npos);
    CHECK(due[0].envelope_from == "support@acme.example");
}

TEST_CASE("only a verified address may receive notifications")
{
    mail_database t;
    auto const uid = t.user("ada");
    CHECK_FALSE(app::notification_address(t.db->reader(), mail_on(), uid));
    t.db->write([&](connection& c) { mail_store(c).set_verified(uid, 200); });
    auto const a = app::notification_address(t.db->reader(), mail_on(), uid);
    REQUIRE(a);
    CHECK(a->address == "ada@example.com");
    CHECK_FALSE(app::notification_address(t.db->reader(), app::mail_options{}, uid));  // mail off
    // A new address starts unverified again.
    CHECK(t.db->write([&](connection& c) { return mail_store(c).change_email(uid, "ada@new.example"); }) ==
          email_change_outcome::changed);
    CHECK_FALSE(app::notification_address(t.db->reader(), mail_on(), uid));
    auto const bob = t.user("bob");
    CHECK(t.db->write([&](connection& c) { return mail_store(c).change_email(bob, "ADA@new.example"); }) ==
          email_change_outcome::taken);
}

TEST_CASE("a link token works once")
{
    mail_database t;
    auto const uid = t.user("ada");
    t.db->write([&](connection& c) {
        mail_store(c).add_token("hash1", uid, token_purpose::reset_password, "ada@example.com", 100, 3700);
    });
    auto const row = mail_store(t.db->reader()).find_token("hash1");
    REQUIRE(row);
    CHECK(row->purpose == token_purpose::reset_password);
    CHECK(row->expires_at == 3700);
    CHECK(t.db->write([&](connection& c) { return mail_store(c).use_token("hash1", 200); }));
    CHECK_FALSE(t.db->write([&](connection& c) { return mail_store(c).use_token("hash1", 201); }));
    CHECK(mail_store(t.db->reader()).tokens_since(uid, token_purpose::reset_password, 50) == 1);
    CHECK(mail_store(t.db->reader()).tokens_since(uid, token_purpose::reset_password, 150) == 0);
}
