#include "server/render/markdown.hpp"
#include "server/render/trusted_html.hpp"

#include <cmark.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <vector>

namespace peerdesk::render {

safe_html trusted_html(std::string html)
{
    return safe_html(std::move(html));
}

safe_html stored_markdown_html(std::string html)
{
    return trusted_html(std::move(html));
}

namespace {

// Which bytes the escape changes, looked up rather than compared five times a byte.
constexpr auto escaped_bytes = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : {'&', '<', '>', '"', '\''}) t[c] = true;
    return t;
}();

}  // namespace

void append_escaped_html(std::string& out, std::string_view text)
{
    // Copies runs of ordinary bytes at once: most text has few characters to escape.
    auto const* p = text.data();
    auto const* const end = p + text.size();
    auto const* from = p;
    for (; p != end; ++p) {
        if (!escaped_bytes[static_cast<unsigned char>(*p)]) continue;
        out.append(from, static_cast<std::size_t>(p - from));
        switch (*p) {
            case '&':
                out.append("&amp;", 5);
                break;
            case '<':
                out.append("&lt;", 4);
                break;
            case '>':
                out.append("&gt;", 4);
                break;
            case '"':
                out.append("&quot;", 6);
                break;
            default:
                out.append("&#39;", 5);
                break;
        }
        from = p + 1;
    }
    out.append(from, static_cast<std::size_t>(end - from));
}

std::string escape_html(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    append_escaped_html(out, text);
    return out;
}

namespace {

struct node_deleter {
    void operator()(cmark_node* n) const { cmark_node_free(n); }
};
struct parser_deleter {
    void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
using node_ptr = std::unique_ptr<cmark_node, node_deleter>;

bool starts_with_ci(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// Only these destinations may become links: anything with another scheme (javascript:,
// data:, vbscript:, file:…) is dropped, whatever its case or the spaces around it.
bool safe_url(std::string_view url)
{
    while (!url.empty() && static_cast<unsigned char>(url.front()) <= ' ') url.remove_prefix(1);
    if (starts_with_ci(url, "http://") || starts_with_ci(url, "https://"))
        return url.find_first_not_of('/', url.find(':') + 1) != std::string_view::npos;
    if (starts_with_ci(url, "mailto:")) return true;
    // A relative URL has no scheme: no ':' before the first '/', '?' or '#'.
    auto const stop = url.find_first_of("/?#");
    auto const colon = url.find(':');
    return colon == std::string_view::npos || (stop != std::string_view::npos && stop < colon);
}

std::string_view view(char const* s)
{
    return s ? std::string_view(s) : std::string_view();
}

bool inside_link_or_code(cmark_node* n)
{
    for (auto* p = cmark_node_parent(n); p; p = cmark_node_parent(p)) {
        auto const t = cmark_node_get_type(p);
        if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE || t == CMARK_NODE_CUSTOM_INLINE) return true;
    }
    return false;
}

std::size_t url_end(std::string_view text, std::size_t start)
{
    std::size_t end = start;
    while (end < text.size()) {
        auto const c = static_cast<unsigned char>(text[end]);
        if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == '`') break;
        ++end;
    }
    // Punctuation that ends a sentence is not part of the URL; a ')' is kept only when the
    // URL opened one (as in Wikipedia links).
    while (end > start) {
        char const c = text[end - 1];
        if (c == '.' || c == ',' || c == ':' || c == ';' || c == '!' || c == '?' || c == '\'' || c == '*' || c == '_') {
            --end;
        } else if (c == ')' && text.substr(start, end - start).find('(') == std::string_view::npos) {
            --end;
        } else {
            break;
        }
    }
    return end;
}

// The text nodes outside links and code, in document order: what autolink and mentions rewrite.
std::vector<cmark_node*> plain_text_nodes(cmark_node* root)
{
    std::vector<cmark_node*> texts;
    auto* it = cmark_iter_new(root);
    for (auto ev = cmark_iter_next(it); ev != CMARK_EVENT_DONE; ev = cmark_iter_next(it)) {
        auto* n = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_TEXT && !inside_link_or_code(n))
            texts.push_back(n);
    }
    cmark_iter_free(it);
    return texts;
}

// Rewrites one text node as text, an inline node, text, …: each replace() puts the text since
// the last one and the new node after it; finish() puts the rest. A node with nothing replaced
// is left as it was.
class text_splice {
public:
    text_splice(cmark_node* node, std::string const& text) : node_(node), last_(node), text_(text) {}

