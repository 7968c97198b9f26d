#pragma once
// Questions, answers, comments, revisions, votes and acceptance. Methods that write open
// their own immediate transaction (reputation changes go in the same one) and must be called
// with the writer connection; readers may use any connection.
#include "server/domain/reputation.hpp"
#include "server/store/db.hpp"
#include "server/store/models.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace peerdesk::store {

struct rendered_body {
    std::string markdown;
    std::string html;
    std::string excerpt;
};

struct new_question {
    std::int64_t author_id = 0;
    std::string title;
    rendered_body body;
    std::vector<std::string> tags;    // already normalised
    std::optional<std::string> held;  // held for review, and why
};

struct post_edit {
    std::int64_t editor_id = 0;
    std::optional<std::string> title;
    std::optional<rendered_body> body;
    std::optional<std::vector<std::string>> tags;
    std::string summary;
};

struct vote_result {
    std::int64_t score = 0;
    int my_vote = 0;
};

// An author as (id, username, reputation) from three columns, the first at `first`.
author_ref read_author(statement& s, int first);

// The words of a space-separated list (as group_concat(name, ' ') gives tags).
std::vector<std::string> split_words(std::string_view text);

// Adds sign (+1 or -1) to the board's count of live ideas of the idea's status, when the idea
// is live; inside the caller's transaction.
void count_idea(connection& db, std::int64_t idea_id, int sign);

enum class question_sort { newest, active, votes, unanswered };

enum class deleted_posts { hidden, shown };

// Which of a thread's answers to read, in the thread's order: a page of them. The default is all.
struct answer_window {
    std::int64_t offset = 0;
    std::int64_t limit = -1;  // -1: no limit
};

class post_store {
public:
    explicit post_store(connection& db) : db_(db) {}

    std::int64_t create_question(new_question const& q, std::int64_t now);
    // An idea's post and its row in ideas (idea_store reads and changes the rest).
    std::int64_t create_idea(new_question const& idea, std::int64_t now);
    std::int64_t create_answer(std::int64_t question_id, std::int64_t author_id, rendered_body const& body,
                               std::int64_t now, std::optional<std::string> const& held = std::nullopt);
    std::int64_t create_comment(std::int64_t post_id, std::optional<std::int64_t> reply_to, std::int64_t author_id,
                                rendered_body const& body, std::int64_t now);
    // Applies the edit and records the post's new state as a revision.
    void edit(std::int64_t post_id, post_edit const& e, std::int64_t now);
    // Sets the voter's vote (-1, 0 or 1) and moves reputation accordingly.
    vote_result vote(std::int64_t post_id, std::int64_t voter_id, int value, domain::reputation_rules const& rules,
                     std::int64_t now);
    // Accepts answer_id on its question, or withdraws acceptance when answer_id is empty.
    void set_accepted(std::int64_t question_id, std::optional<std::int64_t> answer_id, std::int64_t actor_id,
                      domain::reputation_rules const& rules, std::int64_t now);

    // Runs change (which alters whether the post is public: deleted, held, hidden) inside the
    // caller's transaction, keeping tag and answer counts and the search index in step.
    void change_visibility(std::int64_t post_id, std::int64_t now, std::function<void()> const& change);

    // A live (public: not deleted, held or hidden) question or answer, without comments.
    std::optional<post_row> find_post(std::int64_t id);
    // Any post, whatever its state: for moderators.
    std::optional<post_row> find_any_post(std::int64_t id);
    std::optional<comment_row> find_comment(std::int64_t id);
    // The live comments on a post that is its own thread (an idea), oldest first.
    std::vector<comment_row> idea_comments(std::int64_t post_id);
    // The whole thread; viewer_id fills my_vote. With deleted_posts::shown (for moderators) a
    // deleted question is found too, and deleted answers follow the live ones.
    std::optional<question_thread> thread(std::int64_t question_id, std::optional<std::int64_t> viewer_id,
                                          deleted_posts deleted = deleted_posts::hidden, answer_window window = {});
    // How many answers the thread shows (deleted ones too with deleted_posts::shown).
    std::int64_t answer_total(std::int64_t question_id, deleted_posts deleted);
    // Where an answer stands in its thread's order (0: first), as thread() reads them; nothing
    // when it is not an answer this audience sees.
    std::optional<std::int64_t> answer_position(std::int64_t answer_id, deleted_posts deleted);
    // The viewer's votes (post id, value) on the question and its answers: the per-viewer read
    // of a thread page whose shared part is kept rendered.
    std::vector<std::pair<std::int64_t, int>> viewer_votes(std::int64_t question_id, std::int64_t viewer_id);
    page_of<question_summary> questions(question_sort sort, std::optional<std::string> const& tag, std::int64_t page,
                                        std::int64_t pagesize);
    // The user's questions, newest first; no total (counts() has it).
    page_of<question_summary> questions_by(std::int64_t author_id, std::int64_t page, std::int64_t pagesize);
    // Questions of the user's 100 most recent answers, most active first; no total (counts() has it).
    page_of<question_summary> answered_by(std::int64_t author_id, std::int64_t page, std::int64_t pagesize);
    std::vector<revision_row> revisions(std::int64_t post_id);
    // The queries a page runs for its viewer, with ?1 the thread and ?2 the viewer: a test holds
    // their plans to starting from the thread's posts, whatever the viewer's history.
    static std::vector<std::string_view> viewer_queries();
    // The post a revision belongs to, and whether it is the post's latest (its current text).
    std::optional<std::pair<std::int64_t, bool>> revision_post(std::int64_t revision_id);
    // Erases a revision's title, body and tags; false when it was redacted already.
    bool redact_revision(std::int64_t revision_id, std::int64_t actor_id, std::int64_t now);
    page_of<tag_row> tags(std::int64_t page, std::int64_t pagesize);
    std::optional<tag_row> find_tag(std::string_view name);
    // Recomputes the kept counts of live questions (the site's and each tag's); answers how
    // many were wrong.
    int recount();

private:
    void set_tags(std::int64_t question_id, std::vector<std::string> const& tags);
    void add_revision(std::int64_t post_id, std::int64_t author_id, std::string_view summary, std::int64_t now);
    std::vector<std::string> tags_of(std::int64_t question_id);
    // where_sql may use ?1, bound to arg when there is one.
    page_of<question_summary> summaries(std::string_view where_sql, std::string_view order_sql,
                                        std::optional<std::int64_t> arg, std::int64_t page, std::int64_t pagesize,
                                        bool count_total);
    // These questions' summaries, in this order (missing ones left out).
    std::vector<question_summary> summaries_of(std::vector<std::int64_t> const& ids);
    page_of<question_summary> tagged(std::string const& tag, question_sort sort, std::string_view order,
                                     std::int64_t page, std::int64_t pagesize);

    connection& db_;
};

}  // namespace peerdesk::store
