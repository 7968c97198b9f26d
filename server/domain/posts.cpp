#include "server/domain/posts.hpp"

namespace peerdesk::domain {

std::string_view to_sql(post_kind k)
{
    switch (k) {
        case post_kind::question:
            return "question";
        case post_kind::answer:
            return "answer";
        case post_kind::idea:
            return "idea";
    }
    return "question";
}

std::string_view to_sql(post_state s)
{
    switch (s) {
        case post_state::live:
            return "live";
        case post_state::held:
            return "held";
        case post_state::hidden:
            return "hidden";
    }
    return "live";
}

std::optional<post_kind> parse_post_kind(std::string_view text)
{
    for (auto const k : {post_kind::question, post_kind::answer, post_kind::idea})
        if (to_sql(k) == text) return k;
    return std::nullopt;
}

std::optional<post_state> parse_post_state(std::string_view text)
{
    for (auto const s : {post_state::live, post_state::held, post_state::hidden})
        if (to_sql(s) == text) return s;
    return std::nullopt;
}

}  // namespace peerdesk::domain
