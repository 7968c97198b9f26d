// The JSON API, version 1 (../shared/API.md): thin handlers over actions.hpp.
#include "server/app/actions.hpp"
#include "server/app/api_json.hpp"
#include "server/app/application.hpp"
#include "server/app/auth.hpp"
#include "server/app/moderation_actions.hpp"
#include "server/app/respond.hpp"
#include "server/app/search_service.hpp"
#include "server/app/widget.hpp"
#include "server/domain/reputation.hpp"
#include "server/domain/time.hpp"
#include "server/http/forms.hpp"
#include "server/store/user_store.hpp"

#include <boost/json.hpp>

namespace peerdesk::app {
namespace {

namespace json = boost::json;
using http::response;

// ---- reading input -------------------------------------------------------------------------

std::variant<json::object, failure> body_object(call& c)
{
    auto const type = c.req.header("content-type");
    if (!type || type->find("application/json") == std::string_view::npos)
        return failure{415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.", ""};
    json::parse_options options;
    options.max_depth = 16;
    json::error_code ec;
    json::monotonic_resource memory;
    auto value = json::parse(c.req.body, ec, &memory, options);
    if (ec) return failure{400, "malformed_json", "The body is not valid JSON (" + ec.message() + ").", ""};
    if (!value.is_object()) return failure{400, "malformed_json", "The body must be a JSON object.", ""};
    return json::object(value.as_object(), json::storage_ptr());
}

// Reads an optional string field; a present field of another type is an error.
std::optional<failure> read_string(json::object const& o, std::string_view key, std::optional<std::string>& out)
{
    auto const* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string())
        return failure{422, "invalid_field", "The field " + std::string(key) + " must be a string.", std::string(key)};
    out = std::string(v->as_string());
    return std::nullopt;
}

std::optional<failure> require_string(json::object const& o, std::string_view key, std::string& out)
{
    std::optional<std::string> value;
    if (auto f = read_string(o, key, value)) return f;
    if (!value)
        return failure{422, "invalid_field", "The field " + std::string(key) + " is required.", std::string(key)};
    out = std::move(*value);
    return std::nullopt;
}

std::optional<failure> read_tags(json::object const& o, std::optional<std::vector<std::string>>& out)
{
    auto const* v = o.if_contains("tags");
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_array()) return failure{422, "invalid_field", "The field tags must be an array of strings.", "tags"};
    std::vector<std::string> tags;
    for (auto const& t : v->as_array()) {
        if (!t.is_string()) return failure{422, "invalid_field", "Each tag must be a string.", "tags"};
        if (tags.size() >= 20) return failure{422, "invalid_field", "Use at most 5 tags.", "tags"};
        tags.emplace_back(t.as_string());
    }
    out = std::move(tags);
    return std::nullopt;
}

struct paging {
    std::int64_t page = 1;
    std::int64_t pagesize = 30;
};

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
    if (!q) return failure{400, "malformed_query", "The query string has a malformed %-escape.", ""};
    return std::move(*q);
}

// ---- writing output ------------------------------------------------------------------------

json::object author_json(store::author_ref const& a)
{
    return {{"id", a.id}, {"username", a.username}, {"reputation", domain::shown_reputation(a.reputation)}};
}

