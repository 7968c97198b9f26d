#include "server/domain/badges.hpp"

#include <ctime>

namespace peerdesk::domain {
namespace {

using enum badge_class;

// Bars are set for a community of hundreds to thousands of members: the first badges come with
// the first helpful acts, the gold ones mark the few who carry the community.
constexpr badge_spec catalogue[] = {
    {1, "first_question", "Curious", bronze, "Asked a first question."},
    {2, "first_answer", "Helper", bronze, "Answered a first question."},
    {3, "first_accepted", "Solver", bronze, "Wrote a first answer the asker accepted."},
    {4, "answer_score_1", "Teacher", bronze, "Wrote an answer scored 1 or more."},
    {5, "answer_score_10", "Nice Answer", bronze, "Wrote an answer scored 10 or more."},
    {6, "answer_score_25", "Good Answer", silver, "Wrote an answer scored 25 or more."},
    {7, "answer_score_100", "Great Answer", gold, "Wrote an answer scored 100 or more."},
    {8, "question_score_1", "Student", bronze, "Asked a question scored 1 or more."},
    {9, "question_score_10", "Nice Question", bronze, "Asked a question scored 10 or more."},
    {10, "question_score_25", "Good Question", silver, "Asked a question scored 25 or more."},
    {11, "question_score_100", "Great Question", gold, "Asked a question scored 100 or more."},
    {12, "accepted_10", "Troubleshooter", bronze, "Wrote 10 answers that were accepted."},
    {13, "accepted_50", "Fixer", silver, "Wrote 50 answers that were accepted."},
    {14, "accepted_250", "Guru", gold, "Wrote 250 answers that were accepted."},
    {15, "tag_bronze", "Tag bronze", bronze, "Answers in the tag scored 10 in all, over 3 answers or more.", true},
    {16, "tag_silver", "Tag silver", silver, "Answers in the tag scored 50 in all, over 10 answers or more.", true},
    {17, "tag_gold", "Tag gold", gold, "Answers in the tag scored 200 in all, over 30 answers or more.", true},
    {18, "revival", "Revival", silver,
     "Gave the first answer to a question left unanswered for 60 days, and it scored 2 or more."},
    {19, "self_learner", "Self-Learner", bronze, "Answered their own question, accepted it, and it scored 3 or more."},
    {20, "supporter", "Supporter", bronze, "Cast a first upvote."},
    {21, "critic", "Critic", bronze, "Cast a first downvote."},
    {22, "civic_duty", "Civic Duty", silver, "Voted 50 times."},
    {23, "citizen_patrol", "Citizen Patrol", bronze, "Flagged a first post or comment."},
    {24, "deputy", "Deputy", silver, "Raised 10 flags that moderators found helpful."},
    {25, "editor", "Editor", bronze, "Edited a first post."},
    {26, "copy_editor", "Copy Editor", silver, "Edited 50 posts."},
    {27, "good_neighbour", "Good Neighbour", silver, "Helped 10 different members with accepted or upvoted answers."},
    {28, "pillar", "Pillar of the Community", gold, "Helped 100 different members with accepted or upvoted answers."},
    // Ideas: proposing, being heard, seeing it built, and speaking up for others' ideas.
    {29, "first_idea", "Idea Maker", bronze, "Proposed a first idea."},
    {30, "popular_idea", "Popular Idea", silver, "Proposed an idea that 10 or more members voted for."},
    {31, "idea_delivered", "Shipped", gold, "Proposed an idea the company delivered."},
    {32, "idea_voter", "Voice of the Customer", bronze, "Voted for a first idea."},
};

}  // namespace

std::string_view to_string(badge_class c)
{
    switch (c) {
        case badge_class::bronze:
            return "bronze";
        case badge_class::silver:
            return "silver";
        case badge_class::gold:
            return "gold";
    }
    return "bronze";
}

std::span<badge_spec const> badge_catalogue()
{
    return catalogue;
}

badge_spec const* find_badge(int id)
{
    for (auto const& b : catalogue)
        if (b.id == id) return &b;
    return nullptr;
}

badge_spec const* find_badge(std::string_view key)
{
    for (auto const& b : catalogue)
        if (b.key == key) return &b;
    return nullptr;
}

tag_bar tag_badge_bar(badge_class c)
{
    switch (c) {
        case badge_class::bronze:
            return {10, 3};
        case badge_class::silver:
            return {50, 10};
        case badge_class::gold:
            return {200, 30};
    }
    return {10, 3};
}

std::vector<earned_badge> earned_badges(member_facts const& f)
{
    std::vector<earned_badge> out;
    auto const earn = [&](std::string_view key, bool yes, std::optional<std::int64_t> post = std::nullopt) {
        if (yes) out.push_back({find_badge(key), 0, {}, post});
    };
    earn("first_question", f.first_question_id.has_value(), f.first_question_id);
    earn("first_answer", f.first_answer_id.has_value(), f.first_answer_id);
    earn("first_accepted", f.first_accepted_id.has_value(), f.first_accepted_id);
    for (auto const& [key, bar] :
         {std::pair{"answer_score_1", 1}, {"answer_score_10", 10}, {"answer_score_25", 25}, {"answer_score_100", 100}})
        earn(key, f.best_answer_id && f.best_answer_score >= bar, f.best_answer_id);
    for (auto const& [key, bar] : {std::pair{"question_score_1", 1},
                                   {"question_score_10", 10},
                                   {"question_score_25", 25},
                                   {"question_score_100", 100}})
        earn(key, f.best_question_id && f.best_question_score >= bar, f.best_question_id);
    earn("accepted_10", f.accepted >= 10);
    earn("accepted_50", f.accepted >= 50);
    earn("accepted_250", f.accepted >= 250);
    for (auto const& t : f.tags)
        for (auto const& [key, klass] : {std::pair{"tag_bronze", bronze}, {"tag_silver", silver}, {"tag_gold", gold}}) {
            auto const bar = tag_badge_bar(klass);
            if (t.score >= bar.score && t.answers >= bar.answers)
                out.push_back({find_badge(key), t.tag_id, t.name, {}});
        }
    earn("revival", f.revived_id.has_value(), f.revived_id);
    earn("self_learner", f.self_learned_id.has_value(), f.self_learned_id);
    earn("supporter", f.upvotes_cast >= 1);
    earn("critic", f.downvotes_cast >= 1);
    earn("civic_duty", f.upvotes_cast + f.downvotes_cast >= 50);
    earn("citizen_patrol", f.flags >= 1);
    earn("deputy", f.helpful_flags >= 10);
    earn("editor", f.edits >= 1);
    earn("copy_editor", f.edits >= 50);
    earn("good_neighbour", f.helped >= 10);
    earn("pillar", f.helped >= 100);
    earn("first_idea", f.first_idea_id.has_value(), f.first_idea_id);
    earn("popular_idea", f.best_idea_id && f.best_idea_votes >= popular_idea_votes, f.best_idea_id);
    earn("idea_delivered", f.delivered_idea_id.has_value(), f.delivered_idea_id);
    earn("idea_voter", f.idea_votes_cast >= 1);
    return out;
}

std::int64_t period_start(period p, std::int64_t t)
{
    constexpr std::int64_t day = 86400;
    std::int64_t const days = (t >= 0 ? t : t - day + 1) / day;
    if (p == period::week) {
        // 1970-01-01 was a Thursday: days + 3 counts from a Monday.
        std::int64_t const monday = days - ((days + 3) % 7 + 7) % 7;
        return monday * day;
    }
    std::time_t const tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    tm.tm_mday = 1;
    if (p == period::year) tm.tm_mon = 0;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string_view to_string(period p)
{
    switch (p) {
        case period::week:
            return "week";
        case period::month:
            return "month";
        case period::year:
            return "year";
    }
    return "week";
}

std::optional<period> parse_period(std::string_view text)
{
    if (text == "week") return period::week;
    if (text == "month") return period::month;
    if (text == "year") return period::year;
    return std::nullopt;
}

}  // namespace peerdesk::domain
