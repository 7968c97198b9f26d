#include "server/store/member_store.hpp"

#include <map>
#include <set>

namespace peerdesk::store {
namespace sql {

constexpr std::string_view outbox = "SELECT seq, user_id FROM member_outbox ORDER BY seq LIMIT ?1";
constexpr std::string_view forget_outbox = "DELETE FROM member_outbox WHERE seq <= ?1";
constexpr std::string_view clear_outbox = "DELETE FROM member_outbox";
constexpr std::string_view enqueue_everyone = "INSERT INTO member_outbox (user_id) SELECT id FROM users";
constexpr std::string_view all_users = "SELECT id FROM users ORDER BY id";
constexpr std::string_view pending =
    "SELECT (SELECT count(*) FROM member_outbox) + (SELECT count(*) FROM reputation_events WHERE id > "
    "coalesce((SELECT value FROM job_cursors WHERE name = 'ledger'), 0))";

constexpr std::string_view post_counts =
    "SELECT (SELECT count(*) FROM visible_posts WHERE author_id = ?1 AND kind = 'question'), "
    "(SELECT count(*) FROM visible_posts WHERE author_id = ?1 AND kind = 'answer'), "
    "(SELECT min(id) FROM visible_posts WHERE author_id = ?1 AND kind = 'question'), "
    "(SELECT min(id) FROM visible_posts WHERE author_id = ?1 AND kind = 'answer')";
constexpr std::string_view best_post =
    "SELECT id, score FROM visible_posts WHERE author_id = ?1 AND kind = ?2 ORDER BY score DESC, id LIMIT 1";
// Answers accepted by someone else: accepting one's own answer earns nothing but Self-Learner.
constexpr std::string_view accepted =
    "SELECT count(*), min(a.id) FROM visible_posts a JOIN posts q ON q.id = a.question_id "
    "WHERE a.author_id = ?1 AND a.kind = 'answer' AND q.accepted_answer_id = a.id AND q.author_id <> ?1";
constexpr std::string_view revived =
    "SELECT min(a.id) FROM visible_posts a JOIN posts q ON q.id = a.question_id "
    "WHERE a.author_id = ?1 AND a.kind = 'answer' AND a.score >= 2 AND a.created_at - q.created_at >= ?2 "
    "AND NOT EXISTS (SELECT 1 FROM posts e WHERE e.question_id = q.id AND e.kind = 'answer' AND e.id < a.id)";
constexpr std::string_view self_learned =
    "SELECT min(a.id) FROM visible_posts a JOIN posts q ON q.id = a.question_id "
    "WHERE a.author_id = ?1 AND a.kind = 'answer' AND q.author_id = ?1 AND q.accepted_answer_id = a.id "
    "AND a.score >= 3";
// An idea's author's figures: live ideas only; a merged duplicate's votes count on the idea kept.
constexpr std::string_view idea_figures =
    "SELECT (SELECT min(id) FROM visible_posts WHERE author_id = ?1 AND kind = 'idea'), "
    "(SELECT min(i.post_id) FROM ideas i JOIN visible_posts p ON p.id = i.post_id "
    "WHERE p.author_id = ?1 AND i.status = 'delivered')";
constexpr std::string_view best_idea =
    "SELECT i.post_id, i.votes FROM ideas i JOIN visible_posts p ON p.id = i.post_id "
    "WHERE p.author_id = ?1 AND i.status <> 'duplicate' ORDER BY i.votes DESC, i.post_id LIMIT 1";
constexpr std::string_view idea_votes_cast = "SELECT count(*) FROM idea_votes WHERE user_id = ?1";
constexpr std::string_view votes_cast =
    "SELECT coalesce(sum(value = 1), 0), coalesce(sum(value = -1), 0) FROM votes WHERE user_id = ?1";
constexpr std::string_view flags_raised =
    "SELECT count(*), coalesce(sum(status = 'helpful'), 0) FROM flags WHERE user_id = ?1";
// A post's first revision is its writing; the later ones are edits.
constexpr std::string_view edits =
    "SELECT count(DISTINCT r.post_id) FROM revisions r WHERE r.author_id = ?1 "
    "AND r.id > (SELECT min(f.id) FROM revisions f WHERE f.post_id = r.post_id)";
constexpr std::string_view tag_figures =
    "SELECT qt.tag_id, t.name, count(*), sum(a.score), sum(q.accepted_answer_id IS a.id) "
    "FROM visible_posts a JOIN posts q ON q.id = a.question_id JOIN question_tags qt ON qt.question_id = q.id "
    "JOIN tags t ON t.id = qt.tag_id WHERE a.author_id = ?1 AND a.kind = 'answer' "
    "GROUP BY qt.tag_id ORDER BY sum(a.score) DESC, count(*) DESC, t.name";
constexpr std::string_view helped =
    "SELECT q.author_id, u.username, count(*) FROM visible_posts a JOIN posts q ON q.id = a.question_id "
    "JOIN users u ON u.id = q.author_id "
    "WHERE a.author_id = ?1 AND a.kind = 'answer' AND q.author_id <> ?1 "
    "AND (q.accepted_answer_id IS a.id OR a.score > 0) "
    "GROUP BY q.author_id ORDER BY count(*) DESC, u.username COLLATE NOCASE";

constexpr std::string_view save_stats =
    "INSERT INTO member_stats (user_id, questions, answers, accepted, helped, top_tags) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id) DO UPDATE SET questions = excluded.questions, "
    "answers = excluded.answers, accepted = excluded.accepted, helped = excluded.helped, "
    "top_tags = excluded.top_tags";
constexpr std::string_view kept_tags = "SELECT tag_id, answers, score, accepted FROM member_tags WHERE user_id = ?1";
constexpr std::string_view kept_helped = "SELECT asker_id, answers FROM member_helped WHERE helper_id = ?1";
constexpr std::string_view put_tag =
    "INSERT INTO member_tags (user_id, tag_id, answers, score, accepted) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (user_id, tag_id) DO UPDATE SET answers = excluded.answers, score = excluded.score, "
    "accepted = excluded.accepted";
constexpr std::string_view drop_tag = "DELETE FROM member_tags WHERE user_id = ?1 AND tag_id = ?2";
constexpr std::string_view put_helped =
    "INSERT INTO member_helped (helper_id, asker_id, answers) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (helper_id, asker_id) DO UPDATE SET answers = excluded.answers";
constexpr std::string_view drop_helped = "DELETE FROM member_helped WHERE helper_id = ?1 AND asker_id = ?2";
constexpr std::string_view award =
    "INSERT INTO badge_awards (user_id, badge, class, tag_id, post_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (user_id, badge, tag_id) DO NOTHING";
constexpr std::string_view recount_badges =
    "UPDATE member_stats SET "
    "bronze = (SELECT count(*) FROM badge_awards WHERE user_id = ?1 AND class = 'bronze'), "
    "silver = (SELECT count(*) FROM badge_awards WHERE user_id = ?1 AND class = 'silver'), "
    "gold = (SELECT count(*) FROM badge_awards WHERE user_id = ?1 AND class = 'gold') WHERE user_id = ?1";

constexpr std::string_view ledger_after =
    "SELECT id, user_id, delta, created_at FROM reputation_events WHERE id > ?1 ORDER BY id LIMIT ?2";
constexpr std::string_view add_gain =
    "INSERT INTO reputation_periods (period, starts, user_id, gained) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (period, starts, user_id) DO UPDATE SET gained = gained + excluded.gained";
constexpr std::string_view clear_periods = "DELETE FROM reputation_periods";
constexpr std::string_view cursor = "SELECT value FROM job_cursors WHERE name = ?1";
constexpr std::string_view set_cursor =
    "INSERT INTO job_cursors (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value";

// The members list: one statement per order, each walking an index in its order.
#define PEERDESK_MEMBER_COLUMNS                                                                            \
    "SELECT u.id, u.username, u.reputation, u.created_at, coalesce(g.gained, 0), coalesce(s.answers, 0), " \
    "coalesce(s.accepted, 0), coalesce(s.questions, 0), coalesce(s.top_tags, ''), coalesce(s.bronze, 0), " \
    "coalesce(s.silver, 0), coalesce(s.gold, 0), "
#define PEERDESK_MEMBER_JOINS                       \
    "LEFT JOIN member_stats s ON s.user_id = u.id " \
    "LEFT JOIN reputation_periods g ON g.period = ?2 AND g.starts = ?3 AND g.user_id = u.id "
#define PEERDESK_MEMBER_NAMED "(?1 = '' OR instr(lower(u.username), lower(?1)) > 0)"

constexpr std::string_view members_by_reputation =
    PEERDESK_MEMBER_COLUMNS "0, 0 FROM users u " PEERDESK_MEMBER_JOINS "WHERE " PEERDESK_MEMBER_NAMED
                            " ORDER BY u.reputation DESC, u.id LIMIT ?4 OFFSET ?5";
constexpr std::string_view members_newest = PEERDESK_MEMBER_COLUMNS
    "0, 0 FROM users u " PEERDESK_MEMBER_JOINS "WHERE " PEERDESK_MEMBER_NAMED " ORDER BY u.id DESC LIMIT ?4 OFFSET ?5";
constexpr std::string_view members_by_name =
    PEERDESK_MEMBER_COLUMNS "0, 0 FROM users u " PEERDESK_MEMBER_JOINS "WHERE " PEERDESK_MEMBER_NAMED
                            " ORDER BY u.username COLLATE NOCASE, u.id LIMIT ?4 OFFSET ?5";
constexpr std::string_view members_count = "SELECT count(*) FROM users u WHERE " PEERDESK_MEMBER_NAMED;
constexpr std::string_view members_by_gain = PEERDESK_MEMBER_COLUMNS
    "0, 0 FROM reputation_periods g JOIN users u ON u.id = g.user_id LEFT JOIN member_stats s ON s.user_id = u.id "
    "WHERE g.period = ?2 AND g.starts = ?3 AND g.gained > 0 AND " PEERDESK_MEMBER_NAMED
    " ORDER BY g.gained DESC, u.id LIMIT ?4 OFFSET ?5";
constexpr std::string_view members_by_gain_count =
    "SELECT count(*) FROM reputation_periods g JOIN users u ON u.id = g.user_id "
    "WHERE g.period = ?2 AND g.starts = ?3 AND g.gained > 0 AND " PEERDESK_MEMBER_NAMED;
constexpr std::string_view members_in_tag = PEERDESK_MEMBER_COLUMNS
    "m.answers, m.score FROM member_tags m JOIN users u ON u.id = m.user_id " PEERDESK_MEMBER_JOINS
    "WHERE m.tag_id = ?6 AND " PEERDESK_MEMBER_NAMED " ORDER BY m.score DESC, m.answers DESC, u.id LIMIT ?4 OFFSET ?5";
constexpr std::string_view members_in_tag_count =
    "SELECT count(*) FROM member_tags m JOIN users u ON u.id = m.user_id WHERE m.tag_id = ?2 "
    "AND " PEERDESK_MEMBER_NAMED;

constexpr std::string_view profile =
    "SELECT questions, answers, accepted, helped, bronze, silver, gold FROM member_stats WHERE user_id = ?1";
constexpr std::string_view profile_tags =
    "SELECT m.tag_id, t.name, m.answers, m.score, m.accepted FROM member_tags m JOIN tags t ON t.id = m.tag_id "
    "WHERE m.user_id = ?1 ORDER BY m.score DESC, m.answers DESC, t.name LIMIT 10";
constexpr std::string_view helped_most =
    "SELECT h.asker_id, u.username, h.answers FROM member_helped h JOIN users u ON u.id = h.asker_id "
    "WHERE h.helper_id = ?1 ORDER BY h.answers DESC, u.username COLLATE NOCASE LIMIT 5";
constexpr std::string_view badges_of =
    "SELECT b.badge, b.tag_id, coalesce(t.name, ''), b.post_id, CASE WHEN p.kind = 'answer' THEN p.question_id "
    "ELSE p.id END, b.created_at FROM badge_awards b LEFT JOIN tags t ON t.id = b.tag_id "
    "LEFT JOIN visible_posts p ON p.id = b.post_id WHERE b.user_id = ?1 ORDER BY b.created_at DESC, b.id DESC";
constexpr std::string_view badge_counts =
    "SELECT b.badge, b.tag_id, coalesce(t.name, ''), count(*) FROM badge_awards b LEFT JOIN tags t ON t.id = b.tag_id "
    "GROUP BY b.badge, b.tag_id ORDER BY t.name";
constexpr std::string_view holders =
    "SELECT u.id, u.username, u.reputation, b.created_at, b.post_id, "
    "CASE WHEN p.kind = 'answer' THEN p.question_id ELSE p.id END FROM badge_awards b "
    "JOIN users u ON u.id = b.user_id LEFT JOIN visible_posts p ON p.id = b.post_id "
    "WHERE b.badge = ?1 AND b.tag_id = ?2 ORDER BY b.created_at DESC, b.id DESC LIMIT ?3 OFFSET ?4";
constexpr std::string_view holders_count = "SELECT count(*) FROM badge_awards WHERE badge = ?1 AND tag_id = ?2";
constexpr std::string_view counts_of = "SELECT user_id, bronze, silver, gold FROM member_stats WHERE user_id IN (";
constexpr std::string_view tag_id = "SELECT id FROM tags WHERE name = ?1";

}  // namespace sql

member_store::outbox_batch member_store::outbox(std::int64_t limit)
{
    // Up to `limit` members, and every row about them up to the first row about one more: an
    // active member's many rows (a bulk import queues one per post and vote) are taken in one
    // round, not one round each.
    outbox_batch out;
    std::set<std::int64_t> seen;
    auto& s = db_.cached(sql::outbox).bind(limit * outbox_rows_per_member);
    while (s.step()) {
        auto const user = s.integer(1);
        if (!seen.contains(user)) {
            if (static_cast<std::int64_t>(seen.size()) == limit) break;
            seen.insert(user);
            out.user_ids.push_back(user);
        }
        out.last_seq = s.integer(0);
    }
    s.reset();
    return out;
}

domain::member_facts member_store::facts(std::int64_t user_id)
{
    domain::member_facts f;
    {
        auto& s = db_.cached(sql::post_counts).bind(user_id);
        s.step();
        f.questions = s.integer(0);
        f.answers = s.integer(1);
        f.first_question_id = s.optional_integer(2);
        f.first_answer_id = s.optional_integer(3);
        s.reset();
    }
    for (auto const kind : {"answer", "question"}) {
        auto& s = db_.cached(sql::best_post).bind(user_id, kind);
        if (s.step()) {
            (kind == std::string_view("answer") ? f.best_answer_id : f.best_question_id) = s.integer(0);
            (kind == std::string_view("answer") ? f.best_answer_score : f.best_question_score) = s.integer(1);
        }
        s.reset();
    }
    {
        auto& s = db_.cached(sql::accepted).bind(user_id);
        s.step();
        f.accepted = s.integer(0);
        f.first_accepted_id = s.optional_integer(1);
        s.reset();
    }
    {
        auto& s = db_.cached(sql::revived).bind(user_id, domain::revival_seconds);
        s.step();
        f.revived_id = s.optional_integer(0);
        s.reset();
    }
    {
        auto& s = db_.cached(sql::self_learned).bind(user_id);
        s.step();
        f.self_learned_id = s.optional_integer(0);
        s.reset();
    }
    {
        auto& s = db_.cached(sql::votes_cast).bind(user_id);
        s.step();
        f.upvotes_cast = s.integer(0);
        f.downvotes_cast = s.integer(1);
        s.reset();
    }
    {
        auto& s = db_.cached(sql::flags_raised).bind(user_id);
        s.step();
        f.flags = s.integer(0);
        f.helpful_flags = s.integer(1);
        s.reset();
    }
    {
        auto& s = db_.cached(sql::edits).bind(user_id);
        s.step();
        f.edits = s.integer(0);
        s.reset();
    }
    {
        auto& s = db_.cached(sql::idea_figures).bind(user_id);
        s.step();
        f.first_idea_id = s.optional_integer(0);
        f.delivered_idea_id = s.optional_integer(1);
        s.reset();
    }
    {
        auto& s = db_.cached(sql::best_idea).bind(user_id);
        if (s.step()) {
            f.best_idea_id = s.integer(0);
            f.best_idea_votes = s.integer(1);
        }
        s.reset();
    }
    {
        auto& s = db_.cached(sql::idea_votes_cast).bind(user_id);
        s.step();
        f.idea_votes_cast = s.integer(0);
        s.reset();
    }
    {
        auto& s = db_.cached(sql::tag_figures).bind(user_id);
        while (s.step()) f.tags.push_back({s.integer(0), s.text(1), s.integer(2), s.integer(3), s.integer(4)});
        s.reset();
    }
    return f;
}

std::vector<helped_row> member_store::helped(std::int64_t user_id)
{
    std::vector<helped_row> out;
    auto& s = db_.cached(sql::helped).bind(user_id);
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.integer(2)});
    s.reset();
    return out;
}

