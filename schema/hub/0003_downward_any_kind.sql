-- 0003_downward_any_kind.sql — the downward queue carries any kind: what an item is about is a
-- `subject` ("notice:42", later "status:CII-2027-0001", "recommendation:REC-2027-03.v2") instead of
-- a column per kind, so counting recipients and acknowledgements works the same for every kind.

ALTER TABLE downward ADD COLUMN subject text;
UPDATE downward SET subject = 'notice:' || notice_id WHERE notice_id IS NOT NULL;
DROP INDEX downward_notice_idx;
ALTER TABLE downward DROP COLUMN notice_id;
CREATE INDEX downward_subject_idx ON downward (subject) WHERE subject IS NOT NULL;
