#pragma once
// Uploaded images (uploads), and which posts show them (upload_refs). The files themselves are
// in DATA/uploads, named by their SHA-256; this store holds the facts about them.
#include "server/store/db.hpp"

#include <optional>
#include <string>
#include <vector>

namespace peerdesk::store {

struct new_upload {
    std::int64_t user_id = 0;
    std::string sha256;
    std::string content_type;
    std::int64_t bytes = 0;
    int width = 0;
    int height = 0;
    std::int64_t created_at = 0;
};

// Whether a stored image may be shown: known at all, and still shown to readers (referenced by
// a post that is not deleted or was deleted after `deleted_after`, or not referenced yet: an
// image in a draft or a preview).
struct upload_access {
    std::string content_type;
    bool shown_to_readers = false;
};

// The SHA-256 names of the uploaded images a post's Markdown shows ("/uploads/<sha>.<ext>").
std::vector<std::string> upload_names_in(std::string_view markdown);

class upload_store {
public:
    explicit upload_store(connection& db) : db_(db) {}

    void add(new_upload const& u);
    // The member's uploads: all their bytes together (for the quota).
    std::int64_t bytes_of(std::int64_t user_id);
    std::optional<upload_access> access(std::string_view sha256, std::int64_t deleted_after);
    // Records which uploaded images the post shows; an image once shown stays linked (the
    // post's history still shows it).
    void link(std::int64_t post_id, std::string_view markdown);

private:
    connection& db_;
};

}  // namespace peerdesk::store
