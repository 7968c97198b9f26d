#pragma once
// What a tag means: its short description, its wiki with revisions, and its synonyms (tags,
// tag_revisions, tag_synonyms). Which questions carry a tag stays with post_store.
#include "server/store/db.hpp"

#include <optional>
#include <string>
#include <vector>

namespace peerdesk::store {

struct tag_info {
    std::int64_t id = 0;
    std::string name;
    std::int64_t question_count = 0;
    std::string description;
    std::string wiki_markdown;
    std::string wiki_html;
    std::optional<std::int64_t> edited_at;
    std::vector<std::string> synonyms;  // names that stand for this tag
};

struct tag_suggestion {
    std::string name;
    std::int64_t question_count = 0;
    std::string description;
};

struct tag_revision_row {
    std::int64_t id = 0;
    std::int64_t author_id = 0;
    std::string author;
    std::string description;
    std::string wiki_markdown;
    std::int64_t created_at = 0;
};

enum class synonym_outcome { added, same_tag, target_is_synonym, name_has_synonyms, exists };

class tag_store {
public:
    explicit tag_store(connection& db) : db_(db) {}

    std::optional<tag_info> find(std::string_view name);
    // The tag a synonym stands for, when name is one.
    std::optional<std::string> synonym_target(std::string_view name);
    // Tags whose name (or a synonym's) begins with prefix, most used first, at most limit.
    std::vector<tag_suggestion> suggest(std::string_view prefix, int limit);
    // A new revision of the description and wiki.
    void edit(std::int64_t tag_id, std::int64_t author_id, std::string const& description,
              std::string const& wiki_markdown, std::string const& wiki_html, std::int64_t now);
    std::vector<tag_revision_row> revisions(std::int64_t tag_id, int limit);
    // Makes name stand for the tag. Questions already tagged with name move to the tag (and are
    // indexed again), and members following name follow the tag (once), all in the caller's
    // transaction or one of its own.
    synonym_outcome add_synonym(std::string const& name, tag_info const& target, std::int64_t by, std::int64_t now);
    bool remove_synonym(std::string_view name, std::int64_t tag_id);

private:
    connection& db_;
};

}  // namespace peerdesk::store
