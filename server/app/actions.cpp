#include "server/app/actions.hpp"

#include "server/app/moderation_actions.hpp"
#include "server/app/notifications.hpp"
#include "server/app/permissions.hpp"
#include "server/app/recovery.hpp"
#include "server/store/moderation_store.hpp"

#include "server/domain/crypto.hpp"
#include "server/domain/time.hpp"
#include "server/render/markdown.hpp"

#include <boost/json.hpp>

#include <chrono>
#include "server/store/user_store.hpp"

namespace peerdesk::app {
namespace {

failure invalid(domain::field_error const& e)
{
    return {failure_kind::invalid, "invalid_field", e.message, e.field};
}
failure not_found(std::string_view what)
{
    return {failure_kind::not_found, "not_found", "There is no such " + std::string(what) + ".", ""};
}

std::string session_hash(std::string_view token)
{
    return domain::sha256(token);
}

// Failed sign-ins are counted per account and address together, so that a stranger guessing
// from elsewhere cannot lock the owner out: the owner's address has not been guessing, and a
// correct password from it goes through. Username and email name one account, one budget; an
// unknown login is counted by its text. Each address also has a budget over all accounts
// (four times as large), against one address trying many accounts.
// Before a sign-in (count false): refused when a budget is used up. After a failure (count
// true): counts it, refused when that was one too many.
std::optional<failure> failed_sign_ins(context& ctx, viewer const& who, std::string const& account, bool count)
{
    if (!ctx.limiter) return std::nullopt;
    auto const rule = ctx.config.rates.failed_sign_in;
    auto const per_address = rate_rule{rule.count * 4, rule.seconds};
    auto const now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::optional<int> wait;
    for (auto const& [key, r] : {std::pair{"sign-in:a" + who.address, per_address},
                                 std::pair{"sign-in:" + account + "@" + who.address, rule}}) {
        auto const w = count ? ctx.limiter->hit(key, r, now) : ctx.limiter->check(key, r, now);
        if (w) wait = std::max(wait.value_or(0), *w);
    }
    if (!wait) return std::nullopt;
    return failure{failure_kind::rate_limited, "rate_limited",
                   "Too many failed sign-ins from here; try again in " + std::to_string(*wait) + " seconds.",
                   "password", *wait};
}

std::string account_key(std::int64_t user_id)
{
    return "u" + std::to_string(user_id);
}

std::string login_key(std::string_view login)
{
    std::string out = "l" + std::string(login.substr(0, 200));
    for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

// The spam rules' verdict on a new post by this viewer.
moderation::verdict judge_post(context& ctx, viewer const& who, moderation::post_type type, std::string_view source,
                               std::string_view html)
{
    moderation::author_facts facts{who.user->reputation, who.is_moderator(), 0};
    if (ctx.config.spam.hold_first_post) facts.posts = store::moderation_store(ctx.db.reader()).posts_by(who.user->id);
    return moderation::judge(type, source, html, facts, ctx.config.spam);
}

}  // namespace

std::variant<store::rendered_body, failure> render_body(context const& ctx, std::string_view body,
                                                        std::string_view field, std::vector<std::int64_t>* mentioned)
{
    render::markdown_limits limits;
    limits.max_bytes = ctx.config.limits.body_max * 4;  // the character limit is checked before
    render::mention_resolver resolver;
    resolver.find = [&ctx](std::string_view name) -> std::optional<std::int64_t> {
        if (auto const u = store::user_store(ctx.db.reader()).find_by_username(name)) return u->id;
        return std::nullopt;
    };
    auto result = render::render_markdown(body, limits, mentioned ? &resolver : nullptr);
    if (!result.value) return failure{failure_kind::invalid, "invalid_field", result.error, std::string(field)};
    if (mentioned) *mentioned = std::move(result.value->mentioned);
    return store::rendered_body{std::string(body), result.value->html.str(), std::move(result.value->excerpt)};
}

outcome<store::user_row> sign_up(context& ctx, viewer const& who, std::string_view username, std::string_view email,
                                 std::string_view password)
{
    auto const& l = ctx.config.limits;
    if (auto f = check_rate(ctx, who, "sign-up", ctx.config.rates.sign_up_per_address, rate_scope::address)) return *f;
    if (auto e = domain::check_username(username, l)) return invalid(*e);
    if (auto e = domain::check_email(email)) return invalid(*e);
    if (auto e = domain::check_password(password, username, l)) return invalid(*e);
    auto const hash = domain::hash_password(password);  // slow on purpose: outside the writer lock
    auto const now = domain::now();
    auto const result = ctx.db.write([&](store::connection& c) {
        auto created = store::user_store(c).create(username, email, hash, "member", now);
        // The verification link is queued in the transaction that creates the account.
        if (created.outcome == store::create_user_outcome::created)
            queue_verification(c, ctx.config.mail, created.id, now);
        return created;
    });
    if (result.outcome == store::create_user_outcome::username_taken)
        return failure{failure_kind::conflict, "username_taken",
                       "The username " + std::string(username) + " is taken; choose another.", "username"};
    if (result.outcome == store::create_user_outcome::email_taken)
        return failure{failure_kind::conflict, "email_taken",
                       "An account with that email address exists already; sign in instead.", "email"};
    return *store::user_store(ctx.db.reader()).find(result.id);
}

outcome<session_started> sign_in(context& ctx, viewer const& who, std::string_view login, std::string_view password)
{
    if (login.empty())
        return failure{failure_kind::invalid, "invalid_field", "Enter your username or email address.", "login"};
    if (password.empty()) return failure{failure_kind::invalid, "invalid_field", "Enter your password.", "password"};
    auto found = store::user_store(ctx.db.reader()).find_for_login(login);
    auto const account = found ? account_key(found->first.id) : login_key(login);
    if (auto f = failed_sign_ins(ctx, who, account, false)) return *f;
    // The same message either way, so that sign-in does not reveal which accounts exist.
    failure const wrong{failure_kind::not_signed_in, "wrong_credentials",
                        "That username or email and password do not match.", "password"};
    if (!found) {
        domain::hash_password(password);  // spend the same time as a real check
        if (auto f = failed_sign_ins(ctx, who, account, true)) return *f;
        return wrong;
    }
    if (!domain::verify_password(password, found->second)) {
        if (auto f = failed_sign_ins(ctx, who, account, true)) return *f;
        return wrong;
    }
    auto token = domain::random_token();
    auto const now = domain::now();
    ctx.db.write([&](store::connection& c) {
        store::user_store users(c);
        // A new session id at every sign-in; one the browser held before ends with it.
        if (who.auth == auth_kind::cookie) users.delete_session(session_hash(who.session_token));
        users.create_session(session_hash(token), found->first.id, now, now + ctx.config.session_seconds);
    });
    return session_started{std::move(found->first), std::move(token)};
}

outcome<session_started> change_password(context& ctx, viewer const& who, std::string_view current,
                                         std::string_view replacement, api_tokens tokens)
{
    if (auto f = permissions(ctx, who).signed_in("change your password")) return *f;
    if (who.auth == auth_kind::bearer)
        return failure{failure_kind::forbidden, "token_not_allowed",
                       "An API token cannot change the password; sign in in a browser to change it.", ""};
    if (current.empty())
        return failure{failure_kind::invalid, "invalid_field", "Enter your current password.", "current_password"};
    auto const& username = who.user->username;
    if (auto f = failed_sign_ins(ctx, who, account_key(who.user->id), false)) return *f;
    auto found = store::user_store(ctx.db.reader()).find_for_login(username);
    if (!found || !domain::verify_password(current, found->second)) {
        if (auto f = failed_sign_ins(ctx, who, account_key(who.user->id), true)) return *f;
        return failure{failure_kind::not_signed_in, "wrong_credentials", "Your current password is not right.",
                       "current_password"};
    }
    if (auto e = domain::check_password(replacement, username, ctx.config.limits)) {
        auto f = invalid(*e);
        f.field = "new_password";
        return f;
    }
    auto const hash = domain::hash_password(replacement);
    auto token = domain::random_token();
    auto const now = domain::now();
    ctx.db.write([&](store::connection& c) {
        store::user_store users(c);
        users.set_password(who.user->id, hash);
        users.delete_sessions_of(who.user->id);
        if (tokens == api_tokens::end) users.delete_api_tokens_of(who.user->id);
        users.create_session(session_hash(token), who.user->id, now, now + ctx.config.session_seconds);
    });
    return session_started{std::move(found->first), std::move(token)};
}

void sign_out(context& ctx, viewer const& who)
{
    if (who.auth != auth_kind::cookie) return;
    ctx.db.write([&](store::connection& c) { store::user_store(c).delete_session(session_hash(who.session_token)); });
}

outcome<std::string> create_api_token(context& ctx, viewer const& who, std::string_view name)
{
    if (auto f = permissions(ctx, who).signed_in("create an API token")) return *f;
    if (who.auth == auth_kind::bearer)
        return failure{failure_kind::forbidden, "token_not_allowed",
                       "An API token cannot create tokens; create one on your account page.", ""};
    auto const trimmed = domain::trim(name);
    if (trimmed.empty() || trimmed.size() > 100 || !domain::valid_utf8(trimmed))
        return failure{failure_kind::invalid, "invalid_field",
                       "Name the token (1 to 100 characters), such as \"backup script\".", "name"};
    auto token = "pd_" + domain::random_token();
    ctx.db.write([&](store::connection& c) {
        store::user_store(c).create_api_token(who.user->id, trimmed, session_hash(token), domain::now());
    });
    return token;
}

outcome<std::vector<store::api_token_row>> list_api_tokens(context& ctx, viewer const& who)
{
    if (auto f = permissions(ctx, who).signed_in("see your API tokens")) return *f;
    return store::user_store(ctx.db.reader()).api_tokens(who.user->id);
}

outcome<std::int64_t> revoke_api_token(context& ctx, viewer const& who, std::int64_t token_id)
{
    if (auto f = permissions(ctx, who).signed_in("revoke an API token")) return *f;
    bool const revoked = ctx.db.write(
        [&](store::connection& c) { return store::user_store(c).revoke_api_token(who.user->id, token_id); });
    if (!revoked) return failure{failure_kind::not_found, "not_found", "You have no such API token.", ""};
    return token_id;
}

outcome<store::new_question> checked_question(context& ctx, viewer const& who, std::string_view title,
                                              std::string_view body, std::vector<std::string> tags,
                                              std::vector<std::int64_t>* mentioned)
{
    auto const& l = ctx.config.limits;
    if (auto e = domain::check_title(title, l)) return invalid(*e);
    if (auto e = domain::check_body(body, l)) return invalid(*e);
    if (auto e = domain::check_tags(tags, l)) return invalid(*e);
    auto rendered = render_body(ctx, body, "body", mentioned);
    if (auto const* f = std::get_if<failure>(&rendered)) return *f;
    store::new_question q{who.user->id, std::string(domain::trim(title)),
                          std::move(std::get<store::rendered_body>(rendered)), std::move(tags), std::nullopt};
    auto const verdict = judge_post(ctx, who, moderation::post_type::question, body, q.body.html);
    if (verdict.what == moderation::verdict::kind::refuse)
        return failure{failure_kind::invalid, "refused", verdict.message, "body"};
    if (verdict.what == moderation::verdict::kind::hold) q.held = verdict.message;
    return q;
}

outcome<posted> ask(context& ctx, viewer const& who, std::string_view title, std::string_view body,
                    std::vector<std::string> tags)
{
    if (auto f = permissions(ctx, who).may_write("ask a question")) return *f;
    std::vector<std::int64_t> mentioned;
    auto checked = checked_question(ctx, who, title, body, std::move(tags), &mentioned);
    if (auto const* f = failed(checked)) return *f;
    auto const& q = std::get<store::new_question>(checked);
    if (auto f = check_rate(ctx, who, "questions", ctx.config.rates.question)) return *f;
    if (auto f = check_rate(ctx, who, "posts", ctx.config.rates.posts_per_address, rate_scope::address)) return *f;
    auto const now = domain::now();
    auto const id = ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        auto const id = store::post_store(c).create_question(q, now);
        follow_thread(c, who.user->id, id, now);
        auto const told = notify_mentions(c, mentioned, who.user->id, id, id, std::nullopt, now);
        if (q.held) notify_decision(c, who.user->id, std::nullopt, id, id, "held for review: " + *q.held, now);
        queue_fanout(c, "question", id, id, std::nullopt, who.user->id, told, now);
        tx.commit();
        return id;
    });
    return posted{id, q.held};
}

