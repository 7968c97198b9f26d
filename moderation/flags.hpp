#pragma once
// Flags: what a member may say is wrong with a post or comment, in codes and in words, and when
// flags hide it before a moderator has looked. Facts in, decisions out: the store counts, the
// rules here decide, and the action writes both in one transaction.
#include <cstdint>
#include <optional>
#include <string_view>

namespace peerdesk::moderation {

enum class flag_reason { spam, rude, off_topic, needs_improvement, other };
inline constexpr flag_reason flag_reasons[] = {flag_reason::spam, flag_reason::rude, flag_reason::off_topic,
                                               flag_reason::needs_improvement, flag_reason::other};

std::optional<flag_reason> parse_flag_reason(std::string_view code);
std::string_view code(flag_reason r);
std::string_view words(flag_reason r);  // "rude or abusive"
// Spam and abuse are the serious reasons: they can hide a post at once and cost its author.
bool serious(flag_reason r);

struct flag_rules {
    std::int64_t hide_after = 3;               // serious flags from established members
    std::int64_t established_reputation = 50;  // a member whose flags count toward hiding
};

struct flag_facts {
    std::int64_t serious_flags = 0;  // from established members, the new one included
};

// Whether the target is hidden until a moderator decides.
bool hide_now(flag_facts const& facts, flag_rules const& rules);

}  // namespace peerdesk::moderation
