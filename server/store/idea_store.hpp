#pragma once
// Ideas: what only an idea has beside its post (status, vote count, demand, where it was merged),
// the votes from each member's budget, the status history with the staff's responses, and the
// questions linked to an idea. Writing methods run inside the caller's transaction on the
// writer connection; readers may use any connection.
#include "server/store/db.hpp"
#include "server/store/models.hpp"
#include "server/store/post_store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::store {

// The statuses, in their order on the page; the first is where an idea starts.
enum class idea_status { new_, under_review, planned, in_progress, delivered, declined, duplicate };
std::string_view to_sql(idea_status s);
std::optional<idea_status> parse_idea_status(std::string_view text);
// Delivered, declined and duplicate close an idea: its votes come back to the voters.
bool closes(idea_status s);

enum class idea_sort { top, trending, newest };

// An idea on the board and the roadmap.
struct idea_summary {
    std::int64_t id = 0;
    std::string title;
    author_ref author;
    idea_status status = idea_status::new_;
    std::int64_t votes = 0;
    std::int64_t demand = 0;
    std::int64_t comments = 0;
    std::vector<std::string> tags;
    std::int64_t created_at = 0;
    std::int64_t status_at = 0;
    std::string excerpt;
};

struct idea_history_row {
    std::int64_t id = 0;
    idea_status status = idea_status::new_;
    std::string response_markdown;
    std::string response_html;
    author_ref actor;
    std::int64_t created_at = 0;
};

struct linked_question {
    std::int64_t id = 0;
    std::string title;
    std::int64_t answer_count = 0;
    bool accepted = false;
};

// An idea's own facts (any state of its post; the caller decides what may be shown).
struct idea_facts {
    std::int64_t id = 0;
    std::int64_t author_id = 0;
    idea_status status = idea_status::new_;
    std::int64_t votes = 0;
    std::int64_t demand = 0;
    std::optional<std::int64_t> merged_into;
    bool live = false;  // neither deleted, held nor hidden
};

// A status change as the feed shows it.
struct idea_change {
    std::int64_t history_id = 0;
    std::int64_t idea_id = 0;
    std::string title;
    idea_status status = idea_status::new_;
    std::string response_html;
    std::string actor;
    std::int64_t created_at = 0;
};

class idea_store {
public:
    explicit idea_store(connection& db) : db_(db) {}

    // ---- writes (inside the caller's transaction)
    // The post, its tags, its first revision and its row here; counted on the board while live.
    std::int64_t create(new_question const& idea, std::int64_t now);
    void vote(std::int64_t idea_id, std::int64_t user_id, std::int64_t now);
    // False when the member had no vote on it.
    bool unvote(std::int64_t idea_id, std::int64_t user_id);
    // Records the status and its response in the history; answers the history row's id.
    std::int64_t set_status(std::int64_t idea_id, idea_status status, std::string_view response_markdown,
                            std::string_view response_html, std::int64_t actor_id, std::int64_t now);
    // Moves from's votes (one per member; none of into's author), followers and linked questions
    // to into, and marks from a duplicate merged into it; answers the history row's id.
    std::int64_t merge(std::int64_t from, std::int64_t into, std::string_view response_markdown,
                       std::string_view response_html, std::int64_t actor_id, std::int64_t now);
    // False when the question was linked already.
    bool link(std::int64_t idea_id, std::int64_t question_id, std::int64_t user_id, std::int64_t now);
    // Whether the member was paid for this idea's planning or delivery already.
    bool rewarded(std::int64_t idea_id, std::string_view reason);
    // Its SQL, for the test of its query plan.
    static std::string_view rewarded_query();

    // ---- reads
    std::optional<idea_facts> facts(std::int64_t id);
    // The viewer's votes now spent: on open, public ideas.
    std::int64_t open_votes(std::int64_t user_id);
    bool voted(std::int64_t idea_id, std::int64_t user_id);
    // Live ideas (a merged one is left out unless status names duplicate); tag and status narrow.
    page_of<idea_summary> board(idea_sort sort, std::optional<idea_status> status,
                                std::optional<std::string> const& tag, std::int64_t since, std::int64_t page,
                                std::int64_t pagesize);
    // Live ideas of a status, most recently changed first.
    std::vector<idea_summary> by_status(idea_status status, std::int64_t since, std::int64_t limit);
    std::vector<idea_summary> summaries_of(std::vector<std::int64_t> const& ids);
    std::vector<idea_history_row> history(std::int64_t idea_id);
    std::vector<linked_question> linked_questions(std::int64_t idea_id, std::int64_t limit);
    // Live ideas a question is linked to.
    std::vector<idea_summary> ideas_of_question(std::int64_t question_id);
    std::vector<idea_change> recent_changes(std::int64_t limit);
    // Voters with ids above `after`, in id order.
    std::vector<std::int64_t> voters(std::int64_t idea_id, std::int64_t after, std::int64_t limit);
    // Recomputes the kept vote and demand counts and the board's counts; answers how many were wrong.
    int recount();

private:
    void count(std::int64_t idea_id, int sign);
    connection& db_;
};

}  // namespace peerdesk::store
