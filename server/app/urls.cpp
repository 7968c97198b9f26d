#include "server/app/urls.hpp"

#include "server/http/forms.hpp"

namespace peerdesk::app::urls {

std::string question(std::int64_t id)
{
    return "/questions/" + std::to_string(id);
}

std::string post(std::int64_t question_id, std::int64_t post_id)
{
    return question(question_id) + (post_id == question_id ? "#post-" : "#answer-") + std::to_string(post_id);
}

std::string post_or_top(std::int64_t question_id, std::int64_t post_id)
{
    return post_id == question_id ? question(question_id) : post(question_id, post_id);
}

std::string comment(std::int64_t question_id, std::int64_t comment_id)
{
    return question(question_id) + "#comment-" + std::to_string(comment_id);
}

std::string add_comment(std::int64_t question_id, std::int64_t post_id)
{
    return question(question_id) + "#add-comment-" + std::to_string(post_id);
}

std::string questions()
{
    return "/questions";
}

std::string tag(std::string_view name)
{
    return "/tags/" + http::percent_encode(name);
}

std::string user(std::int64_t id)
{
    return "/users/" + std::to_string(id);
}

std::string edit(std::int64_t post_id)
{
    return "/posts/" + std::to_string(post_id) + "/edit";
}

std::string revisions(std::int64_t post_id)
{
    return "/posts/" + std::to_string(post_id) + "/revisions";
}

std::string search(std::string_view q, std::string_view sort)
{
    std::string url = "/search?q=" + http::percent_encode(q);
    if (sort != "relevance") url += "&sort=" + std::string(sort);
    return url;
}

std::string ask(std::string_view title)
{
    return title.empty() ? "/questions/ask" : "/questions/ask?title=" + http::percent_encode(title);
}

std::string signin(std::string_view next)
{
    return "/signin?next=" + http::percent_encode(next);
}

std::string signup(std::string_view next)
{
    return "/signup?next=" + http::percent_encode(next);
}

std::string audit_of_user(std::string_view username)
{
    return "/audit?user=" + http::percent_encode(username);
}

std::string api_question(std::int64_t id)
{
    return "/api/v1/questions/" + std::to_string(id);
}

std::string api_user(std::int64_t id)
{
    return "/api/v1/users/" + std::to_string(id);
}

std::string ideas()
{
    return "/ideas";
}

std::string idea(std::int64_t id)
{
    return "/ideas/" + std::to_string(id);
}

std::string new_idea(std::string_view title)
{
    return title.empty() ? "/ideas/new" : "/ideas/new?title=" + http::percent_encode(title);
}

std::string roadmap()
{
    return "/ideas/roadmap";
}

std::string api_idea(std::int64_t id)
{
    return "/api/v1/ideas/" + std::to_string(id);
}

}  // namespace peerdesk::app::urls
