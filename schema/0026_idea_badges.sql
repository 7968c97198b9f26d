-- Idea badges: an idea's votes and status move its author's figures, and voting for an idea
-- moves the voter's. The member worker recounts whoever lands in member_outbox.
CREATE TRIGGER member_outbox_idea_changed AFTER UPDATE OF votes, status ON ideas
WHEN OLD.votes IS NOT NEW.votes OR OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO member_outbox (user_id) SELECT author_id FROM posts WHERE id = NEW.post_id;
END;

CREATE TRIGGER member_outbox_idea_vote_added AFTER INSERT ON idea_votes
BEGIN
    INSERT INTO member_outbox (user_id) VALUES (NEW.user_id);
END;

-- Ideas and votes cast before this version earn their badges at once.
INSERT INTO member_outbox (user_id) SELECT DISTINCT author_id FROM posts WHERE kind = 'idea';
INSERT INTO member_outbox (user_id) SELECT DISTINCT user_id FROM idea_votes;
