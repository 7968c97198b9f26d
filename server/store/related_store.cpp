#include "server/store/related_store.hpp"

#include "server/store/post_store.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace peerdesk::store {
namespace sql {

// A question's tags in its order, as one text (tag names hold no spaces).
#define PEERDESK_QUESTION_TAGS                                                                                   \
    "(SELECT group_concat(name, ' ') FROM (SELECT t.name FROM question_tags qt JOIN tags t ON t.id = qt.tag_id " \
    "  WHERE qt.question_id = p.id ORDER BY qt.position)) "
// Columns of related_candidate, in this order.
#define PEERDESK_CANDIDATE_COLUMNS "p.id, p.title, " PEERDESK_QUESTION_TAGS ", r.related_ids, r.text_hash, r.found_at "
#define PEERDESK_CANDIDATE_FROM \
    "FROM live_posts p LEFT JOIN related_questions r ON r.question_id = p.id WHERE p.kind = 'question' "

constexpr std::string_view find =
    "SELECT related_ids, text_hash, found_at FROM related_questions WHERE question_id = ?1";
constexpr std::string_view questions_after =
    "SELECT " PEERDESK_CANDIDATE_COLUMNS PEERDESK_CANDIDATE_FROM "AND p.id > ?1 ORDER BY p.id LIMIT ?2";
constexpr std::string_view questions_in = "SELECT " PEERDESK_CANDIDATE_COLUMNS PEERDESK_CANDIDATE_FROM "AND p.id IN (";
constexpr std::string_view keep =
    "INSERT INTO related_questions (question_id, related_ids, text_hash, found_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (question_id) DO UPDATE SET related_ids = excluded.related_ids, text_hash = excluded.text_hash, "
    "found_at = excluded.found_at";
constexpr std::string_view forget = "DELETE FROM related_questions WHERE question_id = ?1";
constexpr std::string_view forget_gone =
    "DELETE FROM related_questions WHERE question_id > ?1 AND question_id <= ?2 AND NOT EXISTS "
    "(SELECT 1 FROM live_posts p WHERE p.id = related_questions.question_id AND p.kind = 'question')";
constexpr std::string_view count = "SELECT count(*) FROM related_questions";
constexpr std::string_view count_between =
    "SELECT count(*) FROM related_questions WHERE question_id > ?1 AND question_id <= ?2";
constexpr std::string_view missing =
    "SELECT count(*) FROM live_posts p WHERE p.kind = 'question' "
    "AND NOT EXISTS (SELECT 1 FROM related_questions r WHERE r.question_id = p.id)";

#undef PEERDESK_CANDIDATE_FROM
#undef PEERDESK_CANDIDATE_COLUMNS
#undef PEERDESK_QUESTION_TAGS

}  // namespace sql

namespace {

related_candidate read_candidate(statement& s)
{
    related_candidate c;
    c.question_id = s.integer(0);
    c.title = s.optional_text(1).value_or("");
    c.tags = split_words(s.optional_text(2).value_or(""));
    if (!s.is_null(3)) c.stored = related_list{parse_related_ids(s.text_view(3)), s.integer(4), s.integer(5)};
    return c;
}

}  // namespace

std::int64_t related_text_hash(std::string_view title, std::vector<std::string> const& tags)
{
    std::uint64_t h = 14695981039346656037ull;
    auto const add = [&](std::string_view s) {
        for (unsigned char const ch : s) {
            h ^= ch;
            h *= 1099511628211ull;
        }
    };
    add(title);
    // Tags are a set: the order they were typed in does not change what is related.
    std::vector<std::string_view> sorted(tags.begin(), tags.end());
    std::sort(sorted.begin(), sorted.end());
    for (auto const t : sorted) {
        add("\n");
        add(t);
    }
    std::int64_t out;
    std::memcpy(&out, &h, sizeof out);
    return out;
}

std::string format_related_ids(std::vector<std::int64_t> const& ids)
{
    std::string out;
    for (auto const id : ids) {
        if (!out.empty()) out += ',';
        out += std::to_string(id);
    }
    return out;
}

std::vector<std::int64_t> parse_related_ids(std::string_view text)
{
    std::vector<std::int64_t> out;
    while (!text.empty()) {
        auto const comma = text.find(',');
        auto const part = text.substr(0, comma);
        std::int64_t id = 0;
        auto const [end, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
        if (ec == std::errc() && end == part.data() + part.size() && id > 0) out.push_back(id);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

std::optional<related_list> related_store::find(std::int64_t question_id)
{
    auto& s = db_.cached(sql::find).bind(question_id);
    if (!s.step()) return std::nullopt;
    related_list out{parse_related_ids(s.text_view(0)), s.integer(1), s.integer(2)};
    s.reset();
    return out;
}

std::vector<related_candidate> related_store::questions_after(std::int64_t after_id, std::size_t limit)
{
    std::vector<related_candidate> out;
    auto& s = db_.cached(sql::questions_after).bind(after_id, static_cast<std::int64_t>(limit));
    while (s.step()) out.push_back(read_candidate(s));
    return out;
}

std::vector<related_candidate> related_store::questions(std::vector<std::int64_t> const& ids)
{
    std::vector<related_candidate> out;
    // bind_ids pads its IN lists to a few sizes; larger lists go in parts.
    constexpr std::size_t part = 100;
    for (std::size_t i = 0; i < ids.size(); i += part) {
        std::vector<std::int64_t> const some(ids.begin() + static_cast<std::ptrdiff_t>(i),
                                             ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), i + part)));
        auto const query = std::string(sql::questions_in) + statement::in_list(some.size()) + ") ORDER BY p.id";
        auto& s = db_.cached(query).bind_ids(some);
        while (s.step()) out.push_back(read_candidate(s));
    }
    std::sort(out.begin(), out.end(), [](auto const& a, auto const& b) { return a.question_id < b.question_id; });
    return out;
}

void related_store::keep(std::int64_t question_id, std::vector<std::int64_t> const& ids, std::int64_t text_hash,
                         std::int64_t now)
{
    db_.cached(sql::keep).bind(question_id, format_related_ids(ids), text_hash, now).run();
}

void related_store::forget(std::int64_t question_id)
{
    db_.cached(sql::forget).bind(question_id).run();
}

std::int64_t related_store::forget_gone(std::int64_t after_id, std::int64_t up_to)
{
    db_.cached(sql::forget_gone).bind(after_id, up_to).run();
    return db_.changes();
}

std::int64_t related_store::count()
{
    auto& s = db_.cached(sql::count).bind();
    s.step();
    auto const n = s.integer(0);
    s.reset();
    return n;
}

std::int64_t related_store::count_between(std::int64_t after_id, std::int64_t up_to)
{
    auto& s = db_.cached(sql::count_between).bind(after_id, up_to);
    s.step();
    auto const n = s.integer(0);
    s.reset();
    return n;
}

std::int64_t related_store::missing()
{
    auto& s = db_.cached(sql::missing).bind();
    s.step();
    auto const n = s.integer(0);
    s.reset();
    return n;
}

}  // namespace peerdesk::store