outcome<posted> answer(context& ctx, viewer const& who, std::int64_t question_id, std::string_view body)
{
    permissions const can(ctx, who);
    if (auto f = can.may_write("answer")) return *f;
    auto const question = store::post_store(ctx.db.reader()).find_post(question_id);
    if (!question || question->kind != domain::post_kind::question) return not_found("question");
    if (auto f = can.may_answer(*question)) return *f;
    if (auto e = domain::check_body(body, ctx.config.limits)) return invalid(*e);
    std::vector<std::int64_t> mentioned;
    auto rendered = render_body(ctx, body, "body", &mentioned);
    if (auto const* f = std::get_if<failure>(&rendered)) return *f;
    auto const& r = std::get<store::rendered_body>(rendered);
    auto const verdict = judge_post(ctx, who, moderation::post_type::answer, body, r.html);
    if (verdict.what == moderation::verdict::kind::refuse)
        return failure{failure_kind::invalid, "refused", verdict.message, "body"};
    std::optional<std::string> held;
    if (verdict.what == moderation::verdict::kind::hold) held = verdict.message;
    if (auto f = check_rate(ctx, who, "answers", ctx.config.rates.answer)) return *f;
    if (auto f = check_rate(ctx, who, "posts", ctx.config.rates.posts_per_address, rate_scope::address)) return *f;
    auto const now = domain::now();
    auto const written = ctx.db.write([&](store::connection& c) -> outcome<std::int64_t> {
        auto tx = c.begin_immediate();
        // Asked again on the state this transaction reads: the question may have been deleted,
        // closed or locked since it was read above (its author deletes it while it has no answers).
        auto const current = store::post_store(c).find_post(question_id);
        if (!current) return not_found("question");
        if (auto f = can.may_answer(*current)) return *f;
        auto const id = store::post_store(c).create_answer(question_id, who.user->id, r, now, held);
        follow_thread(c, who.user->id, question_id, now);
        std::vector<std::int64_t> told{question->author.id};
        notify(c, {question->author.id, "answer", who.user->id, question_id, id, std::nullopt, "", ""}, now);
        // One notification per member and event: the asker hears of the answer, not of a mention too.
        std::erase(mentioned, question->author.id);
        for (auto m : notify_mentions(c, mentioned, who.user->id, question_id, id, std::nullopt, now))
            told.push_back(m);
        if (held) notify_decision(c, who.user->id, std::nullopt, question_id, id, "held for review: " + *held, now);
        queue_fanout(c, "answer", question_id, id, std::nullopt, who.user->id, told, now);
        tx.commit();
        return id;
    });
    if (auto const* f = failed(written)) return *f;
    return posted{std::get<std::int64_t>(written), held};
}

