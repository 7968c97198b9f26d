#pragma once
// A new titled post, a question or an idea: the form that writes it, the form's answer, and the
// API's. Asking (questions.cpp) and proposing (ideas.cpp) differ only in their words and their
// action, so the two rooms describe theirs in a new_post_kind and share the rest.
#include "server/app/actions.hpp"
#include "server/app/frame.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace peerdesk::app {

struct new_post_kind {
    std::string_view template_name;  // the form's template: "ask", "idea_new"
    std::string_view heading;        // the page's title: "Ask a question"
    std::string_view doing;          // what a member in poor standing may not do: "ask a question"
    std::string_view held_heading;   // the page after a held post: "Your question is waiting …"
    std::string_view type;           // the API's word for it: "question"
    std::string form_url;            // where the form posts, and a signed-out member comes back to
    std::string (*url_of)(std::int64_t id);
    outcome<posted> (*act)(context& ctx, viewer const& who, std::string_view title, std::string_view body,
                           std::vector<std::string> tags);
};

// What the form holds: the text as typed, kept when the post is refused.
struct new_post_text {
    std::string title;
    std::string body;
    std::string tags;
};

// The form, with the refusal beside the field it names, or the standing notice of a member
// who may not post, so that they read why before filling it in for nothing.
http::response new_post_form(call& c, new_post_kind const& kind, page_status status, new_post_text const& text,
                             failure const* error);

// The form posted: the new post's page, the held notice, or the form again with the refusal.
http::response post_new_post_form(call& c, new_post_kind const& kind);

// The API's create: the post made (the caller answers it in its own JSON), or the response
// (the refusal, or the held notice).
std::variant<posted, http::response> create_new_post(call& c, new_post_kind const& kind);

}  // namespace peerdesk::app
