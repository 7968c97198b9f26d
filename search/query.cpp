#include "search/query.hpp"

#include <algorithm>

namespace peerdesk::search {
namespace {

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Control characters (C0 and DEL) would confuse the parser and the log; they carry no meaning.
std::string without_controls(std::string_view q)
{
    std::string out;
    out.reserve(q.size());
    for (char c : q) {
        auto const u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    return out;
}

bool valid_tag_text(std::string_view t)
{
    return !t.empty() && t.size() <= 35 &&
           std::none_of(t.begin(), t.end(), [](char c) { return is_space(c) || c == '[' || c == ']'; });
}

}  // namespace

parsed_query parse_query(std::string_view q)
{
    parsed_query out;
    if (q.size() > max_query_bytes) {
        out.error = "A search is at most " + std::to_string(max_query_bytes) + " characters; shorten it.";
        return out;
    }
    auto const clean = without_controls(q);
    std::string_view rest(clean);
    std::string text;
    while (!rest.empty()) {
        if (is_space(rest.front())) {
            text += ' ';
            rest.remove_prefix(1);
            continue;
        }
        if (rest.front() == '"') {  // a phrase stays as typed; one left open runs to the end
            auto const end = rest.find('"', 1);
            auto const n = end == std::string_view::npos ? rest.size() : end + 1;
            text.append(rest.substr(0, n));
            // Closed here, so that filters formatted after the text are not read into it.
            if (end == std::string_view::npos) text += '"';
            rest.remove_prefix(n);
            continue;
        }
        auto const n = std::min(rest.size(), rest.find_first_of(" \t\n\r\f\v\""));
        auto const word = rest.substr(0, n);
        rest.remove_prefix(n);
        auto const w = lower(word);
        if (word.size() > 2 && word.front() == '[' && word.back() == ']' &&
            valid_tag_text(word.substr(1, word.size() - 2))) {
            out.filter.tags.push_back(lower(word.substr(1, word.size() - 2)));
        } else if (w.starts_with("tag:") && valid_tag_text(word.substr(4))) {
            out.filter.tags.push_back(lower(word.substr(4)));
        } else if (w.starts_with("user:") && word.size() > 5) {
            out.filter.user = lower(word.substr(5));
        } else if (w.starts_with("is:")) {
            auto const what = w.substr(3);
            if (what == "answered")
                out.filter.answered = true;
            else if (what == "accepted")
                out.filter.accepted = true;
            else if (what == "question")
                out.filter.kind = post_kind::question;
            else if (what == "answer")
                out.filter.kind = post_kind::answer;
            else if (what == "idea")
                out.filter.kind = post_kind::idea;
            else {
                out.error = "There is no filter is:" + std::string(word.substr(3, 40)) +
                            "; use is:answered, is:accepted, is:question, is:answer or is:idea.";
                return out;
            }
        } else {
            text.append(word);
        }
    }
    // Collapse the spaces left where filters were.
    std::string collapsed;
    for (char c : text)
        if (c != ' ' || (!collapsed.empty() && collapsed.back() != ' ')) collapsed += c;
    while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
    out.text = std::move(collapsed);
    std::sort(out.filter.tags.begin(), out.filter.tags.end());
    out.filter.tags.erase(std::unique(out.filter.tags.begin(), out.filter.tags.end()), out.filter.tags.end());
    return out;
}

std::string format_query(std::string_view text, filters const& f)
{
    std::string out(text);
    auto add = [&](std::string_view part) {
        if (!out.empty()) out += ' ';
        out += part;
    };
    for (auto const& t : f.tags) add("[" + t + "]");
    if (f.user) add("user:" + *f.user);
    if (f.answered) add("is:answered");
    if (f.accepted) add("is:accepted");
    if (f.kind == post_kind::question) add("is:question");
    if (f.kind == post_kind::answer) add("is:answer");
    if (f.kind == post_kind::idea) add("is:idea");
    return out;
}

}  // namespace peerdesk::search
