#pragma once
// Mail from peerdesk: queuing a message in the transaction of the event that causes it, and the
// background sender that hands queued messages to the relay.
//
// DESIGN. The outbox (mail_outbox, server/store/mail_store) is the only queue; memory holds
// nothing that a crash could lose. enqueue_mail() renders the whole message (templates, MIME,
// a Message-ID of its own) and inserts it inside the caller's write transaction, so a mail
// exists exactly when its event committed. One sender thread polls the outbox each second, hands
// each due message to the relay and records the outcome in a write of its own: accepted (with
// the relay's reply), to be retried (exponential backoff from --smtp-retry-seconds, at most an
// hour apart), or failed (refused for good by the relay, or still undelivered after two days).
// A message is marked sent only after the relay accepted it; a crash in the instant between
// the two sends it again on restart with the same Message-ID, which receivers use to drop the
// repeat. Messages go out in the order they fell due; one slow relay holds up the rest (there
// is one connection at a time, which is what a relay limits per client anyway).
// What it does not do: rate per member (callers decide what to queue), bounce handling.
#include "server/app/context.hpp"
#include "server/mail/relay.hpp"
#include "server/render/templates.hpp"
#include "server/store/mail_store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace peerdesk::app {

// A message for the outbox. The text part is templates/NAME.txt and the HTML part
// templates/NAME.html, both rendered with `values` (plus site_url and site_name).
struct outgoing_mail {
    std::optional<std::int64_t> user_id;  // the member it is for, if any
    std::string kind;                     // a short name: verify_email, password_reset, …
    mail::mailbox to;
    std::string subject;
    std::string template_name;  // "mail/verify_email"
    render::view values;
    std::string list_unsubscribe;  // an absolute URL, or empty
    bool one_click = false;
};

// Queues m inside the caller's transaction (c is the writer connection). Answers false, and
// queues nothing, when mail is off or the recipient's address cannot be written in a mail
// header. Throws store::error like any write, and std::runtime_error for a broken template.
bool enqueue_mail(store::connection& c, mail_options const& options, outgoing_mail m, std::int64_t now);

// May peerdesk send this member a notification? Their address, when mail is on and the address
// is verified; nothing otherwise. Every mail but verification and recovery must ask this.
std::optional<mail::mailbox> notification_address(store::connection& c, mail_options const& options,
                                                  std::int64_t user_id);

// An absolute link under --public-url: public_link(o, "/questions/7").
std::string public_link(mail_options const& options, std::string_view path);

struct sender_options {
    std::chrono::seconds first_retry{30};
    std::chrono::seconds longest_wait{3600};
    std::chrono::seconds give_up_after{2 * 24 * 3600};
};

// The background sender: one thread, started by the constructor, stopped by the destructor
// (which cancels a delivery in flight within about a second; that message stays queued).
class mail_sender {
public:
    mail_sender(store::database& db, mail::relay_config relay, sender_options options = {});
    ~mail_sender();
    mail_sender(mail_sender const&) = delete;
    mail_sender& operator=(mail_sender const&) = delete;

private:
    void run();
    void attempt(store::outbox_row const& row);

    store::database& db_;
    mail::relay_config relay_;
    sender_options options_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace peerdesk::app
