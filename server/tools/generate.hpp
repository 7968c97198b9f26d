#pragma once
// A realistic community for benchmarks and demos, deterministic from a seed, written through
// the same store code the server uses (in large transactions: the bulk path, not HTTP).
#include "server/store/db.hpp"

#include <cstdint>
#include <functional>

namespace peerdesk::tools {

struct generate_options {
    std::int64_t posts = 10000;  // questions and answers together
    std::uint64_t seed = 1;
    std::int64_t users = 0;  // 0: one user per 20 posts, at least 100, at most 50,000
};

struct generate_report {
    std::int64_t users = 0;
    std::int64_t questions = 0;
    std::int64_t answers = 0;
    std::int64_t comments = 0;
    std::int64_t votes = 0;
    std::int64_t accepted = 0;
};

// Fills an empty community. progress(done, total) is called now and then.
generate_report generate(store::database& db, generate_options const& options,
                         std::function<void(std::int64_t, std::int64_t)> const& progress = {});

}  // namespace peerdesk::tools