json::object user_json(store::user_row const& u, store::user_counts const& counts)
{
    return {{"id", u.id},
            {"username", u.username},
            {"reputation", domain::shown_reputation(u.reputation)},
            {"role", u.role},
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
    return o;
}

json::object post_json(store::post_row const& p, bool with_viewer)
{
    json::object o{{"id", p.id},
                   {"type", p.kind},
                   {"author", author_json(p.author)},
                   {"body_markdown", p.body_markdown},
                   {"body_html", p.body_html},
                   {"score", p.score},
                   {"created_at", domain::rfc3339(p.created_at)},
                   {"last_activity_at", domain::rfc3339(p.last_activity_at)}};
    o["edited_at"] = p.edited_at ? json::value(domain::rfc3339(*p.edited_at)) : json::value(nullptr);
    if (p.kind == "answer") o["question_id"] = *p.question_id;
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

template <typename T, typename Fn>
json::object list_json(store::page_of<T> const& page, Fn&& item)
{
    json::array items;
    for (auto const& i : page.items) items.push_back(item(i));
    return {{"items", std::move(items)}, {"page", page.page}, {"pagesize", page.pagesize}, {"total", page.total}};
}

response question_response(call& c, std::int64_t id, int status)
{
    std::optional<std::int64_t> viewer_id;
    if (c.who.user) viewer_id = c.who.user->id;
    auto const t = store::post_store(c.ctx.db.reader()).thread(id, viewer_id);
    if (!t) return error_response({404, "not_found", "There is no question " + std::to_string(id) + ".", ""});
    return json_response(status, question_json(*t, viewer_id.has_value()));
}

std::optional<std::int64_t> id_param(call& c, std::string_view name = "id")
{
    return parse_id(c.match[name]);
}

response bad_id(std::string_view what)
{
    return error_response({404, "not_found", "There is no such " + std::string(what) + ".", ""});
}

#define PEERDESK_TRY_BODY(name)                                                          \
    auto name##_parsed = body_object(c);                                                 \
    if (auto const* f = std::get_if<failure>(&name##_parsed)) return error_response(*f); \
    auto const& name = std::get<json::object>(name##_parsed)

}  // namespace

boost::json::object hit_json(store::hit_row const& h)
{
    return {{"question_id", h.question_id},
            {"post_id", h.post_id},
            {"type", h.is_question ? "question" : "answer"},
            {"title", h.title},
            {"score", h.score},
            {"answer_count", h.answer_count},
            {"accepted", h.accepted},
            {"accepted_answer", h.accepted_answer},
            {"tags", tags_json(h.tags)},
            {"created_at", domain::rfc3339(h.created_at)}};
}

boost::json::object search_json(search_results const& found)
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
    return out;
}

namespace {

json::object similar_json(std::vector<store::hit_row> const& rows)
{
    json::array items;
    for (auto const& h : rows) {
        auto o = hit_json(h);
        o["url"] = "/questions/" + std::to_string(h.question_id);
        items.push_back(std::move(o));
    }
    auto const n = static_cast<std::int64_t>(items.size());
    return {{"items", std::move(items)}, {"page", 1}, {"pagesize", n}, {"total", n}};
}

// 202: stored, but waiting for a moderator before anyone else sees it.
response held_response(posted const& p, std::string_view type)
{
    return json_response(202, json::object{{"id", p.id}, {"type", type}, {"state", "held"}, {"message", *p.held}});
}

// ---- handlers ------------------------------------------------------------------------------

response create_user(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string username, email, password;
    if (auto f = require_string(body, "username", username)) return error_response(*f);
    if (auto f = require_string(body, "email", email)) return error_response(*f);
    if (auto f = require_string(body, "password", password)) return error_response(*f);
    auto const result = sign_up(c.ctx, c.who, username, email, password);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& user = std::get<store::user_row>(result);
    auto r = json_response(201, user_json(user, {}));
    r.set("Location", "/api/v1/users/" + std::to_string(user.id));
    return r;
}

response create_session(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string login, password;
    if (auto f = require_string(body, "login", login)) return error_response(*f);
    if (auto f = require_string(body, "password", password)) return error_response(*f);
    auto result = sign_in(c.ctx, c.who, login, password);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& s = std::get<session_started>(result);
    auto const counts = store::user_store(c.ctx.db.reader()).counts(s.user.id);
    auto r = json_response(200, json::object{{"user", user_json(s.user, counts)}, {"csrf_token", csrf_for(s.token)}});
    r.add("Set-Cookie", session_cookie_header(s.token, c.ctx.config));
    return r;
}

response delete_session(call& c)
{
    sign_out(c.ctx, c.who);
    response r;
    r.status = 204;
    r.add("Set-Cookie", clear_session_cookie_header(c.ctx.config));
    return r;
}

response change_password_api(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string current, replacement;
    if (auto f = require_string(body, "current_password", current)) return error_response(*f);
    if (auto f = require_string(body, "new_password", replacement)) return error_response(*f);
    bool keep = false;
    if (auto const* k = body.if_contains("keep_tokens")) {
        if (!k->is_bool())
            return error_response({422, "invalid_field", "keep_tokens is true or false.", "keep_tokens"});
        keep = k->as_bool();
    }
    auto result = change_password(c.ctx, c.who, current, replacement, keep ? api_tokens::keep : api_tokens::end);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& s = std::get<session_started>(result);
    auto r = json_response(200, json::object{{"csrf_token", csrf_for(s.token)}});
    r.add("Set-Cookie", session_cookie_header(s.token, c.ctx.config));
    return r;
}

response me(call& c)
{
    if (!c.who.user) return error_response({401, "not_signed_in", "Sign in first.", ""});
    auto o = user_json(*c.who.user, store::user_store(c.ctx.db.reader()).counts(c.who.user->id));
    o["email"] = c.who.user->email;
    o["csrf_token"] = c.who.csrf_token;
    return json_response(200, o);
}

response create_token(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string name;
    if (auto f = require_string(body, "name", name)) return error_response(*f);
    auto const result = create_api_token(c.ctx, c.who, name);
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(201, json::object{{"token", std::get<std::string>(result)}, {"name", name}});
}

response list_tokens(call& c)
{
    auto const result = list_api_tokens(c.ctx, c.who);
    if (auto const* f = failed(result)) return error_response(*f);
    json::array items;
    for (auto const& t : std::get<std::vector<store::api_token_row>>(result)) {
        json::object o{{"id", t.id}, {"name", t.name}, {"created_at", domain::rfc3339(t.created_at)}};
        o["last_used_at"] = t.last_used_at ? json::value(domain::rfc3339(*t.last_used_at)) : json::value(nullptr);
        items.push_back(std::move(o));
    }
    auto const n = static_cast<std::int64_t>(items.size());
    return json_response(200, json::object{{"items", std::move(items)}, {"page", 1}, {"pagesize", n}, {"total", n}});
}

response revoke_token(call& c)
{
    auto const id = id_param(c);
    if (!id) return error_response({404, "not_found", "You have no such API token.", ""});
    auto const result = revoke_api_token(c.ctx, c.who, *id);
    if (auto const* f = failed(result)) return error_response(*f);
    response r;
    r.status = 204;
    return r;
}

response show_user(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("user");
    store::user_store users(c.ctx.db.reader());
    auto const user = users.find(*id);
    if (!user) return bad_id("user");
    return json_response(200, user_json(*user, users.counts(*id)));
}

response user_reputation(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("user");
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto paged = read_paging(std::get<http::fields>(query));
    if (auto const* f = std::get_if<failure>(&paged)) return error_response(*f);
    auto const p = std::get<paging>(paged);
    store::user_store users(c.ctx.db.reader());
    if (!users.find(*id)) return bad_id("user");
    auto const page = users.reputation_history(*id, p.page, p.pagesize);
    return json_response(200, list_json(page, [](store::ledger_row const& row) {
                             json::object o{{"delta", row.delta},
                                            {"reason", row.reason},
                                            {"created_at", domain::rfc3339(row.created_at)}};
                             o["post_id"] = row.post_id ? json::value(*row.post_id) : json::value(nullptr);
                             return o;
                         }));
}

response list_questions(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const& q = std::get<http::fields>(query);
    auto paged = read_paging(q);
    if (auto const* f = std::get_if<failure>(&paged)) return error_response(*f);
    auto const p = std::get<paging>(paged);
    auto sort = store::question_sort::newest;
    if (auto const s = http::find_field(q, "sort")) {
        if (*s == "active")
            sort = store::question_sort::active;
        else if (*s == "votes")
            sort = store::question_sort::votes;
        else if (*s == "unanswered")
            sort = store::question_sort::unanswered;
        else if (*s != "newest")
            return error_response({422, "invalid_field", "sort is one of newest, active, votes, unanswered.", "sort"});
    }
    std::optional<std::string> tag;
    if (auto const t = http::find_field(q, "tag")) tag = domain::normalize_tag(*t);
    auto const page = store::post_store(c.ctx.db.reader()).questions(sort, tag, p.page, p.pagesize);
    return json_response(200, list_json(page, summary_json));
}

response search_posts(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto request = read_search_request(std::get<http::fields>(query), query_source::api);
    if (auto const* f = std::get_if<failure>(&request)) return error_response(*f);
    if (auto f = check_rate(c.ctx, c.who, "searches", c.ctx.config.rates.search_per_address, true))
        return error_response(*f);
    auto const found = find(c.ctx, std::get<search_request>(request));
    if (auto const* f = failed(found)) return error_response(*f);
    return json_response(200, search_json(std::get<search_results>(found)));
}

constexpr std::size_t similar_limit = 8;

response similar_to_title(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const title = http::find_field(std::get<http::fields>(query), "title");
    if (!title) return error_response({422, "invalid_field", "Send the title typed so far as title.", "title"});
    // No real title is longer; a longer text only costs the search more for everyone.
    if (domain::length_in_characters(*title) > c.ctx.config.limits.title_max)
        return error_response({422, "invalid_field",
                               "A title is at most " + std::to_string(c.ctx.config.limits.title_max) +
                                   " characters; send the title typed so far.",
                               "title"});
    // Typing sends a request every pause: five times the search allowance.
    auto rule = c.ctx.config.rates.search_per_address;
    rule.count *= 5;
    if (auto f = check_rate(c.ctx, c.who, "similar", rule, true)) return error_response(*f);
    auto const found = similar_questions(c.ctx, *title, std::nullopt, similar_limit, true);
    if (auto const* f = failed(found)) return error_response(*f);
    return json_response(200, similar_json(std::get<std::vector<store::hit_row>>(found)));
}

response related_questions(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("question");
    auto const post = store::post_store(c.ctx.db.reader()).find_post(*id);
    if (!post || post->kind != "question") return bad_id("question");
    auto text = post->title;
    for (auto const& t : post->tags) text += " " + t;
    auto const found = similar_questions(c.ctx, text, *id, similar_limit, false);
    if (auto const* f = failed(found)) return error_response(*f);
    return json_response(200, similar_json(std::get<std::vector<store::hit_row>>(found)));
}

// Admins: what customers searched for, most asked first; no_hits=true lists only the searches
// that found nothing (the questions the community has not answered yet).
response search_log(call& c)
{
    if (!c.who.user) return error_response({401, "not_signed_in", "Sign in first.", ""});
    if (!c.who.is_admin()) return error_response({403, "forbidden", "Only admins see the search log.", ""});
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const& q = std::get<http::fields>(query);
    std::int64_t days = 30;
    if (auto const d = http::find_field(q, "days")) {
        auto const n = parse_id(*d);
        if (!n || *n > 3650)
            return error_response({422, "invalid_field", "days must be a whole number from 1 to 3650.", "days"});
        days = *n;
    }
    bool no_hits = false;
    if (auto const v = http::find_field(q, "no_hits")) no_hits = *v == "1" || *v == "true";
    auto const since = domain::now() - days * 86400;
    store::search_store log(c.ctx.db.reader());
    auto const rows = no_hits ? log.no_hit_queries(since, 100) : log.top_queries(since, 100);
    json::array items;
    for (auto const& r : rows)
        items.push_back(json::object{{"query", r.query}, {"count", r.count}, {"last_at", domain::rfc3339(r.last_at)}});
    auto const n = static_cast<std::int64_t>(items.size());
    return json_response(200, json::object{{"items", std::move(items)}, {"page", 1}, {"pagesize", n}, {"total", n}});
}

// ---- moderation ----------------------------------------------------------------------------

// An optional JSON body (DELETE and the moderator verbs may come without one).
std::variant<json::object, failure> optional_body(call& c)
{
    if (c.req.body.empty()) return json::object{};
    return body_object(c);
}

response flag_target(call& c, bool comment)
{
    auto const id = id_param(c);
    if (!id) return bad_id(comment ? "comment" : "post");
    PEERDESK_TRY_BODY(body);
    std::string reason;
    std::optional<std::string> note;
    if (auto f = require_string(body, "reason", reason)) return error_response(*f);
    if (auto f = read_string(body, "note", note)) return error_response(*f);
    auto const result =
        flag(c.ctx, c.who, comment ? std::nullopt : id, comment ? id : std::nullopt, reason, note.value_or(""));
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& r = std::get<store::flag_result>(result);
    json::object o{{"id", r.id}, {"reason", reason}, {"note", note.value_or("")}, {"hidden", r.hidden}};
    o[comment ? "comment_id" : "post_id"] = *id;
    return json_response(201, o);
}
response flag_post(call& c)
{
    return flag_target(c, false);
}
response flag_comment(call& c)
{
    return flag_target(c, true);
}

// Runs a moderator verb on the post in the path and answers its thread.
template <typename Fn>
response moderate(call& c, Fn&& fn)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    auto parsed = optional_body(c);
    if (auto const* f = std::get_if<failure>(&parsed)) return error_response(*f);
    auto const& body = std::get<json::object>(parsed);
    auto const result = fn(*id, body);
    if (auto const* f = failed(result)) return error_response(*f);
    return question_response(c, std::get<std::int64_t>(result), 200);
}

std::string reason_of(json::object const& body)
{
    auto const* v = body.if_contains("reason");
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

response delete_post_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    auto parsed = optional_body(c);
    if (auto const* f = std::get_if<failure>(&parsed)) return error_response(*f);
    auto const result = delete_post(c.ctx, c.who, *id, reason_of(std::get<json::object>(parsed)));
    if (auto const* f = failed(result)) return error_response(*f);
    response r;
    r.status = 204;
    return r;
}

response undelete_post_api(call& c)
{
    return moderate(
        c, [&](std::int64_t id, json::object const& b) { return undelete_post(c.ctx, c.who, id, reason_of(b)); });
}

response close_api(call& c)
{
    return moderate(c, [&](std::int64_t id, json::object const& b) -> outcome<std::int64_t> {
        std::optional<std::int64_t> dup;
        if (auto const* v = b.if_contains("duplicate_of"); v && !v->is_null()) {
            if (!v->is_int64() || v->as_int64() < 1)
                return failure{422, "invalid_field", "duplicate_of must be a question id (a whole number).",
                               "duplicate_of"};
            dup = v->as_int64();
        }
        return close_question(c.ctx, c.who, id, reason_of(b), dup);
    });
}
response reopen_api(call& c)
{
    return moderate(c, [&](std::int64_t id, json::object const&) { return reopen_question(c.ctx, c.who, id); });
}
// Lock, pin and endorse, set (on) or cleared: one handler each, from one template.
template <outcome<std::int64_t> (*Action)(context&, viewer const&, std::int64_t, bool), bool On>
response toggle_api(call& c)
{
    return moderate(c, [&](std::int64_t id, json::object const&) { return Action(c.ctx, c.who, id, On); });
}

json::object review_json(store::review_row const& r)
{
    json::object flags;
    for (auto const& f : r.flags) flags[f.reason] = f.count;
    json::array notes;
    for (auto const& n : r.notes) notes.emplace_back(n);
    json::object o{{"id", r.id},
                   {"kind", r.kind},
                   {"reason", r.reason},
                   {"type", r.post_kind},
                   {"question_id", r.question_id},
                   {"title", r.title},
                   {"body_html", r.body_html},
                   {"author", author_json(r.author)},
                   {"state", r.state},
                   {"deleted", r.deleted},
                   {"flags", std::move(flags)},
                   {"notes", std::move(notes)},
                   {"created_at", domain::rfc3339(r.created_at)}};
    o["post_id"] = r.post_id ? json::value(*r.post_id) : json::value(nullptr);
    o["comment_id"] = r.comment_id ? json::value(*r.comment_id) : json::value(nullptr);
    return o;
}

response review_queue_api(call& c)
{
    if (!c.who.user) return error_response({401, "not_signed_in", "Sign in first.", ""});
    if (!c.who.is_moderator()) return error_response({403, "forbidden", "Only moderators see the review queue.", ""});
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto paged = read_paging(std::get<http::fields>(query));
    if (auto const* f = std::get_if<failure>(&paged)) return error_response(*f);
    auto const p = std::get<paging>(paged);
    auto const page = store::moderation_store(c.ctx.db.reader()).review_queue(p.page, p.pagesize);
    return json_response(200, list_json(page, review_json));
}

response review_action_api(call& c)
{
    auto const id = id_param(c, "id");
    if (!id) return error_response({404, "not_found", "There is no such review item.", ""});
    PEERDESK_TRY_BODY(body);
    std::string action;
    std::optional<std::string> note;
    if (auto f = require_string(body, "action", action)) return error_response(*f);
    if (auto f = read_string(body, "note", note)) return error_response(*f);
    auto const result = review(c.ctx, c.who, *id, action, note.value_or(""));
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, json::object{{"id", *id}, {"outcome", std::get<std::string>(result)}});
}

response suspend_common(call& c, suspension kind)
{
    auto const id = id_param(c);
    if (!id) return bad_id("user");
    auto parsed = optional_body(c);
    if (auto const* f = std::get_if<failure>(&parsed)) return error_response(*f);
    auto const& body = std::get<json::object>(parsed);
    std::int64_t days = 0;
    if (kind == suspension::suspend) {
        auto const* d = body.if_contains("days");
        if (!d || !d->is_int64())
            return error_response({422, "invalid_field", "days must be a whole number from 1 to 3650.", "days"});
        days = d->as_int64();
    }
    auto const result = suspend_user(c.ctx, c.who, *id, kind, days, reason_of(body));
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& u = std::get<store::user_row>(result);
    auto o = user_json(u, store::user_store(c.ctx.db.reader()).counts(u.id));
    o["suspended_until"] = u.suspended_until ? json::value(domain::rfc3339(*u.suspended_until)) : json::value(nullptr);
    o["silenced"] = u.silenced;
    o["suspension_reason"] = u.suspension_reason;
    return json_response(200, o);
}
response suspend_api(call& c)
{
    return suspend_common(c, suspension::suspend);
}
response silence_api(call& c)
{
    return suspend_common(c, suspension::silence);
}
response unsuspend_api(call& c)
{
    return suspend_common(c, suspension::lift);
}

response audit_api(call& c)
{
    if (!c.who.user) return error_response({401, "not_signed_in", "Sign in first.", ""});
    if (!c.who.is_moderator()) return error_response({403, "forbidden", "Only moderators see the audit log.", ""});
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const& q = std::get<http::fields>(query);
    auto paged = read_paging(q);
    if (auto const* f = std::get_if<failure>(&paged)) return error_response(*f);
    auto const p = std::get<paging>(paged);
    store::audit_filter filter;
    std::int64_t n = 0;
    if (auto f = read_number(q, "moderator", n, INT64_MAX)) return error_response(*f);
    if (n) filter.actor_id = n;
    n = 0;
    if (auto f = read_number(q, "post", n, INT64_MAX)) return error_response(*f);
    if (n) filter.post_id = n;
    n = 0;
    if (auto f = read_number(q, "user", n, INT64_MAX)) return error_response(*f);
    if (n) filter.user_id = n;
    if (auto const a = http::find_field(q, "action"); a && !a->empty()) filter.action = std::string(*a);
    std::int64_t total = 0;
    auto const rows = store::moderation_store(c.ctx.db.reader()).audit(filter, p.page, p.pagesize, total);
    json::array items;
    for (auto const& r : rows) {
        json::object o{{"id", r.id},
                       {"actor", {{"id", r.entry.actor_id}, {"username", r.actor_name}}},
                       {"action", r.entry.action},
                       {"reason", r.entry.reason},
                       {"created_at", domain::rfc3339(r.entry.created_at)}};
        o["post_id"] = r.entry.post_id ? json::value(*r.entry.post_id) : json::value(nullptr);
        o["comment_id"] = r.entry.comment_id ? json::value(*r.entry.comment_id) : json::value(nullptr);
        o["user_id"] = r.entry.user_id ? json::value(*r.entry.user_id) : json::value(nullptr);
        o["before"] = r.entry.before ? json::parse(*r.entry.before) : json::value(nullptr);
        items.push_back(std::move(o));
    }
    return json_response(
        200, json::object{{"items", std::move(items)}, {"page", p.page}, {"pagesize", p.pagesize}, {"total", total}});
}

// ---- the widget ----------------------------------------------------------------------------

json::object widget_key_json(store::widget_key_row const& k)
{
    json::array origins;
    for (auto const& o : k.allowed_origins) origins.emplace_back(o);
    json::object o{{"id", k.id},           {"key", k.key},
                   {"name", k.name},       {"allowed_origins", std::move(origins)},
                   {"enabled", k.enabled}, {"created_at", domain::rfc3339(k.created_at)}};
    o["default_tag"] = k.default_tag ? json::value(*k.default_tag) : json::value(nullptr);
    return o;
}

std::variant<widget_key_change, failure> read_widget_change(json::object const& body)
{
    widget_key_change ch;
    if (auto f = read_string(body, "name", ch.name)) return *f;
    if (auto f = read_string(body, "default_tag", ch.default_tag)) return *f;
    if (auto const* v = body.if_contains("allowed_origins"); v && !v->is_null()) {
        if (!v->is_array())
            return failure{422, "invalid_field", "allowed_origins is an array of origins.", "allowed_origins"};
        std::vector<std::string> origins;
        for (auto const& o : v->as_array()) {
            if (!o.is_string())
                return failure{422, "invalid_field", "Each allowed origin is a string.", "allowed_origins"};
            if (origins.size() > 100) break;
            origins.emplace_back(o.as_string());
        }
        ch.origins = std::move(origins);
    }
    if (auto const* v = body.if_contains("enabled"); v && !v->is_null()) {
        if (!v->is_bool()) return failure{422, "invalid_field", "enabled is true or false.", "enabled"};
        ch.enabled = v->as_bool();
    }
    return ch;
}

response create_widget_key_api(call& c)
{
    if (auto f = require_admin(c.who)) return error_response(*f);
    PEERDESK_TRY_BODY(body);
    auto change = read_widget_change(body);
    if (auto const* f = std::get_if<failure>(&change)) return error_response(*f);
    auto const result = create_widget_key(c.ctx, c.who, std::get<widget_key_change>(change));
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(201, widget_key_json(std::get<store::widget_key_row>(result)));
}

response list_widget_keys_api(call& c)
{
    if (auto f = require_admin(c.who)) return error_response(*f);
    json::array items;
    for (auto const& k : store::widget_store(c.ctx.db.reader()).list()) items.push_back(widget_key_json(k));
    auto const n = static_cast<std::int64_t>(items.size());
    return json_response(200, json::object{{"items", std::move(items)}, {"page", 1}, {"pagesize", n}, {"total", n}});
}

response update_widget_key_api(call& c)
{
    if (auto f = require_admin(c.who)) return error_response(*f);
    auto const id = id_param(c);
    if (!id) return bad_id("widget key");
    PEERDESK_TRY_BODY(body);
    auto change = read_widget_change(body);
    if (auto const* f = std::get_if<failure>(&change)) return error_response(*f);
    auto const result = update_widget_key(c.ctx, c.who, *id, std::get<widget_key_change>(change));
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, widget_key_json(std::get<store::widget_key_row>(result)));
}

response rotate_widget_key_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("widget key");
    auto const result = rotate_widget_key(c.ctx, c.who, *id);
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, widget_key_json(std::get<store::widget_key_row>(result)));
}

