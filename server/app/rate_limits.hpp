#pragma once
// Rate limits per member, per address and per widget key, for every room that takes writes or
// searches: a token bucket per key, in memory (limits protect the
// running server; they need not survive a restart). Thread-safe.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace peerdesk::app {

// At most count events in seconds, with bursts up to count.
struct rate_rule {
    int count = 10;
    int seconds = 3600;
};

// The limits of every action; each has a per-user and, where no user is known, per-address rule.
struct rate_rules {
    rate_rule sign_up_per_address{10, 3600};
    rate_rule failed_sign_in{5, 900};  // per address and per account: then one every three minutes
    rate_rule question{10, 3600};
    rate_rule answer{30, 3600};
    rate_rule comment{60, 3600};
    rate_rule vote{120, 3600};
    rate_rule flag{30, 3600};
    rate_rule search_per_address{120, 60};
    rate_rule posts_per_address{60, 3600};  // questions, answers and comments from one address
    rate_rule widget_per_key{600, 60};      // searches through one widget key, all visitors together
    rate_rule widget_per_address{60, 60};
    rate_rule upload{30, 3600};  // images uploaded by one member
    rate_rule draft{600, 3600};  // draft saves: the editors save a few seconds after typing stops
};

class rate_limiter {
public:
    explicit rate_limiter(bool enabled = true) : enabled_(enabled) {}
    bool enabled() const { return enabled_; }

    // Counts one event for key. Answers nothing when allowed, or the seconds to wait (and the
    // event is not counted).
    std::optional<int> hit(std::string const& key, rate_rule rule, std::int64_t now_ms);
    // Whether the next event would be refused, without counting one.
    std::optional<int> check(std::string const& key, rate_rule rule, std::int64_t now_ms);

private:
    struct bucket {
        double tokens = 0;
        std::int64_t at_ms = 0;
    };
    bucket& refill(std::string const& key, rate_rule rule, std::int64_t now_ms);
    void forget_full(std::int64_t now_ms);

    bool enabled_;
    std::mutex mutex_;
    std::unordered_map<std::string, bucket> buckets_;
    std::unordered_map<std::string, rate_rule> rules_;
};

// Whose events a limit counts: the signed-in member's (the address's when signed out), or the
// client address's whoever is signed in (what one machine may do, across accounts).
enum class rate_scope { member, address };

struct context;
struct viewer;
struct failure;
// Counts one event of action; a 429 failure that names the action and says when to try again
// when over. bucket, when given, replaces the member or address as the key (a widget key).
std::optional<failure> check_rate(context& ctx, viewer const& who, std::string_view action, rate_rule rule,
                                  rate_scope scope = rate_scope::member, std::string_view bucket = {});

}  // namespace peerdesk::app
