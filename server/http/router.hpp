#pragma once
// Routes "/questions/{id}/answers"-style patterns to handlers, by method.
#include "server/http/message.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerdesk::http {

// The values of a matched pattern's {placeholders}, percent-decoded.
class route_match {
public:
    std::string_view operator[](std::string_view name) const
    {
        for (auto const& [k, v] : params_)
            if (k == name) return v;
        return {};
    }
    void add(std::string name, std::string value) { params_.emplace_back(std::move(name), std::move(value)); }

private:
    std::vector<std::pair<std::string, std::string>> params_;
};

// Splits a path into its segments and decodes each; nothing when an escape is malformed or a
// segment decodes to something with '/' or a NUL in it. "/" and "" give no segments; a
// trailing slash is ignored.
std::optional<std::vector<std::string>> split_path(std::string_view path);

// Matches decoded segments against a pattern's segments; fills `match` on success.
bool match_pattern(std::vector<std::string> const& pattern, std::vector<std::string> const& segments,
                   route_match& match);

enum class route_status { found, method_not_allowed, not_found, bad_path };

template <typename Handler>
class router {
public:
    // A pattern goes before any earlier one that would shadow it ("/questions/ask" before
    // "/questions/{id}"), so that the order in which rooms register does not matter.
    void add(method verb, std::string_view pattern, Handler h)
    {
        auto segments = *split_path(pattern);
        auto at = routes_.begin();
        while (at != routes_.end() && !shadows(at->pattern, segments)) ++at;
        routes_.insert(at, route{verb, std::move(segments), std::move(h)});
    }

    // Every route as (method, pattern), for documentation and its test.
    std::vector<std::pair<method, std::string>> patterns() const
    {
        std::vector<std::pair<method, std::string>> out;
        for (auto const& r : routes_) {
            std::string p;
            for (auto const& s : r.pattern) p += "/" + s;
            out.emplace_back(r.verb, p.empty() ? "/" : p);
        }
        return out;
    }

    struct result {
        route_status status = route_status::not_found;
        Handler const* handler = nullptr;
        route_match match;
        std::vector<method> allowed;  // for 405
    };

    result find(method verb, std::string_view path) const
    {
        result r;
        auto const segments = split_path(path);
        if (!segments) {
            r.status = route_status::bad_path;
            return r;
        }
        for (auto const& route : routes_) {
            route_match m;
            if (!match_pattern(route.pattern, *segments, m)) continue;
            bool const same = route.verb == verb || (verb == method::head && route.verb == method::get);
            if (same) {
                r.status = route_status::found;
                r.handler = &route.handle;
                r.match = std::move(m);
                return r;
            }
            r.allowed.push_back(route.verb);
        }
        if (!r.allowed.empty()) r.status = route_status::method_not_allowed;
        return r;
    }

private:
    static bool placeholder(std::string const& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }
    // Whether `general` matches every path `specific` matches, and more.
    static bool shadows(std::vector<std::string> const& general, std::vector<std::string> const& specific)
    {
        if (general.size() != specific.size()) return false;
        bool wider = false;
        for (std::size_t i = 0; i < general.size(); ++i) {
            if (placeholder(general[i])) {
                wider = wider || !placeholder(specific[i]);
            } else if (general[i] != specific[i]) {
                return false;
            }
        }
        return wider;
    }
    struct route {
        method verb;
        std::vector<std::string> pattern;
        Handler handle;
    };
    std::vector<route> routes_;
};

std::string_view method_name(method m);

}  // namespace peerdesk::http
