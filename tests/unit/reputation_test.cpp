#include "server/domain/reputation.hpp"

#include <doctest/doctest.h>

#include <numeric>

using namespace peerdesk::domain;

namespace {

int total_for(std::vector<ledger_entry> const& entries, std::int64_t user)
{
    int sum = 0;
    for (auto const& e : entries)
        if (e.user_id == user) sum += e.delta;
    return sum;
}

constexpr std::int64_t author = 1, voter = 2, asker = 3;

}  // namespace

TEST_CASE("an upvote gives the author 10 and taking it back returns it")
{
    reputation_rules r;
    CHECK(total_for(vote_entries(post_kind::answer, author, voter, 0, 1, r), author) == 10);
    CHECK(total_for(vote_entries(post_kind::answer, author, voter, 1, 0, r), author) == -10);
    CHECK(vote_entries(post_kind::answer, author, voter, 1, 0, r).front().reason == "upvote_undone");
}

TEST_CASE("a downvote on an answer costs the author 2 and the voter 1; on a question only the author")
{
    reputation_rules r;
    auto const on_answer = vote_entries(post_kind::answer, author, voter, 0, -1, r);
    CHECK(total_for(on_answer, author) == -2);
    CHECK(total_for(on_answer, voter) == -1);
    auto const on_question = vote_entries(post_kind::question, author, voter, 0, -1, r);
    CHECK(total_for(on_question, author) == -2);
    CHECK(total_for(on_question, voter) == 0);
}

TEST_CASE("changing a vote from down to up reverses the downvote and applies the upvote")
{
    reputation_rules r;
    auto const change = vote_entries(post_kind::answer, author, voter, -1, 1, r);
    CHECK(total_for(change, author) == 2 + 10);
    CHECK(total_for(change, voter) == 1);
    CHECK(vote_entries(post_kind::answer, author, voter, 1, 1, r).empty());
}

TEST_CASE("an accepted answer gives its author 15 and the asker 2, and withdrawing reverses both")
{
    reputation_rules r;
    auto const accept = accept_entries(asker, std::nullopt, author, r);
    CHECK(total_for(accept, author) == 15);
    CHECK(total_for(accept, asker) == 2);
    auto const withdraw = accept_entries(asker, author, std::nullopt, r);
    CHECK(total_for(withdraw, author) == -15);
    CHECK(total_for(withdraw, asker) == -2);
    SUBCASE("moving acceptance to another answer moves the 15")
    {
        auto const move = accept_entries(asker, author, voter, r);
        CHECK(total_for(move, author) == -15);
        CHECK(total_for(move, voter) == 15);
        CHECK(total_for(move, asker) == 0);
    }
    SUBCASE("accepting your own answer moves no reputation")
    {
        CHECK(accept_entries(asker, std::nullopt, asker, r).empty());
    }
}

TEST_CASE("privileges follow reputation, and a refusal says what it takes")
{
    privilege_thresholds t;
    actor newcomer{1, role::member, 1};
    auto const refusal = check_privilege(newcomer, privilege::upvote, t);
    REQUIRE(refusal);
    CHECK(refusal->message == "Voting up needs 15 reputation; you have 1.");
    CHECK_FALSE(check_privilege({1, role::member, 15}, privilege::upvote, t));
    CHECK(check_privilege({1, role::member, 124}, privilege::downvote, t));
    CHECK_FALSE(check_privilege({1, role::member, 125}, privilege::downvote, t));
    CHECK(check_privilege({1, role::member, 1999}, privilege::edit_others, t));
    SUBCASE("moderators and admins hold every privilege")
    {
        CHECK_FALSE(check_privilege({1, role::moderator, 1}, privilege::edit_others, t));
        CHECK_FALSE(check_privilege({1, role::admin, 1}, privilege::downvote, t));
    }
    SUBCASE("thresholds are configurable")
    {
        t.upvote = 1;
        CHECK_FALSE(check_privilege(newcomer, privilege::upvote, t));
    }
}

TEST_CASE("every reason the ledger is given has words for people")
{
    reputation_rules const r;
    std::vector<ledger_entry> all;
    for (int from : {-1, 0, 1})
        for (int to : {-1, 0, 1})
            for (auto kind : {post_kind::question, post_kind::answer}) {
                auto const e = vote_entries(kind, author, voter, from, to, r);
                all.insert(all.end(), e.begin(), e.end());
            }
    for (auto const& e : accept_entries(asker, author, voter, r)) all.push_back(e);
    all.push_back({author, -100, std::string(spam_penalty_reason)});
    for (auto const& e : all) {
        CAPTURE(e.reason);
        auto const words = ledger_reason_text(e.reason);
        CHECK(words != "other change");
        CHECK(words.find('_') == std::string_view::npos);
    }
    CHECK(ledger_reason_text(spam_penalty_reason) == "post removed by a moderator as spam or abuse");
}

TEST_CASE("reputation is shown as at least 1 while the ledger's sum may be lower")
{
    CHECK(shown_reputation(-99) == 1);
    CHECK(shown_reputation(0) == 1);
    CHECK(shown_reputation(1) == 1);
    CHECK(shown_reputation(16) == 16);
    CHECK(check_privilege({1, role::member, -99}, privilege::upvote, {})->message.find("you have 1.") !=
          std::string::npos);
}
