// The permissions the actions enforce and the pages offer: one decision table, asked of the
// same object both use.
#include "server/app/permissions.hpp"
#include "server/domain/time.hpp"

#include <doctest/doctest.h>

using namespace peerdesk;
using app::permissions;

namespace {

app::viewer member(std::int64_t id, std::int64_t reputation, std::string role = "member")
{
    app::viewer v;
    store::user_row u;
    u.id = id;
    u.username = "user" + std::to_string(id);
    u.reputation = reputation;
    u.role = domain::parse_role(role);
    v.user = u;
    return v;
}

store::post_row post(std::int64_t id, std::int64_t author, std::string_view kind = "question")
{
    store::post_row p;
    p.id = id;
    p.author.id = author;
    p.kind = store::stored_post_kind(kind);
    return p;
}

std::string code(app::verdict const& v)
{
    return v ? v->code : std::string("allowed");
}

}  // namespace

TEST_CASE("votes: signed in, in good standing, not one's own post, with the privilege, not locked")
{
    app::settings config;
    auto const question = post(1, 10);
    auto const answer = post(2, 11, "answer");
    app::viewer anonymous;
    CHECK(code(permissions(config, anonymous).may_vote(answer, question, 1)) == "not_signed_in");
    auto const newcomer = member(20, 1);
    CHECK(code(permissions(config, newcomer).may_vote(answer, question, 1)) == "missing_privilege");
    auto const regular = member(21, 1000);
    CHECK(code(permissions(config, regular).may_vote(answer, question, 1)) == "allowed");
    CHECK(code(permissions(config, regular).may_vote(answer, question, -1)) == "allowed");
    auto const author = member(11, 1000);
    CHECK(code(permissions(config, author).may_vote(answer, question, 1)) == "own_post");
    auto locked = question;
    locked.locked = true;
    CHECK(code(permissions(config, regular).may_vote(answer, locked, 1)) == "locked");
    auto suspended = member(22, 1000);
    suspended.user->suspended_until = domain::now() + 3600;
    CHECK(code(permissions(config, suspended).may_vote(answer, question, 1)) == "suspended");
    auto silenced = member(23, 1000);
    silenced.user->silenced = true;
    CHECK(code(permissions(config, silenced).may_vote(answer, question, 1)) == "silenced");
}

TEST_CASE("comments: anyone on their own post and on answers to their own question; others need the privilege")
{
    app::settings config;
    auto const question = post(1, 10);
    auto const answer = post(2, 11, "answer");
    CHECK(code(permissions(config, member(10, 1)).may_comment(answer, question)) == "allowed");
    CHECK(code(permissions(config, member(11, 1)).may_comment(answer, question)) == "allowed");
    CHECK(code(permissions(config, member(12, 1)).may_comment(answer, question)) == "missing_privilege");
    CHECK(code(permissions(config, member(12, 1000)).may_comment(answer, question)) == "allowed");
}

TEST_CASE("edits, acceptance and answers")
{
    app::settings config;
    auto question = post(1, 10);
    auto const answer = post(2, 11, "answer");
    CHECK(code(permissions(config, member(11, 1)).may_edit(answer)) == "allowed");
    CHECK(code(permissions(config, member(12, 1)).may_edit(answer)) == "missing_privilege");
    CHECK(code(permissions(config, member(12, 1, "moderator")).may_edit(answer)) == "allowed");
    CHECK(code(permissions(config, member(10, 1)).may_accept(question)) == "allowed");
    CHECK(code(permissions(config, member(12, 1)).may_accept(question)) == "not_asker");
    CHECK(code(permissions(config, member(12, 1, "moderator")).may_accept(question)) == "allowed");
    auto suspended_mod = member(13, 1, "moderator");
    suspended_mod.user->suspended_until = domain::now() + 60;
    CHECK(code(permissions(config, suspended_mod).may_accept(question)) == "not_asker");
    CHECK(code(permissions(config, member(12, 1)).may_answer(question)) == "allowed");
    question.closed_at = domain::now();
    question.close_reason = "off_topic";
    auto const closed = permissions(config, member(12, 1)).may_answer(question);
    CHECK(code(closed) == "closed");
    CHECK(closed->message.find("off-topic") != std::string::npos);
}

TEST_CASE("moderation and administration: roles in good standing; who may suspend whom")
{
    app::settings config;
    CHECK(code(permissions(config, member(1, 5000)).may_moderate()) == "forbidden");
    CHECK(code(permissions(config, member(1, 1, "moderator")).may_moderate()) == "allowed");
    CHECK(code(permissions(config, member(1, 1, "moderator")).may_administer()) == "forbidden");
    CHECK(code(permissions(config, member(1, 1, "admin")).may_administer()) == "allowed");
    auto suspended = member(2, 1, "admin");
    suspended.user->suspended_until = domain::now() + 60;
    CHECK(code(permissions(config, suspended).may_administer()) == "suspended");
    auto const mod = member(3, 1, "moderator");
    CHECK(code(permissions(config, mod).may_suspend(*member(4, 1).user)) == "allowed");
    CHECK(code(permissions(config, mod).may_suspend(*member(5, 1, "moderator").user)) == "forbidden");
    CHECK(code(permissions(config, mod).may_suspend(*mod.user)) == "invalid_field");
    CHECK(code(permissions(config, member(6, 1, "admin")).may_suspend(*member(5, 1, "moderator").user)) == "allowed");
}
