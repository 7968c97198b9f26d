#pragma once
// Line differences between two texts, for showing what an edit changed.
#include <string>
#include <string_view>
#include <vector>

namespace peerdesk::domain {

enum class line_change { same, removed, added };

struct diff_line {
    line_change change;
    std::string text;
};

// The lines of `before` and `after` in order, each marked same, removed or added (a longest
// common subsequence). Texts with more than `max_cells` line pairs are shown as all removed
// then all added, so that a huge edit cannot cost quadratic time.
std::vector<diff_line> diff_lines(std::string_view before, std::string_view after, std::size_t max_cells = 4'000'000);

}  // namespace peerdesk::domain
