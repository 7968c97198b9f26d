#include "server/domain/diff.hpp"

#include <doctest/doctest.h>

using namespace peerdesk::domain;

namespace {

std::string show(std::vector<diff_line> const& d)
{
    std::string out;
    for (auto const& l : d)
        out += (l.change == line_change::same ? " " : l.change == line_change::added ? "+" : "-") + l.text + "\n";
    return out;
}

}  // namespace

TEST_CASE("an edit shows the lines it removed and added, in order")
{
    CHECK(show(diff_lines("a\nb\nc\nd", "a\nB\nc\nd\ne")) == " a\n-b\n+B\n c\n d\n+e\n");
    CHECK(show(diff_lines("same", "same")) == " same\n");
    CHECK(show(diff_lines("", "new")) == "+new\n");
    CHECK(show(diff_lines("old", "")) == "-old\n");
    CHECK(show(diff_lines("x\r\ny", "x\ny")) == " x\n y\n");
}

TEST_CASE("a huge rewrite is shown whole instead of costing quadratic time")
{
    std::string a, b;
    for (int i = 0; i < 3000; ++i) a += "a" + std::to_string(i) + "\n", b += "b" + std::to_string(i) + "\n";
    auto const d = diff_lines(a, b, 1000);
    REQUIRE(d.size() == 6000);
    CHECK(d.front().change == line_change::removed);
    CHECK(d.back().change == line_change::added);
}