namespace {

// A comment's text checked (size, spam rules) and rendered, with the members it mentions.
// Comments are not held: what would hold a post refuses a comment, with the reason.
outcome<store::rendered_body> comment_text(context& ctx, viewer const& who, std::string_view body,
                                           std::vector<std::int64_t>& mentioned)
{
    if (auto e = domain::check_comment(body, ctx.config.limits)) return invalid(*e);
    auto rendered = render_body(ctx, body, "body", &mentioned);
    if (auto const* f = std::get_if<failure>(&rendered)) return *f;
    auto const verdict =
        judge_post(ctx, who, moderation::post_type::comment, body, std::get<store::rendered_body>(rendered).html);
    if (verdict.what != moderation::verdict::kind::publish)
        return failure{failure_kind::invalid, "refused", verdict.message, "body"};
    return std::get<store::rendered_body>(std::move(rendered));
}

}  // namespace

outcome<std::int64_t> comment(context& ctx, viewer const& who, std::int64_t post_id, std::string_view body,
                              std::optional<std::int64_t> reply_to)
{
    permissions const can(ctx, who);
    if (auto f = can.may_write("comment")) return *f;
    store::post_store posts(ctx.db.reader());
    auto const post = posts.find_post(post_id);
    auto const thread = post && post->question_id ? posts.find_post(*post->question_id) : post;
    if (!post || !thread) return not_found("post");
    if (auto f = can.may_comment(*post, *thread)) return *f;
    if (reply_to) {
        auto const parent = posts.find_comment(*reply_to);
        if (!parent || parent->post_id != post_id)
            return failure{failure_kind::invalid, "invalid_field", "The comment you reply to is not on this post.",
                           "reply_to"};
        // Replies thread one level deep: a reply to a reply joins its parent's thread.
        if (parent->reply_to) reply_to = parent->reply_to;
    }
    std::vector<std::int64_t> mentioned;
    auto rendered = comment_text(ctx, who, body, mentioned);
    if (auto const* f = failed(rendered)) return *f;
    if (auto f = check_rate(ctx, who, "comments", ctx.config.rates.comment)) return *f;
    if (auto f = check_rate(ctx, who, "posts", ctx.config.rates.posts_per_address, rate_scope::address)) return *f;
    auto const now = domain::now();
    std::optional<std::int64_t> parent_author;
    if (reply_to)
        if (auto const parent = posts.find_comment(*reply_to)) parent_author = parent->author.id;
    return ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        auto const id = store::post_store(c).create_comment(post_id, reply_to, who.user->id,
                                                            std::get<store::rendered_body>(rendered), now);
        follow_thread(c, who.user->id, thread->id, now);
        std::vector<std::int64_t> told{post->author.id};
        notify(c, {post->author.id, "comment", who.user->id, thread->id, post_id, id, "", ""}, now);
        if (parent_author && *parent_author != post->author.id) {
            notify(c, {*parent_author, "reply", who.user->id, thread->id, post_id, id, "", ""}, now);
            told.push_back(*parent_author);
        }
        std::erase_if(mentioned, [&](std::int64_t m) { return std::find(told.begin(), told.end(), m) != told.end(); });
        for (auto m : notify_mentions(c, mentioned, who.user->id, thread->id, post_id, id, now)) told.push_back(m);
        queue_fanout(c, "comment", thread->id, post_id, id, who.user->id, told, now);
        tx.commit();
        return id;
    });
}