response widget_key_usage_api(call& c)
{
    if (auto f = require_admin(c.who)) return error_response(*f);
    auto const id = id_param(c);
    if (!id || !store::widget_store(c.ctx.db.reader()).find(*id)) return bad_id("widget key");
    auto const u = store::widget_store(c.ctx.db.reader()).usage(*id, domain::now() - 30 * 86400);
    json::array misses;
    for (auto const& [q, n] : u.top_no_results) misses.push_back(json::object{{"query", q}, {"count", n}});
    return json_response(200, json::object{{"days", 30},
                                           {"searches", u.searches},
                                           {"clicks", u.clicks},
                                           {"no_results", u.no_results},
                                           {"top_no_results", std::move(misses)}});
}

// CORS for the key's allowed origins only: the browser on any other site gets no answer it may read.
void allow_origin(response& r, std::string_view origin)
{
    r.set("Access-Control-Allow-Origin", std::string(origin));
    r.set("Access-Control-Max-Age", "600");
}

response widget_search_api(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto const& q = std::get<http::fields>(query);
    auto const origin = c.req.header("origin");
    auto key = widget_key_for(c.ctx, http::find_field(q, "key").value_or(""), origin);
    if (auto const* f = failed(key)) {
        auto r = error_response(*f);
        r.set("Vary", "Origin");
        return r;
    }
    auto const& k = std::get<store::widget_key_row>(key);
    auto respond = [&](response r) {
        allow_origin(r, *origin);
        r.set("Vary", "Origin");
        r.set("Cache-Control", "no-store");
        return r;
    };
    // Per key (all visitors of the company's site together) and per visitor's address.
    if (auto f = check_rate(c.ctx, c.who, "searches through this site's widget", c.ctx.config.rates.widget_per_key,
                            true, std::to_string(k.id)))
        return respond(error_response(*f));
    if (auto f = check_rate(c.ctx, c.who, "searches from your address", c.ctx.config.rates.widget_per_address, true))
        return respond(error_response(*f));
    search_request request;
    request.source = query_source::widget;
    request.widget_key = k.id;
    request.pagesize = 8;
    if (auto const text = http::find_field(q, "q")) request.q = std::string(*text);
    if (auto f = read_number(q, "pagesize", request.pagesize, 20)) return respond(error_response(*f));
    if (k.default_tag) request.tags.push_back(*k.default_tag);
    if (domain::trim(request.q).empty())
        return respond(json_response(
            200, json::object{{"items", json::array()}, {"page", 1}, {"pagesize", request.pagesize}, {"total", 0}}));
    auto const found = find(c.ctx, request);
    if (auto const* f = failed(found)) return respond(error_response(*f));
    auto body = search_json(std::get<search_results>(found));
    // Results lead through the community's counter to the thread.
    for (auto& item : body["items"].as_array()) {
        auto& o = item.as_object();
        o["url"] = "/widget/go/" + std::to_string(o["question_id"].as_int64()) + "?key=" + http::percent_encode(k.key) +
                   "&post=" + std::to_string(o["post_id"].as_int64());
    }
    body["ask_url"] = "/questions/ask?title=" + http::percent_encode(request.q.substr(0, 150));
    return respond(json_response(200, body));
}

