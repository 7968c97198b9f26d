#include "server/render/template_engine.hpp"

#include <stdexcept>

namespace peerdesk::render::engine {

enum class node_kind { text, newline, variable, raw_variable, section, inverted };

struct node {
    node_kind kind = node_kind::text;
    std::string text;               // the text, or the name as written (for messages)
    std::vector<std::string> path;  // a name's parts; empty for {{.}}
    std::vector<node> children;     // a section's
};

namespace {

std::string_view trim(std::string_view s)
{
    auto const first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    auto const last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

std::vector<std::string> split_name(std::string_view name)
{
    std::vector<std::string> parts;
    if (name == ".") return parts;
    for (;;) {
        auto const dot = name.find('.');
        parts.emplace_back(name.substr(0, dot));
        if (dot == std::string_view::npos) break;
        name.remove_prefix(dot + 1);
    }
    return parts;
}

[[noreturn]] void broken(std::string const& what, std::size_t at)
{
    throw std::runtime_error(what + " at byte " + std::to_string(at));
}

void parse(std::string_view in, std::vector<node>& root)
{
    std::vector<std::vector<node>*> open{&root};
    std::vector<std::string> open_names;
    std::string text;
    auto flush_text = [&] {
        if (text.empty()) return;
        open.back()->push_back(node{node_kind::text, std::move(text), {}, {}});
        text.clear();
    };
    std::size_t i = 0;
    while (i < in.size()) {
        if (in.compare(i, 2, "{{") != 0) {
            // Newlines stand alone, as kainjow's lines do: a line is the unit its rule for
            // section-only lines looks at.
            std::size_t const nl = in.compare(i, 2, "\r\n") == 0 ? 2 : (in[i] == '\n' || in[i] == '\r') ? 1 : 0;
            if (nl) {
                flush_text();
                open.back()->push_back(node{node_kind::newline, std::string(in.substr(i, nl)), {}, {}});
                i += nl;
            } else {
                text += in[i++];
            }
            continue;
        }
        flush_text();
        bool const triple = i + 2 < in.size() && in[i + 2] == '{';
        auto const start = i + (triple ? 3 : 2);
        auto const end = in.find(triple ? "}}}" : "}}", start);
        if (end == std::string_view::npos) broken("unclosed tag", i);
        auto contents = trim(in.substr(start, end - start));
        i = end + (triple ? 3 : 2);
        node n;
        if (triple) {
            n.kind = node_kind::raw_variable;
        } else if (contents.empty()) {
            n.kind = node_kind::variable;
        } else {
            char const sigil = contents[0];
            if (sigil == '!') continue;
            if (sigil == '=' || sigil == '>')
                broken(sigil == '=' ? "delimiter changes are not supported" : "partial left after splicing", start);
            if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&') contents = trim(contents.substr(1));
            n.kind = sigil == '#'   ? node_kind::section
                     : sigil == '^' ? node_kind::inverted
                     : sigil == '&' ? node_kind::raw_variable
                                    : node_kind::variable;
            if (sigil == '/') {
                if (open_names.empty())
                    broken("section \"" + std::string(contents) + "\" closed but never opened", start);
                if (open_names.back() != contents)
                    broken("section \"" + open_names.back() + "\" closed as \"" + std::string(contents) + "\"", start);
                open.pop_back();
                open_names.pop_back();
                continue;
            }
        }
        n.text = std::string(contents);
        n.path = split_name(contents);
        open.back()->push_back(std::move(n));
        if (open.back()->back().kind == node_kind::section || open.back()->back().kind == node_kind::inverted) {
            open_names.push_back(open.back()->back().text);
            open.push_back(&open.back()->back().children);
        }
    }
    flush_text();
    if (!open_names.empty()) broken("section \"" + open_names.back() + "\" is not closed", in.size());
}

class renderer {
public:
    renderer(std::string& out, void (*escape)(std::string&, std::string_view), compiled_template::splice const* inner)
        : out_(out), escape_(escape), inner_(inner), line_start_(out.size())
    {
    }

    void run(std::vector<node> const& nodes, data const& root)
    {
        stack_.push_back(&root);
        walk(nodes);
        end_line(std::string_view());
    }

private:
    data const* lookup(node const& n) const
    {
        if (n.path.empty()) return stack_.back();
        for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
            data const* v = *it;
            for (auto const& part : n.path) {
                v = v->get(part);
                if (!v) break;
            }
            if (v) return v;
        }
        return nullptr;
    }

    // kainjow's rule: a line that held a section's tag (of a section shown) and is left with
    // nothing but spaces and tabs is dropped, newline and all.
    void end_line(std::string_view newline)
    {
        bool blank = section_on_line_;
        for (auto k = line_start_; blank && k < out_.size(); ++k) blank = out_[k] == ' ' || out_[k] == '\t';
        if (blank)
            out_.resize(line_start_);
        else
            out_ += newline;
        line_start_ = out_.size();
        section_on_line_ = false;
    }

    void walk(std::vector<node> const& nodes)
    {
        for (auto const& n : nodes) {
            switch (n.kind) {
                case node_kind::text:
                    out_ += n.text;
                    break;
                case node_kind::newline:
                    end_line(n.text);
                    break;
                case node_kind::variable:
                case node_kind::raw_variable:
                    if (inner_ && n.kind == node_kind::raw_variable && n.text == inner_->key) {
                        out_ += inner_->html;
                    } else if (auto const* v = lookup(n); v && v->type == value::kind::text) {
                        if (n.kind == node_kind::variable)
                            escape_(out_, v->text);
                        else
                            out_ += v->text;
                    }
                    break;
                case node_kind::section:
                    if (auto const* v = lookup(n); v && v->type != value::kind::falsy) {
                        if (v->type == value::kind::list) {
                            for (auto const& item : v->items) inside(n, &item);
                        } else {
                            inside(n, v);
                        }
                    }
                    break;
                case node_kind::inverted:
                    if (auto const* v = lookup(n);
                        !v || v->type == value::kind::falsy || (v->type == value::kind::list && v->items.empty()))
                        inside(n, nullptr);
                    break;
            }
        }
    }

    void inside(node const& n, data const* context)
    {
        section_on_line_ = true;
        if (context) stack_.push_back(context);
        walk(n.children);
        if (context) stack_.pop_back();
        section_on_line_ = true;
    }

    std::string& out_;
    void (*escape_)(std::string&, std::string_view);
    compiled_template::splice const* inner_;
    std::size_t line_start_;
    bool section_on_line_ = false;
    std::vector<data const*> stack_;
};

}  // namespace

compiled_template::compiled_template(std::string_view text)
{
    parse(text, nodes_);
}

compiled_template::~compiled_template() = default;
compiled_template::compiled_template(compiled_template&&) noexcept = default;

void compiled_template::render(data const& values, std::string& out, void (*escape)(std::string&, std::string_view),
                               splice const* inner) const
{
    renderer(out, escape, inner).run(nodes_, values);
}

}  // namespace peerdesk::render::engine
