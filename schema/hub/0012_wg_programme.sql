-- 0012_wg_programme.sql — working groups (plan 2.4) and the biennial work programme with its
-- projects (plan 3.2), issue 8. WG-YYYY-NN and PR-YYYY-NN are gapless per year through
-- ref_counters (prefixes "WG", "PR"); a programme is named by its two years (WP-2027-2028). The
-- rules (the mandate's fields, who may mandate, the rotation of the presidency, overlaps) are in
-- hub/service/hub_wg.c and hub/service/hub_programme.c.

CREATE TABLE working_groups (
    id            bigserial PRIMARY KEY,
    ref           text NOT NULL UNIQUE CHECK (ref ~ '^WG-[0-9]{4}-[0-9]{2,}$'),
    mandated_by   text NOT NULL CHECK (mandated_by IN ('cdc', 'cp')),
    meeting       text REFERENCES meetings (ref),        -- the meeting that mandated it, or NULL
    -- the mandate, as plan 2.4 names its parts
    title         text NOT NULL,
    context       text NOT NULL,
    objective     text NOT NULL,
    deliverables  text NOT NULL,
    process       text NOT NULL,
    composition   text NOT NULL,
    communication text NOT NULL,
    financing     text NOT NULL,
    lead          text NOT NULL,
    staffing      text NOT NULL,
    until         date NOT NULL CHECK (until BETWEEN '2000-01-01' AND '9999-12-31'),
    -- the result, handed once to the mandating organ
    result        text,
    reported_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now (),
    CHECK ((result IS NULL) = (reported_at IS NULL))
);

CREATE TABLE working_group_requests (
    wg_id       bigint NOT NULL REFERENCES working_groups (id),
    request_id  bigint NOT NULL REFERENCES requests (id),
    PRIMARY KEY (wg_id, request_id)
);
CREATE INDEX working_group_requests_request_idx ON working_group_requests (request_id);

CREATE TABLE programmes (
    id          bigserial PRIMARY KEY,
    ref         text NOT NULL UNIQUE CHECK (ref ~ '^WP-[0-9]{4}-[0-9]{4}$'),
    year_from   int NOT NULL UNIQUE CHECK (year_from BETWEEN 2000 AND 9998),
    year_to     int NOT NULL CHECK (year_to = year_from + 1),
    presidency  text NOT NULL CHECK (presidency IN ('OFAS', 'SEFRI', 'SECO', 'SEM')),
    created_at  timestamptz NOT NULL DEFAULT now ()
);

CREATE TABLE projects (
    id            bigserial PRIMARY KEY,
    ref           text NOT NULL UNIQUE CHECK (ref ~ '^PR-[0-9]{4}-[0-9]{2,}$'),
    programme_id  bigint NOT NULL REFERENCES programmes (id),
    kind          text NOT NULL CHECK (kind IN ('cii', 'associated')),
    title         text NOT NULL,
    lead          text NOT NULL DEFAULT '',     -- '' : not yet communicated (incomplete)
    financing     text NOT NULL DEFAULT '',
    objective     text NOT NULL DEFAULT '',
    decided_by    text,                         -- 'cp' when a CP project decision created it
    created_at    timestamptz NOT NULL DEFAULT now ()
);
CREATE INDEX projects_programme_idx ON projects (programme_id, id);

CREATE TABLE project_milestones (
    project_id  bigint NOT NULL REFERENCES projects (id),
    position    int NOT NULL,
    date        date NOT NULL CHECK (date BETWEEN '2000-01-01' AND '9999-12-31'),
    text        text NOT NULL,
    PRIMARY KEY (project_id, position)
);

CREATE TABLE project_requests (
    project_id  bigint NOT NULL REFERENCES projects (id),
    request_id  bigint NOT NULL REFERENCES requests (id),
    PRIMARY KEY (project_id, request_id)
);
CREATE INDEX project_requests_request_idx ON project_requests (request_id);
