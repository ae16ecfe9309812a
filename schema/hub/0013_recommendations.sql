-- 0013_recommendations.sql — the CP's recommendations (plan 3.3, issue 9): REC-YYYY-NN, gapless per
-- year through ref_counters (prefix "REC"); every version kept whole (an amendment is version n+1,
-- delivered again); the national partners a recommendation may address. The rules (the three
-- languages, the dates, the addressees, the basis moving to `recommended`) are in
-- hub/service/hub_recommend.c.

-- National partners a recommendation may address besides the cantons (plan 1.2, 2.3).
CREATE TABLE partners (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z][A-Za-z0-9-]{0,31}$'),
    name        text NOT NULL
);
INSERT INTO partners (code, name) VALUES
    ('OFAS', 'Office fédéral des assurances sociales'),
    ('SEFRI', 'Secrétariat d''État à la formation, à la recherche et à l''innovation'),
    ('SECO', 'Secrétariat d''État à l''économie'),
    ('SEM', 'Secrétariat d''État aux migrations'),
    ('CDAS', 'Conférence des directrices et directeurs cantonaux des affaires sociales'),
    ('CDEP', 'Conférence des chefs des départements cantonaux de l''économie publique'),
    ('CDIP', 'Conférence suisse des directeurs cantonaux de l''instruction publique'),
    ('CdC', 'Conférence des gouvernements cantonaux'),
    ('COAI', 'Conférence des offices AI'),
    ('CS-OPUC', 'Conférence suisse des offices de l''orientation professionnelle, universitaire et de carrière'),
    ('CDI', 'Conférence des délégués à l''intégration'),
    ('CSFP', 'Conférence suisse des offices de la formation professionnelle'),
    ('CSIAS', 'Conférence suisse des institutions d''action sociale'),
    ('AOST', 'Association des offices suisses du travail'),
    ('SUVA', 'Caisse nationale suisse d''assurance en cas d''accidents')
ON CONFLICT (code) DO NOTHING;

CREATE TABLE recommendations (
    id          bigserial PRIMARY KEY,
    ref         text NOT NULL UNIQUE CHECK (ref ~ '^REC-[0-9]{4}-[0-9]{2,}$'),
    version     int NOT NULL DEFAULT 1 CHECK (version >= 1),   -- the current version
    meeting     text REFERENCES meetings (ref),                -- the CP (or joint) meeting that adopted version 1
    created_at  timestamptz NOT NULL DEFAULT now ()
);

-- Every version, whole: an amendment adds one, nothing is overwritten.
CREATE TABLE recommendation_versions (
    rec_id      bigint NOT NULL REFERENCES recommendations (id),
    version     int NOT NULL CHECK (version >= 1),
    adopted_on  date NOT NULL CHECK (adopted_on BETWEEN '2000-01-01' AND '9999-12-31'),
    report_by   date NOT NULL CHECK (report_by BETWEEN '2000-01-01' AND '9999-12-31'),
    basis       text[] NOT NULL DEFAULT '{}',    -- references and free entries as given
    all_cantons boolean NOT NULL,
    cantons     text[] NOT NULL,                 -- the addressed cantons (all 26 when all_cantons)
    partners    text[] NOT NULL DEFAULT '{}',    -- partner codes
    note        text NOT NULL DEFAULT '',        -- what this version changed
    meeting     text REFERENCES meetings (ref),  -- the CP (or joint) meeting that adopted this version, or NULL
    issued_at   timestamptz NOT NULL DEFAULT now (),
    PRIMARY KEY (rec_id, version),
    CHECK (report_by >= adopted_on)
);

-- Title and text per language, UTF-8 as given: fr, de, it required, rm optional.
CREATE TABLE recommendation_texts (
    rec_id      bigint NOT NULL,
    version     int NOT NULL,
    language    text NOT NULL CHECK (language IN ('fr', 'de', 'it', 'rm')),
    title       text NOT NULL,
    text        text NOT NULL,
    PRIMARY KEY (rec_id, version, language),
    FOREIGN KEY (rec_id, version) REFERENCES recommendation_versions (rec_id, version)
);

-- The requests and themes of the basis, resolved (the rest of the basis stays text).
CREATE TABLE recommendation_requests (
    rec_id      bigint NOT NULL REFERENCES recommendations (id),
    request_id  bigint NOT NULL REFERENCES requests (id),
    PRIMARY KEY (rec_id, request_id)
);
CREATE INDEX recommendation_requests_request_idx ON recommendation_requests (request_id);