outcome<store::rendered_body> checked_comment_text(context& ctx, viewer const& who, std::string_view body,
                                                   std::vector<std::int64_t>& mentioned)
{
    return comment_text(ctx, who, body, mentioned);
}

outcome<std::int64_t> edit(context& ctx, viewer const& who, std::int64_t post_id, edit_request request)
{
    permissions const can(ctx, who);
    if (auto f = can.may_write("edit")) return *f;
    auto const post = store::post_store(ctx.db.reader()).find_post(post_id);
    if (!post) return not_found("post");
    if (auto f = protect_admin_post(ctx, who, *post)) return *f;
    // A moderator editing someone else's post says why; the audit log keeps it with the old text.
    bool const moderating = who.is_moderator() && post->author.id != who.user->id;
    if (moderating && domain::trim(request.summary).empty())
        return failure{failure_kind::invalid, "invalid_field",
                       "Say why you edit this member's post in the edit summary.", "summary"};
    if (auto f = can.may_edit(*post)) return *f;
    bool const is_question = post->kind != domain::post_kind::answer;  // an idea has a title and tags too
    if (!is_question && (request.title || request.tags))
        return failure{failure_kind::invalid, "invalid_field", "An answer has no title or tags; change its body.",
                       request.title ? "title" : "tags"};
    auto const& l = ctx.config.limits;
    if (!request.title && !request.body && !request.tags)
        return failure{failure_kind::invalid, "invalid_field", "Change the title, the body or the tags.", "body"};
    if (auto e = domain::check_summary(request.summary, l)) return invalid(*e);
    store::post_edit e{who.user->id, {}, {}, {}, std::string(domain::trim(request.summary))};
    if (request.title) {
        if (auto err = domain::check_title(*request.title, l)) return invalid(*err);
        e.title = std::string(domain::trim(*request.title));
    }
    if (request.tags) {
        if (auto err = domain::check_tags(*request.tags, l)) return invalid(*err);
        e.tags = std::move(*request.tags);
    }
    std::vector<std::int64_t> mentioned;
    if (request.body) {
        if (auto err = domain::check_body(*request.body, l)) return invalid(*err);
        auto rendered = render_body(ctx, *request.body, "body", &mentioned);
        if (auto const* f = std::get_if<failure>(&rendered)) return *f;
        e.body = std::move(std::get<store::rendered_body>(rendered));
    }
    bool const same = (!e.title || *e.title == post->title) && (!e.tags || *e.tags == post->tags) &&
                      (!e.body || e.body->markdown == post->body_markdown);
    if (same)
        return failure{failure_kind::invalid, "nothing_changed",
                       "The edit changes nothing; change the text before saving.", "body"};
    auto const now = domain::now();
    ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        if (moderating) {
            boost::json::object before{{"body_markdown", post->body_markdown}};
            if (is_question) {
                before["title"] = post->title;
                boost::json::array tags;
                for (auto const& t : post->tags) tags.emplace_back(t);
                before["tags"] = std::move(tags);
            }
            store::add_audit(c, {who.user->id, "edit", post_id, std::nullopt, post->author.id, e.summary,
                                 boost::json::serialize(before), now});
        }
        store::post_store(c).edit(post_id, e, now);
        // Mentioned members are told once per post: an edit tells only the newly mentioned.
        notify_mentions(c, mentioned, who.user->id, post->question_id.value_or(post->id), post_id, std::nullopt, now);
        tx.commit();
    });
    return post->question_id.value_or(post->id);
}

