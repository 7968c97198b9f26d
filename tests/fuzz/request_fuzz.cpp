// libFuzzer target: whole requests through the real application (router, cookies, CSRF, JSON
// and form bodies, every handler) on a real database file. An input is a request in
// HTTP/1.1 text form: "METHOD TARGET", header lines, a blank line, the body. A method written
// with a leading '!' is sent signed in (session cookie and CSRF token of a member). No request
// may answer 500.
#include "server/app/actions.hpp"
#include "server/app/application.hpp"
#include "server/app/auth.hpp"
#include "server/store/db.hpp"
#include "server/store/migrations.hpp"

#include <unistd.h>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace peerdesk;

namespace {

store::database* db;
app::application* application;
std::string session_cookie, csrf;

http::method method_of(std::string_view m)
{
    using http::method;
    if (m == "GET") return method::get;
    if (m == "HEAD") return method::head;
    if (m == "POST") return method::post;
    if (m == "PUT") return method::put;
    if (m == "PATCH") return method::patch;
    if (m == "DELETE") return method::delete_;
    if (m == "OPTIONS") return method::options;
    return method::other;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    auto const dir = std::filesystem::temp_directory_path() / ("peerdesk-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    static std::filesystem::path const remove_at_exit = dir;
    std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(remove_at_exit, ec);
    });
    db = new store::database((dir / "peerdesk.db").string());
    db->write_alone([](store::connection& c) { return store::migrate(c); });
    application = new app::application(*db, app::settings{});
    auto& ctx = application->ctx();
    app::viewer anonymous;
    anonymous.address = "127.0.0.1";
    app::sign_up(ctx, anonymous, "fuzzer", "fuzzer@example.com", "correct horse battery staple");
    auto started = app::sign_in(ctx, anonymous, "fuzzer", "correct horse battery staple");
    auto const& s = std::get<app::session_started>(started);
    session_cookie = std::string(app::session_cookie) + "=" + s.token;
    csrf = app::csrf_for(s.token);
    // Something to act on: a question with an answer and a comment.
    app::viewer member;
    member.user = s.user;
    member.address = "127.0.0.1";
    member.auth = app::auth_kind::cookie;
    app::ask(ctx, member, "A question for the fuzzer to poke at", "Its body, with `code` and *emphasis*.", {"fuzz"});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if (size > 64 * 1024) return 0;
    std::string_view text(reinterpret_cast<char const*>(data), size);
    auto line_end = text.find('\n');
    std::string_view first = text.substr(0, line_end);
    text = line_end == std::string_view::npos ? std::string_view() : text.substr(line_end + 1);
    http::request req;
    bool signed_in = first.starts_with('!');
    if (signed_in) first.remove_prefix(1);
    auto const space = first.find(' ');
    req.method_text = std::string(first.substr(0, space));
    req.verb = method_of(req.method_text);
    req.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
    auto const q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    while (!text.empty()) {
        line_end = text.find('\n');
        auto line = text.substr(0, line_end);
        text = line_end == std::string_view::npos ? std::string_view() : text.substr(line_end + 1);
        if (line.empty()) break;
        auto const colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name(line.substr(0, colon));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto value = line.substr(colon + 1);
        while (value.starts_with(' ')) value.remove_prefix(1);
        req.headers.emplace_back(std::move(name), std::string(value));
    }
    if (signed_in) {
        req.headers.emplace_back("cookie", session_cookie);
        req.headers.emplace_back("x-csrf-token", csrf);
    }
    req.body = std::string(text);
    req.remote_address = "127.0.0.1";
    auto const res = application->handle(req);
    if (res.status == 500 || res.status < 100 || res.status > 599) std::abort();
    return 0;
}
