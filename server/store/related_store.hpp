#pragma once
// Each question's related questions as found in the background (schema/0033): read by the
// question's id when its page is shown, written by the search service's related worker.
// Derived data: it may lag behind or hold a question since deleted; readers take the listed
// posts through search_store::hits, which reads visible posts only.
#include "server/store/db.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::store {

// What a related list was found for: a question's title and tags (in any order). Stable across
// builds and machines (FNV-1a), since it is stored.
std::int64_t related_text_hash(std::string_view title, std::vector<std::string> const& tags);

struct related_list {
    std::vector<std::int64_t> ids;  // closest first
    std::int64_t text_hash = 0;
    std::int64_t found_at = 0;
};

// A live question with its stored list, if any: what the worker needs to decide whether to
// look again, and the text it looks with.
struct related_candidate {
    std::int64_t question_id = 0;
    std::string title;
    std::vector<std::string> tags;  // in the question's order
    std::optional<related_list> stored;
};

// The list's text form: "12,40,7". parse_related_ids skips what is not an id.
std::string format_related_ids(std::vector<std::int64_t> const& ids);
std::vector<std::int64_t> parse_related_ids(std::string_view text);

class related_store {
public:
    explicit related_store(connection& db) : db_(db) {}

    // The stored list of a question (live or not), or nothing.
    std::optional<related_list> find(std::int64_t question_id);
    // Live questions with ids after after_id, in id order, at most limit: the background walk.
    std::vector<related_candidate> questions_after(std::int64_t after_id, std::size_t limit);
    // These questions, those of them that are live, in id order.
    std::vector<related_candidate> questions(std::vector<std::int64_t> const& ids);
    // Replaces a question's list.
    void keep(std::int64_t question_id, std::vector<std::int64_t> const& ids, std::int64_t text_hash, std::int64_t now);
    void forget(std::int64_t question_id);
    // Forgets the lists of questions with ids in (after_id, up_to] that are no longer live
    // questions (deleted, hidden, held); answers how many.
    std::int64_t forget_gone(std::int64_t after_id, std::int64_t up_to);
    // How many lists there are for questions with ids in (after_id, up_to].
    std::int64_t count_between(std::int64_t after_id, std::int64_t up_to);
    // How many questions have a list; how many live questions have none.
    std::int64_t count();
    std::int64_t missing();

private:
    connection& db_;
};

}  // namespace peerdesk::store
