#include "server/app/new_post.hpp"

#include "server/app/api_io.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/domain/validation.hpp"
#include "server/http/forms.hpp"

namespace peerdesk::app {

http::response new_post_form(call& c, new_post_kind const& kind, page_status status, new_post_text const& text,
                             failure const* error)
{
    render::view v;
    v.set("title_value", text.title).set("body_value", text.body).set("tags_value", text.tags);
    // A refused post keeps its text in the form, so the notice stands beside it only then.
    if (c.who.user && check_standing(c.who) && !error)
        v.set("standing_notice", standing_short(*c.who.user, kind.doing));
    if (error) {
        v.set("error", error->message);
        v.set("error_" + (error->field.empty() ? std::string("form") : error->field), true);
    }
    return page(c, status, kind.template_name, std::string(kind.heading), std::move(v));
}

http::response post_new_post_form(call& c, new_post_kind const& kind)
{
    auto checked = signed_in_form(c, kind.form_url);
    if (auto* refusal = std::get_if<http::response>(&checked)) return std::move(*refusal);
    auto const& form = std::get<http::fields>(checked);
    new_post_text text{field(form, "title"), field(form, "body"), field(form, "tags")};
    auto const result = kind.act(c.ctx, c.who, text.title, text.body, domain::split_tags(text.tags));
    if (auto const* f = failed(result)) return new_post_form(c, kind, *f, text, f);
    auto const& done = std::get<posted>(result);
    if (done.held) return message_page(c, 200, std::string(kind.held_heading), *done.held);
    return redirect(kind.url_of(done.id));
}

std::variant<posted, http::response> create_new_post(call& c, new_post_kind const& kind)
{
    PEERDESK_TRY_BODY(body);
    std::string title, text;
    std::optional<std::vector<std::string>> tags;
    if (auto f = require_string(body, "title", title)) return error_response(*f);
    if (auto f = require_string(body, "body", text)) return error_response(*f);
    if (auto f = read_tags(body, tags)) return error_response(*f);
    auto result = kind.act(c.ctx, c.who, title, text, tags.value_or(std::vector<std::string>{}));
    if (auto const* f = failed(result)) return error_response(*f);
    auto& done = std::get<posted>(result);
    if (done.held) return held_response(done, kind.type);
    return std::move(done);
}

}  // namespace peerdesk::app
