#pragma once
// DESIGN. The aggregates behind the insights and advocates pages (schema/0016_insights.sql),
// kept in the same transaction as the writes that change them, so that reading a year of
// figures costs a few hundred rows at any size of community.
//
// A thread contributes to the aggregates by what it is now: its question (if live) to the day
// it was asked, its live answers to the day each was written, its up-votes to the day each was
// cast. Every write that changes a thread takes its contribution out before the change and
// puts it back after (post_store calls the hooks; the pattern of count_tags_down/up), so the
// kept rows always equal what a rebuild from the facts gives. What is removed is forgotten
// that way: a deleted answer leaves its day, its author's figures and its helper's tie.
// What it does not follow: a member's role (peer or staff) is read when the answer is counted
// in or out; a role changed in between is put right by `peerdesk recount`.
#include "server/store/db.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace peerdesk::store {

struct insight_day_row {
    std::int64_t day = 0;
    std::int64_t questions = 0, answered = 0, answered_24h = 0, accepted = 0, answers = 0, staff_answers = 0;
};

struct tag_trend_row {
    std::string tag;
    std::int64_t questions = 0;  // in the period
    std::int64_t before = 0;     // in the period of the same length just before
};

struct member_figures {
    std::int64_t user_id = 0;
    std::string username;
    std::int64_t answers = 0, accepted = 0, upvotes = 0;                       // in the period
    std::int64_t answers_before = 0, accepted_before = 0, upvotes_before = 0;  // the period before
    std::vector<std::string> top_tags;                                         // what they answer most
};

struct month_answers {
    std::int64_t month = 0;
    std::vector<std::int64_t> answers_per_answerer;
};

struct help_tie_row {
    std::int64_t helper_id = 0;
    std::string helper;
    std::int64_t asker_id = 0;
    std::string asker;
    std::int64_t answers = 0, accepted = 0;
    std::vector<std::string> tags;  // the tags of the questions, most answered first
};

class insight_store {
public:
    explicit insight_store(connection& db) : db_(db) {}

    // ---- kept at write time; call inside the writing transaction ----
    // The whole thread: question, live answers, up-votes on them. Around visibility and tag changes.
    void thread_leaves(std::int64_t question_id) { thread(question_id, -1); }
    void thread_enters(std::int64_t question_id) { thread(question_id, +1); }
    // The question alone (its answered and accepted state, its first answer's time).
    void question_leaves(std::int64_t question_id) { question(question_id, -1); }
    void question_enters(std::int64_t question_id) { question(question_id, +1); }
    // One answer (written, accepted, the tie to its asker), when it and its question are live.
    void answer_leaves(std::int64_t answer_id) { answer(answer_id, -1); }
    void answer_enters(std::int64_t answer_id) { answer(answer_id, +1); }
    // One member's vote on a live post, around a change of that vote.
    void vote_leaves(std::int64_t voter_id, std::int64_t post_id) { vote(voter_id, post_id, -1); }
    void vote_enters(std::int64_t voter_id, std::int64_t post_id) { vote(voter_id, post_id, +1); }

    // Rebuilds the post-derived tables from the facts in one transaction and marks them built;
    // answers how many rows differed from what was kept (0 when the hooks kept them right).
    std::int64_t rebuild();
    bool built();

    // ---- read by the pages ----
    std::vector<insight_day_row> days(std::int64_t from, std::int64_t to);
    // Each day asked with questions still unanswered, and how many.
    std::vector<std::pair<std::int64_t, std::int64_t>> unanswered_by_day();
    // Delay buckets of first answers to questions asked in [from, to].
    std::vector<std::pair<int, std::int64_t>> first_answer_buckets(std::int64_t from, std::int64_t to);
    // Questions per tag in [from, to] and in the same number of days before from.
    std::vector<tag_trend_row> tag_trends(std::int64_t from, std::int64_t to);
    // The members who answered most in [from, to], with their top tags (no figures before).
    std::vector<member_figures> top_members(std::int64_t from, std::int64_t to, std::int64_t limit);
    // The members whose accepted answers and up-votes received grew most lately: in the
    // rising_days to `to` against the rising_days before; with their top tags. A fixed window,
    // so that "lately" means the same for any range, and the cost stays small.
    static constexpr std::int64_t rising_days = 30;
    std::vector<member_figures> rising_members(std::int64_t to, std::int64_t limit);
    std::vector<month_answers> answers_by_month(std::int64_t from_month, std::int64_t to_month);
    // Ties by the answers written in the calendar months from_month..to_month (domain::month_of_day).
    std::vector<help_tie_row> strongest_ties(std::int64_t from_month, std::int64_t to_month, std::int64_t limit);

private:
    void thread(std::int64_t question_id, int sign);
    void question(std::int64_t question_id, int sign);
    void answer(std::int64_t answer_id, int sign);
    void vote(std::int64_t voter_id, std::int64_t post_id, int sign);
    void count_answer(statement& s, int sign);
    void add_upvotes(std::int64_t day, std::int64_t author_id, std::int64_t n);
    std::vector<std::string> top_tags_of(std::int64_t user_id);
    std::vector<member_figures> read_members(statement& s);
    connection& db_;
};

}  // namespace peerdesk::store
