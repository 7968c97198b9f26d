// Reading JSON input and writing JSON output, shared by every room's API handlers.
#include "server/app/api_io.hpp"

#include "server/app/ideas.hpp"

#include "server/app/respond.hpp"
#include "server/app/urls.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/store/post_store.hpp"

namespace peerdesk::app {

namespace json = boost::json;
using http::response;

std::variant<json::object, failure> body_object(call& c)
{
    auto const type = c.req.header("content-type");
    if (!type || type->find("application/json") == std::string_view::npos)
        return failure{failure_kind::unsupported_media, "unsupported_media_type",
                       "Send the body as JSON with Content-Type: application/json.", ""};
    json::parse_options options;
    options.max_depth = 16;
    json::error_code ec;
    json::monotonic_resource memory;
    auto value = json::parse(c.req.body, ec, &memory, options);
    if (ec)
        return failure{failure_kind::malformed, "malformed_json", "The body is not valid JSON (" + ec.message() + ").",
                       ""};
    if (!value.is_object())
        return failure{failure_kind::malformed, "malformed_json", "The body must be a JSON object.", ""};
    return json::object(value.as_object(), json::storage_ptr());
}

// Reads an optional string field; a present field of another type is an error.
std::optional<failure> read_string(json::object const& o, std::string_view key, std::optional<std::string>& out)
{
    auto const* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string())
        return failure{failure_kind::invalid, "invalid_field", "The field " + std::string(key) + " must be a string.",
                       std::string(key)};
    out = std::string(v->as_string());
    return std::nullopt;
}

std::optional<failure> require_string(json::object const& o, std::string_view key, std::string& out)
{
    std::optional<std::string> value;
    if (auto f = read_string(o, key, value)) return f;
    if (!value)
        return failure{failure_kind::invalid, "invalid_field", "The field " + std::string(key) + " is required.",
                       std::string(key)};
    out = std::move(*value);
    return std::nullopt;
}

std::variant<std::string, failure> string_field(json::object const& o, std::string_view key, std::size_t max)
{
    auto const* v = o.if_contains(key);
    if (!v || v->is_null())
        return failure{failure_kind::invalid, "invalid_field", "The field " + std::string(key) + " is required.",
                       std::string(key)};
    if (!v->is_string())
        return failure{failure_kind::invalid, "invalid_field", "The field " + std::string(key) + " must be a string.",
                       std::string(key)};
    if (v->as_string().size() > max)
        return failure{failure_kind::invalid, "invalid_field",
                       "The field " + std::string(key) + " is longer than " + std::to_string(max) + " bytes.",
                       std::string(key)};
    return std::string(v->as_string());
}

std::optional<failure> read_tags(json::object const& o, std::optional<std::vector<std::string>>& out)
{
    auto const* v = o.if_contains("tags");
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_array())
        return failure{failure_kind::invalid, "invalid_field", "The field tags must be an array of strings.", "tags"};
    std::vector<std::string> tags;
    for (auto const& t : v->as_array()) {
        if (!t.is_string())
            return failure{failure_kind::invalid, "invalid_field", "Each tag must be a string.", "tags"};
        if (tags.size() >= 20) return failure{failure_kind::invalid, "invalid_field", "Use at most 5 tags.", "tags"};
        tags.emplace_back(t.as_string());
    }
    out = std::move(tags);
    return std::nullopt;
}

std::variant<paging, failure> read_paging(http::fields const& query)
{
    paging p;
    if (auto f = read_number(query, "page", p.page, 100000)) return *f;
    if (auto f = read_number(query, "pagesize", p.pagesize, 100)) return *f;
    return p;
}

std::variant<http::fields, failure> query_of(call& c)
{
    auto q = http::parse_urlencoded(c.req.query);
    if (!q)
        return failure{failure_kind::malformed, "malformed_query", "The query string has a malformed %-escape.", ""};
    return std::move(*q);
}

std::variant<list_query, failure> read_list_query(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return *f;
    auto paged = read_paging(std::get<http::fields>(query));
    if (auto const* f = std::get_if<failure>(&paged)) return *f;
    return list_query{std::move(std::get<http::fields>(query)), std::get<paging>(paged)};
}

// An optional JSON body (DELETE and the moderator verbs may come without one).
std::variant<json::object, failure> optional_body(call& c)
{
    if (c.req.body.empty()) return json::object{};
    return body_object(c);
}

