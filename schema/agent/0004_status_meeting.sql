-- 0004_status_meeting.sql — a STATUS may name the CDC or CP meeting its decision was taken in
-- (STATUS.meeting, "M-2027-02", issue 8): kept with the request's history ('' when none, as for
-- every row received before).

ALTER TABLE request_history ADD COLUMN meeting TEXT NOT NULL DEFAULT '';
