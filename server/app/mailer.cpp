#include "server/app/mailer.hpp"

#include "server/app/background.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/time.hpp"
#include "server/store/mail_store.hpp"

#include <iostream>

namespace peerdesk::app {
namespace {

// The part of the Message-ID after "@": the sender's domain, as most mailers do.
std::string id_domain(mail_options const& o)
{
    auto const at = o.from.address.rfind('@');
    return at == std::string::npos ? "peerdesk.invalid" : o.from.address.substr(at + 1);
}

std::string site_name(mail_options const& o)
{
    return o.from.name.empty() ? std::string("peerdesk") : o.from.name;
}

}  // namespace

std::string public_link(mail_options const& options, std::string_view path)
{
    return options.public_url + std::string(path);
}

bool enqueue_mail(store::connection& c, mail_options const& options, outgoing_mail m, std::int64_t now)
{
    if (!options.enabled || !mail::valid_address(m.to.address)) return false;
    m.values.set("site_url", options.public_url).set("site_name", site_name(options));
    mail::message msg;
    msg.from = options.from;
    msg.to = m.to;
    msg.subject = m.subject;
    msg.text = render::render_text_template(m.template_name, m.values);
    msg.html = render::render_template(m.template_name, m.values).str();
    // Random, so that it cannot be guessed, and fixed from here on: every attempt sends it.
    msg.message_id = m.kind + "." + domain::random_token(18) + "@" + id_domain(options);
    // Base64url may contain '-' and '_', both allowed in a Message-ID's dot-atom.
    msg.date = now;
    msg.list_unsubscribe = m.list_unsubscribe;
    msg.one_click = m.one_click;
    msg.headers.emplace_back("Auto-Submitted", "auto-generated");
    store::queued_mail q{m.user_id, m.kind, msg.message_id, options.from.address, m.to.address, mail::render(msg)};
    store::mail_store(c).enqueue(q, now);
    return true;
}

std::optional<mail::mailbox> notification_address(store::connection& c, mail_options const& options,
                                                  std::int64_t user_id)
{
    if (!options.enabled) return std::nullopt;
    auto const a = store::mail_store(c).address(user_id);
    if (!a || !a->verified_at || !mail::valid_address(a->email)) return std::nullopt;
    return mail::mailbox{a->username, a->email};
}

mail_sender::mail_sender(store::database& db, mail::relay_config relay, sender_options options)
    : db_(db), relay_(std::move(relay)), options_(options)
{
    mail::init_library();
    thread_ = std::thread([this] { run(); });
}

mail_sender::~mail_sender()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void mail_sender::run()
{
    lower_this_thread(10);
    constexpr int batch = 10;
    std::int64_t pruned_at = 0;
    while (!stop_) {
        bool full = false;
        try {
            auto const now = domain::now();
            auto const due = store::mail_store(db_.reader()).due(now, batch);
            for (auto const& row : due) {
                if (stop_) break;
                attempt(row);
            }
            full = due.size() == batch;
            if (now - pruned_at > 3600) {
                db_.write([&](store::connection& c) { store::mail_store(c).prune(now); }, store::database::seen::no);
                pruned_at = now;
            }
        } catch (std::exception const& e) {
            // A full or failing disk: the messages stay queued; try again after the pause.
            std::cerr << "mail: the outbox cannot be read or written: " << e.what() << "\n";
            full = false;
        }
        if (full) continue;
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_.load(); });
    }
}

void mail_sender::attempt(store::outbox_row const& row)
{
    auto const result = mail::deliver(relay_, row.envelope_from, row.recipient, row.content, &stop_);
    // Cancelled by shutdown: not an attempt the relay refused; the message stays as it was.
    if (stop_ && result.outcome != mail::delivery::accepted) return;
    auto const now = domain::now();
    auto const age = now - row.created_at;
    bool const give_up = result.outcome == mail::delivery::permanent ||
                         (result.outcome == mail::delivery::temporary && age >= options_.give_up_after.count());
    std::int64_t wait = options_.first_retry.count();
    for (std::int64_t i = 0; i < row.attempts && wait < options_.longest_wait.count(); ++i) wait *= 2;
    wait = std::min<std::int64_t>(wait, options_.longest_wait.count());
    db_.write(
        [&](store::connection& c) {
            store::mail_store s(c);
            if (result.outcome == mail::delivery::accepted)
                s.mark_sent(row.id, now, result.detail);
            else if (give_up)
                s.mark_failed(row.id, now, result.detail);
            else
                s.mark_retry(row.id, now + wait, result.detail);
        },
        store::database::seen::no);
    if (result.outcome == mail::delivery::accepted)
        std::cerr << "mail: <" << row.message_id << "> accepted by " << relay_.shown << ": " << result.detail << "\n";
    else if (give_up)
        std::cerr << "mail: <" << row.message_id << "> given up after " << row.attempts + 1
                  << " attempt(s): " << result.detail << "\n";
    else
        std::cerr << "mail: <" << row.message_id << "> not delivered (" << result.detail << "); next try in " << wait
                  << " s\n";
}

}  // namespace peerdesk::app
