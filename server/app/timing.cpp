#include "server/app/timing.hpp"

#include <array>
#include <cstdio>
#include <cstring>

namespace peerdesk::app::timing {
namespace {

struct entry {
    char const* name = nullptr;
    clock::duration total{};
};
thread_local std::array<entry, 4> spans;

void append(std::string& out, char const* name, clock::duration d)
{
    char buf[64];
    double const ms = std::chrono::duration<double, std::milli>(d).count();
    std::snprintf(buf, sizeof buf, "%s%s;dur=%.2f", out.empty() ? "" : ", ", name, ms);
    out += buf;
}

}  // namespace

void begin()
{
    spans = {};
}

void add(char const* name, clock::duration d)
{
    for (auto& e : spans) {
        if (e.name == nullptr || std::strcmp(e.name, name) == 0) {
            e.name = name;
            e.total += d;
            return;
        }
    }
}

std::string header(clock::duration total, char const* desc)
{
    std::string out = desc ? desc : "";
    for (auto const& e : spans)
        if (e.name) append(out, e.name, e.total);
    append(out, "total", total);
    return out;
}

}  // namespace peerdesk::app::timing
