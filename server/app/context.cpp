#include "server/app/context.hpp"

#include "server/store/user_store.hpp"

#include <charconv>

namespace peerdesk::app {

domain::actor viewer::actor() const
{
    if (!user) return {};
    return {user->id, domain::parse_role(user->role), user->reputation};
}

bool viewer::is_moderator() const { return user && (user->role == "moderator" || user->role == "admin"); }

std::optional<std::int64_t> parse_id(std::string_view text)
{
    std::int64_t value = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) return std::nullopt;
    return value;
}

std::string load_settings(store::connection& db, settings& s)
{
    store::user_store users(db);
    std::string problems;
    int* targets[] = {&s.thresholds.upvote, &s.thresholds.comment_everywhere, &s.thresholds.downvote,
                      &s.thresholds.edit_others};
    for (std::size_t i = 0; i < std::size(setting_keys); ++i) {
        auto const value = users.setting(setting_keys[i]);
        if (!value) continue;
        int parsed = 0;
        auto const [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
        if (ec != std::errc{} || end != value->data() + value->size() || parsed < 0) {
            problems += std::string("setting ") + setting_keys[i] + " is not a whole number: " + *value + "\n";
            continue;
        }
        *targets[i] = parsed;
    }
    return problems;
}

}  // namespace peerdesk::app
