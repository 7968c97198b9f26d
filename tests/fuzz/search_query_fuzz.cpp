// libFuzzer target: the search box's query language ([tag], tag:, user:, is:, quotes, -word,
// AND/OR/NOT), and its formatting back into text; and the snippet cut from a post's text,
// with the input's first words as the query.
#include "search/query.hpp"
#include "search/snippet.hpp"

#include <xapian.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// The text with its runs of spaces made one: formatting may tidy spacing, never words.
std::string words(std::string_view text)
{
    std::string out;
    for (char c : text) {
        bool const space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : c;
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    // The search page shows a query formatted back from what was understood; searching that
    // text again must mean the same thing.
    auto const parsed = peerdesk::search::parse_query(text);
    auto const again = peerdesk::search::format_query(parsed.text, parsed.filter);
    auto const reparsed = peerdesk::search::parse_query(again);
    if (parsed.error.empty()) {
        auto const& a = parsed.filter;
        auto const& b = reparsed.filter;
        if (!reparsed.error.empty() || a.tags != b.tags || a.user != b.user || a.answered != b.answered ||
            a.accepted != b.accepted || a.kind != b.kind || words(parsed.text) != words(reparsed.text))
            std::abort();
    }

    static Xapian::Stem const stem("english");
    peerdesk::search::snippet_terms terms;
    auto const head = text.substr(0, std::min<std::size_t>(text.size(), 12));
    if (!head.empty()) {
        terms.words.emplace_back(head.substr(0, head.size() / 2));
        terms.stems.emplace_back(head.substr(head.size() / 2));
    }
    auto const snippet = peerdesk::search::make_snippet(text, terms, stem, 1 + size % 300);
    // Marks come in pairs, and the window is bounded: text, marks and two ellipses.
    std::size_t open = 0, close = 0;
    for (char c : snippet) open += c == '\x01', close += c == '\x02';
    if (open != close || snippet.size() > (1 + size % 300) + 2 * open + 6) std::abort();
    return 0;
}