std::vector<ledger_entry_row> member_store::ledger_after(std::int64_t id, std::int64_t limit)
{
    std::vector<ledger_entry_row> out;
    auto& s = db_.cached(sql::ledger_after).bind(id, limit);
    while (s.step()) out.push_back({s.integer(0), s.integer(1), s.integer(2), s.integer(3)});
    s.reset();
    return out;
}

std::int64_t member_store::cursor(std::string_view name)
{
    auto& s = db_.cached(sql::cursor).bind(name);
    std::int64_t const value = s.step() ? s.integer(0) : 0;
    s.reset();
    return value;
}

std::int64_t member_store::pending()
{
    auto& s = db_.cached(sql::pending).bind();
    s.step();
    auto const n = s.integer(0);
    s.reset();
    return n;
}

std::vector<std::int64_t> member_store::all_user_ids()
{
    std::vector<std::int64_t> out;
    auto& s = db_.cached(sql::all_users).bind();
    while (s.step()) out.push_back(s.integer(0));
    s.reset();
    return out;
}

member_store::kept_figures member_store::kept(std::int64_t user_id)
{
    kept_figures out;
    auto& t = db_.cached(sql::kept_tags).bind(user_id);
    while (t.step()) out.tags.push_back({t.integer(0), {}, t.integer(1), t.integer(2), t.integer(3)});
    t.reset();
    auto& h = db_.cached(sql::kept_helped).bind(user_id);
    while (h.step()) out.helped.push_back({h.integer(0), {}, h.integer(1)});
    h.reset();
    return out;
}

