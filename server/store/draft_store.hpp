#pragma once
// Drafts: a member's unfinished question or answer, one per place ("ask", "answer-<id>").
#include "server/store/db.hpp"

#include <optional>
#include <string>

namespace peerdesk::store {

struct draft_row {
    std::string title;
    std::string body;
    std::string tags;
    std::int64_t updated_at = 0;
};

class draft_store {
public:
    explicit draft_store(connection& db) : db_(db) {}

    std::optional<draft_row> find(std::int64_t user_id, std::string_view place);
    // Stores the draft, replacing the place's earlier one; beyond max_per_member drafts the
    // member's oldest go, so that a member's drafts stay bounded however many threads they open.
    void put(std::int64_t user_id, std::string_view place, draft_row const& d, int max_per_member);
    bool remove(std::int64_t user_id, std::string_view place);

private:
    connection& db_;
};

}  // namespace peerdesk::store
