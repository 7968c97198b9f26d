// docs/api.md lists every route the router knows, and nothing else: the reference cannot fall
// behind the code, nor promise what is gone.
#include "server/app/routes.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace peerdesk;

TEST_CASE("docs/api.md documents every route, and every documented route exists")
{
    app::route_table table;
    app::add_all_routes(table);
    std::set<std::string> routed;
    for (auto const& [verb, pattern] : table.patterns())
        routed.insert(std::string(http::method_name(verb)) + " " + pattern);

    std::ifstream file(std::string(PEERDESK_SOURCE_DIR) + "/docs/api.md");
    REQUIRE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    std::set<std::string> documented;
    std::regex const row(R"(^\| `(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (/[^` ]*)` \|)");
    std::string line;
    while (std::getline(text, line)) {
        std::smatch m;
        if (std::regex_search(line, m, row)) documented.insert(m[1].str() + " " + m[2].str());
    }
    for (auto const& r : routed) CHECK_MESSAGE(documented.count(r), "docs/api.md does not document " << r);
    for (auto const& d : documented)
        CHECK_MESSAGE(routed.count(d), "docs/api.md documents " << d << ", which no route answers");
    CHECK(routed.size() > 80);
}
