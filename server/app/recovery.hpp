#pragma once
// Verified addresses and account recovery, pages and API side by side: the verification link
// sent at sign-up (and again on request), "Forgot your password?", and changing the address.
//
// Links carry a random 256-bit token of which only the SHA-256 is stored (account_tokens);
// each works once, for one hour (reset) or seven days (verification), and only while the
// account still has the address it was sent to. A reset request answers the same whether or
// not an account has the address, and takes the same path (one write) either way.
#include "server/app/application.hpp"

namespace peerdesk::app {

// Queues the verification mail for the member's current address inside the caller's write
// transaction (c is the writer). False, and nothing queued, when mail is off or the address
// cannot be mailed.
bool queue_verification(store::connection& c, mail_options const& options, std::int64_t user_id, std::int64_t now);

}  // namespace peerdesk::app