void member_store::save(std::int64_t user_id, domain::member_facts const& f, std::vector<helped_row> const& helped,
                        kept_figures const& before)
{
    std::string top;
    for (std::size_t i = 0; i < f.tags.size() && i < 3; ++i) top += (top.empty() ? "" : " ") + f.tags[i].name;
    db_.cached(sql::save_stats)
        .bind(user_id, f.questions, f.answers, f.accepted, static_cast<std::int64_t>(helped.size()), top)
        .run();
    std::map<std::int64_t, domain::tag_figures const*> old_tags;
    for (auto const& t : before.tags) old_tags.emplace(t.tag_id, &t);
    for (auto const& t : f.tags) {
        auto const it = old_tags.find(t.tag_id);
        bool const same = it != old_tags.end() && it->second->answers == t.answers && it->second->score == t.score &&
                          it->second->accepted == t.accepted;
        if (!same) db_.cached(sql::put_tag).bind(user_id, t.tag_id, t.answers, t.score, t.accepted).run();
        if (it != old_tags.end()) old_tags.erase(it);
    }
    for (auto const& [tag_id, row] : old_tags) db_.cached(sql::drop_tag).bind(user_id, tag_id).run();
    std::map<std::int64_t, std::int64_t> old_helped;
    for (auto const& h : before.helped) old_helped.emplace(h.user_id, h.answers);
    for (auto const& h : helped) {
        auto const it = old_helped.find(h.user_id);
        if (it == old_helped.end() || it->second != h.answers)
            db_.cached(sql::put_helped).bind(user_id, h.user_id, h.answers).run();
        if (it != old_helped.end()) old_helped.erase(it);
    }
    for (auto const& [asker_id, answers] : old_helped) db_.cached(sql::drop_helped).bind(user_id, asker_id).run();
}

