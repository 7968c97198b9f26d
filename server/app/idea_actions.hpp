#pragma once
// The ideas room's actions and what its two page files share (ideas.cpp: the board, the
// roadmap and proposing; idea_page.cpp: one idea, its votes, statuses, merging and links).
// Each action checks permission and input and writes in one transaction, as actions.hpp's do.
#include "server/app/actions.hpp"
#include "server/app/application.hpp"
#include "server/render/templates.hpp"
#include "server/store/idea_store.hpp"
#include "server/store/post_store.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace peerdesk::app::idea {

inline constexpr std::int64_t linked_limit = 50;  // linked questions shown on an idea

struct status_info {
    store::idea_status status;
    std::string_view label;
};
inline constexpr status_info statuses[] = {
    {store::idea_status::new_, "New"},
    {store::idea_status::under_review, "Under review"},
    {store::idea_status::planned, "Planned"},
    {store::idea_status::in_progress, "In progress"},
    {store::idea_status::delivered, "Delivered"},
    {store::idea_status::declined, "Declined"},
    {store::idea_status::duplicate, "Duplicate"},
};

std::string_view label_of(store::idea_status s);
failure no_idea();

// The idea's post when it is public (a live idea), else nothing.
std::optional<store::post_row> find_idea(context& ctx, std::int64_t id, bool with_deleted = false);

outcome<posted> propose(context& ctx, viewer const& who, std::string_view title, std::string_view body,
                        std::vector<std::string> tags);

struct vote_state {
    std::int64_t votes = 0;
    bool my_vote = false;
    std::int64_t votes_left = 0;
};

std::int64_t votes_left(context& ctx, store::connection& c, std::int64_t user_id);
// Votes for the idea (or, with voting false, takes the vote back), from the member's budget.
outcome<vote_state> idea_vote(context& ctx, viewer const& who, std::int64_t id, bool voting);

// A moderator's status with its response; merging (the idea becomes a duplicate) answers the
// idea merged into; a link answers the idea.
outcome<std::int64_t> change_status(context& ctx, viewer const& who, std::int64_t id, std::string_view status_text,
                                    std::string_view response);
outcome<std::int64_t> merge_idea(context& ctx, viewer const& who, std::int64_t from, std::optional<std::int64_t> into,
                                 std::string_view response);
outcome<std::int64_t> link_question(context& ctx, viewer const& who, std::int64_t id,
                                    std::optional<std::int64_t> question_id);

// A status as the pages show it: its label, key and label in a sentence.
render::view status_view(store::idea_status s);

// idea_page.cpp's routes: one idea's page, forms and API.
void add_idea_page_routes(route_table& r);

}  // namespace peerdesk::app::idea
