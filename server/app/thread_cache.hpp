#pragma once
// DESIGN: the question page for members, shared. A thread reads the same for every member in
// good standing (and the same for every moderator); what differs from one member to the next is
// small — their votes, what they may do on each post, their CSRF token. So the page is rendered
// once per thread and audience with holes for those parts (render::slotted_html), kept here with
// the facts the holes are decided from, and each request only fills the holes.
//
// Kept while the database has not changed (any write, as for the anonymous page cache) and for
// five seconds at most, so that "5 minutes ago" stays true. Keyed by thread, page and audience,
// never by member: a thousand members reading one thread share one entry. Bounded in entries and
// bytes; when full it starts again. Thread-safe; entries are immutable once stored.
#include "server/app/reach.hpp"
#include "server/render/templates.hpp"
#include "server/store/db.hpp"
#include "server/store/models.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace peerdesk::app {

struct call;

enum class audience { anonymous, member, moderator };

// What goes in one hole of the thread page.
struct thread_hole {
    enum class kind {
        csrf,    // the viewer's CSRF token, inside a form
        hint,    // what the viewer's reputation does not open yet
        follow,  // the viewer's Follow / Following button
        up,      // vote controls of a post
        down,
        accept,    // the asker's accept button on an answer
        edit,      // the Edit link of a post
        flag,      // the Flag link of a post
        comment,   // the controls of one comment (reply, flag)
        comments,  // the way to add a comment under a post, or what it needs
    };
    kind what;
    std::size_t index = 0;  // into thread_skeleton::posts or ::comments
};

// A comment as the holes need it: whose it is, and where.
struct comment_fact {
    std::int64_t id = 0;
    std::size_t post = 0;  // index into thread_skeleton::posts
    std::int64_t author_id = 0;
    std::int64_t created_at = 0;  // its author may edit it for a few minutes
    bool top_level = true;
};

// The shared part of a question page: the page cut at its holes and the facts to fill them.
struct thread_skeleton {
    std::uint64_t writes = 0;
    std::chrono::steady_clock::time_point at;
    std::string title;
    // The head's part that is the thread's (the rest, with absolute addresses, is made per
    // request from these): its description, canonical path, whether it is thin, and on the
    // first page what its structured data says.
    std::string description;
    std::string canonical;
    bool thin = false;
    std::string image;  // the question's first uploaded image, for link previews
    std::optional<qa_facts> facts;
    // The facts as the page's structured data, made by the first request that shows them and
    // kept for the others (its addresses are absolute, so it is kept with the base it names).
    struct structured_memo {
        std::mutex mutex;
        std::string base;
        render::safe_html html;
    };
    std::shared_ptr<structured_memo> structured = std::make_shared<structured_memo>();
    std::int64_t pages = 1;  // how many pages the thread's answers fill
    render::slotted_html page;
    std::vector<thread_hole> holes;      // one per page.holes
    std::vector<store::post_row> posts;  // the question first, then the answers; without bodies
    std::vector<comment_fact> comments;
    std::size_t bytes() const;
};

class thread_cache {
public:
    explicit thread_cache(store::database const& db) : db_(db) {}

    // Pages beyond this one are rendered each time (a thread of 250,000 answers).
    static constexpr std::int64_t max_kept_page = 8191;
    // The page of the thread's shared page for this audience, while it is current.
    std::shared_ptr<thread_skeleton const> find(std::int64_t question_id, std::int64_t page, audience who);
    // Keeps a skeleton built when the database's write count was s->writes (dropped when a
    // write has come since: it may or may not be in it).
    void store(std::int64_t question_id, std::int64_t page, audience who, std::shared_ptr<thread_skeleton const> s);
    std::uint64_t write_count() const { return db_.write_count(); }

private:
    static std::uint64_t key(std::int64_t question_id, std::int64_t page, audience who)
    {
        return (static_cast<std::uint64_t>(question_id) * (max_kept_page + 1) + static_cast<std::uint64_t>(page)) * 4 +
               static_cast<std::uint64_t>(who);
    }
    store::database const& db_;
    std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::shared_ptr<thread_skeleton const>> entries_;
    std::size_t bytes_ = 0;
};

// The content of list pages (home, questions, a tag) for members: the same for every viewer, only
// the layout around it is theirs. Kept as the thread pages are (any write, five seconds), keyed by
// address. Anonymous visitors are served whole pages by the page cache instead. Thread-safe.
class body_cache {
public:
    // The one part of a shared list that is the member's own (a tag page's Follow button, the
    // ideas board's votes left), written into the list's slot for each member.
    using viewer_part = std::function<void(render::html_builder&, call&)>;
    struct body {
        std::uint64_t writes = 0;
        std::chrono::steady_clock::time_point at;
        std::string title;
        render::safe_html html;  // the whole content, without a slot
        viewer_part part;        // with it: the content cut around its slot
        render::slotted_html slotted;
        std::string feed_url, feed_title;  // the page's Atom feed, for its head
        std::size_t bytes() const { return html.str().size() + slotted.bytes() + title.size(); }
    };
    explicit body_cache(store::database const& db) : db_(db) {}

    std::shared_ptr<body const> find(std::string const& key);
    // Keeps b under key unless a write came since b->writes.
    void store(std::string key, std::shared_ptr<body const> b);
    std::uint64_t write_count() const { return db_.write_count(); }

private:
    store::database const& db_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<body const>> entries_;
    std::size_t bytes_ = 0;
};

}  // namespace peerdesk::app
