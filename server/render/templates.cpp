#include "server/render/templates.hpp"
#include "server/render/template_engine.hpp"
#include "server/render/trusted_html.hpp"

#include "server/assets.hpp"
#include "server/domain/validation.hpp"

#include <charconv>
#include <cstdio>
#include <map>
#include <random>
#include <stdexcept>

namespace peerdesk::render {

namespace {

bool names_html(std::string const& key)
{
    return key.size() > 5 && key.ends_with("_html");
}

void refuse_html_key(std::string const& key)
{
    if (names_html(key)) throw std::logic_error("view key " + key + " ends in _html but holds plain text");
}

}  // namespace

view& view::set(std::string const& key, std::string const& text)
{
    refuse_html_key(key);
    // Mustache counts an empty string as true in {{#section}}; an empty value here means
    // "nothing to show", so it is stored as false, which also prints as nothing.
    if (text.empty())
        data_.set(key, engine::value::of_bool(false));
    else if (!domain::valid_utf8(text))
        data_.set(key, engine::value::of_text(domain::to_valid_utf8(text)));  // every page stays UTF-8
    else
        data_.set(key, engine::value::of_text(text));
    return *this;
}

view& view::set(std::string const& key, std::int64_t number)
{
    refuse_html_key(key);
    data_.set(key, engine::value::of_text(std::to_string(number)));
    return *this;
}

view& view::set(std::string const& key, bool flag)
{
    data_.set(key, engine::value::of_bool(flag));
    return *this;
}

view& view::set(std::string const& key, view const& object)
{
    data_.set(key, object.data_);
    return *this;
}

view& view::set(std::string const& key, view&& object)
{
    data_.set(key, std::move(object.data_));
    object.data_ = engine::value();
    return *this;
}

view& view::set(std::string const& key, std::vector<view> const& list)
{
    auto items = engine::value::of_list();
    items.items.reserve(list.size());
    for (auto const& v : list) items.items.push_back(v.data_);
    data_.set(key, std::move(items));
    return *this;
}

view& view::set(std::string const& key, std::vector<view>&& list)
{
    auto items = engine::value::of_list();
    items.items.reserve(list.size());
    for (auto& v : list) items.items.push_back(std::move(v.data_));
    data_.set(key, std::move(items));
    return *this;
}

view& view::set_html(std::string const& key, safe_html const& html)
{
    if (!names_html(key)) throw std::logic_error("safe HTML must go under a key ending in _html, not " + key);
    data_.set(key, engine::value::of_text(html.str()));
    return *this;
}

namespace {

constexpr std::string_view folder = "templates/";
constexpr std::string_view partial_folder = "templates/partials/";
constexpr std::string_view extension = ".html";

// Partials are spliced into the page templates once, when they are compiled: kainjow would
// otherwise parse every partial again each time it is used, which dominated render time.
std::string expand_partials(std::string text, std::map<std::string, std::string, std::less<>> const& partials,
                            int depth = 0)
{
    if (depth > 8) throw std::runtime_error("templates: partials nested too deeply");
    std::string out;
    std::size_t pos = 0;
    for (;;) {
        auto const open = text.find("{{>", pos);
        if (open == std::string::npos) break;
        auto const close = text.find("}}", open);
        if (close == std::string::npos) throw std::runtime_error("templates: unterminated partial tag");
        std::string name = text.substr(open + 3, close - open - 3);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        auto const it = partials.find(name);
        if (it == partials.end()) throw std::runtime_error("templates: no partial named " + name);
        out += text.substr(pos, open - pos);
        out += expand_partials(it->second, partials, depth + 1);
        pos = close + 2;
    }
    out += text.substr(pos);
    return out;
}

void append_plain(std::string& out, std::string_view text)
{
    out.append(text);
}

// Compiled once for the process (the engine's trees are read-only once built).
struct compiled_set {
    std::map<std::string, engine::compiled_template, std::less<>> pages;
    std::map<std::string, engine::compiled_template, std::less<>> texts;
    std::map<std::string, std::string, std::less<>> sources;  // pages as compiled, for tests

