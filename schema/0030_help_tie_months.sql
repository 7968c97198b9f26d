-- Who helps whom, for the dates an admin chooses: the ties are kept per calendar month of the
-- answer (help_ties held the whole history only). The insights' tables are built again from
-- the posts at the next start, as for a community from before them.
DROP TABLE help_ties;
CREATE TABLE help_tie_months (
    helper_id INTEGER NOT NULL,
    month     INTEGER NOT NULL,  -- year * 12 + month - 1, of the answer's day
    asker_id  INTEGER NOT NULL,
    answers   INTEGER NOT NULL,
    accepted  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (helper_id, month, asker_id)
) WITHOUT ROWID;
UPDATE insight_state SET value = 0 WHERE name = 'built';