// Preflight: the widget sends plain GETs, but a host page's fetch wrappers may still ask.
response widget_search_options(call& c)
{
    response r;
    r.status = 204;
    auto const origin = c.req.header("origin");
    auto const q = http::parse_urlencoded(c.req.query).value_or(http::fields{});
    if (origin && !failed(widget_key_for(c.ctx, http::find_field(q, "key").value_or(""), origin))) {
        allow_origin(r, *origin);
        r.set("Access-Control-Allow-Methods", "GET");
    }
    r.set("Vary", "Origin");
    return r;
}

response create_question(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string title, text;
    std::optional<std::vector<std::string>> tags;
    if (auto f = require_string(body, "title", title)) return error_response(*f);
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    if (auto f = read_tags(body, tags)) return error_response(*f);
    auto const result = ask(c.ctx, c.who, title, text, tags.value_or(std::vector<std::string>{}));
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& done = std::get<posted>(result);
    if (done.held) return held_response(done, "question");
    auto const id = done.id;
    auto r = question_response(c, id, 201);
    r.set("Location", "/api/v1/questions/" + std::to_string(id));
    return r;
}

response show_question(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("question");
    return question_response(c, *id, 200);
}

response edit_post_common(call& c, bool question)
{
    auto const id = id_param(c);
    if (!id) return bad_id(question ? "question" : "answer");
    auto const post = store::post_store(c.ctx.db.reader()).find_post(*id);
    if (!post || (post->kind == "question") != question) return bad_id(question ? "question" : "answer");
    PEERDESK_TRY_BODY(body);
    edit_request e;
    std::optional<std::string> summary;
    if (auto f = read_string(body, "body", e.body)) return error_response(*f);
    if (auto f = read_string(body, "summary", summary)) return error_response(*f);
    if (question) {
        if (auto f = read_string(body, "title", e.title)) return error_response(*f);
        if (auto f = read_tags(body, e.tags)) return error_response(*f);
    } else if (body.contains("title") || body.contains("tags")) {
        return error_response({422, "invalid_field", "An answer has no title or tags; send body.", "body"});
    }
    e.summary = summary.value_or("");
    auto const result = edit(c.ctx, c.who, *id, std::move(e));
    if (auto const* f = failed(result)) return error_response(*f);
    if (question) return question_response(c, *id, 200);
    auto const updated = store::post_store(c.ctx.db.reader()).find_post(*id);
    return json_response(200, post_json(*updated, false));
}

