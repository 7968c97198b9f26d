-- A thread's posts by their question, whatever their kind: "the question or its answers"
-- (id = ?1 OR question_id = ?1) becomes two index lookups instead of a scan of every post.
CREATE INDEX posts_thread ON posts (question_id);
