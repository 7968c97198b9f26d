// The moderation rules as facts in, decisions out: flags, review decisions and suspensions.
#include "moderation/flags.hpp"
#include "moderation/review.hpp"
#include "moderation/suspension.hpp"

#include <doctest/doctest.h>

using namespace peerdesk::moderation;

TEST_CASE("flag reasons: codes round-trip, words for people, spam and abuse are serious")
{
    for (auto r : flag_reasons) CHECK(parse_flag_reason(code(r)) == r);
    CHECK_FALSE(parse_flag_reason("Spam"));
    CHECK_FALSE(parse_flag_reason(""));
    CHECK(words(flag_reason::rude) == "rude or abusive");
    CHECK(serious(flag_reason::spam));
    CHECK(serious(flag_reason::rude));
    CHECK_FALSE(serious(flag_reason::off_topic));
}

TEST_CASE("flags hide a post once enough serious flags from established members are in")
{
    flag_rules rules;
    rules.hide_after = 3;
    CHECK_FALSE(hide_now({2}, rules));
    CHECK(hide_now({3}, rules));
    CHECK(hide_now({4}, rules));
    rules.hide_after = 0;  // off
    CHECK_FALSE(hide_now({10}, rules));
}

TEST_CASE("review decisions: keep or remove, and removal costs the author only for spam or abuse")
{
    CHECK(parse_review_action("delete") == review_action::remove);
    CHECK(code(review_action::remove) == "delete");
    CHECK_FALSE(parse_review_action("destroy"));
    CHECK(decide(review_action::approve, {true, {flag_reason::spam}}).keep);
    CHECK_FALSE(decide(review_action::approve, {true, {flag_reason::spam}}).penalise);
    CHECK(decide(review_action::dismiss, {}).keep);
    auto const spam = decide(review_action::reject, {false, {flag_reason::off_topic, flag_reason::spam}});
    CHECK_FALSE(spam.keep);
    CHECK(spam.penalise);
    CHECK(decide(review_action::reject, {true, {}}).penalise);
    CHECK_FALSE(decide(review_action::reject, {false, {flag_reason::needs_improvement}}).penalise);
    CHECK_FALSE(decide(review_action::remove, {true, {flag_reason::rude}}).penalise);
}

TEST_CASE("suspensions: length bounds, who may change one, and the audit log's wording")
{
    CHECK_FALSE(check_days(1));
    CHECK_FALSE(check_days(3650));
    CHECK(check_days(0));
    CHECK(check_days(3651));
    CHECK(suspended_until(1000, 2) == 1000 + 2 * 86400);
    CHECK(may_change(false, std::nullopt));
    CHECK(may_change(false, std::string("moderator")));
    CHECK_FALSE(may_change(false, std::string("admin")));
    CHECK(may_change(true, std::string("admin")));
    auto const written = audit_reason(7, "spam wave: see: thread");
    CHECK(written == "7 days: spam wave: see: thread");
    auto const read = parse_audit_reason(written);
    REQUIRE(read);
    CHECK(read->days == 7);
    CHECK(read->reason == "spam wave: see: thread");
    CHECK_FALSE(parse_audit_reason("careless closing"));
    CHECK_FALSE(parse_audit_reason("x days: y"));
}