    // text[start, end) becomes the inline node.
    void replace(std::size_t start, std::size_t end, cmark_node* inline_node)
    {
        std::string const before = text_.substr(done_, start - done_);
        if (!changed_) {
            cmark_node_set_literal(node_, before.c_str());
            changed_ = true;
        } else if (!before.empty()) {
            put_text(before);
        }
        cmark_node_insert_after(last_, inline_node);
        last_ = inline_node;
        done_ = end;
    }

    void finish()
    {
        if (changed_ && done_ < text_.size()) put_text(text_.substr(done_));
    }

private:
    void put_text(std::string const& literal)
    {
        auto* t = cmark_node_new(CMARK_NODE_TEXT);
        cmark_node_set_literal(t, literal.c_str());
        cmark_node_insert_after(last_, t);
        last_ = t;
    }

    cmark_node* node_;
    cmark_node* last_;
    std::string const& text_;
    std::size_t done_ = 0;
    bool changed_ = false;
};

// A link (or a custom inline) holding the label as its text.
cmark_node* with_label(cmark_node* link, std::string const& label)
{
    auto* text = cmark_node_new(CMARK_NODE_TEXT);
    cmark_node_set_literal(text, label.c_str());
    cmark_node_append_child(link, text);
    return link;
}

// Splits text nodes around bare http(s) URLs and puts a link node in between.
void autolink(cmark_node* root)
{
    for (auto* node : plain_text_nodes(root)) {
        std::string const text(view(cmark_node_get_literal(node)));
        text_splice splice(node, text);
        std::size_t from = 0;
        for (;;) {
            auto const http = text.find("http://", from), https = text.find("https://", from);
            auto const start = std::min(http, https);
            if (start == std::string::npos) break;
            auto const end = url_end(text, start);
            auto const scheme_length = start == https ? 8u : 7u;
            // A scheme with nothing after it stays text.
            from = end <= start + scheme_length ? start + scheme_length : end;
            if (end <= start + scheme_length) continue;
            std::string const url = text.substr(start, end - start);
            auto* link = cmark_node_new(CMARK_NODE_LINK);
            cmark_node_set_url(link, url.c_str());
            splice.replace(start, end, with_label(link, url));
        }
        splice.finish();
    }
}

// "/uploads/<64 hex>.<png|jpg|gif|webp>": an image uploaded to this site, shown in place.
bool is_uploaded_image(std::string_view url)
{
    constexpr std::string_view prefix = "/uploads/";
    if (!url.starts_with(prefix) || url.size() < prefix.size() + 64 + 4) return false;
    auto const name = url.substr(prefix.size(), 64);
    if (!std::all_of(name.begin(), name.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
        return false;
    auto const ext = url.substr(prefix.size() + 64);
    return ext == ".png" || ext == ".jpg" || ext == ".gif" || ext == ".webp";
}

// The plain text inside a node (an image's description, for alt).
std::string text_of(cmark_node* node)
{
    std::string out;
    auto* it = cmark_iter_new(node);
    for (auto ev = cmark_iter_next(it); ev != CMARK_EVENT_DONE; ev = cmark_iter_next(it)) {
        auto* n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER) continue;
        auto const t = cmark_node_get_type(n);
        if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE) out += view(cmark_node_get_literal(n));
        if ((t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK) && out.size() < 1000) out += ' ';
    }
    cmark_iter_free(it);
    return out;
}

// cmark's renderer writes plain <a href>; links are rewritten as custom inlines so that each
// carries rel="nofollow ugc noopener" and only a safe destination.
void rewrite_links(cmark_node* root)
{
    std::vector<cmark_node*> links;
    auto* it = cmark_iter_new(root);
    for (auto ev = cmark_iter_next(it); ev != CMARK_EVENT_DONE; ev = cmark_iter_next(it)) {
        auto* n = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER &&
            (cmark_node_get_type(n) == CMARK_NODE_LINK || cmark_node_get_type(n) == CMARK_NODE_IMAGE))
            links.push_back(n);
    }
    cmark_iter_free(it);
    for (auto* link : links) {
        // An image from another site would be fetched by every reader's browser, telling that
        // site who read the post and when: it stays a link. Only images uploaded here are shown.
        bool const image = cmark_node_get_type(link) == CMARK_NODE_IMAGE;
        auto const url = view(cmark_node_get_url(link));
        auto const title = view(cmark_node_get_title(link));
        if (image && is_uploaded_image(url)) {
            std::string tag = "<img src=\"" + std::string(url) + "\" alt=\"" + escape_html(text_of(link)) + "\"";
            if (!title.empty()) tag += " title=\"" + escape_html(title) + "\"";
            tag += " loading=\"lazy\" class=\"uploaded\">";
            auto* custom = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
            cmark_node_set_on_enter(custom, tag.c_str());
            cmark_node_replace(link, custom);
            cmark_node_free(link);
            continue;
        }
        std::string open = "<a href=\"" + (safe_url(url) ? escape_html(url) : std::string()) + "\"";
        if (!title.empty()) open += " title=\"" + escape_html(title) + "\"";
        open +=
            image ? " class=\"image-link\" rel=\"nofollow ugc noopener\">Image: " : " rel=\"nofollow ugc noopener\">";
        auto* custom = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
        cmark_node_set_on_enter(custom, open.c_str());
        cmark_node_set_on_exit(custom, "</a>");
        if (image && !cmark_node_first_child(link)) {
            auto* label = cmark_node_new(CMARK_NODE_TEXT);
            cmark_node_set_literal(label, std::string(url).c_str());
            cmark_node_append_child(custom, label);
        }
        while (auto* child = cmark_node_first_child(link)) cmark_node_append_child(custom, child);
        cmark_node_replace(link, custom);
        cmark_node_free(link);
    }
}