response edit_question(call& c)
{
    return edit_post_common(c, true);
}
response edit_answer(call& c)
{
    return edit_post_common(c, false);
}

response create_answer(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("question");
    PEERDESK_TRY_BODY(body);
    std::string text;
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    auto const result = answer(c.ctx, c.who, *id, text);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& done = std::get<posted>(result);
    if (done.held) return held_response(done, "answer");
    auto const answer_id = done.id;
    auto const post = store::post_store(c.ctx.db.reader()).find_post(answer_id);
    auto r = json_response(201, post_json(*post, false));
    r.set("Location", "/api/v1/questions/" + std::to_string(*id));
    return r;
}

response accept_common(call& c, bool accepting)
{
    auto const id = id_param(c);
    if (!id) return bad_id("answer");
    auto const result = accept(c.ctx, c.who, *id, accepting);
    if (auto const* f = failed(result)) return error_response(*f);
    return question_response(c, std::get<std::int64_t>(result), 200);
}

response accept_answer(call& c)
{
    return accept_common(c, true);
}
response unaccept_answer(call& c)
{
    return accept_common(c, false);
}

response revisions_response(call& c, std::int64_t id)
{
    store::post_store posts(c.ctx.db.reader());
    // A post in a deleted thread is deleted: only moderators read it, marked as such.
    auto const post = c.who.is_moderator() ? posts.find_any_post(id) : posts.find_post(id);
    if (!post) return bad_id("post");
    bool deleted = post->deleted_at.has_value();
    if (!deleted && post->question_id)
        if (auto q = posts.find_any_post(*post->question_id); q && q->deleted_at) deleted = true;
    auto const revisions = posts.revisions(id);
    json::array items;
    for (auto const& r : revisions) {
        json::object o{{"id", r.id},
                       {"number", r.number},
                       {"author", author_json(r.author)},
                       {"body_markdown", r.body_markdown},
                       {"summary", r.summary},
                       {"created_at", domain::rfc3339(r.created_at)},
                       {"redacted", r.redacted}};
        if (r.title) o["title"] = *r.title;
        if (r.tags) {
            json::array tags;
            std::string_view rest = *r.tags;
            while (!rest.empty()) {
                auto const space = rest.find(' ');
                tags.emplace_back(rest.substr(0, space));
                rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
            }
            o["tags"] = std::move(tags);
        }
        items.push_back(std::move(o));
    }
    auto const total = static_cast<std::int64_t>(items.size());
    json::object out{{"items", std::move(items)}, {"page", 1}, {"pagesize", total}, {"total", total}};
    if (deleted) out["post_deleted"] = true;
    return json_response(200, std::move(out));
}

