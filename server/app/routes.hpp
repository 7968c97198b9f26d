#pragma once
// Each room of the application registers its own pages and API routes here.
#include "server/app/application.hpp"

namespace peerdesk::app {

void add_question_routes(route_table& r);      // lists, tags, asking
void add_thread_routes(route_table& r);        // the question page: answer, comment, vote, accept
void add_editing_routes(route_table& r);       // edits, revisions, redaction, preview
void add_user_routes(route_table& r);          // profiles and reputation
void add_account_routes(route_table& r);       // sign up, in and out; passwords; API tokens
void add_search_routes(route_table& r);        // search, similar and related questions, search log
void add_moderation_routes(route_table& r);    // flags, moderator verbs, review, suspensions, audit
void add_widget_routes(route_table& r);        // the embeddable search widget and its keys
void add_recovery_routes(route_table& r);      // verified addresses, password reset, changing the address
void add_feed_routes(route_table& r);          // Atom feeds
void add_notification_routes(route_table& r);  // the inbox, following, preferences, unsubscribing, live events
void add_people_routes(route_table& r);        // the members list and leaderboard, badges
void add_admin_routes(route_table& r);         // settings in the browser, who moderates
void add_insight_routes(route_table& r);       // insights and advocates for moderators and admins
void add_idea_routes(route_table& r);          // the ideas board, votes, statuses, merging, the roadmap
void add_reach_routes(route_table& r);         // permalinks, robots.txt, the sitemap
void add_own_content_routes(route_table& r);   // members' edits and deletions of their own comments and posts
void add_upload_routes(route_table& r);        // image uploads and the address that serves them
void add_draft_routes(route_table& r);         // drafts of questions and answers, kept as members type
void add_tag_wiki_routes(route_table& r);      // tag descriptions, wikis, synonyms, suggestions

// Every room's routes, in one table.
void add_all_routes(route_table& r);

}  // namespace peerdesk::app