outcome<store::vote_result> vote(context& ctx, viewer const& who, std::int64_t post_id, int value)
{
    permissions const can(ctx, who);
    if (auto f = can.may_write("vote")) return *f;
    if (value < -1 || value > 1)
        return failure{failure_kind::invalid, "invalid_field", "A vote is 1 (up), -1 (down) or 0 (take the vote back).",
                       "value"};
    store::post_store posts(ctx.db.reader());
    auto const post = posts.find_post(post_id);
    auto const thread = post && post->question_id ? posts.find_post(*post->question_id) : post;
    if (!post || !thread) return not_found("post");
    if (post->kind == domain::post_kind::idea)
        return failure{failure_kind::invalid, "use_idea_vote",
                       "Ideas take votes from your budget: POST /api/v1/ideas/" + std::to_string(post_id) + "/vote.",
                       ""};
    if (auto f = can.may_vote(*post, *thread, value)) return *f;
    if (auto f = check_rate(ctx, who, "votes", ctx.config.rates.vote)) return *f;
    auto const now = domain::now();
    return ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        store::user_store users(c);
        auto const before = users.find(post->author.id);
        auto const result = store::post_store(c).vote(post_id, who.user->id, value, ctx.config.rules, now);
        if (auto const after = users.find(post->author.id); before && after)
            notify_reputation(c, post->author.id, after->reputation - before->reputation, now);
        tx.commit();
        return result;
    });
}

