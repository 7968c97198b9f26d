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
    for (auto const& spec : setting_specs) {
        auto const value = users.setting(spec.key);
        if (!value) continue;
        int parsed = 0;
        auto const [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
        if (ec != std::errc{} || end != value->data() + value->size() || parsed < spec.min || parsed > spec.max) {
            problems += std::string("setting ") + spec.key + " must be a whole number from " +
                        std::to_string(spec.min) + " to " + std::to_string(spec.max) + ", not " + *value + "\n";
            continue;
        }
        spec.apply(s, parsed);
    }
    return problems;
}

}  // namespace peerdesk::app
