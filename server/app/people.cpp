// Members and badges: the members list (search, sorts, the leaderboard per period and per
// tag), the badge catalogue with who holds each badge, and their API. Everything here reads the
// figures the member worker keeps (members.hpp); nothing is counted per request.
#include "server/app/people.hpp"

#include "server/app/api_io.hpp"
#include "server/app/frame.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/app/urls.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"
#include "server/store/member_store.hpp"
#include "server/store/user_store.hpp"

#include <boost/json.hpp>

namespace peerdesk::app {

namespace json = boost::json;
using http::response;
using render::view;

view medals_view(std::int64_t bronze, std::int64_t silver, std::int64_t gold)
{
    view v;
    v.set("gold", gold).set("silver", silver).set("bronze", bronze);
    v.set("has_gold", gold > 0).set("has_silver", silver > 0).set("has_bronze", bronze > 0);
    v.set("any", gold + silver + bronze > 0);
    v.set("label", std::to_string(gold) + " gold, " + std::to_string(silver) + " silver, " + std::to_string(bronze) +
                       " bronze " + (gold + silver + bronze == 1 ? "badge" : "badges"));
    return v;
}

json::object badge_counts_json(std::int64_t bronze, std::int64_t silver, std::int64_t gold)
{
    return {{"bronze", bronze}, {"silver", silver}, {"gold", gold}};
}

std::string badge_title(domain::badge_spec const& b, std::string_view tag)
{
    return b.per_tag && !tag.empty() ? std::string(tag) : std::string(b.name);
}

std::string badge_url(domain::badge_spec const& b, std::string_view tag)
{
    auto url = "/badges/" + std::to_string(b.id);
    if (b.per_tag && !tag.empty()) url += "?tag=" + http::percent_encode(tag);
    return url;
}

namespace {

// ---- the members list ----

struct member_listing {
    store::member_query query;
    std::string sort = "reputation";
    std::string period = "all";
    std::string tag;
};

std::variant<member_listing, failure> read_listing(http::fields const& q, bool strict)
{
    member_listing out;
    auto const invalid = [](std::string message, std::string field) {
        return failure{failure_kind::invalid, "invalid_field", std::move(message), std::move(field)};
    };
    auto const sort = field(q, "sort");
    if (sort == "" || sort == "reputation" || sort == "newest" || sort == "name")
        out.sort = sort.empty() ? "reputation" : sort;
    else if (strict)
        return invalid("sort is reputation, newest or name.", "sort");
    auto const period = field(q, "period");
    if (period == "" || period == "all" || domain::parse_period(period))
        out.period = period.empty() ? "all" : period;
    else if (strict)
        return invalid("period is week, month, year or all.", "period");
    out.query.name = std::string(domain::trim(field(q, "q")));
    if (out.query.name.size() > 100) {
        if (strict) return invalid("q is at most 100 characters.", "q");
        out.query.name.resize(100);
    }
    out.tag = std::string(domain::trim(field(q, "tag")));
    if (out.tag.size() > 100) {
        if (strict) return invalid("tag is at most 100 characters.", "tag");
        out.tag.clear();
    }
    // As tags are stored: "Printer" finds printer.
    if (!out.tag.empty()) out.tag = domain::normalize_tag(out.tag);
    if (strict && out.period != "all" && out.sort != "reputation")
        return invalid("period ranks members by reputation gained in it; use it with sort=reputation.", "period");
    if (strict && !out.tag.empty() && (out.period != "all" || out.sort != "reputation"))
        return invalid("tag ranks members by the score of their answers in it; use it without sort and period.", "tag");
    auto const now = domain::now();
    auto const p = domain::parse_period(out.period).value_or(domain::period::week);
    out.query.period = p;
    out.query.period_starts = domain::period_start(p, now);
    if (!out.tag.empty()) {
        out.query.order = store::member_order::tag;
        out.sort = "reputation";
        out.period = "all";
        out.query.period = domain::period::week;
        out.query.period_starts = domain::period_start(domain::period::week, now);
    } else if (out.period != "all") {
        out.query.order = store::member_order::gained;
        out.sort = "reputation";
    } else {
        out.query.order = out.sort == "newest" ? store::member_order::newest
                          : out.sort == "name" ? store::member_order::name
                                               : store::member_order::reputation;
    }
    return out;
}

json::object member_json(store::member_row const& m, bool in_tag)
{
    json::array tags;
    for (auto const& t : m.top_tags) tags.emplace_back(t);
    json::object o{{"id", m.id},
                   {"username", m.username},
                   {"reputation", domain::shown_reputation(m.reputation)},
                   {"reputation_change", m.reputation_change},
                   {"created_at", domain::rfc3339(m.created_at)},
                   {"questions", m.questions},
                   {"answers", m.answers},
                   {"accepted", m.accepted},
                   {"top_tags", std::move(tags)},
                   {"badge_counts", badge_counts_json(m.bronze, m.silver, m.gold)}};
    if (in_tag) {
        o["tag_answers"] = m.tag_answers;
        o["tag_score"] = m.tag_score;
    }
    return o;
}

response members_api(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const& fields = std::get<http::fields>(query);
    auto paged = read_paging(fields);
    if (auto const* f = std::get_if<failure>(&paged)) return error_response(*f);
    auto read = read_listing(fields, true);
    if (auto const* f = std::get_if<failure>(&read)) return error_response(*f);
    auto listing = std::get<member_listing>(std::move(read));
    listing.query.page = std::get<paging>(paged).page;
    listing.query.pagesize = std::get<paging>(paged).pagesize;
    store::member_store members(c.ctx.db.reader());
    if (!listing.tag.empty()) {
        auto const id = members.tag_id(listing.tag);
        if (!id)
            return error_response(
                {failure_kind::invalid, "invalid_field", "There is no tag “" + listing.tag + "”.", "tag"});
        listing.query.tag_id = *id;
    }
    bool const in_tag = !listing.tag.empty();
    auto r = json_response(200, list_json(members.members(listing.query),
                                          [&](store::member_row const& m) { return member_json(m, in_tag); }));
    r.set("X-Robots-Tag", "noindex");
    return r;
}

struct tab {
    char const* label;
    char const* sort;
    char const* period;
};
constexpr tab tabs[] = {
    {"Reputation", "reputation", "all"}, {"This week", "reputation", "week"}, {"This month", "reputation", "month"},
    {"This year", "reputation", "year"}, {"New members", "newest", "all"},    {"Name", "name", "all"},
};

std::string listing_url(std::string_view sort, std::string_view period, std::string const& name, std::string const& tag)
{
    std::string url = "/users";
    std::string join = "?";
    auto const add = [&](std::string_view key, std::string_view value) {
        url += join + std::string(key) + "=" + http::percent_encode(value);
        join = "&";
    };
    if (!tag.empty()) {
        add("tag", tag);
    } else {
        if (sort != "reputation") add("sort", sort);
        if (period != "all") add("period", period);
    }
    if (!name.empty()) add("q", name);
    return url;
}

response members_page(call& c)
{
    auto const q = query_fields(c);
    auto listing = std::get<member_listing>(read_listing(q, false));
    listing.query.page = page_param(q);
    listing.query.pagesize = 36;
    store::member_store members(c.ctx.db.reader());
    std::string tag_error;
    if (!listing.tag.empty()) {
        if (auto const id = members.tag_id(listing.tag)) {
            listing.query.tag_id = *id;
        } else {
            tag_error = "There is no tag “" + listing.tag + "”; showing everyone.";
            listing.tag.clear();
            listing.query.order = store::member_order::reputation;
        }
    }
    auto const found = members.members(listing.query);
    bool const in_tag = !listing.tag.empty();
    bool const gained = listing.query.order == store::member_order::gained;
    std::string const period_words = listing.period == "week"    ? "this week"
                                     : listing.period == "month" ? "this month"
                                     : listing.period == "year"  ? "this year"
                                                                 : "this week";
    std::vector<view> items;
    for (auto const& m : found.items) {
        view v;
        v.set("id", m.id)
            .set("username", m.username)
            .set("url", urls::user(m.id))
            .set("reputation", with_thousands(domain::shown_reputation(m.reputation)))
            .set("answers", m.answers)
            .set("accepted", m.accepted)
            .set("medals", medals_view(m.bronze, m.silver, m.gold))
            .set("tags", tag_views(m.top_tags))
            .set("has_tags", !m.top_tags.empty());
        if (m.reputation_change != 0)
            v.set("change", (m.reputation_change > 0 ? "+" : "") + with_thousands(m.reputation_change))
                .set("change_words", period_words);
        if (in_tag) v.set("tag_score", m.tag_score).set("tag_answers", m.tag_answers).set("in_tag", true);
        items.push_back(std::move(v));
    }
    std::vector<view> tab_views;
    for (auto const& t : tabs) {
        view v;
        v.set("label", t.label)
            .set("url", listing_url(t.sort, t.period, listing.query.name, ""))
            .set("current", !in_tag && listing.sort == t.sort && listing.period == t.period);
        tab_views.push_back(std::move(v));
    }
    view v;
    std::string heading = "Members";
    if (in_tag)
        heading = "Top answerers in " + listing.tag;
    else if (gained)
        heading = "Reputation gained " + period_words;
    v.set("heading", heading)
        .set("members", items)
        .set("empty", items.empty())
        .set("tabs", tab_views)
        .set("q", listing.query.name)
        .set("tag", listing.tag)
        .set("tag_url", in_tag ? urls::tag(listing.tag) : std::string())
        .set("sort", listing.sort)
        .set("period", listing.period)
        .set("in_tag", in_tag)
        .set("gained", gained)
        .set("tag_error", tag_error)
        .set("total", with_thousands(found.total))
        .set("total_label", found.total == 1 ? "member" : "members")
        .set("pager", pager_view(found.page, found.pagesize, found.total,
                                 listing_url(listing.sort, listing.period, listing.query.name, listing.tag)));
    auto r = page(c, 200, "users", heading, std::move(v));
    // A list of people is no page to find in a search engine; their profiles are.
    r.set("X-Robots-Tag", "noindex");
    return r;
}

// ---- badges ----

struct catalogue_entry {
    domain::badge_spec const* badge;
    std::int64_t holders = 0;
    std::vector<store::badge_count_row> tags;  // tag badges: per tag
};

std::vector<catalogue_entry> catalogue_with_counts(store::member_store& s)
{
    std::vector<catalogue_entry> out;
    auto const counts = s.badge_counts();
    for (auto const& b : domain::badge_catalogue()) {
        catalogue_entry e{&b, 0, {}};
        for (auto const& row : counts)
            if (row.badge == b.key) {
                e.holders += row.holders;
                if (b.per_tag) e.tags.push_back(row);
            }
        out.push_back(std::move(e));
    }
    return out;
}

json::object badge_json(domain::badge_spec const& b, std::int64_t awarded, std::string_view tag)
{
    json::object o{{"id", b.id},
                   {"name", badge_title(b, tag)},
                   {"description", std::string(b.description)},
                   {"class", std::string(domain::to_string(b.klass))},
                   {"awarded", awarded}};
    if (b.per_tag && !tag.empty()) o["tag"] = std::string(tag);
    return o;
}

response badges_api(call& c)
{
    store::member_store s(c.ctx.db.reader());
    json::array items;
    for (auto const& e : catalogue_with_counts(s)) {
        items.push_back(badge_json(*e.badge, e.holders, ""));
        for (auto const& t : e.tags) items.push_back(badge_json(*e.badge, t.holders, t.tag));
    }
    return json_response(200, whole_list_json(std::move(items)));
}

view badge_view(domain::badge_spec const& b, std::string_view tag, std::int64_t holders)
{
    view v;
    v.set("id", b.id)
        .set("name", badge_title(b, tag))
        .set("class", std::string(domain::to_string(b.klass)))
        .set("description", std::string(b.description))
        .set("url", badge_url(b, tag))
        .set("holders", holders)
        .set("holders_label", holders == 1 ? "holder" : "holders")
        .set("is_tag", b.per_tag && !tag.empty());
    return v;
}

response badges_page(call& c)
{
    store::member_store s(c.ctx.db.reader());
    std::vector<view> plain, tagged;
    for (auto const& e : catalogue_with_counts(s)) {
        if (!e.badge->per_tag) {
            plain.push_back(badge_view(*e.badge, "", e.holders));
            continue;
        }
        auto v = badge_view(*e.badge, "", e.holders);
        std::vector<view> tags;
        for (auto const& t : e.tags) tags.push_back(badge_view(*e.badge, t.tag, t.holders));
        v.set("tags", tags).set("has_tags", !tags.empty());
        tagged.push_back(std::move(v));
    }
    view v;
    v.set("badges", plain).set("tag_badges", tagged);
    return page(c, 200, "badges", "Badges", std::move(v));
}

// The badge of the path and, for a tag badge, the tag of ?tag=.
struct badge_ref {
    domain::badge_spec const* badge = nullptr;
    std::int64_t tag_id = 0;
    std::string tag;
};
std::variant<badge_ref, failure> read_badge(call& c, http::fields const& q)
{
    auto const id = parse_id(c.match["id"]);
    auto const* b = id && *id < 1000 ? domain::find_badge(static_cast<int>(*id)) : nullptr;
    if (!b) return failure{failure_kind::not_found, "not_found", "There is no such badge.", ""};
    badge_ref out{b, 0, {}};
    auto const tag = std::string(domain::trim(field(q, "tag")));
    if (b->per_tag) {
        if (tag.empty())
            return failure{failure_kind::invalid, "invalid_field", "A tag badge is held per tag: name one in tag.",
                           "tag"};
        auto const tag_id = tag.size() <= 100 ? store::member_store(c.ctx.db.reader()).tag_id(tag) : std::nullopt;
        if (!tag_id)
            return failure{failure_kind::not_found, "not_found", "There is no tag “" + tag.substr(0, 100) + "”.",
                           "tag"};
        out.tag_id = *tag_id;
        out.tag = tag;
    }
    return out;
}

response badge_page(call& c)
{
    auto const q = query_fields(c);
    auto read = read_badge(c, q);
    if (auto const* f = std::get_if<failure>(&read))
        return message_page(c, *f, "Badge not found", f->message, "/badges", "All badges");
    auto const& ref = std::get<badge_ref>(read);
    auto const pageno = page_param(q);
    store::member_store s(c.ctx.db.reader());
    auto const found = s.holders(ref.badge->key, ref.tag_id, pageno, 50);
    std::vector<view> holders;
    for (auto const& h : found.items) {
        view v;
        v.set("user", author_view(h.user)).set("url", urls::user(h.user.id)).set("awarded", time_view(h.created_at));
        if (h.post_id && h.question_id) v.set("post_url", urls::post_or_top(*h.question_id, *h.post_id));
        holders.push_back(std::move(v));
    }
    view v;
    v.set("badge", badge_view(*ref.badge, ref.tag, found.total))
        .set("holders", holders)
        .set("empty", holders.empty())
        .set("pager", pager_view(found.page, found.pagesize, found.total, badge_url(*ref.badge, ref.tag)));
    return page(c, 200, "badge", badge_title(*ref.badge, ref.tag) + " badge", std::move(v));
}

response badge_api(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const& fields = std::get<http::fields>(query);
    auto paged = read_paging(fields);
    if (auto const* f = std::get_if<failure>(&paged)) return error_response(*f);
    auto read = read_badge(c, fields);
    if (auto const* f = std::get_if<failure>(&read)) return error_response(*f);
    auto const& ref = std::get<badge_ref>(read);
    auto const p = std::get<paging>(paged);
    store::member_store s(c.ctx.db.reader());
    auto const found = s.holders(ref.badge->key, ref.tag_id, p.page, p.pagesize);
    auto body = list_json(found, [](store::badge_holder_row const& h) {
        json::object o{{"user", author_json(h.user)}, {"awarded_at", domain::rfc3339(h.created_at)}};
        o["post_id"] = h.post_id ? json::value(*h.post_id) : json::value(nullptr);
        return o;
    });
    body["badge"] = badge_json(*ref.badge, found.total, ref.tag);
    return json_response(200, body);
}

response user_badges_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("user");
    if (!store::user_store(c.ctx.db.reader()).find(*id)) return bad_id("user");
    json::array items;
    for (auto const& a : store::member_store(c.ctx.db.reader()).badges_of(*id)) {
        auto const* b = domain::find_badge(a.badge);
        if (!b) continue;  // a badge the catalogue no longer has
        json::object o{{"badge", badge_json(*b, 0, a.tag)}, {"awarded_at", domain::rfc3339(a.created_at)}};
        o["badge"].as_object().erase("awarded");
        o["post_id"] = a.post_id ? json::value(*a.post_id) : json::value(nullptr);
        items.push_back(std::move(o));
    }
    return json_response(200, whole_list_json(std::move(items)));
}

}  // namespace

std::vector<view> user_badge_views(store::connection& db, std::int64_t user_id)
{
    std::vector<view> out;
    for (auto const& a : store::member_store(db).badges_of(user_id)) {
        auto const* b = domain::find_badge(a.badge);
        if (!b) continue;
        auto v = badge_view(*b, a.tag, 0);
        v.set("awarded", time_view(a.created_at));
        if (a.post_id && a.question_id) v.set("post_url", urls::post_or_top(*a.question_id, *a.post_id));
        out.push_back(std::move(v));
    }
    return out;
}

void add_people_routes(route_table& r)
{
    using http::method;
    r.add(method::get, "/users", members_page);
    r.add(method::get, "/api/v1/users", members_api);
    r.add(method::get, "/badges", badges_page);
    r.add(method::get, "/badges/{id}", badge_page);
    r.add(method::get, "/api/v1/badges", badges_api);
    r.add(method::get, "/api/v1/badges/{id}", badge_api);
    r.add(method::get, "/api/v1/users/{id}/badges", user_badges_api);
}

}  // namespace peerdesk::app