bool member_store::award(std::int64_t user_id, domain::earned_badge const& b, std::int64_t now)
{
    db_.cached(sql::award)
        .bind(user_id, b.badge->key, domain::to_string(b.badge->klass), b.tag_id, b.post_id, now)
        .run();
    return db_.changes() == 1;
}

void member_store::recount_badges(std::int64_t user_id)
{
    db_.cached(sql::recount_badges).bind(user_id).run();
}

void member_store::forget_outbox(std::int64_t last_seq)
{
    db_.cached(sql::forget_outbox).bind(last_seq).run();
}

void member_store::add_gain(domain::period p, std::int64_t starts, std::int64_t user_id, std::int64_t gained)
{
    db_.cached(sql::add_gain).bind(domain::to_string(p), starts, user_id, gained).run();
}

void member_store::set_cursor(std::string_view name, std::int64_t value)
{
    db_.cached(sql::set_cursor).bind(name, value).run();
}

void member_store::start_over()
{
    // Everyone once: what was queued before is part of it.
    db_.cached(sql::clear_outbox).bind().run();
    db_.cached(sql::clear_periods).bind().run();
    db_.cached(sql::set_cursor).bind("ledger", 0).run();
    db_.cached(sql::enqueue_everyone).bind().run();
}

page_of<member_row> member_store::members(member_query const& q)
{
    page_of<member_row> out{{}, q.page, q.pagesize, 0};
    auto const period = domain::to_string(q.period);
    auto const offset = (q.page - 1) * q.pagesize;
    statement* list = nullptr;
    switch (q.order) {
        case member_order::reputation:
        case member_order::newest:
        case member_order::name: {
            auto& c = db_.cached(sql::members_count).bind(q.name);
            c.step();
            out.total = c.integer(0);
            c.reset();
            auto const text = q.order == member_order::reputation ? sql::members_by_reputation
                              : q.order == member_order::newest   ? sql::members_newest
                                                                  : sql::members_by_name;
            list = &db_.cached(text).bind(q.name, period, q.period_starts, q.pagesize, offset);
            break;
        }
        case member_order::gained: {
            auto& c = db_.cached(sql::members_by_gain_count).bind(q.name, period, q.period_starts);
            c.step();
            out.total = c.integer(0);
            c.reset();
            list = &db_.cached(sql::members_by_gain).bind(q.name, period, q.period_starts, q.pagesize, offset);
            break;
        }
        case member_order::tag: {
            auto& c = db_.cached(sql::members_in_tag_count).bind(q.name, q.tag_id);
            c.step();
            out.total = c.integer(0);
            c.reset();
            list = &db_.cached(sql::members_in_tag).bind(q.name, period, q.period_starts, q.pagesize, offset, q.tag_id);
            break;
        }
    }
    while (list->step()) {
        member_row m;
        m.id = list->integer(0);
        m.username = list->text(1);
        m.reputation = list->integer(2);
        m.created_at = list->integer(3);
        m.reputation_change = list->integer(4);
        m.answers = list->integer(5);
        m.accepted = list->integer(6);
        m.questions = list->integer(7);
        auto const tags = list->text_view(8);
        for (std::size_t start = 0; start < tags.size();) {
            auto end = tags.find(' ', start);
            if (end == std::string_view::npos) end = tags.size();
            if (end > start) m.top_tags.emplace_back(tags.substr(start, end - start));
            start = end + 1;
        }
        m.bronze = list->integer(9);
        m.silver = list->integer(10);
        m.gold = list->integer(11);
        m.tag_answers = list->integer(12);
        m.tag_score = list->integer(13);
        out.items.push_back(std::move(m));
    }
    list->reset();
    return out;
}

