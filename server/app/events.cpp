#include "server/app/events.hpp"

#include "server/app/notifications.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/store/notification_store.hpp"

#include <boost/json.hpp>

#include <mutex>
#include <unordered_map>

namespace peerdesk::app {
namespace {

constexpr int keep_alive_ticks = 15;      // a comment after this many quiet seconds
constexpr int longest_ticks = 30 * 60;    // then the stream ends; the browser reconnects
constexpr std::int64_t unread_cap = 100;  // the bell shows "99+" beyond

// Open streams, per member and in all.
struct stream_counts {
    std::mutex mutex;
    std::unordered_map<std::int64_t, int> per_member;
    int total = 0;

    enum class taken { yes, member_full, all_full };

    taken take(std::int64_t user_id)
    {
        std::lock_guard lock(mutex);
        auto& mine = per_member[user_id];
        if (mine >= event_streams_per_member || total >= event_streams_in_all) {
            bool const member_full = mine >= event_streams_per_member;
            if (mine == 0) per_member.erase(user_id);
            return member_full ? taken::member_full : taken::all_full;
        }
        ++mine;
        ++total;
        return taken::yes;
    }
    void give_back(std::int64_t user_id)
    {
        std::lock_guard lock(mutex);
        if (auto it = per_member.find(user_id); it != per_member.end() && --it->second <= 0) per_member.erase(it);
        --total;
    }
};

stream_counts& counts()
{
    static stream_counts c;
    return c;
}

std::string event(std::string_view name, boost::json::object const& data)
{
    return "event: " + std::string(name) + "\ndata: " + boost::json::serialize(data) + "\n\n";
}

class notification_stream final : public http::body_stream {
public:
    notification_stream(context& ctx, std::int64_t user_id) : ctx_(ctx), user_id_(user_id) {}
    ~notification_stream() override { counts().give_back(user_id_); }

    // The first event: where the bell stands now.
    std::string start()
    {
        writes_ = ctx_.db.write_count() + notification_epoch();
        store::notification_store s(ctx_.db.reader());
        unread_ = s.unread_count(user_id_, unread_cap);
        if (auto const latest = s.latest(user_id_)) latest_ = latest->id;
        return "retry: 5000\n\n" + event("ready", {{"unread", unread_}});
    }

    std::optional<std::string> next() override
    {
        if (++ticks_ > longest_ticks) return std::nullopt;
        ++quiet_;
        auto const writes = ctx_.db.write_count() + notification_epoch();
        if (writes != writes_) {
            writes_ = writes;
            store::notification_store s(ctx_.db.reader());
            auto const unread = s.unread_count(user_id_, unread_cap);
            auto const latest = s.latest(user_id_);
            auto const latest_id = latest ? latest->id : 0;
            if (unread != unread_ || latest_id != latest_) {
                unread_ = unread;
                latest_ = latest_id;
                quiet_ = 0;
                boost::json::object data{{"unread", unread}};
                if (latest) data["notification"] = notification_json(*latest, user_id_);
                return event("notification", data);
            }
        }
        if (quiet_ >= keep_alive_ticks) {
            quiet_ = 0;
            return std::string(": keep-alive\n\n");
        }
        return std::string();
    }

private:
    context& ctx_;
    std::int64_t user_id_;
    std::uint64_t writes_ = 0;
    std::int64_t unread_ = 0;
    std::int64_t latest_ = 0;
    int ticks_ = 0;
    int quiet_ = 0;
};

}  // namespace

http::response event_stream_response(call& c)
{
    if (auto f = permissions(c.ctx, c.who).signed_in("receive live notifications")) return error_response(*f);
    auto const taken = counts().take(c.who.user->id);
    if (taken == stream_counts::taken::member_full) {
        return error_response({failure_kind::rate_limited, "too_many_streams",
                               "Too many live connections are open (at most " +
                                   std::to_string(event_streams_per_member) +
                                   " per member); close another tab or try again later.",
                               "", 30});
    }
    // Full for everyone: the member's tabs are not the cause, so say so; pages still work and
    // show the count when loaded.
    if (taken == stream_counts::taken::all_full) {
        return error_response({failure_kind::rate_limited, "too_many_streams",
                               "The server has as many live connections open as it allows (" +
                                   std::to_string(event_streams_in_all) +
                                   "); the count updates when a page loads. Try again later.",
                               "", 30});
    }
    auto stream = std::make_shared<notification_stream>(c.ctx, c.who.user->id);
    http::response r;
    r.status = 200;
    r.set("Content-Type", "text/event-stream; charset=utf-8");
    r.set("Cache-Control", "no-store");
    r.set("X-Accel-Buffering", "no");
    r.body = stream->start();
    r.stream = std::move(stream);
    return r;
}

}  // namespace peerdesk::app
