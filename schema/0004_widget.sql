-- The search widget companies embed: keys with their allowed origins, and usage.

CREATE TABLE widget_keys (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,           -- public: it is in the host page's HTML
    name            TEXT NOT NULL,
    allowed_origins TEXT NOT NULL,                  -- one origin per line, e.g. https://help.example.com
    default_tag     TEXT,                           -- searches are limited to this tag unless it is empty
    enabled         INTEGER NOT NULL DEFAULT 1,
    created_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    rotated_at      INTEGER
);

-- Searches from the widget are in search_queries (source 'widget') with their key.
ALTER TABLE search_queries ADD COLUMN widget_key_id INTEGER REFERENCES widget_keys (id);
CREATE INDEX search_queries_widget ON search_queries (widget_key_id, created_at) WHERE widget_key_id IS NOT NULL;

-- A click from a widget result through to a thread.
CREATE TABLE widget_clicks (
    id          INTEGER PRIMARY KEY,
    key_id      INTEGER NOT NULL REFERENCES widget_keys (id),
    question_id INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX widget_clicks_key ON widget_clicks (key_id, created_at);
