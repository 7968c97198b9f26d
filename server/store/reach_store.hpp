#pragma once
// What search engines are given: the sitemap's parts and their addresses. Readers only; the
// parts' times are kept by triggers (schema/0021_sitemap.sql) in every write's transaction.
#include "server/store/db.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace peerdesk::store {

// Questions by id in blocks of this many ids: a block never holds more addresses than one
// sitemap may list (50,000).
inline constexpr std::int64_t sitemap_block = 50000;

struct sitemap_part {
    std::int64_t part = 0;     // the block: ids from part × sitemap_block
    std::int64_t lastmod = 0;  // when anything in it last changed
};

// A post of a block: a question (its title makes its address) or an idea.
enum class sitemap_post_kind { question, idea };
struct sitemap_entry {
    std::int64_t id = 0;
    std::string title;
    std::int64_t lastmod = 0;
    sitemap_post_kind kind = sitemap_post_kind::question;
};

// The sets with parts of their own (schema/0028_sitemap_more.sql): tag pages and profiles.
enum class sitemap_set { tags, users };
// "tags", "users": the set's name in sitemap_sets and in its sitemaps' addresses.
std::string_view to_sql(sitemap_set set);
// A tag's name or a member's id, as its address needs it.
struct sitemap_item {
    std::int64_t id = 0;
    std::string name;
};

class reach_store {
public:
    explicit reach_store(connection& db) : db_(db) {}
    // Every part, in order.
    std::vector<sitemap_part> parts();
    // The part, when there is one.
    std::optional<sitemap_part> part(std::int64_t part);
    // The questions of a block worth a search engine's visit (live, and not thin: see
    // worth_indexing) and its public ideas (live, not merged into another), by id.
    std::vector<sitemap_entry> entries(std::int64_t part);
    // The parts of a set, in order; one part, when there is one.
    std::vector<sitemap_part> parts(sitemap_set set);
    std::optional<sitemap_part> part(sitemap_set set, std::int64_t part);
    // What a set's block lists, by id: tags with questions (not synonyms), members with a post
    // shown to the public.
    std::vector<sitemap_item> items(sitemap_set set, std::int64_t part);

private:
    connection& db_;
};

// A question page is thin, and kept out of search engines, while it has no answer and a body
// of fewer than this many characters: there is nothing on it yet for a searcher to find.
inline constexpr std::size_t thin_question_body = 100;
inline bool worth_indexing(std::int64_t answer_count, std::size_t body_characters)
{
    return answer_count > 0 || body_characters >= thin_question_body;
}

}  // namespace peerdesk::store
