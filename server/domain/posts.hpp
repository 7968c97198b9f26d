#pragma once
// What a post is and where it stands, as the code speaks of them; the database stores the
// words (posts.kind, posts.state), and only the store turns one into the other.
#include <optional>
#include <string_view>

namespace peerdesk::domain {

enum class post_kind { question, answer, idea };
enum class post_state { live, held, hidden };  // held: waiting for review; hidden: by flags

std::string_view to_sql(post_kind k);
std::string_view to_sql(post_state s);
std::optional<post_kind> parse_post_kind(std::string_view text);
std::optional<post_state> parse_post_state(std::string_view text);

// A thread's head: a question or an idea (answers belong to one).
constexpr bool heads_thread(post_kind k)
{
    return k != post_kind::answer;
}

}  // namespace peerdesk::domain