bool name_character(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Splits text nodes around "@name" for members the resolver knows and puts a link in between.
// An '@' right after a name character (an address: ana@example.com) starts no mention.
std::vector<std::int64_t> link_mentions(cmark_node* root, mention_resolver const& r)
{
    std::vector<std::int64_t> mentioned;
    std::vector<std::pair<std::string, std::optional<std::int64_t>>> looked_up;
    auto const resolve = [&](std::string const& name) -> std::optional<std::int64_t> {
        std::string folded = name;
        for (auto& ch : folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        for (auto const& [n, id] : looked_up)
            if (n == folded) return id;
        if (looked_up.size() >= r.max_lookups) return std::nullopt;
        auto id = r.find(name);
        looked_up.emplace_back(folded, id);
        return id;
    };
    for (auto* node : plain_text_nodes(root)) {
        std::string const text(view(cmark_node_get_literal(node)));
        text_splice splice(node, text);
        std::size_t from = 0;
        for (;;) {
            auto const at = text.find('@', from);
            if (at == std::string::npos) break;
            from = at + 1;
            if (at > 0 && (name_character(text[at - 1]) || text[at - 1] == '@')) continue;
            std::size_t end = at + 1;
            while (end < text.size() && name_character(text[end])) ++end;
            // A sentence may end right after a name: "thanks @ana." links "ana".
            while (end > at + 1 && (text[end - 1] == '.' || text[end - 1] == '-' || text[end - 1] == '_')) --end;
            if (end == at + 1 || !std::isalnum(static_cast<unsigned char>(text[at + 1]))) continue;
            auto const name = text.substr(at + 1, end - at - 1);
            auto const id = resolve(name);
            if (!id) continue;
            bool const known = std::find(mentioned.begin(), mentioned.end(), *id) != mentioned.end();
            if (!known && mentioned.size() >= r.max) continue;
            if (!known) mentioned.push_back(*id);
            auto const open = "<a class=\"mention\" href=\"" + escape_html(r.url_prefix + std::to_string(*id)) + "\">";
            auto* link = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
            cmark_node_set_on_enter(link, open.c_str());
            cmark_node_set_on_exit(link, "</a>");
            splice.replace(at, end, with_label(link, "@" + name));
            from = end;
        }
        splice.finish();
    }
    return mentioned;
}

std::string excerpt_of(cmark_node* root, std::size_t max_characters)
{
    std::string out;
    bool space = false;
    std::size_t characters = 0;
    auto* it = cmark_iter_new(root);
    for (auto ev = cmark_iter_next(it); ev != CMARK_EVENT_DONE && characters < max_characters;
         ev = cmark_iter_next(it)) {
        auto* n = cmark_iter_get_node(it);
        auto const type = cmark_node_get_type(n);
        if (ev == CMARK_EVENT_EXIT && (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING)) space = true;
        if (ev != CMARK_EVENT_ENTER) continue;
        if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) space = true;
        if (type != CMARK_NODE_TEXT && type != CMARK_NODE_CODE && type != CMARK_NODE_CODE_BLOCK) continue;
        for (char c : view(cmark_node_get_literal(n))) {
            if (c == '\n' || c == '\t' || c == ' ' || c == '\r') {
                space = true;
                continue;
            }
            if (space && !out.empty()) {
                out += ' ';
                ++characters;
            }
            space = false;
            if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) {
                if (characters >= max_characters) break;
                ++characters;
            }
            out += c;
        }
    }
    cmark_iter_free(it);
    if (characters >= max_characters) out += "…";
    return out;
}

