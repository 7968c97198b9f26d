-- A question's related questions, found in the background once the index holds the question
-- (and again when its title or tags change, or the list has grown old), so that its page reads
-- them by the question's id instead of querying the index on the first view: at a million
-- posts that query took 4-6 ms of a 5 ms cache-miss page. Derived data: the posts hold the
-- facts, and readers take the listed posts from visible_posts, so a question deleted or hidden
-- since drops out of every list at once.
CREATE TABLE related_questions (
    question_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    related_ids TEXT    NOT NULL,  -- the related questions' ids, closest first: '12,40,7' ('' when none)
    text_hash   INTEGER NOT NULL,  -- of the title and tags they were found for: another text looks again
    found_at    INTEGER NOT NULL   -- seconds since 1970
);
