#pragma once
// The question page: a thread as its audience sees it, kept with holes for each viewer
// (thread_cache.hpp), and the viewer's parts put in them. The handlers that show it and take
// its forms are in threads.cpp.
#include "server/app/frame.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerdesk::app {

// A form the page was asked to open in place (?comment=P, ?reply=C, ?flag=P, ?flag_comment=C),
// or one that came back refused. Only one at a time: the page carries no form per post, and
// a link opens the one wanted, so that it works without JavaScript.
struct open_form {
    enum class kind { none, comment, reply, flag, flag_comment };
    kind what = kind::none;
    std::int64_t id = 0;
    bool is(kind k, std::int64_t target) const { return what == k && id == target; }
};

// What a form on the question page sent back when it failed, to show it again, and the form
// asked for.
struct question_form_state {
    std::string notice;  // a refusal to show at the top
    std::string answer_body;
    std::string answer_error;
    std::string comment_body;
    std::string comment_error;
    open_form open;
    bool empty() const
    {
        return notice.empty() && answer_body.empty() && answer_error.empty() && open.what == open_form::kind::none;
    }
};

// The question page. page 0: the page holding the form asked for (the first when none is).
// slug: the one the address gave, answered with a redirect to the canonical address when wrong.
http::response question_page(call& c, std::int64_t id, page_status status, question_form_state const& form,
                             std::int64_t page = 0, std::optional<std::string_view> given_slug = std::nullopt);

}  // namespace peerdesk::app
