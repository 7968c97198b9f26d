#include "moderation/flags.hpp"

namespace peerdesk::moderation {

namespace {

struct reason_names {
    flag_reason reason;
    std::string_view code;
    std::string_view words;
};
constexpr reason_names names[] = {{flag_reason::spam, "spam", "spam"},
                                  {flag_reason::rude, "rude", "rude or abusive"},
                                  {flag_reason::off_topic, "off_topic", "off-topic"},
                                  {flag_reason::needs_improvement, "needs_improvement", "needs improvement"},
                                  {flag_reason::other, "other", "something else"}};

}  // namespace

std::optional<flag_reason> parse_flag_reason(std::string_view text)
{
    for (auto const& n : names)
        if (n.code == text) return n.reason;
    return std::nullopt;
}

std::string_view code(flag_reason r)
{
    for (auto const& n : names)
        if (n.reason == r) return n.code;
    return "other";
}

std::string_view words(flag_reason r)
{
    for (auto const& n : names)
        if (n.reason == r) return n.words;
    return "something else";
}

bool serious(flag_reason r)
{
    return r == flag_reason::spam || r == flag_reason::rude;
}

bool hide_now(flag_facts const& facts, flag_rules const& rules)
{
    return rules.hide_after > 0 && facts.serious_flags >= rules.hide_after;
}

}  // namespace peerdesk::moderation
