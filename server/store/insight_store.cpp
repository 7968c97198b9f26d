#include "server/store/insight_store.hpp"

#include "server/domain/insights.hpp"

#include <algorithm>

namespace peerdesk::store {
namespace sql {

// A live question's own part: when asked, its first live answer, whether a live answer is accepted.
constexpr std::string_view question =
    "SELECT q.created_at, "
    "(SELECT min(a.created_at) FROM live_posts a WHERE a.question_id = q.id AND a.kind = 'answer'), "
    "EXISTS (SELECT 1 FROM live_posts a WHERE a.id = q.accepted_answer_id AND a.question_id = q.id) "
    "FROM live_posts q WHERE q.id = ?1 AND q.kind = 'question'";
constexpr std::string_view question_tags = "SELECT tag_id FROM question_tags WHERE question_id = ?1";
// Live answers in a live thread, as count_answer reads them.
#define PEERDESK_ANSWER_COLUMNS                                                                                \
    "SELECT a.id, a.created_at, a.author_id, u.role IN ('moderator', 'admin'), a.id IS q.accepted_answer_id, " \
    "q.author_id, q.id FROM live_posts a JOIN live_posts q ON q.id = a.question_id AND q.kind = 'question' "   \
    "JOIN users u ON u.id = a.author_id "
constexpr std::string_view one_answer = PEERDESK_ANSWER_COLUMNS "WHERE a.id = ?1 AND a.kind = 'answer'";
constexpr std::string_view thread_answers = PEERDESK_ANSWER_COLUMNS "WHERE a.question_id = ?1 AND a.kind = 'answer'";
// Up-votes on a live thread's live posts, by day cast and author.
constexpr std::string_view thread_upvotes =
    "SELECT v.created_at / 86400, p.author_id, count(*) FROM live_posts p "
    "JOIN votes v ON v.post_id = p.id AND v.value = 1 "
    "WHERE (p.id = ?1 OR (p.question_id = ?1 AND p.kind = 'answer')) "
    "AND EXISTS (SELECT 1 FROM live_posts q WHERE q.id = ?1 AND q.kind = 'question') GROUP BY 1, 2";
// One vote, when the post is live in a live thread.
constexpr std::string_view one_vote =
    "SELECT v.value, v.created_at, p.author_id FROM votes v JOIN live_posts p ON p.id = v.post_id "
    "WHERE v.user_id = ?1 AND v.post_id = ?2 AND (p.question_id IS NULL OR EXISTS "
    "(SELECT 1 FROM live_posts q WHERE q.id = p.question_id))";

constexpr std::string_view bump_day =
    "INSERT INTO insight_days (day, questions, answered, answered_24h, accepted, answers, staff_answers) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (day) DO UPDATE SET "
    "questions = questions + excluded.questions, answered = answered + excluded.answered, "
    "answered_24h = answered_24h + excluded.answered_24h, accepted = accepted + excluded.accepted, "
    "answers = answers + excluded.answers, staff_answers = staff_answers + excluded.staff_answers";
constexpr std::string_view prune_day =
    "DELETE FROM insight_days WHERE day = ?1 AND questions = 0 AND answered = 0 AND answered_24h = 0 "
    "AND accepted = 0 AND answers = 0 AND staff_answers = 0";
constexpr std::string_view bump_delay =
    "INSERT INTO insight_first_answers (day, bucket, questions) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (day, bucket) DO UPDATE SET questions = questions + excluded.questions";
constexpr std::string_view prune_delay =
    "DELETE FROM insight_first_answers WHERE day = ?1 AND bucket = ?2 AND questions = 0";
constexpr std::string_view bump_tag_day =
    "INSERT INTO insight_tag_days (day, tag_id, questions) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (day, tag_id) DO UPDATE SET questions = questions + excluded.questions";
constexpr std::string_view prune_tag_day =
    "DELETE FROM insight_tag_days WHERE day = ?1 AND tag_id = ?2 AND questions = 0";
constexpr std::string_view bump_member_day =
    "INSERT INTO member_days (day, user_id, answers, accepted, upvotes) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (day, user_id) DO UPDATE SET answers = answers + excluded.answers, "
    "accepted = accepted + excluded.accepted, upvotes = upvotes + excluded.upvotes";
constexpr std::string_view prune_member_day =
    "DELETE FROM member_days WHERE day = ?1 AND user_id = ?2 AND answers = 0 AND accepted = 0 AND upvotes = 0";
constexpr std::string_view bump_member_month =
    "INSERT INTO member_months (month, user_id, answers, accepted) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (month, user_id) DO UPDATE SET answers = answers + excluded.answers, "
    "accepted = accepted + excluded.accepted RETURNING answers";
constexpr std::string_view bump_member_month_votes =
    "INSERT INTO member_months (month, user_id, upvotes) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (month, user_id) DO UPDATE SET upvotes = upvotes + excluded.upvotes";
constexpr std::string_view bump_answer_count =
    "INSERT INTO answer_count_months (month, answers, members) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (month, answers) DO UPDATE SET members = members + excluded.members";
constexpr std::string_view prune_answer_count =
    "DELETE FROM answer_count_months WHERE month = ?1 AND answers = ?2 AND members = 0";
constexpr std::string_view prune_member_month =
    "DELETE FROM member_months WHERE month = ?1 AND user_id = ?2 AND answers = 0 AND accepted = 0 AND upvotes = 0";
constexpr std::string_view bump_member_tag =
    "INSERT INTO answer_tags (user_id, tag_id, answers) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (user_id, tag_id) DO UPDATE SET answers = answers + excluded.answers";
constexpr std::string_view prune_member_tag =
    "DELETE FROM answer_tags WHERE user_id = ?1 AND tag_id = ?2 AND answers = 0";
constexpr std::string_view bump_tie =
    "INSERT INTO help_tie_months (helper_id, month, asker_id, answers, accepted) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (helper_id, month, asker_id) DO UPDATE SET answers = answers + excluded.answers, "
    "accepted = accepted + excluded.accepted";
constexpr std::string_view prune_tie =
    "DELETE FROM help_tie_months WHERE helper_id = ?1 AND month = ?2 AND asker_id = ?3 "
    "AND answers = 0 AND accepted = 0";
constexpr std::string_view bump_tie_tag =
    "INSERT INTO help_tie_tags (helper_id, asker_id, tag_id, answers) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (helper_id, asker_id, tag_id) DO UPDATE SET answers = answers + excluded.answers";
constexpr std::string_view prune_tie_tag =
    "DELETE FROM help_tie_tags WHERE helper_id = ?1 AND asker_id = ?2 AND tag_id = ?3 AND answers = 0";

constexpr std::string_view live_questions = "SELECT id FROM live_posts WHERE kind = 'question' ORDER BY id";
constexpr std::string_view is_built = "SELECT value FROM insight_state WHERE name = 'built'";
constexpr std::string_view mark_built =
    "INSERT INTO insight_state (name, value) VALUES ('built', 1) ON CONFLICT (name) DO UPDATE SET value = 1";

constexpr std::string_view days =
    "SELECT day, questions, answered, answered_24h, accepted, answers, staff_answers FROM insight_days "
    "WHERE day BETWEEN ?1 AND ?2 ORDER BY day";
constexpr std::string_view unanswered =
    "SELECT day, questions - answered FROM insight_days WHERE questions > answered ORDER BY day";
constexpr std::string_view delays =
    "SELECT bucket, sum(questions) FROM insight_first_answers WHERE day BETWEEN ?1 AND ?2 GROUP BY bucket";
// Summed per tag first and named after: two years of tag days are about 150,000 rows at a
// million posts, and naming each before grouping took half the query's time.
constexpr std::string_view tag_trends =
    "SELECT t.name, s.now, s.before FROM (SELECT tag_id, sum(CASE WHEN day >= ?2 THEN questions ELSE 0 END) AS now, "
    "sum(CASE WHEN day < ?2 THEN questions ELSE 0 END) AS before FROM insight_tag_days "
    "WHERE day BETWEEN ?1 AND ?3 GROUP BY tag_id) s JOIN tags t ON t.id = s.tag_id";
// ?1 the start of the period before, ?2 the start of the period, ?3 its end, ?4 how many. The
// members are summed and cut to the few shown before their names are joined: a year of member
// days is about a hundred thousand rows at a million posts.
#define PEERDESK_MEMBER_SUMS                                                    \
    "SELECT m.user_id, "                                                        \
    "sum(CASE WHEN m.day >= ?2 THEN m.answers ELSE 0 END) AS answers, "         \
    "sum(CASE WHEN m.day >= ?2 THEN m.accepted ELSE 0 END) AS accepted, "       \
    "sum(CASE WHEN m.day >= ?2 THEN m.upvotes ELSE 0 END) AS upvotes, "         \
    "sum(CASE WHEN m.day < ?2 THEN m.answers ELSE 0 END) AS answers_before, "   \
    "sum(CASE WHEN m.day < ?2 THEN m.accepted ELSE 0 END) AS accepted_before, " \
    "sum(CASE WHEN m.day < ?2 THEN m.upvotes ELSE 0 END) AS upvotes_before "    \
    "FROM member_days m WHERE m.day BETWEEN ?1 AND ?3 GROUP BY m.user_id "
#define PEERDESK_MEMBER_NAMES                                                                               \
    "SELECT s.user_id, u.username, s.answers, s.accepted, s.upvotes, s.answers_before, s.accepted_before, " \
    "s.upvotes_before FROM ("
// The days before the first whole month (?1, ?2), the whole months (?3, ?4), the days after
// the last (?5, ?6); ?7 how many.
constexpr std::string_view top_members =
    "SELECT s.user_id, u.username, s.answers, s.accepted, s.upvotes, 0, 0, 0 FROM ("
    "SELECT user_id, sum(answers) AS answers, sum(accepted) AS accepted, sum(upvotes) AS upvotes FROM ("
    "SELECT user_id, answers, accepted, upvotes FROM member_days WHERE day BETWEEN ?1 AND ?2 UNION ALL "
    "SELECT user_id, answers, accepted, upvotes FROM member_months WHERE month BETWEEN ?3 AND ?4 UNION ALL "
    "SELECT user_id, answers, accepted, upvotes FROM member_days WHERE day BETWEEN ?5 AND ?6) "
    "GROUP BY user_id HAVING answers > 0 ORDER BY answers DESC, accepted DESC, upvotes DESC, user_id LIMIT ?7) s "
    "JOIN users u ON u.id = s.user_id ORDER BY s.answers DESC, s.accepted DESC, s.upvotes DESC, u.username";
constexpr std::string_view rising_members = PEERDESK_MEMBER_NAMES PEERDESK_MEMBER_SUMS
    "HAVING accepted + upvotes > accepted_before + upvotes_before "
    "ORDER BY (accepted + upvotes) - (accepted_before + upvotes_before) DESC, accepted + upvotes DESC, m.user_id "
    "LIMIT ?4) s JOIN users u ON u.id = s.user_id "
    "ORDER BY (s.accepted + s.upvotes) - (s.accepted_before + s.upvotes_before) DESC, s.accepted + s.upvotes DESC, "
    "u.username";
constexpr std::string_view member_top_tags =
    "SELECT t.name FROM answer_tags m JOIN tags t ON t.id = m.tag_id WHERE m.user_id = ?1 AND m.answers > 0 "
    "ORDER BY m.answers DESC, t.name LIMIT 3";
constexpr std::string_view months =
    "SELECT month, answers, members FROM answer_count_months WHERE month BETWEEN ?1 AND ?2 AND answers > 0 "
    "AND members > 0 ORDER BY month";
// A tie's answers in the months never exceed its helper's, so the strongest ties are looked for
// among the months' busiest answerers only (?3 of them, many more than the ties shown): the
// year-long report reads their rows, not every tie of the year.
constexpr std::string_view ties =
    "SELECT h.helper_id, hu.username, h.asker_id, au.username, sum(h.answers) AS n, sum(h.accepted) AS k "
    "FROM help_tie_months h JOIN users hu ON hu.id = h.helper_id JOIN users au ON au.id = h.asker_id "
    "WHERE h.helper_id IN (SELECT user_id FROM member_months WHERE month BETWEEN ?1 AND ?2 GROUP BY user_id "
    "ORDER BY sum(answers) DESC LIMIT ?3) AND h.month BETWEEN ?1 AND ?2 "
    "GROUP BY h.helper_id, h.asker_id HAVING n > 0 ORDER BY n DESC, k DESC, hu.username, au.username LIMIT ?4";
constexpr std::string_view tie_tags =
    "SELECT t.name FROM help_tie_tags h JOIN tags t ON t.id = h.tag_id WHERE h.helper_id = ?1 AND h.asker_id = ?2 "
    "AND h.answers > 0 ORDER BY h.answers DESC, t.name LIMIT 3";

}  // namespace sql

namespace {

// The post-derived tables, compared row for row by rebuild().
constexpr std::string_view derived_tables[] = {"insight_days", "insight_first_answers", "insight_tag_days",
                                               "member_days",  "member_months",         "answer_count_months",
                                               "answer_tags",  "help_tie_months",       "help_tie_tags"};

std::vector<std::int64_t> tags_of(connection& db, std::int64_t question_id)
{
    std::vector<std::int64_t> out;
    auto& s = db.cached(sql::question_tags).bind(question_id);
    while (s.step()) out.push_back(s.integer(0));
    s.reset();
    return out;
}

struct answer_fact {
    std::int64_t id, created_at, author_id;
    bool staff, accepted;
    std::int64_t asker_id, question_id;
};

std::vector<answer_fact> read_answers(statement& s)
{
    std::vector<answer_fact> out;
    while (s.step())
        out.push_back({s.integer(0), s.integer(1), s.integer(2), s.integer(3) != 0, s.integer(4) != 0, s.integer(5),
                       s.integer(6)});
    s.reset();
    return out;
}

}  // namespace

void insight_store::question(std::int64_t question_id, int sign)
{
    auto& s = db_.cached(sql::question).bind(question_id);
    if (!s.step()) {
        s.reset();
        return;  // not live: it counts for nothing
    }
    auto const asked = s.integer(0);
    auto const first = s.optional_integer(1);
    bool const accepted = s.integer(2) != 0;
    s.reset();
    auto const day = domain::day_of(asked);
    bool const within_day = first && *first - asked <= 86400;
    db_.cached(sql::bump_day).bind(day, sign, first ? sign : 0, within_day ? sign : 0, accepted ? sign : 0, 0, 0).run();
    if (sign < 0) db_.cached(sql::prune_day).bind(day).run();
    if (first) {
        auto const bucket = domain::delay_bucket(*first - asked);
        db_.cached(sql::bump_delay).bind(day, bucket, sign).run();
        if (sign < 0) db_.cached(sql::prune_delay).bind(day, bucket).run();
    }
    for (auto const tag : tags_of(db_, question_id)) {
        db_.cached(sql::bump_tag_day).bind(day, tag, sign).run();
        if (sign < 0) db_.cached(sql::prune_tag_day).bind(day, tag).run();
    }
}

void insight_store::count_answer(statement& s, int sign)
{
    for (auto const& a : read_answers(s)) {
        auto const day = domain::day_of(a.created_at);
        auto const month = domain::month_of_day(day);
        auto const acc = a.accepted ? sign : 0;
        db_.cached(sql::bump_day).bind(day, 0, 0, 0, 0, sign, a.staff ? sign : 0).run();
        db_.cached(sql::bump_member_day).bind(day, a.author_id, sign, acc, 0).run();
        // The member moves from one count of answers in the month to the next.
        auto& m = db_.cached(sql::bump_member_month).bind(month, a.author_id, sign, acc);
        m.step();
        auto const now = m.integer(0);
        m.reset();
        for (auto const& [count, change] : {std::pair{now - sign, -1}, std::pair{now, +1}}) {
            if (count <= 0) continue;
            db_.cached(sql::bump_answer_count).bind(month, count, change).run();
            if (change < 0) db_.cached(sql::prune_answer_count).bind(month, count).run();
        }
        bool const tie = a.author_id != a.asker_id;
        if (tie) db_.cached(sql::bump_tie).bind(a.author_id, month, a.asker_id, sign, acc).run();
        auto const tags = tags_of(db_, a.question_id);
        for (auto const tag : tags) {
            db_.cached(sql::bump_member_tag).bind(a.author_id, tag, sign).run();
            if (tie) db_.cached(sql::bump_tie_tag).bind(a.author_id, a.asker_id, tag, sign).run();
        }
        if (sign > 0) continue;
        db_.cached(sql::prune_day).bind(day).run();
        db_.cached(sql::prune_member_day).bind(day, a.author_id).run();
        db_.cached(sql::prune_member_month).bind(month, a.author_id).run();
        if (tie) db_.cached(sql::prune_tie).bind(a.author_id, month, a.asker_id).run();
        for (auto const tag : tags) {
            db_.cached(sql::prune_member_tag).bind(a.author_id, tag).run();
            if (tie) db_.cached(sql::prune_tie_tag).bind(a.author_id, a.asker_id, tag).run();
        }
    }
}

void insight_store::answer(std::int64_t answer_id, int sign)
{
    count_answer(db_.cached(sql::one_answer).bind(answer_id), sign);
}

void insight_store::add_upvotes(std::int64_t day, std::int64_t author_id, std::int64_t n)
{
    auto const month = domain::month_of_day(day);
    db_.cached(sql::bump_member_day).bind(day, author_id, 0, 0, n).run();
    db_.cached(sql::bump_member_month_votes).bind(month, author_id, n).run();
    if (n >= 0) return;
    db_.cached(sql::prune_member_day).bind(day, author_id).run();
    db_.cached(sql::prune_member_month).bind(month, author_id).run();
}

void insight_store::thread(std::int64_t question_id, int sign)
{
    question(question_id, sign);
    count_answer(db_.cached(sql::thread_answers).bind(question_id), sign);
    std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> votes;
    auto& s = db_.cached(sql::thread_upvotes).bind(question_id);
    while (s.step()) votes.emplace_back(s.integer(0), s.integer(1), s.integer(2));
    s.reset();
    for (auto const& [day, author, n] : votes) add_upvotes(day, author, sign * n);
}

void insight_store::vote(std::int64_t voter_id, std::int64_t post_id, int sign)
{
    auto& s = db_.cached(sql::one_vote).bind(voter_id, post_id);
    if (!s.step()) {
        s.reset();
        return;
    }
    bool const up = s.integer(0) == 1;
    auto const day = domain::day_of(s.integer(1));
    auto const author = s.integer(2);
    s.reset();
    if (up) add_upvotes(day, author, sign);
}

bool insight_store::built()
{
    auto& s = db_.cached(sql::is_built).bind();
    bool const out = s.step() && s.integer(0) == 1;
    s.reset();
    return out;
}

std::int64_t insight_store::rebuild()
{
    auto tx = db_.begin_immediate();
    for (auto const t : derived_tables) {
        std::string const name(t);
        db_.exec("DROP TABLE IF EXISTS temp.kept_" + name + "; CREATE TEMP TABLE kept_" + name +
                 " AS SELECT * FROM main." + name + "; DELETE FROM main." + name + ";");
    }
    std::vector<std::int64_t> ids;
    auto& s = db_.cached(sql::live_questions).bind();
    while (s.step()) ids.push_back(s.integer(0));
    s.reset();
    for (auto const id : ids) thread_enters(id);
    std::int64_t differ = 0;
    for (auto const t : derived_tables) {
        std::string const name(t);
        statement count(db_.handle(), "SELECT (SELECT count(*) FROM (SELECT * FROM main." + name +
                                          " EXCEPT SELECT * FROM temp.kept_" + name +
                                          ")) + (SELECT count(*) FROM (SELECT * FROM temp.kept_" + name +
                                          " EXCEPT SELECT * FROM main." + name + "))");
        count.step();
        differ += count.integer(0);
        count.reset();
        db_.exec("DROP TABLE temp.kept_" + name + ";");
    }
    db_.cached(sql::mark_built).bind().run();
    tx.commit();
    return differ;
}

std::vector<insight_day_row> insight_store::days(std::int64_t from, std::int64_t to)
{
    std::vector<insight_day_row> out;
    auto& s = db_.cached(sql::days).bind(from, to);
    while (s.step())
        out.push_back(
            {s.integer(0), s.integer(1), s.integer(2), s.integer(3), s.integer(4), s.integer(5), s.integer(6)});
    s.reset();
    return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> insight_store::unanswered_by_day()
{
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    auto& s = db_.cached(sql::unanswered).bind();
    while (s.step()) out.emplace_back(s.integer(0), s.integer(1));
    s.reset();
    return out;
}

std::vector<std::pair<int, std::int64_t>> insight_store::first_answer_buckets(std::int64_t from, std::int64_t to)
{
    std::vector<std::pair<int, std::int64_t>> out;
    auto& s = db_.cached(sql::delays).bind(from, to);
    while (s.step()) out.emplace_back(static_cast<int>(s.integer(0)), s.integer(1));
    s.reset();
    return out;
}

std::vector<tag_trend_row> insight_store::tag_trends(std::int64_t from, std::int64_t to)
{
    std::vector<tag_trend_row> out;
    auto const length = to - from + 1;
    auto& s = db_.cached(sql::tag_trends).bind(from - length, from, to);
    while (s.step()) out.push_back({s.text(0), s.integer(1), s.integer(2)});
    s.reset();
    return out;
}

std::vector<std::string> insight_store::top_tags_of(std::int64_t user_id)
{
    std::vector<std::string> out;
    auto& s = db_.cached(sql::member_top_tags).bind(user_id);
    while (s.step()) out.push_back(s.text(0));
    s.reset();
    return out;
}

std::vector<member_figures> insight_store::read_members(statement& s)
{
    std::vector<member_figures> out;
    while (s.step())
        out.push_back({s.integer(0),
                       s.text(1),
                       s.integer(2),
                       s.integer(3),
                       s.integer(4),
                       s.integer(5),
                       s.integer(6),
                       s.integer(7),
                       {}});
    s.reset();
    for (auto& m : out) m.top_tags = top_tags_of(m.user_id);
    return out;
}

std::vector<member_figures> insight_store::top_members(std::int64_t from, std::int64_t to, std::int64_t limit)
{
    // The whole months inside [from, to], and the days around them.
    auto first = domain::month_of_day(from), last = domain::month_of_day(to);
    if (domain::first_day_of_month(first) != from) ++first;
    if (domain::first_day_of_month(last + 1) - 1 != to) --last;
    if (first > last) return read_members(db_.cached(sql::top_members).bind(from, to, 1, 0, 1, 0, limit));
    return read_members(db_.cached(sql::top_members)
                            .bind(from, domain::first_day_of_month(first) - 1, first, last,
                                  domain::first_day_of_month(last + 1), to, limit));
}

std::vector<member_figures> insight_store::rising_members(std::int64_t to, std::int64_t limit)
{
    return read_members(
        db_.cached(sql::rising_members).bind(to - 2 * rising_days + 1, to - rising_days + 1, to, limit));
}

std::vector<month_answers> insight_store::answers_by_month(std::int64_t from_month, std::int64_t to_month)
{
    std::vector<month_answers> out;
    auto& s = db_.cached(sql::months).bind(from_month, to_month);
    while (s.step()) {
        auto const month = s.integer(0);
        if (out.empty() || out.back().month != month) out.push_back({month, {}});
        out.back().answers_per_answerer.insert(out.back().answers_per_answerer.end(),
                                               static_cast<std::size_t>(s.integer(2)), s.integer(1));
    }
    s.reset();
    return out;
}

std::vector<help_tie_row> insight_store::strongest_ties(std::int64_t from_month, std::int64_t to_month,
                                                        std::int64_t limit)
{
    std::vector<help_tie_row> out;
    auto& s = db_.cached(sql::ties).bind(from_month, to_month, std::max<std::int64_t>(100, limit * 10), limit);
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.integer(2), s.text(3), s.integer(4), s.integer(5), {}});
    s.reset();
    for (auto& t : out) {
        auto& q = db_.cached(sql::tie_tags).bind(t.helper_id, t.asker_id);
        while (q.step()) t.tags.push_back(q.text(0));
        q.reset();
    }
    return out;
}

}  // namespace peerdesk::store
