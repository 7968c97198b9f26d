// The template engine against the renderer it replaced (kainjow's, still the data model):
// every page template, with data drawn at random for the names it uses, renders to the same
// bytes under both, blank lines and all.
#include "server/render/template_engine.hpp"
#include "server/render/templates.hpp"

#include <doctest/doctest.h>
#include <kainjow/mustache.hpp>

#include <random>
#include <set>

using namespace peerdesk::render;
using data = engine::value;
using kdata = kainjow::mustache::data;

namespace {

// The names a template looks up: each part of a dotted name may stand for an object.
std::set<std::string> names_in(std::string const& text)
{
    std::set<std::string> names;
    for (std::size_t at = text.find("{{"); at != std::string::npos; at = text.find("{{", at + 2)) {
        auto const end = text.find("}}", at);
        if (end == std::string::npos) break;
        auto name = text.substr(at + 2, end - at - 2);
        name.erase(0, name.find_first_not_of("{#^/&! "));
        name.erase(name.find_last_not_of("} ") + 1);
        for (std::size_t dot = 0;;) {
            auto const next = name.find('.', dot);
            names.insert(name.substr(dot, next == std::string::npos ? next : next - dot));
            if (next == std::string::npos) break;
            dot = next + 1;
        }
    }
    return names;
}

data random_value(std::mt19937& rng, std::set<std::string> const& names, int depth);

data random_object(std::mt19937& rng, std::set<std::string> const& names, int depth)
{
    data object;
    for (auto const& name : names)
        if (rng() % 3 != 0) object.set(name, random_value(rng, names, depth));
    return object;
}

// The same values in kainjow's model.
kdata theirs_of(data const& v)
{
    switch (v.type) {
        case data::kind::falsy:
            return kdata(false);
        case data::kind::truthy:
            return kdata(true);
        case data::kind::text:
            return kdata(v.text);
        case data::kind::list: {
            kdata list(kdata::type::list);
            for (auto const& item : v.items) list.push_back(theirs_of(item));
            return list;
        }
        case data::kind::object:
            break;
    }
    kdata object(kdata::type::object);
    for (auto const& f : v.fields) object.set(f.name, theirs_of(f.val));
    return object;
}

data random_value(std::mt19937& rng, std::set<std::string> const& names, int depth)
{
    static char const* const texts[] = {"", " ", "\t", "plain", "<b>&\"'</b>", "two\nlines", "  x  ", "\n"};
    switch (rng() % (depth < 2 ? 7 : 4)) {
        case 0:
            return data::of_bool(false);
        case 1:
            return data::of_bool(true);
        case 2:
        case 3:
            return data::of_text(texts[rng() % std::size(texts)]);
        case 4:
            return data::of_list();
        case 5: {
            auto list = data::of_list();
            for (auto n = 1 + rng() % 3; n > 0; --n) list.items.push_back(random_object(rng, names, depth + 1));
            return list;
        }
        default:
            return random_object(rng, names, depth + 1);
    }
}

void escape(std::string& out, std::string_view text)
{
    out += escape_html(text);
}

}  // namespace

TEST_CASE("every page template renders as kainjow's mustache rendered it, whatever the data")
{
    int compared = 0;
    for (auto const& name : template_names()) {
        auto const source = template_source(name);
        auto const names = names_in(source);
        engine::compiled_template const ours(source);
        kainjow::mustache::mustache theirs(source);
        REQUIRE(theirs.is_valid());
        theirs.set_custom_escape([](std::string const& s) { return escape_html(s); });
        for (unsigned seed = 0; seed < 40; ++seed) {
            std::mt19937 rng(seed);
            auto const values = random_object(rng, names, 0);
            std::string mine;
            ours.render(values, mine, escape);
            CAPTURE(name);
            CAPTURE(seed);
            REQUIRE(mine == theirs.render(theirs_of(values)));
            ++compared;
        }
    }
    CHECK(compared > 1000);
}

TEST_CASE("the engine's own rules: blank section lines go, broken templates are refused")
{
    data values;
    values.set("shown", data::of_bool(true));
    values.set("items", data::of_list());
    std::string out;
    engine::compiled_template("a\n  {{#shown}}\nb\n  {{/shown}}\nc{{^items}}!{{/items}}\n").render(values, out, escape);
    CHECK(out == "a\nb\nc!\n");
    CHECK_THROWS_AS(engine::compiled_template("{{#a}}x"), std::runtime_error);
    CHECK_THROWS_AS(engine::compiled_template("{{#a}}x{{/b}}"), std::runtime_error);
    CHECK_THROWS_AS(engine::compiled_template("x{{/a}}"), std::runtime_error);
    CHECK_THROWS_AS(engine::compiled_template("{{name"), std::runtime_error);
    CHECK_THROWS_AS(engine::compiled_template("{{=<% %>=}}"), std::runtime_error);
}
