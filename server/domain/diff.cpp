#include "server/domain/diff.hpp"

#include <cstdint>

namespace peerdesk::domain {
namespace {

std::vector<std::string_view> split_lines(std::string_view text)
{
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        auto const end = text.find('\n');
        auto line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

}  // namespace

std::vector<diff_line> diff_lines(std::string_view before, std::string_view after, std::size_t max_cells)
{
    auto const a = split_lines(before), b = split_lines(after);
    std::vector<diff_line> out;
    // Common head and tail need no table.
    std::size_t head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
    std::size_t tail = 0;
    while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
    for (std::size_t i = 0; i < head; ++i) out.push_back({line_change::same, std::string(a[i])});

    std::size_t const n = a.size() - head - tail, m = b.size() - head - tail;
    if (n * m > max_cells) {
        for (std::size_t i = 0; i < n; ++i) out.push_back({line_change::removed, std::string(a[head + i])});
        for (std::size_t j = 0; j < m; ++j) out.push_back({line_change::added, std::string(b[head + j])});
    } else {
        // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..] (middle parts).
        std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
        auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
        for (std::size_t i = n; i-- > 0;)
            for (std::size_t j = m; j-- > 0;)
                at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
        std::size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[head + i] == b[head + j]) {
                out.push_back({line_change::same, std::string(a[head + i])});
                ++i, ++j;
            } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
                out.push_back({line_change::removed, std::string(a[head + i++])});
            } else {
                out.push_back({line_change::added, std::string(b[head + j++])});
            }
        }
    }
    for (std::size_t k = tail; k-- > 0;) out.push_back({line_change::same, std::string(a[a.size() - 1 - k])});
    return out;
}

}  // namespace peerdesk::domain
