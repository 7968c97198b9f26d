#include "server/store/idea_store.hpp"

#include "server/store/search_store.hpp"

#include <array>
#include <unordered_map>

namespace peerdesk::store {
namespace {

constexpr std::array<std::string_view, 7> status_names = {"new",       "under_review", "planned",  "in_progress",
                                                          "delivered", "declined",     "duplicate"};

}  // namespace

std::string_view to_sql(idea_status s)
{
    return status_names[static_cast<std::size_t>(s)];
}

std::optional<idea_status> parse_idea_status(std::string_view text)
{
    for (std::size_t i = 0; i < status_names.size(); ++i)
        if (status_names[i] == text) return static_cast<idea_status>(i);
    return std::nullopt;
}

bool closes(idea_status s)
{
    return s == idea_status::delivered || s == idea_status::declined || s == idea_status::duplicate;
}

namespace sql {

// A vote is spent while its idea is open and public: closing, merging, deleting or hiding an
// idea gives its votes back without touching them.
#define PEERDESK_IDEA_OPEN "i.status NOT IN ('delivered', 'declined', 'duplicate')"

constexpr std::string_view facts =
    "SELECT i.post_id, p.author_id, i.status, i.votes, i.demand, i.merged_into, "
    "p.deleted_at IS NULL AND p.state = 'live' FROM ideas i JOIN posts p ON p.id = i.post_id WHERE i.post_id = ?1";
constexpr std::string_view open_votes =
    "SELECT count(*) FROM idea_votes v JOIN ideas i ON i.post_id = v.idea_id JOIN live_posts p ON p.id = v.idea_id "
    "WHERE v.user_id = ?1 AND " PEERDESK_IDEA_OPEN;
constexpr std::string_view voted = "SELECT 1 FROM idea_votes WHERE idea_id = ?1 AND user_id = ?2";
constexpr std::string_view insert_vote = "INSERT INTO idea_votes (idea_id, user_id, created_at) VALUES (?1, ?2, ?3)";
constexpr std::string_view delete_vote = "DELETE FROM idea_votes WHERE idea_id = ?1 AND user_id = ?2";
constexpr std::string_view recount_votes =
    "UPDATE ideas SET votes = (SELECT count(*) FROM idea_votes v WHERE v.idea_id = ?1) WHERE post_id = ?1";
constexpr std::string_view recount_demand =
    "UPDATE ideas SET demand = (SELECT count(*) FROM idea_links l WHERE l.idea_id = ?1) WHERE post_id = ?1";
constexpr std::string_view insert_history =
    "INSERT INTO idea_status_history (idea_id, status, response_markdown, response_html, actor_id, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view update_status =
    "UPDATE ideas SET status = ?2, merged_into = ?3, status_at = ?4 WHERE post_id = ?1";
constexpr std::string_view touch = "UPDATE posts SET last_activity_at = ?2 WHERE id = ?1";
// Votes move once per member; the surviving idea's author never votes for it.
constexpr std::string_view move_votes =
    "INSERT INTO idea_votes (idea_id, user_id, created_at) "
    "SELECT ?2, v.user_id, v.created_at FROM idea_votes v WHERE v.idea_id = ?1 "
    "AND v.user_id <> (SELECT author_id FROM posts WHERE id = ?2) "
    "ON CONFLICT (idea_id, user_id) DO NOTHING";
// Followers move too; a member who unfollowed the surviving idea stays unfollowed.
constexpr std::string_view move_followers =
    "INSERT INTO follows (user_id, target, target_id, following, created_at) "
    "SELECT f.user_id, 'question', ?2, 1, ?3 FROM follows f WHERE f.target = 'question' AND f.target_id = ?1 "
    "AND f.following = 1 ON CONFLICT (user_id, target, target_id) DO NOTHING";
constexpr std::string_view move_links =
    "INSERT INTO idea_links (idea_id, question_id, linked_by, created_at) "
    "SELECT ?2, l.question_id, l.linked_by, l.created_at FROM idea_links l WHERE l.idea_id = ?1 "
    "ON CONFLICT (idea_id, question_id) DO NOTHING";
constexpr std::string_view insert_link =
    "INSERT INTO idea_links (idea_id, question_id, linked_by, created_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (idea_id, question_id) DO NOTHING";
// The reasons' term is the partial index's own (migration 0031), so that SQLite may use it.
constexpr std::string_view rewarded =
    "SELECT 1 FROM reputation_events WHERE post_id = ?1 AND reason = ?2 "
    "AND reason IN ('idea_planned', 'idea_delivered') LIMIT 1";

// An idea as the board shows it (the idea as i, its post as p, the author as u).
constexpr std::string_view summary_columns =
    "SELECT p.id, p.title, u.id, u.username, u.reputation, i.status, i.votes, i.demand, "
    "(SELECT count(*) FROM live_comments c WHERE c.post_id = p.id), "
    "(SELECT group_concat(name, ' ') FROM (SELECT t.name FROM question_tags qt JOIN tags t ON t.id = qt.tag_id "
    "WHERE qt.question_id = p.id ORDER BY qt.position)), p.created_at, i.status_at, p.excerpt ";
constexpr std::string_view summaries_from =
    "FROM ideas i JOIN posts p ON p.id = i.post_id JOIN users u ON u.id = p.author_id ";

constexpr std::string_view history =
    "SELECT h.id, h.status, h.response_markdown, h.response_html, u.id, u.username, u.reputation, h.created_at "
    "FROM idea_status_history h JOIN users u ON u.id = h.actor_id WHERE h.idea_id = ?1 ORDER BY h.id";
constexpr std::string_view linked =
    "SELECT q.id, q.title, q.answer_count, q.accepted_answer_id IS NOT NULL FROM idea_links l "
    "JOIN live_posts q ON q.id = l.question_id WHERE l.idea_id = ?1 ORDER BY l.created_at DESC, q.id DESC LIMIT ?2";
constexpr std::string_view ideas_of_question =
    "SELECT l.idea_id FROM idea_links l JOIN live_posts p ON p.id = l.idea_id WHERE l.question_id = ?1 "
    "ORDER BY l.idea_id LIMIT 20";
constexpr std::string_view recent_changes =
    "SELECT h.id, p.id, p.title, h.status, h.response_html, u.username, h.created_at "
    "FROM idea_status_history h JOIN live_posts p ON p.id = h.idea_id JOIN users u ON u.id = h.actor_id "
    "ORDER BY h.id DESC LIMIT ?1";
constexpr std::string_view voters =
    "SELECT user_id FROM idea_votes WHERE idea_id = ?1 AND user_id > ?2 ORDER BY user_id LIMIT ?3";
constexpr std::string_view board_total =
    "SELECT coalesce(sum(value), 0) FROM site_counts WHERE name LIKE 'ideas:%' AND name <> 'ideas:duplicate'";
constexpr std::string_view status_total = "SELECT coalesce(sum(value), 0) FROM site_counts WHERE name = ?1";
constexpr std::string_view tag_id = "SELECT id FROM tags WHERE name = ?1";

constexpr std::string_view recount_all_votes =
    "UPDATE ideas SET votes = (SELECT count(*) FROM idea_votes v WHERE v.idea_id = ideas.post_id) "
    "WHERE votes IS NOT (SELECT count(*) FROM idea_votes v WHERE v.idea_id = ideas.post_id)";
constexpr std::string_view recount_all_demand =
    "UPDATE ideas SET demand = (SELECT count(*) FROM idea_links l WHERE l.idea_id = ideas.post_id) "
    "WHERE demand IS NOT (SELECT count(*) FROM idea_links l WHERE l.idea_id = ideas.post_id)";
constexpr std::string_view forget_board_counts = "DELETE FROM site_counts WHERE name LIKE 'ideas:%'";
constexpr std::string_view board_counts =
    "INSERT INTO site_counts (name, value) SELECT 'ideas:' || i.status, count(*) FROM ideas i "
    "JOIN live_posts p ON p.id = i.post_id GROUP BY i.status";
constexpr std::string_view board_counts_before =
    "SELECT group_concat(name || '=' || value, ',') FROM (SELECT name, value FROM site_counts "
    "WHERE name LIKE 'ideas:%' AND value <> 0 ORDER BY name)";
#undef PEERDESK_IDEA_OPEN

}  // namespace sql

namespace {

idea_summary read_summary(statement& s)
{
    idea_summary i;
    i.id = s.integer(0);
    i.title = s.text(1);
    i.author = {s.integer(2), s.text(3), s.integer(4)};
    i.status = parse_idea_status(s.text_view(5)).value_or(idea_status::new_);
    i.votes = s.integer(6);
    i.demand = s.integer(7);
    i.comments = s.integer(8);
    i.tags = split_words(s.optional_text(9).value_or(""));
    i.created_at = s.integer(10);
    i.status_at = s.integer(11);
    i.excerpt = s.text(12);
    return i;
}

std::int64_t one(statement& s)
{
    std::int64_t out = 0;
    if (s.step()) out = s.integer(0);
    s.reset();
    return out;
}

}  // namespace

std::int64_t idea_store::create(new_question const& idea, std::int64_t now)
{
    return post_store(db_).create_idea(idea, now);
}

void idea_store::vote(std::int64_t idea_id, std::int64_t user_id, std::int64_t now)
{
    db_.cached(sql::insert_vote).bind(idea_id, user_id, now).run();
    db_.cached(sql::recount_votes).bind(idea_id).run();
}

bool idea_store::unvote(std::int64_t idea_id, std::int64_t user_id)
{
    db_.cached(sql::delete_vote).bind(idea_id, user_id).run();
    if (db_.changes() == 0) return false;
    db_.cached(sql::recount_votes).bind(idea_id).run();
    return true;
}

void idea_store::count(std::int64_t idea_id, int sign)
{
    count_idea(db_, idea_id, sign);
}

std::int64_t idea_store::set_status(std::int64_t idea_id, idea_status status, std::string_view response_markdown,
                                    std::string_view response_html, std::int64_t actor_id, std::int64_t now)
{
    count(idea_id, -1);
    db_.cached(sql::update_status).bind(idea_id, to_sql(status), nullptr, now).run();
    count(idea_id, 1);
    db_.cached(sql::insert_history)
        .bind(idea_id, to_sql(status), response_markdown, response_html, actor_id, now)
        .run();
    auto const id = db_.last_insert_rowid();
    db_.cached(sql::touch).bind(idea_id, now).run();
    return id;
}

std::int64_t idea_store::merge(std::int64_t from, std::int64_t into, std::string_view response_markdown,
                               std::string_view response_html, std::int64_t actor_id, std::int64_t now)
{
    db_.cached(sql::move_votes).bind(from, into).run();
    db_.cached(sql::recount_votes).bind(into).run();
    db_.cached(sql::move_followers).bind(from, into, now).run();
    db_.cached(sql::move_links).bind(from, into).run();
    db_.cached(sql::recount_demand).bind(into).run();
    count(from, -1);
    db_.cached(sql::update_status).bind(from, to_sql(idea_status::duplicate), into, now).run();
    count(from, 1);
    db_.cached(sql::insert_history)
        .bind(from, to_sql(idea_status::duplicate), response_markdown, response_html, actor_id, now)
        .run();
    auto const id = db_.last_insert_rowid();
    db_.cached(sql::touch).bind(from, now).run();
    db_.cached(sql::touch).bind(into, now).run();
    enqueue_post(db_, from, now);
    enqueue_post(db_, into, now);
    return id;
}

bool idea_store::link(std::int64_t idea_id, std::int64_t question_id, std::int64_t user_id, std::int64_t now)
{
    db_.cached(sql::insert_link).bind(idea_id, question_id, user_id, now).run();
    if (db_.changes() == 0) return false;
    db_.cached(sql::recount_demand).bind(idea_id).run();
    return true;
}

std::string_view idea_store::rewarded_query()
{
    return sql::rewarded;
}

bool idea_store::rewarded(std::int64_t idea_id, std::string_view reason)
{
    return one(db_.cached(sql::rewarded).bind(idea_id, reason)) != 0;
}

std::optional<idea_facts> idea_store::facts(std::int64_t id)
{
    auto& s = db_.cached(sql::facts).bind(id);
    std::optional<idea_facts> out;
    if (s.step())
        out = idea_facts{s.integer(0),     s.integer(1), parse_idea_status(s.text_view(2)).value_or(idea_status::new_),
                         s.integer(3),     s.integer(4), s.optional_integer(5),
                         s.integer(6) != 0};
    s.reset();
    return out;
}

std::int64_t idea_store::open_votes(std::int64_t user_id)
{
    return one(db_.cached(sql::open_votes).bind(user_id));
}

bool idea_store::voted(std::int64_t idea_id, std::int64_t user_id)
{
    return one(db_.cached(sql::voted).bind(idea_id, user_id)) != 0;
}

std::vector<idea_summary> idea_store::summaries_of(std::vector<std::int64_t> const& ids)
{
    std::vector<idea_summary> out;
    if (ids.empty()) return out;
    auto& s = db_.cached(std::string(sql::summary_columns) + std::string(sql::summaries_from) + "WHERE p.id IN (" +
                         statement::in_list(ids.size()) + ")")
                  .bind_ids(ids);
    std::unordered_map<std::int64_t, idea_summary> found;
    while (s.step()) {
        auto i = read_summary(s);
        found.emplace(i.id, std::move(i));
    }
    s.reset();
    for (auto id : ids)
        if (auto it = found.find(id); it != found.end()) out.push_back(std::move(it->second));
    return out;
}

// The page's ids first (an index walk over ideas: by votes, or by id for the newest), then the
// summaries of those rows only. Trending counts the votes cast since `since`, so its cost
// follows the recent votes, not the number of ideas.
page_of<idea_summary> idea_store::board(idea_sort sort, std::optional<idea_status> status,
                                        std::optional<std::string> const& tag, std::int64_t since, std::int64_t page,
                                        std::int64_t pagesize)
{
    page_of<idea_summary> out{{}, page, pagesize, 0};
    std::optional<std::int64_t> tag_id;
    if (tag) {
        tag_id = one(db_.cached(sql::tag_id).bind(*tag));
        if (*tag_id == 0) return out;
    }
    // ?1 the status (or NULL: every status but duplicate), ?2 the tag's id (or NULL), ?3 since;
    // each variant its own statement, so that a status walks its own index.
    std::optional<std::string> status_text;
    if (status) status_text = std::string(to_sql(*status));
    std::string const status_sql = status ? "i.status = ?1" : "i.status <> 'duplicate' AND ?1 IS NULL";
    std::string const live_sql = " WHERE p.deleted_at IS NULL AND p.state = 'live' AND ";
    // A tag's ideas are counted from the tag's rows (its questions' too), not by testing every
    // idea; the count then chooses how to list them, as the question lists do: a tag on a fair
    // share of the ideas walks the board's order and keeps the tag's, a rarer one takes its
    // ideas and sorts them (walking for a tag on 0.5 % of 100,000 ideas read 6,000 of them).
    bool rare_tag = false;
    if (tag_id) {
        out.total = one(db_.cached("SELECT count(*) FROM question_tags qt CROSS JOIN ideas i ON i.post_id = "
                                   "qt.question_id CROSS JOIN posts p ON p.id = i.post_id" +
                                   live_sql + "qt.tag_id = ?2 AND " + status_sql)
                            .bind(status_text, tag_id));
        rare_tag = out.total * 20 < one(db_.cached(sql::board_total).bind());
    }
    std::string where = live_sql + status_sql;
    if (!tag_id)
        where += " AND ?2 IS NULL";
    else if (rare_tag)
        where += " AND i.post_id IN (SELECT qt.question_id FROM question_tags qt WHERE qt.tag_id = ?2)";
    else
        where += " AND EXISTS (SELECT 1 FROM question_tags qt WHERE qt.question_id = i.post_id AND qt.tag_id = ?2)";
    // CROSS JOIN keeps ideas outside: the page walks an index of ideas in the board's order and
    // stops after a page. Left to itself, with statistics, SQLite started from every post (a
    // covering index) and sorted all the ideas: 37 ms of CPU at 100,000 ideas.
    std::string from = " FROM ideas i CROSS JOIN posts p ON p.id = i.post_id";
    std::string order;
    switch (sort) {
        case idea_sort::top:
            order = "i.votes DESC, i.post_id DESC";
            break;
        case idea_sort::newest:
            order = "i.post_id DESC";
            break;
        case idea_sort::trending:
            from =
                " FROM (SELECT idea_id, count(*) AS recent FROM idea_votes WHERE created_at >= ?3 GROUP BY idea_id) "
                "r CROSS JOIN ideas i ON i.post_id = r.idea_id CROSS JOIN posts p ON p.id = i.post_id";
            order = "r.recent DESC, i.votes DESC, i.post_id DESC";
            break;
    }
    auto& list = db_.cached("SELECT i.post_id" + from + where + " ORDER BY " + order + " LIMIT ?4 OFFSET ?5")
                     .bind(status_text, tag_id, since, pagesize, (page - 1) * pagesize);
    std::vector<std::int64_t> ids;
    while (list.step()) ids.push_back(list.integer(0));
    list.reset();
    out.items = summaries_of(ids);
    if (sort == idea_sort::trending)
        out.total = one(db_.cached("SELECT count(*)" + from + where).bind(status_text, tag_id, since));
    else if (!tag_id && status_text)  // a tag's were counted above
        out.total = one(db_.cached(sql::status_total).bind("ideas:" + *status_text));
    else if (!tag_id)
        out.total = one(db_.cached(sql::board_total).bind());
    return out;
}

std::vector<idea_summary> idea_store::by_status(idea_status status, std::int64_t since, std::int64_t limit)
{
    std::vector<std::int64_t> ids;
    auto& s = db_.cached(
                     "SELECT i.post_id FROM ideas i JOIN live_posts p ON p.id = i.post_id WHERE i.status = ?1 "
                     "AND i.status_at >= ?2 ORDER BY i.status_at DESC, i.post_id DESC LIMIT ?3")
                  .bind(to_sql(status), since, limit);
    while (s.step()) ids.push_back(s.integer(0));
    s.reset();
    return summaries_of(ids);
}

std::vector<idea_history_row> idea_store::history(std::int64_t idea_id)
{
    std::vector<idea_history_row> out;
    auto& s = db_.cached(sql::history).bind(idea_id);
    while (s.step())
        out.push_back({s.integer(0), parse_idea_status(s.text_view(1)).value_or(idea_status::new_), s.text(2),
                       s.text(3), author_ref{s.integer(4), s.text(5), s.integer(6)}, s.integer(7)});
    s.reset();
    return out;
}

std::vector<linked_question> idea_store::linked_questions(std::int64_t idea_id, std::int64_t limit)
{
    std::vector<linked_question> out;
    auto& s = db_.cached(sql::linked).bind(idea_id, limit);
    while (s.step()) out.push_back({s.integer(0), s.optional_text(1).value_or(""), s.integer(2), s.integer(3) != 0});
    s.reset();
    return out;
}

std::vector<idea_summary> idea_store::ideas_of_question(std::int64_t question_id)
{
    std::vector<std::int64_t> ids;
    auto& s = db_.cached(sql::ideas_of_question).bind(question_id);
    while (s.step()) ids.push_back(s.integer(0));
    s.reset();
    return summaries_of(ids);
}

std::vector<idea_change> idea_store::recent_changes(std::int64_t limit)
{
    std::vector<idea_change> out;
    auto& s = db_.cached(sql::recent_changes).bind(limit);
    while (s.step())
        out.push_back({s.integer(0), s.integer(1), s.optional_text(2).value_or(""),
                       parse_idea_status(s.text_view(3)).value_or(idea_status::new_), s.text(4), s.text(5),
                       s.integer(6)});
    s.reset();
    return out;
}

std::vector<std::int64_t> idea_store::voters(std::int64_t idea_id, std::int64_t after, std::int64_t limit)
{
    std::vector<std::int64_t> out;
    auto& s = db_.cached(sql::voters).bind(idea_id, after, limit);
    while (s.step()) out.push_back(s.integer(0));
    s.reset();
    return out;
}

int idea_store::recount()
{
    auto tx = db_.begin_immediate();
    db_.cached(sql::recount_all_votes).run();
    int changed = db_.changes();
    db_.cached(sql::recount_all_demand).run();
    changed += db_.changes();
    auto const before = [&] {
        auto& s = db_.cached(sql::board_counts_before).bind();
        std::string out = s.step() ? s.optional_text(0).value_or("") : "";
        s.reset();
        return out;
    };
    auto const old_counts = before();
    db_.cached(sql::forget_board_counts).run();
    db_.cached(sql::board_counts).run();
    if (before() != old_counts) ++changed;
    tx.commit();
    return changed;
}

}  // namespace peerdesk::store