    compiled_set()
    {
        std::map<std::string, std::string, std::less<>> partials;
        for (auto const& f : assets::all()) {
            if (!f.path.starts_with(partial_folder) || !f.path.ends_with(extension)) continue;
            auto name = std::string(f.path.substr(partial_folder.size()));
            name.resize(name.size() - extension.size());
            partials.emplace(std::move(name), std::string(f.bytes));
        }
        auto compile = [](std::string const& name, std::string const& text) {
            try {
                return engine::compiled_template(text);
            } catch (std::exception const& e) {
                throw std::runtime_error("template " + name + " is broken: " + e.what());
            }
        };
        for (auto const& f : assets::all()) {
            if (!f.path.starts_with(folder) || !f.path.ends_with(extension) || f.path.starts_with(partial_folder))
                continue;
            auto name = std::string(f.path.substr(folder.size()));
            name.resize(name.size() - extension.size());
            auto source = expand_partials(std::string(f.bytes), partials);
            pages.emplace(name, compile(name, source));
            sources.emplace(std::move(name), std::move(source));
        }
        constexpr std::string_view text_extension = ".txt";
        for (auto const& f : assets::all()) {
            if (!f.path.starts_with(folder) || !f.path.ends_with(text_extension)) continue;
            auto name = std::string(f.path.substr(folder.size()));
            name.resize(name.size() - text_extension.size());
            auto compiled = compile(name, std::string(f.bytes));
            texts.emplace(std::move(name), std::move(compiled));
        }
    }
};

compiled_set const& templates()
{
    static compiled_set const set;
    return set;
}

engine::compiled_template const& page_template(std::string_view name)
{
    auto const& set = templates();
    auto const it = set.pages.find(name);
    if (it == set.pages.end()) throw std::runtime_error("no template named " + std::string(name));
    return it->second;
}

}  // namespace

safe_html render_template(std::string_view name, view const& values)
{
    std::string out;
    page_template(name).render(values.data(), out, append_escaped_html);
    return trusted_html(std::move(out));
}

namespace {

// Random per process, so that nothing a member writes can be taken for a hole.
std::string const& hole_marker()
{
    static std::string const marker = [] {
        std::random_device rd;
        std::string m = "\x1ehole-";
        for (int i = 0; i < 4; ++i) {
            char buf[9];
            std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
            m += buf;
        }
        return m + "\x1f";
    }();
    return marker;
}

}  // namespace

std::size_t slotted_html::bytes() const
{
    std::size_t n = 0;
    for (auto const& t : text) n += t.size();
    for (auto const& h : holes) n += h.size();
    return n;
}

slotted_html render_slotted(std::string_view name, view values)
{
    auto const& marker = hole_marker();
    values.data().set("viewer_html", engine::value::of_text(marker));
    auto const page = render_template(name, values);
    auto const& s = page.str();
    slotted_html out;
    std::size_t pos = 0;
    for (;;) {
        auto const open = s.find(marker, pos);
        if (open == std::string::npos) break;
        auto const start = open + marker.size();
        auto const close = s.find(marker, start);
        if (close == std::string::npos)
            throw std::runtime_error("template " + std::string(name) + ": a hole is not closed");
        out.text.push_back(s.substr(pos, open - pos));
        out.holes.push_back(s.substr(start, close - start));
        pos = close + marker.size();
    }
    out.text.push_back(s.substr(pos));
    return out;
}

html_builder& html_builder::text(std::string_view plain)
{
    append_escaped_html(out_, plain);
    return *this;
}

html_builder& html_builder::number(std::int64_t n)
{
    char buf[24];
    auto const end = std::to_chars(buf, buf + sizeof buf, n).ptr;
    out_.append(buf, static_cast<std::size_t>(end - buf));
    return *this;
}

html_builder& html_builder::html(safe_html const& h)
{
    out_ += h.str();
    return *this;
}

html_builder& html_builder::shared(slotted_html const& page, std::size_t piece)
{
    out_ += page.text.at(piece);
    return *this;
}

safe_html html_builder::done() &&
{
    return trusted_html(std::move(out_));
}

safe_html render_around(std::string_view name, view values, std::string const& key, safe_html const& inner)
{
    if (!names_html(key)) throw std::logic_error("safe HTML must go under a key ending in _html, not " + key);
    std::string out;
    out.reserve(inner.str().size() + 8192);
    engine::compiled_template::splice const splice{key, inner.str()};
    page_template(name).render(values.data(), out, append_escaped_html, &splice);
    return trusted_html(std::move(out));
}

std::string render_text_template(std::string_view name, view const& values)
{
    auto const& set = templates();
    auto const it = set.texts.find(name);
    if (it == set.texts.end()) throw std::runtime_error("no text template named " + std::string(name));
    std::string out;
    it->second.render(values.data(), out, append_plain);
    return out;
}

std::string template_source(std::string_view name)
{
    auto const& set = templates();
    auto const it = set.sources.find(name);
    if (it == set.sources.end()) throw std::runtime_error("no template named " + std::string(name));
    return it->second;
}

std::vector<std::string> template_names()
{
    std::vector<std::string> out;
    for (auto const& [name, _] : templates().pages) out.push_back(name);
    return out;
}

}  // namespace peerdesk::render
