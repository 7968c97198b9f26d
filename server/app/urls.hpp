#pragma once
// Every address of the product is built here, so that a link, a redirect and a test agree.
#include <cstdint>
#include <string>
#include <string_view>

namespace peerdesk::app::urls {

std::string question(std::int64_t id);
// A post on its thread's page: "#post-N" for the question, "#answer-N" for an answer.
std::string post(std::int64_t question_id, std::int64_t post_id);
// An answer's place on its thread's page; the top of the page for the question itself.
std::string post_or_top(std::int64_t question_id, std::int64_t post_id);
std::string comment(std::int64_t question_id, std::int64_t comment_id);
std::string add_comment(std::int64_t question_id, std::int64_t post_id);
std::string questions();
std::string tag(std::string_view name);
std::string user(std::int64_t id);
std::string edit(std::int64_t post_id);
std::string revisions(std::int64_t post_id);
// "relevance" is the default sort and is left out.
std::string search(std::string_view q, std::string_view sort = "relevance");
std::string ask(std::string_view title = {});
std::string signin(std::string_view next);
std::string signup(std::string_view next);
std::string audit_of_user(std::string_view username);
std::string api_question(std::int64_t id);
std::string api_user(std::int64_t id);
std::string ideas();
std::string idea(std::int64_t id);
// The form to propose an idea, its title filled in when given (a content gap's query).
std::string new_idea(std::string_view title = {});
std::string roadmap();
std::string api_idea(std::int64_t id);

}  // namespace peerdesk::app::urls
