#include "server/app/rate_limits.hpp"

#include "server/app/context.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace peerdesk::app {
namespace {

constexpr std::size_t max_buckets = 200'000;

int wait_seconds(double tokens, rate_rule rule)
{
    auto const per_token_ms = 1000.0 * rule.seconds / rule.count;
    return std::max(1, static_cast<int>(std::ceil((1.0 - tokens) * per_token_ms / 1000.0)));
}

}  // namespace

rate_limiter::bucket& rate_limiter::refill(std::string const& key, rate_rule rule, std::int64_t now_ms)
{
    if (buckets_.size() >= max_buckets) forget_full(now_ms);
    auto [it, fresh] = buckets_.try_emplace(key);
    auto& b = it->second;
    if (fresh) {
        b.tokens = rule.count;
        b.at_ms = now_ms;
        rules_[key] = rule;
        return b;
    }
    auto const elapsed = static_cast<double>(std::max<std::int64_t>(0, now_ms - b.at_ms));
    b.tokens = std::min<double>(rule.count, b.tokens + elapsed * rule.count / (1000.0 * rule.seconds));
    b.at_ms = now_ms;
    return b;
}

// Buckets that have refilled completely carry no information; dropping them bounds memory.
void rate_limiter::forget_full(std::int64_t now_ms)
{
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        auto const rule = rules_[it->first];
        auto const elapsed = static_cast<double>(now_ms - it->second.at_ms);
        if (it->second.tokens + elapsed * rule.count / (1000.0 * rule.seconds) >= rule.count) {
            rules_.erase(it->first);
            it = buckets_.erase(it);
        } else {
            ++it;
        }
    }
}

std::optional<int> rate_limiter::hit(std::string const& key, rate_rule rule, std::int64_t now_ms)
{
    if (!enabled_) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto& b = refill(key, rule, now_ms);
    if (b.tokens < 1.0) return wait_seconds(b.tokens, rule);
    b.tokens -= 1.0;
    return std::nullopt;
}

std::optional<int> rate_limiter::check(std::string const& key, rate_rule rule, std::int64_t now_ms)
{
    if (!enabled_) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (!buckets_.contains(key)) return std::nullopt;
    auto& b = refill(key, rule, now_ms);
    if (b.tokens < 1.0) return wait_seconds(b.tokens, rule);
    return std::nullopt;
}

std::optional<failure> check_rate(context& ctx, viewer const& who, std::string_view action, rate_rule rule,
                                  rate_scope scope, std::string_view bucket)
{
    if (!ctx.limiter) return std::nullopt;
    auto const key = std::string(action) + ":" +
                     (!bucket.empty()                           ? "k" + std::string(bucket)
                      : who.user && scope == rate_scope::member ? "u" + std::to_string(who.user->id)
                                                                : "a" + who.address);
    auto const wait = ctx.limiter->hit(
        key, rule,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    if (!wait) return std::nullopt;
    return failure{failure_kind::rate_limited, "rate_limited",
                   "You are doing that too often (" + std::string(action) + "); try again in " + std::to_string(*wait) +
                       (*wait == 1 ? " second." : " seconds."),
                   "", *wait};
}

}  // namespace peerdesk::app
