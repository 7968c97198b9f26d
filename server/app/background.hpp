// Threads that work beside the requests (workers, senders, the search log) run at a lower
// priority than the threads that answer.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

namespace peerdesk::app {

// On Linux a thread has its own nice value. The request threads and the writer stay at the
// process's own; background work gets the CPU when they leave it, so that on a two-core
// machine a burst of background work (an index commit, a fan-out batch) does not take a time
// slice from a request that is waiting to run. nice: 1 (a little lower) to 19 (the lowest).
inline void lower_this_thread(int nice)
{
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);
}

}  // namespace peerdesk::app