response post_revisions(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    return revisions_response(c, *id);
}

response redact_revision_api(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("revision");
    auto parsed = optional_body(c);
    if (auto const* f = std::get_if<failure>(&parsed)) return error_response(*f);
    auto const result = redact_revision(c.ctx, c.who, *id, reason_of(std::get<json::object>(parsed)));
    if (auto const* f = failed(result)) return error_response(*f);
    return revisions_response(c, std::get<std::int64_t>(result));
}

response create_comment(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    PEERDESK_TRY_BODY(body);
    std::string text;
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    std::optional<std::int64_t> reply_to;
    if (auto const* v = body.if_contains("reply_to"); v && !v->is_null()) {
        if (!v->is_int64() || v->as_int64() <= 0)
            return error_response({422, "invalid_field", "reply_to must be a comment id.", "reply_to"});
        reply_to = v->as_int64();
    }
    auto const result = comment(c.ctx, c.who, *id, text, reply_to);
    if (auto const* f = failed(result)) return error_response(*f);
    auto const row = store::post_store(c.ctx.db.reader()).find_comment(std::get<std::int64_t>(result));
    return json_response(201, comment_json(*row));
}

response cast_vote(call& c)
{
    auto const id = id_param(c);
    if (!id) return bad_id("post");
    PEERDESK_TRY_BODY(body);
    auto const* v = body.if_contains("value");
    if (!v || !v->is_int64())
        return error_response({422, "invalid_field", "value must be 1 (up), -1 (down) or 0 (take back).", "value"});
    auto const result = vote(c.ctx, c.who, *id, static_cast<int>(std::clamp<std::int64_t>(v->as_int64(), -2, 2)));
    if (auto const* f = failed(result)) return error_response(*f);
    auto const& r = std::get<store::vote_result>(result);
    return json_response(200, json::object{{"score", r.score}, {"my_vote", r.my_vote}});
}