std::string_view strip_indent(std::string_view line, std::size_t& indent)
{
    indent = 0;
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
        indent += line[i] == '\t' ? 4 - indent % 4 : 1;
        ++i;
    }
    return line.substr(i);
}

// Width of a list marker at the start of `s` including the space after it, or 0.
std::size_t list_marker(std::string_view s)
{
    if (s.empty()) return 0;
    std::size_t i = 0;
    if (s[0] == '-' || s[0] == '*' || s[0] == '+') {
        i = 1;
    } else {
        while (i < s.size() && i < 9 && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == 0 || i >= s.size() || (s[i] != '.' && s[i] != ')')) return 0;
        ++i;
    }
    if (i == s.size()) return i;
    return (s[i] == ' ' || s[i] == '\t') ? i + 1 : 0;
}

// Runs of '*' or '_' outside fenced code: each is a potential emphasis delimiter, and cmark
// 0.30.2 needs tens of milliseconds for some arrangements of a few thousand of them.
std::size_t count_emphasis_runs(std::string_view source)
{
    std::size_t runs = 0;
    bool in_fence = false, line_start = true;
    char previous = 0;
    for (std::size_t i = 0; i < source.size(); ++i) {
        char const c = source[i];
        if (line_start && (source.substr(i, 3) == "```" || source.substr(i, 3) == "~~~")) in_fence = !in_fence;
        line_start = c == '\n';
        if (!in_fence && (c == '*' || c == '_') && previous != c) ++runs;
        previous = c;
    }
    return runs;
}

}  // namespace

int estimate_nesting(std::string_view source)
{
    // Content columns of the list items open at the current line, innermost last.
    std::vector<std::size_t> lists;
    int deepest = 0;
    std::string_view fence;
    std::size_t start = 0;
    while (start <= source.size()) {
        auto end = source.find('\n', start);
        if (end == std::string_view::npos) end = source.size();
        std::size_t indent = 0;
        auto rest = strip_indent(source.substr(start, end - start), indent);
        start = end + 1;
        if (!fence.empty()) {
            if (rest.starts_with(fence)) fence = {};
            continue;
        }
        if (rest.starts_with("```") || rest.starts_with("~~~")) {
            fence = rest.substr(0, 3);
            continue;
        }
        if (rest.empty()) continue;
        int quotes = 0;
        std::size_t column = indent;
        while (!rest.empty()) {
            if (rest.front() == '>') {
                ++quotes;
                rest.remove_prefix(1);
                ++column;
                std::size_t more = 0;
                rest = strip_indent(rest, more);
                column += more;
                continue;
            }
            while (!lists.empty() && lists.back() > column) lists.pop_back();
            auto const width = list_marker(rest);
            if (width == 0) break;
            lists.push_back(column + width);
            rest.remove_prefix(width);
            column += width;
            std::size_t more = 0;
            rest = strip_indent(rest, more);
            column += more;
        }
        deepest = std::max(deepest, quotes + static_cast<int>(lists.size()));
        if (end == source.size()) break;
    }
    return deepest;
}

markdown_result render_markdown(std::string_view source, markdown_limits const& limits,
                                mention_resolver const* mentions)
{
    if (source.size() > limits.max_bytes)
        return {std::nullopt, "The text is too long: shorten it to " + std::to_string(limits.max_bytes / 4) +
                                  " characters or fewer."};
    if (int const depth = estimate_nesting(source); depth > limits.max_nesting)
        return {std::nullopt, "Lists and quotes are nested " + std::to_string(depth) + " levels deep; use at most " +
                                  std::to_string(limits.max_nesting) + " levels."};
    if (count_emphasis_runs(source) > limits.max_emphasis_runs)
        return {std::nullopt, "The text has more than " + std::to_string(limits.max_emphasis_runs) +
                                  " runs of * and _; put code in a fenced code block (``` on the lines before "
                                  "and after) or use less emphasis."};

    int const options = CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SAFE;
    std::unique_ptr<cmark_parser, parser_deleter> parser(cmark_parser_new(options));
    cmark_parser_feed(parser.get(), source.data(), source.size());
    node_ptr root(cmark_parser_finish(parser.get()));
    autolink(root.get());
    rewrite_links(root.get());
    std::vector<std::int64_t> mentioned;
    if (mentions && mentions->find) mentioned = link_mentions(root.get(), *mentions);
    char* html = cmark_render_html(root.get(), options);
    std::string out(html);
    std::free(html);
    return {rendered_markdown{trusted_html(std::move(out)), excerpt_of(root.get(), 200), std::move(mentioned)}, {}};
}

}  // namespace peerdesk::render