std::optional<member_profile> member_store::profile(std::int64_t user_id)
{
    member_profile p;
    auto& s = db_.cached(sql::profile).bind(user_id);
    if (!s.step()) {
        s.reset();
        return std::nullopt;
    }
    p.questions = s.integer(0);
    p.answers = s.integer(1);
    p.accepted = s.integer(2);
    p.helped = s.integer(3);
    p.bronze = s.integer(4);
    p.silver = s.integer(5);
    p.gold = s.integer(6);
    s.reset();
    auto& t = db_.cached(sql::profile_tags).bind(user_id);
    while (t.step()) p.tags.push_back({t.integer(0), t.text(1), t.integer(2), t.integer(3), t.integer(4)});
    t.reset();
    auto& h = db_.cached(sql::helped_most).bind(user_id);
    while (h.step()) p.helped_most.push_back({h.integer(0), h.text(1), h.integer(2)});
    h.reset();
    return p;
}

std::vector<badge_award_row> member_store::badges_of(std::int64_t user_id)
{
    std::vector<badge_award_row> out;
    auto& s = db_.cached(sql::badges_of).bind(user_id);
    while (s.step())
        out.push_back({s.text(0), s.integer(1), s.text(2), s.optional_integer(3), s.optional_integer(4), s.integer(5)});
    s.reset();
    return out;
}