response list_tags(call& c)
{
    auto query = query_of(c);
    if (auto const* f = std::get_if<failure>(&query)) return error_response(*f);
    auto paged = read_paging(std::get<http::fields>(query));
    if (auto const* f = std::get_if<failure>(&paged)) return error_response(*f);
    auto const p = std::get<paging>(paged);
    auto const page = store::post_store(c.ctx.db.reader()).tags(p.page, p.pagesize);
    return json_response(200, list_json(page, [](store::tag_row const& t) {
                             return json::object{{"name", t.name}, {"count", t.question_count}};
                         }));
}

response render_preview(call& c)
{
    PEERDESK_TRY_BODY(body);
    std::string text;
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    auto const result = preview(c.ctx, text);
    if (auto const* f = failed(result)) return error_response(*f);
    return json_response(200, json::object{{"body_html", std::get<std::string>(result)}});
}

}  // namespace

void add_api_routes(route_table& r)
{
    using http::method;
    r.add(method::post, "/api/v1/users", create_user);
    r.add(method::post, "/api/v1/session", create_session);
    r.add(method::delete_, "/api/v1/session", delete_session);
    r.add(method::get, "/api/v1/me", me);
    r.add(method::put, "/api/v1/me/password", change_password_api);
    r.add(method::post, "/api/v1/tokens", create_token);
    r.add(method::get, "/api/v1/tokens", list_tokens);
    r.add(method::delete_, "/api/v1/tokens/{id}", revoke_token);
    r.add(method::get, "/api/v1/users/{id}", show_user);
    r.add(method::get, "/api/v1/users/{id}/reputation", user_reputation);
    r.add(method::get, "/api/v1/questions", list_questions);
    r.add(method::post, "/api/v1/questions", create_question);
    r.add(method::get, "/api/v1/questions/{id}", show_question);
    r.add(method::patch, "/api/v1/questions/{id}", edit_question);
    r.add(method::post, "/api/v1/questions/{id}/answers", create_answer);
    r.add(method::patch, "/api/v1/answers/{id}", edit_answer);
    r.add(method::post, "/api/v1/answers/{id}/accept", accept_answer);
    r.add(method::delete_, "/api/v1/answers/{id}/accept", unaccept_answer);
    r.add(method::get, "/api/v1/posts/{id}/revisions", post_revisions);
    r.add(method::post, "/api/v1/revisions/{id}/redact", redact_revision_api);
    r.add(method::post, "/api/v1/posts/{id}/comments", create_comment);
    r.add(method::post, "/api/v1/posts/{id}/vote", cast_vote);
    r.add(method::get, "/api/v1/tags", list_tags);
    r.add(method::get, "/api/v1/search", search_posts);
    r.add(method::get, "/api/v1/similar", similar_to_title);
    r.add(method::get, "/api/v1/admin/searches", search_log);
    r.add(method::post, "/api/v1/posts/{id}/flags", flag_post);
    r.add(method::post, "/api/v1/comments/{id}/flags", flag_comment);
    r.add(method::delete_, "/api/v1/posts/{id}", delete_post_api);
    r.add(method::post, "/api/v1/posts/{id}/undelete", undelete_post_api);
    r.add(method::post, "/api/v1/questions/{id}/close", close_api);
    r.add(method::post, "/api/v1/questions/{id}/reopen", reopen_api);
    r.add(method::post, "/api/v1/questions/{id}/lock", toggle_api<lock_question, true>);
    r.add(method::post, "/api/v1/questions/{id}/unlock", toggle_api<lock_question, false>);
    r.add(method::post, "/api/v1/questions/{id}/pin", toggle_api<pin_question, true>);
    r.add(method::post, "/api/v1/questions/{id}/unpin", toggle_api<pin_question, false>);
    r.add(method::post, "/api/v1/answers/{id}/endorse", toggle_api<endorse_answer, true>);
    r.add(method::delete_, "/api/v1/answers/{id}/endorse", toggle_api<endorse_answer, false>);
    r.add(method::get, "/api/v1/review", review_queue_api);
    r.add(method::post, "/api/v1/review/{id}", review_action_api);
    r.add(method::post, "/api/v1/users/{id}/suspend", suspend_api);
    r.add(method::post, "/api/v1/users/{id}/silence", silence_api);
    r.add(method::post, "/api/v1/users/{id}/unsuspend", unsuspend_api);
    r.add(method::get, "/api/v1/audit", audit_api);
    r.add(method::post, "/api/v1/admin/widget-keys", create_widget_key_api);
    r.add(method::get, "/api/v1/admin/widget-keys", list_widget_keys_api);
    r.add(method::patch, "/api/v1/admin/widget-keys/{id}", update_widget_key_api);
    r.add(method::post, "/api/v1/admin/widget-keys/{id}/rotate", rotate_widget_key_api);
    r.add(method::get, "/api/v1/admin/widget-keys/{id}/usage", widget_key_usage_api);
    r.add(method::get, "/api/v1/widget/search", widget_search_api);
    r.add(method::options, "/api/v1/widget/search", widget_search_options);
    r.add(method::get, "/api/v1/questions/{id}/similar", related_questions);
    r.add(method::post, "/api/v1/preview", render_preview);
}

}  // namespace peerdesk::app
