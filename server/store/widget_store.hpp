#pragma once
// Widget keys (which sites may show the community's search) and their usage.
#include "server/store/db.hpp"
#include "server/store/search_store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace peerdesk::store {

struct widget_key_row {
    std::int64_t id = 0;
    std::string key;
    std::string name;
    std::vector<std::string> allowed_origins;
    std::optional<std::string> default_tag;
    bool enabled = true;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> rotated_at;
};

struct widget_usage {
    std::int64_t searches = 0;
    std::int64_t no_results = 0;
    std::int64_t clicks = 0;
    std::vector<std::pair<std::string, std::int64_t>> top_no_results;  // query, count
};

class widget_store {
public:
    explicit widget_store(connection& db) : db_(db) {}

    std::int64_t create(std::string const& key, std::string const& name, std::vector<std::string> const& origins,
                        std::optional<std::string> const& default_tag, std::int64_t created_by, std::int64_t now);
    std::vector<widget_key_row> list();
    std::optional<widget_key_row> find(std::int64_t id);
    std::optional<widget_key_row> find_by_key(std::string_view key);
    void update(widget_key_row const& row);
    void rotate(std::int64_t id, std::string const& new_key, std::int64_t now);
    widget_usage usage(std::int64_t key_id, std::int64_t since);

private:
    connection& db_;
};

}  // namespace peerdesk::store