std::string reason_of(json::object const& body)
{
    auto const* v = body.if_contains("reason");
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

json::object author_json(store::author_ref const& a)
{
    return {{"id", a.id}, {"username", a.username}, {"reputation", domain::shown_reputation(a.reputation)}};
}

json::object user_json(store::user_row const& u, store::user_counts const& counts)
{
    return {{"id", u.id},
            {"username", u.username},
            {"reputation", domain::shown_reputation(u.reputation)},
            {"role", domain::role_name(u.role)},
            {"created_at", domain::rfc3339(u.created_at)},
            {"badges", json::array()},
            {"counts",
             {{"questions", counts.questions},
              {"answers", counts.answers},
              {"accepted_answers", counts.accepted_answers}}}};
}

json::array tags_json(std::vector<std::string> const& tags)
{
    json::array out;
    for (auto const& t : tags) out.emplace_back(t);
    return out;
}

json::object comment_json(store::comment_row const& c)
{
    json::object o{{"id", c.id},
                   {"post_id", c.post_id},
                   {"author", author_json(c.author)},
                   {"body_markdown", c.body_markdown},
                   {"body_html", c.body_html},
                   {"created_at", domain::rfc3339(c.created_at)}};
    o["reply_to"] = c.reply_to ? json::value(*c.reply_to) : json::value(nullptr);
    o["edited_at"] = c.edited_at ? json::value(domain::rfc3339(*c.edited_at)) : json::value(nullptr);
    return o;
}

json::object post_json(store::post_row const& p, bool with_viewer)
{
    json::object o{{"id", p.id},
                   {"type", domain::to_sql(p.kind)},
                   {"author", author_json(p.author)},
                   {"body_markdown", p.body_markdown},
                   {"body_html", p.body_html},
                   {"score", p.score},
                   {"created_at", domain::rfc3339(p.created_at)},
                   {"last_activity_at", domain::rfc3339(p.last_activity_at)}};
    o["edited_at"] = p.edited_at ? json::value(domain::rfc3339(*p.edited_at)) : json::value(nullptr);
    if (p.kind == domain::post_kind::answer) o["question_id"] = *p.question_id;
    json::array comments;
    for (auto const& c : p.comments) comments.push_back(comment_json(c));
    o["comments"] = std::move(comments);
    if (with_viewer) o["my_vote"] = p.my_vote;
    return o;
}

json::object question_json(store::question_thread const& t, bool with_viewer)
{
    auto o = post_json(t.question, with_viewer);
    o["title"] = t.question.title;
    o["tags"] = tags_json(t.question.tags);
    o["answer_count"] = t.question.answer_count;
    o["accepted_answer_id"] =
        t.question.accepted_answer_id ? json::value(*t.question.accepted_answer_id) : json::value(nullptr);
    o["closed"] = t.question.closed_at.has_value();
    o["close_reason"] = t.question.close_reason ? json::value(*t.question.close_reason) : json::value(nullptr);
    o["duplicate_of"] = t.question.duplicate_of ? json::value(*t.question.duplicate_of) : json::value(nullptr);
    o["locked"] = t.question.locked;
    o["pinned"] = t.question.pinned;
    json::array answers;
    for (auto const& a : t.answers) {
        auto aj = post_json(a, with_viewer);
        aj["accepted"] = t.question.accepted_answer_id == a.id;
        aj["endorsed"] = a.endorsed;
        answers.push_back(std::move(aj));
    }
    o["answers"] = std::move(answers);
    return o;
}

json::object summary_json(store::question_summary const& q)
{
    return {{"id", q.id},
            {"title", q.title},
            {"author", author_json(q.author)},
            {"score", q.score},
            {"answer_count", q.answer_count},
            {"accepted", q.accepted},
            {"tags", tags_json(q.tags)},
            {"excerpt", q.excerpt},
            {"created_at", domain::rfc3339(q.created_at)},
            {"last_activity_at", domain::rfc3339(q.last_activity_at)}};
}

response question_response(call& c, std::int64_t id, int status)
{
    std::optional<std::int64_t> viewer_id;
    if (c.who.user) viewer_id = c.who.user->id;
    auto const t = store::post_store(c.ctx.db.reader()).thread(id, viewer_id);
    if (!t) {
        // Verbs on any post answer the post's thread; an idea is its own.
        if (auto const post = store::post_store(c.ctx.db.reader()).find_post(id);
            post && post->kind == domain::post_kind::idea)
            return idea_response(c, id, status);
        return error_response(
            {failure_kind::not_found, "not_found", "There is no question " + std::to_string(id) + ".", ""});
    }
    return json_response(status, question_json(*t, viewer_id.has_value()));
}

std::optional<std::int64_t> id_param(call& c, std::string_view name)
{
    return parse_id(c.match[name]);
}

response bad_id(std::string_view what)
{
    return error_response({failure_kind::not_found, "not_found", "There is no such " + std::string(what) + ".", ""});
}

json::object hit_json(store::hit_row const& h)
{
    return {{"question_id", h.question_id},
            {"post_id", h.post_id},
            {"type", h.is_idea       ? "idea"
                     : h.is_question ? "question"
                                     : "answer"},
            {"title", h.title},
            {"score", h.score},
            {"answer_count", h.answer_count},
            {"accepted", h.accepted},
            {"accepted_answer", h.accepted_answer},
            {"tags", tags_json(h.tags)},
            {"created_at", domain::rfc3339(h.created_at)}};
}

json::object search_json(search_results const& found)
{
    json::array items;
    for (auto const& h : found.hits) {
        auto o = hit_json(h.row);
        o["snippet_html"] = h.snippet.str();
        o["url"] = h.url;
        items.push_back(std::move(o));
    }
    json::object out{
        {"items", std::move(items)},        {"page", found.page},
        {"pagesize", found.pagesize},       {"total", found.total},
        {"total_exact", found.total_exact}, {"query", search::format_query(found.parsed.text, found.parsed.filter)}};
    if (!found.suggestion.empty()) out["suggestion"] = found.suggestion;
    if (!found.corrected.empty()) out["corrected"] = found.corrected;
    if (found.some_words) out["some_words"] = true;
    return out;
}

json::object similar_json(std::vector<store::hit_row> const& rows)
{
    json::array items;
    for (auto const& h : rows) {
        auto o = hit_json(h);
        o["url"] = urls::question(h.question_id);
        items.push_back(std::move(o));
    }
    return whole_list_json(std::move(items));
}

json::object whole_list_json(json::array items)
{
    auto const n = static_cast<std::int64_t>(items.size());
    return {{"items", std::move(items)}, {"page", 1}, {"pagesize", n}, {"total", n}};
}

// 202: stored, but waiting for a moderator before anyone else sees it.
response held_response(posted const& p, std::string_view type)
{
    return json_response(202, json::object{{"id", p.id}, {"type", type}, {"state", "held"}, {"message", *p.held}});
}

}  // namespace peerdesk::app
