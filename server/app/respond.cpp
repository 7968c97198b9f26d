#include "server/app/respond.hpp"

#include "server/domain/validation.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace peerdesk::app {

http::response json_response(int status, boost::json::value const& body)
{
    http::response r;
    r.status = status;
    r.set("Content-Type", "application/json; charset=utf-8");
    r.set("Cache-Control", "no-store");
    r.body = boost::json::serialize(body);
    return r;
}

http::response error_response(failure const& f)
{
    // Messages may quote what the client sent; the JSON stays valid UTF-8 whatever that was.
    boost::json::object e{{"code", f.code}, {"message", domain::to_valid_utf8(f.message)}};
    if (!f.field.empty()) e["field"] = f.field;
    auto r = json_response(f.status(), boost::json::object{{"error", e}});
    if (f.kind == failure_kind::not_signed_in) r.set("WWW-Authenticate", "Bearer");
    if (f.retry_after > 0) r.set("Retry-After", std::to_string(f.retry_after));
    return r;
}

http::response redirect(std::string location, int status)
{
    http::response r;
    r.status = status;
    r.set("Location", std::move(location));
    r.set("Cache-Control", "no-store");
    return r;
}

http::response text_response(int status, std::string content_type, std::string body)
{
    http::response r;
    r.status = status;
    r.set("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
}

}  // namespace peerdesk::app