outcome<std::int64_t> accept(context& ctx, viewer const& who, std::int64_t answer_id, bool accepting)
{
    permissions const can(ctx, who);
    if (auto f = can.signed_in("accept an answer")) return *f;
    store::post_store posts(ctx.db.reader());
    auto const answer_post = posts.find_post(answer_id);
    if (!answer_post || answer_post->kind != domain::post_kind::answer) return not_found("answer");
    auto const question = posts.find_post(*answer_post->question_id);
    if (!question) return not_found("question");
    if (auto f = can.may_accept(*question)) return *f;
    if (!accepting && question->accepted_answer_id != answer_id)
        return failure{failure_kind::conflict, "not_accepted", "That answer is not the accepted one.", ""};
    auto const now = domain::now();
    std::optional<std::int64_t> const target = accepting ? std::optional(answer_id) : std::nullopt;
    // A moderator acting for the asker leaves a note in the thread's history (the audit log).
    bool const on_behalf = question->author.id != who.user->id;
    ctx.db.write([&](store::connection& c) {
        auto tx = c.begin_immediate();
        store::user_store users(c);
        auto const before = users.find(answer_post->author.id);
        store::post_store(c).set_accepted(question->id, target, who.user->id, ctx.config.rules, now);
        if (auto const after = users.find(answer_post->author.id); before && after)
            notify_reputation(c, answer_post->author.id, after->reputation - before->reputation, now);
        if (accepting)
            notify(c, {answer_post->author.id, "accepted", who.user->id, question->id, answer_id, std::nullopt, "", ""},
                   now);
        if (on_behalf)
            store::add_audit(c, {who.user->id, accepting ? "accept_on_behalf" : "unaccept_on_behalf", answer_id,
                                 std::nullopt, question->author.id, "", std::nullopt, now});
        tx.commit();
    });
    return question->id;
}

outcome<std::string> preview(context const& ctx, std::string_view body)
{
    if (!domain::valid_utf8(body))
        return failure{failure_kind::invalid, "invalid_field", "The body is not valid UTF-8 text.", "body"};
    if (domain::length_in_characters(body) > ctx.config.limits.body_max)
        return failure{failure_kind::invalid, "invalid_field",
                       "The body must be at most " + std::to_string(ctx.config.limits.body_max) + " characters.",
                       "body"};
    auto rendered = render_body(ctx, body, "body");
    if (auto const* f = std::get_if<failure>(&rendered)) return *f;
    return std::move(std::get<store::rendered_body>(rendered).html);
}

}  // namespace peerdesk::app
