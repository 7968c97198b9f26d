#pragma once
// The product's actions, shared by the JSON API and the HTML pages: each checks permission and
// input, writes in one transaction, and answers a value or a failure to show the user.
#include "server/app/context.hpp"
#include "server/store/post_store.hpp"

#include <variant>

namespace peerdesk::app {

template <typename T>
using outcome = std::variant<T, failure>;

template <typename T>
failure const* failed(outcome<T> const& o)
{
    return std::get_if<failure>(&o);
}

struct session_started {
    store::user_row user;
    std::string token;  // goes into the cookie; only its hash is stored
};

outcome<store::user_row> sign_up(context& ctx, viewer const& who, std::string_view username, std::string_view email,
                                 std::string_view password);
// Failed attempts are limited per address and per account: after a few, sign-in slows down.
outcome<session_started> sign_in(context& ctx, viewer const& who, std::string_view login, std::string_view password);
void sign_out(context& ctx, viewer const& who);
// Checks the current password, stores the new one, ends every session of the account and
// starts a fresh one for this browser. API tokens stay: they are separate credentials, each
// revocable on its own.
// Ends every other session and, unless tokens is keep, every API token. Refused to API tokens:
// a leaked token must not be able to take the account.
enum class api_tokens { end, keep };
outcome<session_started> change_password(context& ctx, viewer const& who, std::string_view current,
                                         std::string_view replacement, api_tokens tokens = api_tokens::end);
outcome<std::string> create_api_token(context& ctx, viewer const& who, std::string_view name);
outcome<std::vector<store::api_token_row>> list_api_tokens(context& ctx, viewer const& who);
// Ends one of the viewer's tokens at once.
outcome<std::int64_t> revoke_api_token(context& ctx, viewer const& who, std::int64_t token_id);

// A new question or answer: published, or held for review (and why).
struct posted {
    std::int64_t id = 0;
    std::optional<std::string> held;
};
// Renders a post's, comment's or response's Markdown, or says why it cannot be (naming the
// field). With `mentioned`, "@name" of a member becomes a link to them and their id is put there.
outcome<store::rendered_body> render_body(context const& ctx, std::string_view body, std::string_view field,
                                          std::vector<std::int64_t>* mentioned = nullptr);
outcome<posted> ask(context& ctx, viewer const& who, std::string_view title, std::string_view body,
                    std::vector<std::string> tags);
// A new question's or idea's text checked against the limits and the spam rules (an idea is
// judged as a question is) and rendered: the post to create, held (and why) when the rules hold
// it, or the refusal. With mentioned, "@name" links a member and the members named are put there.
outcome<store::new_question> checked_question(context& ctx, viewer const& who, std::string_view title,
                                              std::string_view body, std::vector<std::string> tags,
                                              std::vector<std::int64_t>* mentioned = nullptr);
outcome<posted> answer(context& ctx, viewer const& who, std::int64_t question_id, std::string_view body);
outcome<std::int64_t> comment(context& ctx, viewer const& who, std::int64_t post_id, std::string_view body,
                              std::optional<std::int64_t> reply_to);
// A comment's text checked as a new comment's is (size, spam rules) and rendered: for edits.
outcome<store::rendered_body> checked_comment_text(context& ctx, viewer const& who, std::string_view body,
                                                   std::vector<std::int64_t>& mentioned);

struct edit_request {
    std::optional<std::string> title;
    std::optional<std::string> body;
    std::optional<std::vector<std::string>> tags;
    std::string summary;
};
// Answers the id of the question the edited post belongs to.
outcome<std::int64_t> edit(context& ctx, viewer const& who, std::int64_t post_id, edit_request request);
outcome<store::vote_result> vote(context& ctx, viewer const& who, std::int64_t post_id, int value);
// Accepts (or, with accept == false, withdraws) an answer; answers its question's id.
outcome<std::int64_t> accept(context& ctx, viewer const& who, std::int64_t answer_id, bool accept);

// Markdown for preview: the rendered HTML, or why it would be refused.
outcome<std::string> preview(context const& ctx, std::string_view body);

}  // namespace peerdesk::app