std::vector<badge_count_row> member_store::badge_counts()
{
    std::vector<badge_count_row> out;
    auto& s = db_.cached(sql::badge_counts).bind();
    while (s.step()) out.push_back({s.text(0), s.integer(1), s.text(2), s.integer(3)});
    s.reset();
    return out;
}

page_of<badge_holder_row> member_store::holders(std::string_view badge, std::int64_t tag_id, std::int64_t page,
                                                std::int64_t pagesize)
{
    page_of<badge_holder_row> out{{}, page, pagesize, 0};
    auto& c = db_.cached(sql::holders_count).bind(badge, tag_id);
    c.step();
    out.total = c.integer(0);
    c.reset();
    auto& s = db_.cached(sql::holders).bind(badge, tag_id, pagesize, (page - 1) * pagesize);
    while (s.step())
        out.items.push_back(
            {{s.integer(0), s.text(1), s.integer(2)}, s.integer(3), s.optional_integer(4), s.optional_integer(5)});
    s.reset();
    return out;
}

std::vector<member_store::counts_row> member_store::badge_counts_of(std::vector<std::int64_t> const& user_ids)
{
    std::vector<counts_row> out;
    // In slices of the padded IN-list sizes, so that few statements are cached.
    constexpr std::size_t slice = 100;
    for (std::size_t start = 0; start < user_ids.size(); start += slice) {
        std::vector<std::int64_t> ids(
            user_ids.begin() + static_cast<std::ptrdiff_t>(start),
            user_ids.begin() + static_cast<std::ptrdiff_t>(std::min(user_ids.size(), start + slice)));
        auto& s = db_.cached(std::string(sql::counts_of) + statement::in_list(ids.size()) + ")").bind_ids(ids);
        while (s.step()) out.push_back({s.integer(0), s.integer(1), s.integer(2), s.integer(3)});
        s.reset();
    }
    return out;
}

std::optional<std::int64_t> member_store::tag_id(std::string_view name)
{
    auto& s = db_.cached(sql::tag_id).bind(name);
    std::optional<std::int64_t> out;
    if (s.step()) out = s.integer(0);
    s.reset();
    return out;
}

}  // namespace peerdesk::store
