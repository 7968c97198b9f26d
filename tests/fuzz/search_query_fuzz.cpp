// libFuzzer target: the search box's query language ([tag], tag:, user:, is:, quotes, -word,
// AND/OR/NOT), and its formatting back into text.
#include "search/query.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    auto const parsed = peerdesk::search::parse_query(text);
    auto const again = peerdesk::search::format_query(parsed.text, parsed.filter);
    peerdesk::search::parse_query(again);
    return 0;
}
