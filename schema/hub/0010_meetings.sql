-- 0010_meetings.sql — the meetings of the CDC and the CP (issue 8, plan 2.1-2.2: about four a
-- year each, the last of the year joint), M-YYYY-NN gapless per year of the meeting's date through
-- ref_counters (prefix "M"). A decision taken in a meeting names it in its history row
-- (request_history.meeting, since 0007); the rules are in hub/service/hub_meeting.c.

CREATE TABLE meetings (
    id          bigserial PRIMARY KEY,
    ref         text NOT NULL UNIQUE CHECK (ref ~ '^M-[0-9]{4}-[0-9]{2,}$'),   -- "M-2027-03"
    organ       text NOT NULL CHECK (organ IN ('cdc', 'cp')),                    -- the organ convening it
    joint       boolean NOT NULL DEFAULT false,                                  -- of the CDC and the CP together
    date        date NOT NULL CHECK (date BETWEEN '2000-01-01' AND '9999-12-31'),
    created_at  timestamptz NOT NULL DEFAULT now (),
    UNIQUE (organ, date),
    CHECK (substr (ref, 3, 4)::int = extract (year FROM date)::int)    -- numbered in its own year
);
CREATE INDEX meetings_date_idx ON meetings (date, id);
