// The lists of questions (by sort, by tag, by member, by id) and of tags.
#include "server/store/post_store.hpp"

#include <algorithm>

namespace peerdesk::store {

namespace sql {

constexpr std::string_view live_questions = "SELECT value FROM site_counts WHERE name = 'live_questions'";
// A tag's id and count, and the highest post id (how many posts there are, near enough).
constexpr std::string_view tag_for_list =
    "SELECT id, question_count, (SELECT max(id) FROM posts) FROM tags WHERE name = ?1";
constexpr std::string_view tag_count = "SELECT count(*) FROM tags WHERE question_count > 0";
constexpr std::string_view tag_page =
    "SELECT name, question_count, description FROM tags WHERE question_count > 0 "
    "ORDER BY question_count DESC, name LIMIT ?1 OFFSET ?2";
constexpr std::string_view find_tag = "SELECT name, question_count, description FROM tags WHERE name = ?1";

}  // namespace sql

namespace {

// A question as lists show it; read by read_summary.
constexpr std::string_view summary_columns =
    "SELECT p.id, p.title, u.id, u.username, u.reputation, p.score, p.answer_count, "
    "p.accepted_answer_id IS NOT NULL, p.created_at, p.last_activity_at, p.excerpt, "
    "(SELECT group_concat(name, ' ') FROM (SELECT t.name FROM question_tags qt JOIN tags t ON t.id = qt.tag_id "
    "WHERE qt.question_id = p.id ORDER BY qt.position)), p.pinned_at IS NOT NULL, p.closed_at IS NOT NULL ";

question_summary read_summary(statement& s)
{
    question_summary q;
    q.id = s.integer(0);
    q.title = s.text(1);
    q.author = read_author(s, 2);
    q.score = s.integer(5);
    q.answer_count = s.integer(6);
    q.accepted = s.integer(7) != 0;
    q.created_at = s.integer(8);
    q.last_activity_at = s.integer(9);
    q.excerpt = s.text(10);
    q.tags = split_words(s.text_view(11));
    q.pinned = s.integer(12) != 0;
    q.closed = s.integer(13) != 0;
    return q;
}

}  // namespace

page_of<question_summary> post_store::summaries(std::string_view where_sql, std::string_view order_sql,
                                                std::optional<std::int64_t> arg, std::int64_t page,
                                                std::int64_t pagesize, bool count_total)
{
    bool const has_arg = arg.has_value();
    std::string const base = " FROM live_posts p WHERE p.kind = 'question' ";
    std::string const count_sql = "SELECT count(*)" + base + std::string(where_sql);
    // The page's ids first (an index walk), then the columns and tags of those rows only.
    std::string const list_sql =
        std::string(summary_columns) + "FROM (SELECT p.id" + base + std::string(where_sql) + " ORDER BY " +
        std::string(order_sql) + (has_arg ? " LIMIT ?2 OFFSET ?3" : " LIMIT ?1 OFFSET ?2") +
        ") page JOIN posts p ON p.id = page.id JOIN users u ON u.id = p.author_id ORDER BY " + std::string(order_sql);

    page_of<question_summary> out{{}, page, pagesize, 0};
    auto& count = db_.cached(count_sql);
    auto& list = db_.cached(list_sql);
    std::int64_t const offset = (page - 1) * pagesize;
    if (arg) {
        count.bind(*arg);
        list.bind(*arg, pagesize, offset);
    } else {
        count.bind();
        list.bind(pagesize, offset);
    }
    if (count_total && count.step()) out.total = count.integer(0);
    count.reset();
    while (list.step()) out.items.push_back(read_summary(list));
    list.reset();
    return out;
}

std::vector<question_summary> post_store::summaries_of(std::vector<std::int64_t> const& ids)
{
    std::vector<question_summary> out;
    if (ids.empty()) return out;
    auto& s =
        db_.cached(std::string(summary_columns) + "FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id IN (" +
                   statement::in_list(ids.size()) + ")")
            .bind_ids(ids);
    std::unordered_map<std::int64_t, question_summary> found;
    while (s.step()) {
        auto q = read_summary(s);
        found.emplace(q.id, std::move(q));
    }
    s.reset();
    for (auto id : ids)
        if (auto it = found.find(id); it != found.end()) out.push_back(std::move(it->second));
    return out;
}

// A tag's list: its pinned questions first, then the rest in the list's order. A tag on a fair
// share of the posts (the popular ones, tens of thousands of questions at a million posts) walks
// the list's own index and keeps the tag's questions: a page reads a few dozen rows, where
// sorting all of the tag's questions took 0.4 s. A rarer tag takes its questions (at most 1 %
// of the posts) and sorts them, where the walk could pass over most of the site.
page_of<question_summary> post_store::tagged(std::string const& tag, question_sort sort, std::string_view order,
                                             std::int64_t page, std::int64_t pagesize)
{
    page_of<question_summary> out{{}, page, pagesize, 0};
    auto& t = db_.cached(sql::tag_for_list).bind(tag);
    if (!t.step()) {
        t.reset();
        return out;
    }
    auto const tag_id = t.integer(0), count = t.integer(1), last_post = t.integer(2);
    t.reset();
    std::string live = " FROM live_posts p WHERE p.kind = 'question'";
    if (sort == question_sort::unanswered) live += " AND p.answer_count = 0";
    live += count * 100 >= last_post
                ? " AND EXISTS (SELECT 1 FROM question_tags qt WHERE qt.question_id = p.id AND qt.tag_id = ?1)"
                : " AND p.id IN (SELECT qt.question_id FROM question_tags qt WHERE qt.tag_id = ?1)";

    std::vector<std::int64_t> pinned, ids;
    auto& ps = db_.cached("SELECT p.id" + live + " AND p.pinned_at IS NOT NULL ORDER BY p.pinned_at DESC, " +
                          std::string(order) + " LIMIT 1000")
                   .bind(tag_id);
    while (ps.step()) pinned.push_back(ps.integer(0));
    ps.reset();
    auto const offset = (page - 1) * pagesize;
    auto const npinned = static_cast<std::int64_t>(pinned.size());
    for (auto i = offset; i < npinned && static_cast<std::int64_t>(ids.size()) < pagesize; ++i)
        ids.push_back(pinned[static_cast<std::size_t>(i)]);
    if (auto const room = pagesize - static_cast<std::int64_t>(ids.size()); room > 0) {
        auto& us = db_.cached("SELECT p.id" + live + " AND p.pinned_at IS NULL ORDER BY " + std::string(order) +
                              " LIMIT ?2 OFFSET ?3")
                       .bind(tag_id, room, std::max<std::int64_t>(0, offset - npinned));
        while (us.step()) ids.push_back(us.integer(0));
        us.reset();
    }
    out.items = summaries_of(ids);
    // The tag's count is its live questions; only the unanswered ones are counted here.
    if (sort == question_sort::unanswered) {
        auto& c = db_.cached("SELECT count(*)" + live).bind(tag_id);
        if (c.step()) out.total = c.integer(0);
        c.reset();
    } else {
        out.total = count;
    }
    return out;
}

page_of<question_summary> post_store::questions(question_sort sort, std::optional<std::string> const& tag,
                                                std::int64_t page, std::int64_t pagesize)
{
    std::string where;
    if (sort == question_sort::unanswered) where += " AND p.answer_count = 0";
    std::string_view order = "p.created_at DESC, p.id DESC";
    if (sort == question_sort::active) order = "p.last_activity_at DESC, p.id DESC";
    if (sort == question_sort::votes) order = "p.score DESC, p.id DESC";
    if (tag) return tagged(*tag, sort, order, page, pagesize);
    // Every live question: the kept count (only the unanswered ones are counted here).
    bool const counted = sort != question_sort::unanswered;
    auto out = summaries(where, order, std::nullopt, page, pagesize, !counted);
    if (counted) {
        auto& s = db_.cached(sql::live_questions).bind();
        if (s.step()) out.total = s.integer(0);
        s.reset();
    }
    return out;
}

// The profile's lists need no totals (the counts come from user_store::counts), and a very
// active member has tens of thousands of posts: both lists read only recent rows.
page_of<question_summary> post_store::questions_by(std::int64_t author_id, std::int64_t page, std::int64_t pagesize)
{
    return summaries(" AND p.author_id = ?1", "p.created_at DESC, p.id DESC", author_id, page, pagesize, false);
}

// The threads of the member's most recent answers (up to 100 of them), most active first.
page_of<question_summary> post_store::answered_by(std::int64_t author_id, std::int64_t page, std::int64_t pagesize)
{
    return summaries(
        " AND p.id IN (SELECT a.question_id FROM live_posts a WHERE a.author_id = ?1 AND a.kind = 'answer' "
        "ORDER BY a.id DESC LIMIT 100)",
        "p.last_activity_at DESC, p.id DESC", author_id, page, pagesize, false);
}

page_of<tag_row> post_store::tags(std::int64_t page, std::int64_t pagesize)
{
    page_of<tag_row> out{{}, page, pagesize, 0};
    auto& count = db_.cached(sql::tag_count).bind();
    if (count.step()) out.total = count.integer(0);
    count.reset();
    auto& s = db_.cached(sql::tag_page).bind(pagesize, (page - 1) * pagesize);
    while (s.step()) out.items.push_back({s.text(0), s.integer(1), s.text(2)});
    s.reset();
    return out;
}

std::optional<tag_row> post_store::find_tag(std::string_view name)
{
    auto& s = db_.cached(sql::find_tag).bind(name);
    std::optional<tag_row> out;
    if (s.step()) out = tag_row{s.text(0), s.integer(1), s.text(2)};
    s.reset();
    return out;
}

}  // namespace peerdesk::store
