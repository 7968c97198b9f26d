#include "moderation/spam_rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace peerdesk::moderation {
namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Words of ASCII letters, digits and '+'; anything else separates them.
std::vector<std::string> words(std::string_view text)
{
    std::vector<std::string> out;
    std::string word;
    for (char c : text) {
        auto const u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '+' || c == '\'' || u >= 0x80) {
            word += static_cast<char>(std::tolower(u));
        } else if (!word.empty()) {
            out.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

// What people write when they have nothing to add but gratitude or agreement.
constexpr std::array<std::string_view, 58> filler{
    "+1",   "thanks", "thank",   "thankyou", "thx",     "ty",      "you",  "so",       "much",  "a",
    "lot",  "many",   "very",    "me",       "too",     "same",    "here", "problem",  "issue", "great",
    "good", "nice",   "awesome", "cool",     "perfect", "answer",  "post", "question", "this",  "that",
    "it",   "works",  "worked",  "helped",   "helps",   "for",     "the",  "i",        "have",  "had",
    "also", "really", "+1!",     "agree",    "agreed",  "exactly", "yes",  "yeah",     "same.", "wow",
    "bump", "up",     "plus",    "one",      "again",   "guys",    "mate", "dude"};

bool is_filler(std::string const& w)
{
    if (std::all_of(w.begin(), w.end(), [](char c) { return c == '+' || c == '1'; })) return true;  // +1, +1+1
    return std::find(filler.begin(), filler.end(), w) != filler.end();
}

bool host_matches(std::string const& host, std::string const& domain)
{
    return host == domain ||
           (host.size() > domain.size() && host.ends_with(domain) && host[host.size() - domain.size() - 1] == '.');
}

bool contains_phrase(std::string const& haystack, std::string const& phrase)
{
    for (std::size_t at = haystack.find(phrase); at != std::string::npos; at = haystack.find(phrase, at + 1)) {
        auto const before = at == 0 ? ' ' : haystack[at - 1];
        auto const end = at + phrase.size();
        auto const after = end >= haystack.size() ? ' ' : haystack[end];
        if (!std::isalnum(static_cast<unsigned char>(before)) && !std::isalnum(static_cast<unsigned char>(after)))
            return true;
    }
    return false;
}

}  // namespace

bool is_only_thanks(std::string_view text)
{
    auto const ws = words(text);
    if (ws.empty()) return true;
    return ws.size() <= 12 && std::all_of(ws.begin(), ws.end(), is_filler);
}

std::vector<std::string> link_hosts(std::string_view html)
{
    std::vector<std::string> out;
    constexpr std::string_view marker = "href=\"";
    for (auto at = html.find(marker); at != std::string_view::npos; at = html.find(marker, at + 1)) {
        auto const start = at + marker.size();
        auto const end = html.find('"', start);
        if (end == std::string_view::npos) break;
        auto url = html.substr(start, end - start);
        auto const scheme = url.find("://");
        if (scheme == std::string_view::npos) continue;  // relative links and mailto: stay here
        url.remove_prefix(scheme + 3);
        auto host = url.substr(0, url.find_first_of("/?#"));
        if (auto const userinfo = host.rfind('@'); userinfo != std::string_view::npos) host.remove_prefix(userinfo + 1);
        host = host.substr(0, host.find(':'));
        out.push_back(lower(host));
    }
    return out;
}

std::vector<std::string> parse_list(std::string_view text)
{
    std::vector<std::string> out;
    std::string item;
    auto flush = [&] {
        if (!item.empty()) out.push_back(lower(item));
        item.clear();
    };
    for (char c : text) {
        if (c == ',' || c == '\n')
            flush();
        else if (c == ' ' && item.empty())
            continue;
        else
            item += c;
    }
    flush();
    for (auto& i : out)
        while (!i.empty() && i.back() == ' ') i.pop_back();
    std::erase_if(out, [](std::string const& s) { return s.empty(); });
    return out;
}

verdict judge(post_type type, std::string_view source, std::string_view html, author_facts const& author,
              spam_settings const& settings)
{
    if (type == post_type::answer && is_only_thanks(source))
        return {verdict::kind::refuse,
                "An answer should solve the problem. To thank someone, upvote the answer that helped; to say "
                "you have the same problem, upvote the question."};
    if (type == post_type::comment && is_only_thanks(source))
        return {verdict::kind::refuse,
                "Comments like \"thanks\" or \"+1\" add noise for everyone who comes later; upvote the post instead."};
    if (author.moderator) return {};

    auto const hosts = link_hosts(html);
    for (auto const& h : hosts)
        for (auto const& d : settings.blocked_domains)
            if (host_matches(h, d))
                return {verdict::kind::hold, "It links to " + h + ", a blocked site; a moderator will look at it."};
    auto const text = lower(source);
    for (auto const& w : settings.blocked_words)
        if (contains_phrase(text, w))
            return {verdict::kind::hold, "It contains a blocked word (" + w + "); a moderator will look at it."};
    bool const is_new = author.reputation < settings.new_user_reputation;
    if (is_new && static_cast<int>(hosts.size()) > settings.new_user_max_links)
        return {verdict::kind::hold, "New members may post " + std::to_string(settings.new_user_max_links) +
                                         " link per post; this one has " + std::to_string(hosts.size()) +
                                         ", so a moderator will look at it first."};
    if (is_new && settings.hold_first_post && author.posts == 0)
        return {verdict::kind::hold, "A new member's first post is read by a moderator before it is published."};
    return {};
}

}  // namespace peerdesk::moderation
