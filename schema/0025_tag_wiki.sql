-- Tags people understand: a short description (plain text, shown in the tag field's
-- suggestions and on the tag list), a longer wiki (Markdown, stored rendered), and synonyms.
ALTER TABLE tags ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE tags ADD COLUMN wiki_markdown TEXT NOT NULL DEFAULT '';
ALTER TABLE tags ADD COLUMN wiki_html TEXT NOT NULL DEFAULT '';
ALTER TABLE tags ADD COLUMN edited_at INTEGER;

-- Every edit of a tag's description or wiki, as it was after the edit.
CREATE TABLE tag_revisions (
    id            INTEGER PRIMARY KEY,
    tag_id        INTEGER NOT NULL REFERENCES tags (id),
    author_id     INTEGER NOT NULL REFERENCES users (id),
    description   TEXT NOT NULL,
    wiki_markdown TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX tag_revisions_by_tag ON tag_revisions (tag_id, id);

-- A name that stands for another tag: asking with 'wifi' tags the question 'wireless', and
-- /tags/wifi answers with a redirect. A synonym is never a tag of its own.
CREATE TABLE tag_synonyms (
    name       TEXT PRIMARY KEY,
    tag_id     INTEGER NOT NULL REFERENCES tags (id),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX tag_synonyms_by_tag ON tag_synonyms (tag_id);
