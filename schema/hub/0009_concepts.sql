-- 0009_concepts.sql — cross-language matching of requests and signals (issue 7, `cii-hub similar`):
-- the CII concept thesaurus (concept, language, term) with its seed in French, German and Italian,
-- and the match index: one row per request and signal with its full-text vector (in the text's own
-- language configuration, accents removed), its concepts, its title for trigram similarity. The
-- score itself is computed by hub/service/hub_match.c; docs/matching.md explains the design.

-- Trusted extensions: the owner of the database may create them (PostgreSQL 13+).
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent () is STABLE (it reads its dictionary by name); an index or a generated column needs an
-- IMMUTABLE function, so the dictionary is named explicitly, in the schema the extension is in.
DO $do$
DECLARE
    dict text;
BEGIN
    SELECT quote_ident (n.nspname) || '.unaccent' INTO STRICT dict
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent';
    EXECUTE format ($f$CREATE FUNCTION cii_unaccent (t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
                       STRICT AS $b$ SELECT %s (%L::regdictionary, t) $b$$f$, dict, dict);
END
$do$;

-- The functions below call each other by name: each keeps the search path it was created with
-- (SET search_path FROM CURRENT), because pg_dump/pg_restore and other clients run with another one
-- (a restore recomputes the thesaurus' generated column with an empty path).

-- The text-search configuration of a text's language (the `language` column: fr, de, it; any other
-- language, such as rm, gets the simple configuration and so no concepts).
CREATE FUNCTION cii_ts_config (lang text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lang WHEN 'fr' THEN 'pg_catalog.french'::regconfig WHEN 'de' THEN 'pg_catalog.german'::regconfig
                     WHEN 'it' THEN 'pg_catalog.italian'::regconfig ELSE 'pg_catalog.simple'::regconfig END
$$;

-- A text as the matcher reads it: accents removed; a slash splits words (the parser would take
-- "AI/IV" for a path); and a word of 1 to 5 capitals gets a 0 appended, so that acronyms stay
-- themselves: "AI" would otherwise be the French and Italian stop word "ai", "S" in "permis S" the
-- French stop word "s". "l'AI" becomes "l'AI0" (lexeme ai0), "IV-Stelle" "IV0-Stelle"; an elided
-- capital ("L'AI" at the start of a sentence) stays as it is.
CREATE FUNCTION cii_match_prep (t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    SET search_path FROM CURRENT AS $$
    SELECT regexp_replace (replace (cii_unaccent (t), '/', ' / '), '\m([A-Z]{1,5})\M(?![''’])', '\10', 'g')
$$;

-- The full-text vector of a text in its language.
CREATE FUNCTION cii_match_tsv (lang text, t text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path FROM CURRENT AS $$
    SELECT to_tsvector (cii_ts_config (lang), cii_match_prep (coalesce (t, '')))
$$;

-- The key of a title for trigram similarity: lower case, no accents.
CREATE FUNCTION cii_title_key (t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    SET search_path FROM CURRENT AS $$
    SELECT lower (cii_unaccent (t))
$$;

-- The query of a thesaurus term: its words in order, each next to the one before (a phrase; stop
-- words leave their gap), stemmed by the language's configuration; a word ending in * matches as a
-- prefix ("Sozialhilfe*" finds "Sozialhilfebeziehende"). Hyphens separate words, so "IV-Stelle"
-- also finds "IV Stelle". An empty query (only stop words) is refused by concept_terms.
CREATE FUNCTION cii_term_query (lang text, term text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    SET search_path FROM CURRENT AS $$
    SELECT to_tsquery (cii_ts_config (lang),
                       coalesce (string_agg (quote_literal (rtrim (w, '*')) || CASE WHEN w LIKE '%*' THEN ':*' ELSE '' END,
                                             ' <-> ' ORDER BY n), ''))
    FROM regexp_split_to_table (cii_match_prep (term), '[^[:alnum:]*]+') WITH ORDINALITY AS t (w, n)
    WHERE rtrim (w, '*') <> ''
$$;

-- The first lexeme of a term's query: a text can only hold the term if it holds that lexeme, so
-- the catch-up tries a term on the texts that have it. NULL when that test is not enough (a first
-- word that is a prefix, or an operator other than the phrase).
CREATE FUNCTION cii_query_head (q tsquery) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT CASE WHEN q::text ~ '[|!&]' THEN NULL
                ELSE replace (substring (q::text FROM '^''((?:[^'']|'''')*)''(?!:)'), '''''', '''') END
$$;

-- The thesaurus: a concept (a name in [a-z0-9-]) has terms in each language; a term may be several
-- words. Editable with `cii-hub concept add`; `cii-hub concept list` shows it.
CREATE TABLE concept_terms (
    concept     text NOT NULL CHECK (concept ~ '^[a-z][a-z0-9-]{0,47}$'),
    language    text NOT NULL CHECK (language IN ('fr', 'de', 'it')),
    term        text NOT NULL CHECK (length (term) BETWEEN 1 AND 120),
    query       tsquery GENERATED ALWAYS AS (cii_term_query (language, term)) STORED,
    head        text GENERATED ALWAYS AS (cii_query_head (cii_term_query (language, term))) STORED,
    added_at    timestamptz NOT NULL DEFAULT now (),
    PRIMARY KEY (concept, language, term),
    CHECK (numnode (query) > 0)
);
CREATE INDEX concept_terms_head_idx ON concept_terms (language, head);

-- The match index: one row per request and per signal. Filled from match_queue by the matcher
-- (hub_store_match_catch_up), never on the ingest path: computing a text's vector and concepts costs
-- more than storing the signal (docs/performance.md).
CREATE TABLE match_docs (
    kind          text NOT NULL CHECK (kind IN ('request', 'signal')),
    doc_id        bigint NOT NULL,              -- requests.id or signals.id
    ref           text NOT NULL,
    network       text NOT NULL,
    language      text NOT NULL,
    title         text NOT NULL,
    title_key     text NOT NULL,                -- cii_title_key (title)
    institutions  text[] NOT NULL,
    target_groups text[] NOT NULL,
    tsv           tsvector NOT NULL,            -- cii_match_tsv (language, title || summary or description)
    concepts      text[] NOT NULL,              -- the concepts whose terms (of its language) it contains
    consolidated  boolean NOT NULL DEFAULT false, -- a signal some request consolidates
    PRIMARY KEY (kind, doc_id)
);
CREATE INDEX match_docs_concepts_idx ON match_docs USING gin (concepts);
CREATE INDEX match_docs_tsv_idx ON match_docs USING gin (tsv);
CREATE INDEX match_docs_title_idx ON match_docs USING gin (title_key gin_trgm_ops);

-- How many documents of the index hold each concept ('*': all documents), for the concepts' weights
-- (rarer is more telling). Kept exact by the catch-up and by `concept add`, under one lock.
CREATE TABLE concept_df (
    concept     text PRIMARY KEY,
    docs        bigint NOT NULL CHECK (docs >= 0)
);
INSERT INTO concept_df (concept, docs) VALUES ('*', 0);

-- What the index has yet to read: ranges of ids, one row per INSERT statement (a batch of the
-- ingest adds one row, whatever its size: within the noise of bench_ingest), a row per request
-- whose text changed, and ('consolidation') the signals a request starts or stops consolidating,
-- whose flag the catch-up sets again.
CREATE TABLE match_queue (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('request', 'signal', 'consolidation')),
    lo          bigint NOT NULL,
    hi          bigint NOT NULL CHECK (hi >= lo)
);

CREATE FUNCTION cii_match_enqueue () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO match_queue (kind, lo, hi)
    SELECT TG_ARGV [0], min (id), max (id) FROM new_rows HAVING count (*) > 0;
    RETURN NULL;
END
$$;

CREATE FUNCTION cii_match_enqueue_one () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO match_queue (kind, lo, hi) VALUES (TG_ARGV [0], NEW.id, NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER signals_match_queue AFTER INSERT ON signals REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cii_match_enqueue ('signal');
CREATE TRIGGER requests_match_queue AFTER INSERT ON requests REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cii_match_enqueue ('request');
CREATE FUNCTION cii_match_enqueue_consolidated () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO match_queue (kind, lo, hi) SELECT DISTINCT 'consolidation', signal_id, signal_id FROM changed_rows;
    RETURN NULL;
END
$$;

CREATE TRIGGER request_signals_match_queue AFTER INSERT ON request_signals REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cii_match_enqueue_consolidated ();
CREATE TRIGGER request_signals_match_unqueue AFTER DELETE ON request_signals REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cii_match_enqueue_consolidated ();
CREATE TRIGGER requests_match_requeue AFTER UPDATE ON requests FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.summary IS DISTINCT FROM NEW.summary
          OR OLD.language IS DISTINCT FROM NEW.language OR OLD.network IS DISTINCT FROM NEW.network
          OR OLD.institutions IS DISTINCT FROM NEW.institutions OR OLD.target_groups IS DISTINCT FROM NEW.target_groups)
    EXECUTE FUNCTION cii_match_enqueue_one ('request');

-- What was stored before this version is read by the first `cii-hub similar`.
INSERT INTO match_queue (kind, lo, hi)
SELECT 'signal', min (id), max (id) FROM signals GROUP BY id / 1000 ORDER BY 2;
INSERT INTO match_queue (kind, lo, hi)
SELECT 'request', min (id), max (id) FROM requests GROUP BY id / 1000 ORDER BY 2;

-- The bureau's threshold for "similar" in C3 (broadly shared): a request of another network whose
-- score (0..1) reaches it counts (hub_match_networks). Measured on tests/data/matching: see
-- docs/performance.md, "Cross-language matching".
INSERT INTO settings (key, value) VALUES ('c3_min_similarity', '0.40') ON CONFLICT (key) DO NOTHING;

-- The seed of the thesaurus: the vocabulary of the plan (institutions, target groups, priorities)
-- and of the interfaces between unemployment insurance, invalidity insurance, social aid, vocational
-- training, migration and health, as cantonal coordinators write it. One line per concept and
-- language, terms separated by |. Capitals matter only for acronyms (AI, IV, ORP, RAV, URC).
INSERT INTO concept_terms (concept, language, term)
SELECT s.concept, s.language, btrim (t.term)
FROM (VALUES
    -- institutions (plan 1.3)
    ('unemployment-insurance', 'fr', 'assurance-chômage|AC|LACI|caisse de chômage|caisses de chômage|chômage|chômeurs|chômeuse'),
    ('unemployment-insurance', 'de', 'Arbeitslosenversicherung|ALV|AVIG|Arbeitslosenkasse*|arbeitslos*|Arbeitslosigkeit'),
    ('unemployment-insurance', 'it', 'assicurazione contro la disoccupazione|assicurazione disoccupazione|LADI|cassa disoccupazione|casse disoccupazione|disoccupazione|disoccupati|disoccupato|disoccupata'),
    ('public-employment-service', 'fr', 'ORP|office régional de placement|offices régionaux de placement|conseiller ORP|conseillère ORP|conseillers en personnel|service public de l''emploi|service de placement'),
    ('public-employment-service', 'de', 'RAV|regionales Arbeitsvermittlungszentrum|regionale Arbeitsvermittlungszentren|Arbeitsvermittlung|RAV-Beratende*|Personalberat*|öffentliche Arbeitsvermittlung'),
    ('public-employment-service', 'it', 'URC|ufficio regionale di collocamento|uffici regionali di collocamento|collocamento|consulente URC|consulenti del personale'),
    ('jobseekers', 'fr', 'demandeurs d''emploi|demandeur d''emploi|demandeuse d''emploi|recherche d''emploi|recherches d''emploi|en recherche d''emploi'),
    ('jobseekers', 'de', 'Stellensuchende*|stellensuchend*|Arbeitssuchende*|Stellensuche|Stellenlose*'),
    ('jobseekers', 'it', 'persone in cerca d''impiego|in cerca di lavoro|in cerca d''impiego|ricerca d''impiego|ricerca di lavoro|ricerche di lavoro|persone in cerca di lavoro'),
    ('invalidity-insurance', 'fr', 'AI|assurance-invalidité|office AI|offices AI|LAI|OAI'),
    ('invalidity-insurance', 'de', 'IV|Invalidenversicherung|IV-Stelle*|IVG|Invalidität'),
    ('invalidity-insurance', 'it', 'AI|assicurazione invalidità|assicurazione per l''invalidità|ufficio AI|uffici AI|LAI|invalidità'),
    ('social-aid', 'fr', 'aide sociale|services sociaux|service social|CSIAS|normes CSIAS|assistance publique|centre social régional|centres sociaux régionaux|CSR'),
    ('social-aid', 'de', 'Sozialhilfe*|Sozialdienst*|Sozialamt|Sozialämter|SKOS|SKOS-Richtlinien|wirtschaftliche Hilfe|Sozialbehörde*'),
    ('social-aid', 'it', 'assistenza sociale|aiuto sociale|servizi sociali|servizio sociale|COSAS|norme COSAS|prestazioni assistenziali|ufficio del sostegno sociale|sostegno sociale'),
    ('vocational-training', 'fr', 'formation professionnelle|office de la formation professionnelle|service de la formation professionnelle|école professionnelle|écoles professionnelles|SEFRI|formation'),
    ('vocational-training', 'de', 'Berufsbildung*|Amt für Berufsbildung|Berufsfachschule*|Berufsschule*|SBFI|Ausbildung'),
    ('vocational-training', 'it', 'formazione professionale|divisione della formazione professionale|ufficio della formazione professionale|scuola professionale|scuole professionali|SEFRI|formazione'),
    ('migration', 'fr', 'intégration des étrangers|service des migrations|services de migration|office des migrations|bureau de l''intégration|délégué à l''intégration|déléguée à l''intégration|programme d''intégration cantonal|PIC|SEM|migration|migrations|migrants|migrantes'),
    ('migration', 'de', 'Migrationsamt|Migrationsdienst|Migration*|Integrationsfachstelle*|Integrationsdelegierte*|kantonales Integrationsprogramm|KIP|SEM|Staatssekretariat für Migration|Migrant*|Zugewanderte*'),
    ('migration', 'it', 'integrazione degli stranieri|ufficio della migrazione|servizio migrazione|delegato all''integrazione|delegata all''integrazione|programma d''integrazione cantonale|PIC|SEM|Segreteria di Stato della migrazione|migrazione|migranti'),
    ('health-system', 'fr', 'santé publique|système de santé|service de la santé|hôpital|hôpitaux|soins|professionnels de la santé|acteurs de la santé|domaine de la santé'),
    ('health-system', 'de', 'Gesundheitswesen|Gesundheitsamt|Spital|Spitäler|Gesundheitsversorgung|Gesundheitsfachperson*|Gesundheitsbereich|Gesundheitsdepartement*|Gesundheitsakteure'),
    ('health-system', 'it', 'sanità|sanità pubblica|sistema sanitario|ospedale|ospedali|cure|operatori sanitari|settore sanitario|settore della salute'),
    -- target groups (plan 3.1)
    ('social-aid-recipients', 'fr', 'bénéficiaires de l''aide sociale|bénéficiaire de l''aide sociale|bénéficiaires de prestations sociales|personnes à l''aide sociale|émargent à l''aide sociale|dépendent de l''aide sociale|dépendance à l''aide sociale|tributaires de l''aide sociale'),
    ('social-aid-recipients', 'de', 'Sozialhilfebeziehende*|Sozialhilfebezüger*|Sozialhilfeempfänger*|sozialhilfeabhängig*|Sozialhilfebezug|von der Sozialhilfe unterstützt*|Sozialhilfeabhängigkeit|Sozialhilfeklient*'),
    ('social-aid-recipients', 'it', 'beneficiari dell''assistenza sociale|beneficiari dell''aiuto sociale|beneficiari di prestazioni assistenziali|persone in assistenza|a carico dell''assistenza|dipendenti dall''assistenza|beneficiari dell''assistenza'),
    ('health-impaired', 'fr', 'atteintes dans leur santé|atteints dans leur santé|problèmes de santé|atteinte à la santé|raisons de santé|état de santé|limitations de santé|atteinte à la santé'),
    ('health-impaired', 'de', 'gesundheitlich beeinträchtigt*|gesundheitliche Beeinträchtigung*|gesundheitliche Probleme|gesundheitliche Einschränkung*|Gesundheitszustand|gesundheitlichen Gründen|gesundheitlich eingeschränkt*'),
    ('health-impaired', 'it', 'problemi di salute|stato di salute|motivi di salute|limitazioni di salute|compromissione della salute|salute compromessa|problemi sanitari'),
    ('low-qualified-adults', 'fr', 'adultes peu qualifiés|peu qualifiés|peu qualifiées|faiblement qualifiés|sans formation professionnelle|sans diplôme|sans qualification|sans certification|sans formation'),
    ('low-qualified-adults', 'de', 'Geringqualifizierte*|gering qualifiziert*|niedrig qualifiziert*|ohne Berufsabschluss|ohne nachobligatorische*|ohne Lehrabschluss'),
    ('low-qualified-adults', 'it', 'adulti poco qualificati|poco qualificati|poco qualificate|scarsamente qualificati|senza formazione professionale|senza diploma|senza qualifica|senza titolo|senza formazione'),
    ('late-arriving-youth', 'fr', 'jeunes arrivés tardivement|arrivés tardivement|arrivées tardivement|arrivés tard|adolescents arrivés|jeunes migrants|jeunes issus de l''asile|arrivés récemment|jeunes arrivés en Suisse|arrivés en Suisse à l''adolescence'),
    ('late-arriving-youth', 'de', 'spät zugewandert*|spät eingereist*|spätzugewandert*|spät Zugezogene|Spätzugezogene|junge Migrant*|spät angekommen*|spät in die Schweiz|in die Schweiz eingereist*|im Jugendalter zugewandert*'),
    ('late-arriving-youth', 'it', 'giovani giunti tardivamente|giunti tardivamente|arrivati tardivamente|giunti tardi|arrivati tardi|giovani migranti|arrivati di recente|giunti di recente|giovani arrivati in Svizzera|giunti in Svizzera|arrivati in Svizzera'),
    ('refugees-provisionally-admitted', 'fr', 'admis à titre provisoire|admises à titre provisoire|admission provisoire|admis provisoirement|réfugiés|réfugié|réfugiées|permis F|réfugiés reconnus|statut de réfugié|AP/R'),
    ('refugees-provisionally-admitted', 'de', 'vorläufig aufgenommen*|vorläufige Aufnahme|Flüchtling*|anerkannte Flüchtlinge|Ausweis F|F-Ausweis|VA/FL|Status F'),
    ('refugees-provisionally-admitted', 'it', 'ammessi provvisoriamente|ammesse provvisoriamente|ammissione provvisoria|ammessi a titolo provvisorio|rifugiati|rifugiato|rifugiate|permesso F|rifugiati riconosciuti|AP/R'),
    -- objectives and priorities (plan 1.3, 3.1)
    ('labour-market-integration', 'fr', 'insertion professionnelle|intégration professionnelle|réinsertion professionnelle|marché du travail primaire|premier marché du travail|retour à l''emploi|insertion sur le marché du travail|intégration sur le marché du travail|réinsertion'),
    ('labour-market-integration', 'de', 'berufliche Integration|Arbeitsmarktintegration|Wiedereingliederung*|erster Arbeitsmarkt|ersten Arbeitsmarkt|Integration in den Arbeitsmarkt|Rückkehr in den Arbeitsmarkt|Erwerbsintegration|Arbeitsintegration|Arbeitsmarktfähigkeit'),
    ('labour-market-integration', 'it', 'inserimento professionale|integrazione professionale|reinserimento professionale|primo mercato del lavoro|mercato del lavoro primario|reinserimento lavorativo|inserimento lavorativo|integrazione nel mercato del lavoro|ritorno al lavoro|reinserimento'),
    ('young-adults', 'fr', 'jeunes adultes|jeune adulte|jeunes|adolescents|adolescentes|moins de 25 ans'),
    ('young-adults', 'de', 'junge Erwachsene*|Jugendliche*|junge Menschen|junge Leute'),
    ('young-adults', 'it', 'giovani adulti|giovane adulto|giovani|adolescenti|meno di 25 anni|ragazzi'),
    ('older-workers', 'fr', 'plus de 50 ans|de plus de 55 ans|seniors|travailleurs âgés|chômeurs âgés|demandeurs d''emploi âgés|50 ans et plus|fin de carrière|travailleurs expérimentés'),
    ('older-workers', 'de', 'über 50|über 50-Jährige*|ältere Arbeitnehmende|ältere Arbeitnehmer*|ältere Stellensuchende|ältere Arbeitslose|50plus|Ü50|über 55|ältere Mitarbeitende'),
    ('older-workers', 'it', 'over 50|oltre 50 anni|più di 50 anni|lavoratori anziani|disoccupati anziani|ultracinquantenni|over 55|lavoratori over 50|lavoratori più anziani'),
    ('single-parents', 'fr', 'familles monoparentales|famille monoparentale|parents seuls|mères seules|mère seule|parent seul|élèvent seules'),
    ('single-parents', 'de', 'Alleinerziehende*|alleinerziehend*|Einelternfamilie*|Einelternhaushalt*'),
    ('single-parents', 'it', 'famiglie monoparentali|famiglia monoparentale|genitori soli|genitore solo|madri sole|madre sola|crescono da sole'),
    ('disability', 'fr', 'handicap|personnes handicapées|situation de handicap|handicapés|handicapées|déficience'),
    ('disability', 'de', 'Menschen mit Behinderung*|Behindertenhilfe|Invalide|Behinderung|Behinderungen'),
    ('disability', 'it', 'disabilità|persone con disabilità|andicap|handicap|disabili|portatori di handicap'),
    ('long-term-unemployed', 'fr', 'fin de droit|fin de droits|en fin de droit|épuisement du droit|épuisé leur droit|chômage de longue durée|chômeurs de longue durée|arrivés en fin de droit|droit aux indemnités épuisé'),
    ('long-term-unemployed', 'de', 'ausgesteuert*|Aussteuerung*|Langzeitarbeitslos*|Langzeiterwerbslos*|nach der Aussteuerung|Ende des Taggeldanspruch*'),
    ('long-term-unemployed', 'it', 'esaurimento del diritto|esaurito il diritto|fine del diritto alle indennità|hanno esaurito il diritto|disoccupati di lunga durata|disoccupazione di lunga durata|senza più diritto'),
    ('asylum-seekers', 'fr', 'requérants d''asile|requérant d''asile|demandeurs d''asile|procédure d''asile|domaine de l''asile|centre fédéral d''asile|droit d''asile'),
    ('asylum-seekers', 'de', 'Asyl*|Bundesasylzentr*|BAZ|Asylsuchende*'),
    ('asylum-seekers', 'it', 'richiedenti l''asilo|richiedente l''asilo|procedura d''asilo|settore dell''asilo|centro federale d''asilo|diritto d''asilo|richiedenti asilo'),
    ('protection-status-s', 'fr', 'statut de protection S|permis S|statut S|protection S|Ukraine|ukrainiens|ukrainiennes'),
    ('protection-status-s', 'de', 'Schutzstatus S|Status S|Ausweis S|S-Ausweis|Schutzstatus|Ukraine|ukrainisch*|Schutzsuchende*'),
    ('protection-status-s', 'it', 'statuto di protezione S|permesso S|statuto S|protezione S|Ucraina|ucraini|ucraine|persone bisognose di protezione'),
    ('neet', 'fr', 'sans solution|jeunes sans solution|décrochage|décrocheurs|décrochage scolaire|NEET|ni en emploi ni en formation|jeunes en rupture'),
    ('neet', 'de', 'ohne Anschlusslösung|NEET|weder in Ausbildung noch in Arbeit|Schulabbruch*|Jugendliche ohne Ausbildung|abgehängt*'),
    ('neet', 'it', 'senza soluzione|giovani senza soluzione|abbandono scolastico|dispersione scolastica|NEET|né al lavoro né in formazione|giovani in rottura'),
    -- vocational training
    ('apprenticeship', 'fr', 'apprentissage|apprentissages|apprenti|apprentie|apprentis|contrat d''apprentissage|place d''apprentissage|places d''apprentissage|formation professionnelle initiale|entreprise formatrice|entreprises formatrices|maître d''apprentissage|formatrice en entreprise|formateur en entreprise'),
    ('apprenticeship', 'de', 'Lehre|Lehrstelle*|Lehrvertrag*|Lernende*|Lehrbetrieb*|Lehrling*|berufliche Grundbildung|Ausbildungsplatz*|Berufslehre|Ausbildungsbetrieb*|Berufsbildner*'),
    ('apprenticeship', 'it', 'apprendistato|apprendista|apprendisti|tirocinio|tirocini|contratto di tirocinio|posto di tirocinio|posti di tirocinio|formazione professionale di base|azienda formatrice|aziende formatrici|formatore in azienda|formatrice in azienda'),
    ('apprenticeship-dropout', 'fr', 'rupture d''apprentissage|ruptures d''apprentissage|résiliation du contrat d''apprentissage|interruption de l''apprentissage|abandon de l''apprentissage|rupture de contrat|abandon de formation|arrêt de formation|interrompu leur apprentissage|contrat résilié|résilié|résiliation|abandonnent leur formation|abandonner la formation'),
    ('apprenticeship-dropout', 'de', 'Lehrabbruch*|Lehrabbrüche|Lehrvertragsauflösung*|Ausbildungsabbruch*|Lehre abgebrochen|Lehre abbrechen|Abbruch der Lehre|Abbruch der Ausbildung|Lehrvertrag aufgelöst|vorzeitig aufgelöst*|Lehrvertrag* aufgelöst|brechen die Lehre ab'),
    ('apprenticeship-dropout', 'it', 'interruzione del tirocinio|scioglimento del contratto di tirocinio|abbandono del tirocinio|interruzione della formazione|abbandono della formazione|rescissione del contratto di tirocinio|interrompono il tirocinio|contratto sciolto|interrotto il tirocinio|disdetta del contratto di tirocinio|disdetta del contratto|abbandonano la formazione|abbandonare la formazione|abbandonano il tirocinio|perde il posto di tirocinio'),
    ('transition-school-work', 'fr', 'transition I|transition école-formation|transition entre l''école et la formation|solutions transitoires|solution transitoire|offres transitoires|offre transitoire|semestre de motivation|SeMo|fin de scolarité obligatoire|fin de la scolarité|scolarité obligatoire|école obligatoire|année de transition'),
    ('transition-school-work', 'de', 'Übergang I|Übergang Schule-Beruf|Brückenangebot*|Motivationssemester|SEMO|Semo|Zwischenlösung*|Anschlusslösung*|obligatorische Schul*|Schulabschluss|Schulabgänger*|Volksschule'),
    ('transition-school-work', 'it', 'transizione I|transizione scuola-lavoro|passaggio scuola-lavoro|transizione dalla scuola|offerte transitorie|soluzioni transitorie|semestre di motivazione|pretirocinio di orientamento|scuola dell''obbligo|fine della scolarità|conclusione della scolarità|scuola media'),
    ('case-management-vet', 'fr', 'case management formation professionnelle|CM FP|case management FP'),
    ('case-management-vet', 'de', 'Case Management Berufsbildung|CM BB|Case Management BB'),
    ('case-management-vet', 'it', 'case management formazione professionale|CM FP|case management FP'),
    ('career-guidance', 'fr', 'orientation professionnelle|orientation scolaire et professionnelle|conseil en orientation|conseillers en orientation|OSP|office d''orientation|choix professionnel|choix d''un métier'),
    ('career-guidance', 'de', 'Berufsberatung|Laufbahnberatung|BIZ|Berufsinformationszentr*|Berufswahl|Studien- und Laufbahnberatung'),
    ('career-guidance', 'it', 'orientamento professionale|orientamento scolastico e professionale|consulenza d''orientamento|ufficio dell''orientamento|scelta professionale|scelta della professione'),
    ('vet-certificates', 'fr', 'CFC|AFP|certificat fédéral de capacité|attestation fédérale de formation professionnelle|titre professionnel|diplôme professionnel'),
    ('vet-certificates', 'de', 'EFZ|EBA|eidgenössisches Fähigkeitszeugnis|eidgenössisches Berufsattest|Fähigkeitszeugnis|Berufsattest|Berufsabschluss|Lehrabschluss'),
    ('vet-certificates', 'it', 'AFC|CFP|attestato federale di capacità|certificato federale di formazione pratica|diploma professionale|titolo professionale'),
    ('adult-qualification', 'fr', 'qualification des adultes|certification professionnelle pour adultes|certification pour adultes|validation des acquis|VAE|formation de rattrapage|rattrapage|article 32|art. 32|CFC pour adultes|formation continue'),
    ('adult-qualification', 'de', 'Berufsabschluss für Erwachsene|Nachholbildung|Validierung von Bildungsleistungen|Nachqualifikation|Erwachsenenbildung|Weiterbildung|Artikel 32|Art. 32|Berufsabschluss nachholen|nachholen'),
    ('adult-qualification', 'it', 'qualificazione professionale per adulti|certificazione professionale per adulti|validazione degli apprendimenti|convalida delle competenze|formazione di recupero|articolo 32|art. 32|formazione continua|qualifica per adulti'),
    ('basic-skills', 'fr', 'compétences de base|illettrisme|lecture et écriture|lire et écrire|compétences numériques de base'),
    ('basic-skills', 'de', 'Grundkompetenz*|Illettrismus|Lesen und Schreiben|Alltagsmathematik|Grundkompetenzen'),
    ('basic-skills', 'it', 'competenze di base|illetteratismo|analfabetismo funzionale|leggere e scrivere'),
    ('language-skills', 'fr', 'cours de langue|cours de langues|cours de français|connaissances linguistiques|compétences linguistiques|niveau de langue|connaissances de la langue|barrière linguistique|barrières linguistiques|maîtrise de la langue|langue locale'),
    ('language-skills', 'de', 'Sprachkurs*|Deutschkurs*|Sprachkenntnis*|Sprachförderung|Sprachniveau|Sprachbarriere*|Sprachkompetenz*|Deutschkenntnis*|Lokalsprache'),
    ('language-skills', 'it', 'corso di lingua|corsi di lingua|corsi di italiano|corso d''italiano|conoscenze linguistiche|competenze linguistiche|barriera linguistica|barriere linguistiche|conoscenza della lingua|livello linguistico|lingua locale'),
    ('foreign-diplomas', 'fr', 'reconnaissance des diplômes|diplômes étrangers|diplôme étranger|qualifications acquises à l''étranger|reconnaissance des qualifications|obtenus à l''étranger|équivalence de diplôme|équivalence des diplômes|demande d''équivalence'),
    ('foreign-diplomas', 'de', 'Anerkennung ausländischer Diplome|Diplomanerkennung|ausländische* Diplom*|ausländische* Abschl*|Anerkennung von Abschlüssen|Gleichwertigkeit|im Ausland erworben*'),
    ('foreign-diplomas', 'it', 'riconoscimento dei diplomi|diplomi esteri|diploma estero|titoli esteri|equipollenza|equivalenza|qualifiche acquisite all''estero|riconoscimento dei titoli|conseguiti all''estero'),
    ('scholarships', 'fr', 'bourses|bourse d''études|bourses d''études|allocations d''études|aides à la formation|subsides de formation'),
    ('scholarships', 'de', 'Stipendi*|Ausbildungsbeiträge|Ausbildungsbeitrag|Stipendium'),
    ('scholarships', 'it', 'borse di studio|borsa di studio|assegni di studio|assegno di studio|sussidi allo studio'),
    -- measures and instruments
    ('case-management', 'fr', 'case management|gestion de cas|gestionnaire de cas|suivi individualisé|suivi personnalisé|accompagnement individuel|prise en charge coordonnée'),
    ('case-management', 'de', 'Case Management|Fallführung|Fallmanagement|Fallführende*|Case Manager*|fallführende Stelle|Einzelfallbegleitung'),
    ('case-management', 'it', 'case management|gestione dei casi|gestione del caso|presa a carico coordinata|accompagnamento individuale|case manager'),
    ('job-coaching', 'fr', 'job coaching|job coach|coaching|emploi assisté|supported employment|accompagnement sur le lieu de travail|accompagnement en emploi|coach emploi|soutien en emploi|soutien sur le lieu de travail|soutien à l''emploi|suivi en emploi'),
    ('job-coaching', 'de', 'Job Coaching|Jobcoach*|Job-Coach*|Coaching|unterstützte Beschäftigung|Supported Employment|Arbeitsplatzbegleitung|Begleitung am Arbeitsplatz'),
    ('job-coaching', 'it', 'job coaching|job coach|coaching|impiego sostenuto|supported employment|accompagnamento sul posto di lavoro|accompagnamento al lavoro|sostegno sul posto di lavoro|sostegno all''impiego'),
    ('employers', 'fr', 'employeurs|employeur|entreprises|entreprise|patrons|milieux économiques'),
    ('employers', 'de', 'Arbeitgebende*|Arbeitgeber*|Unternehmen|Betriebe|Firmen|Wirtschaft'),
    ('employers', 'it', 'datori di lavoro|datore di lavoro|aziende|azienda|imprese|impresa'),
    ('internships', 'fr', 'stage|stages|stagiaire|stagiaires|place de stage|stage en entreprise|stage d''orientation|stage pratique'),
    ('internships', 'de', 'Praktikum|Praktika|Praktikumsplatz*|Praktikant*|Schnupperlehre*|Arbeitstraining|Einsatzplatz*'),
    ('internships', 'it', 'stage|stagista|stagisti|praticantato|stage pratico|stage d''orientamento|posto di stage'),
    ('wage-subsidies', 'fr', 'allocations d''initiation au travail|allocation d''initiation au travail|AIT|subvention salariale|subventions salariales|allocations de formation|allocation de formation|participation au salaire'),
    ('wage-subsidies', 'de', 'Einarbeitungszuschuss*|Einarbeitungszuschüsse|Lohnzuschuss*|Lohnzuschüsse|Ausbildungszuschuss*|Ausbildungszuschüsse|Lohnkostenzuschuss*|Teillohn*'),
    ('wage-subsidies', 'it', 'assegni per il periodo di introduzione|assegno per il periodo d''introduzione|sussidi salariali|sussidio salariale|assegni di formazione|assegno di formazione|contributo salariale'),
    ('labour-market-measures', 'fr', 'mesures du marché du travail|mesures relatives au marché du travail|MMT|mesures actives|mesure active|programme d''emploi temporaire|programmes d''emploi temporaire|PET|cours collectifs'),
    ('labour-market-measures', 'de', 'arbeitsmarktliche Massnahme*|AMM|Beschäftigungsprogramm*|Programm zur vorübergehenden Beschäftigung|PvB|Kollektivkurs*'),
    ('labour-market-measures', 'it', 'provvedimenti inerenti al mercato del lavoro|provvedimenti del mercato del lavoro|PML|misure attive|programmi d''occupazione temporanea|programma d''occupazione temporanea|corsi collettivi'),
    ('social-integration', 'fr', 'insertion sociale|intégration sociale|programmes d''insertion|programme d''occupation|programmes d''occupation|mesures d''insertion sociale|activité occupationnelle|structure de jour|contre-prestation|mesures d''insertion'),
    ('social-integration', 'de', 'soziale Integration|Integrationsprogramm*|Tagesstruktur*|Gegenleistung|Beschäftigungsmassnahme*|soziale Teilhabe'),
    ('social-integration', 'it', 'integrazione sociale|inserimento sociale|programmi occupazionali|programma occupazionale|struttura diurna|controprestazione|misure d''inserimento|attività occupazionale'),
    ('social-enterprises', 'fr', 'entreprises sociales|entreprise sociale|entreprises d''insertion|entreprise d''insertion|ateliers protégés|atelier protégé|marché du travail secondaire|second marché du travail'),
    ('social-enterprises', 'de', 'Sozialfirma|Sozialfirmen|Arbeitsintegrationsbetrieb*|geschützte Werkstätte*|geschützter Arbeitsplatz|geschützte Arbeitsplätze|zweiter Arbeitsmarkt|ergänzender Arbeitsmarkt'),
    ('social-enterprises', 'it', 'imprese sociali|impresa sociale|aziende sociali|laboratori protetti|laboratorio protetto|mercato del lavoro secondario|secondo mercato del lavoro|posti protetti'),
    ('early-intervention', 'fr', 'détection précoce|intervention précoce|communication précoce|repérage précoce'),
    ('early-intervention', 'de', 'Früherfassung|Frühintervention|Früherkennung|frühzeitig*'),
    ('early-intervention', 'it', 'rilevamento tempestivo|intervento tempestivo|individuazione precoce|intervento precoce|tempestivamente'),
    ('vocational-rehabilitation', 'fr', 'mesures de réadaptation|réadaptation professionnelle|mesures de réinsertion|mesures d''ordre professionnel|reclassement|mesures d''intégration|réadaptation'),
    ('vocational-rehabilitation', 'de', 'Eingliederungsmassnahme*|Eingliederung|berufliche Massnahmen|Integrationsmassnahme*|Umschulung*|berufliche Eingliederung'),
    ('vocational-rehabilitation', 'it', 'provvedimenti d''integrazione|provvedimenti professionali|misure di reintegrazione|misure d''integrazione professionale|riformazione professionale|riqualificazione professionale|provvedimenti d''ordine professionale'),
    ('invalidity-pension', 'fr', 'rente AI|rentes AI|rente d''invalidité|rente entière|demi-rente|octroi d''une rente|droit à la rente|décision de rente'),
    ('invalidity-pension', 'de', 'IV-Rente*|Invalidenrente*|Rentenanspruch|Rentenentscheid*|Teilrente|Rentenverfügung*'),
    ('invalidity-pension', 'it', 'rendita AI|rendite AI|rendita d''invalidità|diritto alla rendita|mezza rendita|decisione di rendita'),
    ('pension-revision', 'fr', 'révision de rente|révision de la rente|suppression de la rente|suppression de rente|réduction de la rente|rente supprimée'),
    ('pension-revision', 'de', 'Rentenrevision*|Rentenaufhebung*|Rentenherabsetzung*|Aufhebung der Rente|Rente aufgehoben'),
    ('pension-revision', 'it', 'revisione della rendita|soppressione della rendita|riduzione della rendita|rendita soppressa'),
    ('assessment', 'fr', 'évaluation du potentiel|profilage|assessment|bilan de compétences|évaluation des compétences|bilan d''orientation|évaluation de la situation'),
    ('assessment', 'de', 'Abklärung*|Potenzialabklärung*|Assessment*|Standortbestimmung*|Kompetenzabklärung*|Profiling'),
    ('assessment', 'it', 'valutazione del potenziale|bilancio delle competenze|assessment|accertamento delle competenze|valutazione della situazione'),
    ('one-stop-shop', 'fr', 'guichet unique|point de contact unique|interlocuteur unique|porte d''entrée unique|point d''entrée unique'),
    ('one-stop-shop', 'de', 'zentrale Anlaufstelle|Anlaufstelle*|One-Stop-Shop|Single Point of Contact|eine einzige Ansprechperson|einzige Anlaufstelle'),
    ('one-stop-shop', 'it', 'sportello unico|punto di contatto unico|interlocutore unico|punto d''accesso unico|punto d''entrata unico'),
    ('interpreting', 'fr', 'interprètes communautaires|interprète communautaire|interprétariat communautaire|interprétariat|traduction|médiateurs interculturels'),
    ('interpreting', 'de', 'Dolmetsch*|interkulturell* Dolmetsch*|interkulturelle Vermittlung|Übersetzung*'),
    ('interpreting', 'it', 'interpreti interculturali|interprete interculturale|interpretariato|traduzione|mediatori interculturali|mediazione interculturale'),
    -- money and benefits
    ('daily-allowances', 'fr', 'indemnités journalières|indemnité journalière|indemnités de chômage|indemnités'),
    ('daily-allowances', 'de', 'Taggeld*|Taggelder|Arbeitslosenentschädigung|Taggeldanspruch'),
    ('daily-allowances', 'it', 'indennità giornaliere|indennità giornaliera|indennità di disoccupazione|indennità'),
    ('loss-of-earnings', 'fr', 'perte de gain|assurance perte de gain|indemnités journalières maladie|APG maladie'),
    ('loss-of-earnings', 'de', 'Krankentaggeld*|Erwerbsausfall*|Lohnausfall*|Krankentaggeldversicherung'),
    ('loss-of-earnings', 'it', 'perdita di guadagno|assicurazione perdita di guadagno|indennità giornaliera di malattia|indennità giornaliere in caso di malattia'),
    ('health-insurance', 'fr', 'assurance-maladie|caisse maladie|caisse-maladie|caisses maladie|LAMal|primes d''assurance maladie|réduction des primes|subsides LAMal'),
    ('health-insurance', 'de', 'Krankenversicherung*|Krankenkasse*|KVG|Prämienverbilligung*|Krankenkassenprämie*'),
    ('health-insurance', 'it', 'assicurazione malattia|cassa malati|casse malati|LAMal|premi di cassa malati|riduzione dei premi|sussidi di cassa malati'),
    ('accident-insurance', 'fr', 'assurance-accidents|SUVA|Suva|LAA|accident|accidents'),
    ('accident-insurance', 'de', 'Unfallversicherung*|Suva|SUVA|UVG|Unfall*'),
    ('accident-insurance', 'it', 'assicurazione contro gli infortuni|assicurazione infortuni|SUVA|Suva|INSAI|LAINF|infortunio|infortuni'),
    ('subsistence', 'fr', 'minimum vital|besoins vitaux|subsistance|revenu insuffisant|moyens d''existence|vivre de son salaire'),
    ('subsistence', 'de', 'Existenzminimum|Lebensunterhalt*|Grundbedarf|existenzsichernd*|Existenzsicherung'),
    ('subsistence', 'it', 'minimo vitale|minimo esistenziale|fabbisogno vitale|sostentamento|mezzi di sussistenza|vivere del proprio salario'),
    ('financing', 'fr', 'financement|financements|prise en charge des coûts|prise en charge financière|coûts|frais|budget|financer'),
    ('financing', 'de', 'Finanzierung*|Kostenübernahme|Kostengutsprache*|Kosten|Budget|finanzier*'),
    ('financing', 'it', 'finanziamento|finanziamenti|assunzione dei costi|presa a carico dei costi|costi|spese|budget|finanziare'),
    ('cost-shifting', 'fr', 'transfert de charges|report de charges|transfert des coûts|reports de coûts|répercussion des coûts|report sur l''aide sociale|transfert vers l''aide sociale'),
    ('cost-shifting', 'de', 'Kostenverlagerung*|Lastenverschiebung*|Kostenverschiebung*|Verlagerung in die Sozialhilfe|Kostenabwälzung|abgewälzt'),
    ('cost-shifting', 'it', 'trasferimento dei costi|trasferimento di oneri|spostamento dei costi|ribaltamento dei costi|scaricare i costi|oneri trasferiti'),
    ('debts', 'fr', 'dettes|endettement|surendettement|endettés|poursuites|saisie de salaire|désendettement|assainissement des dettes'),
    ('debts', 'de', 'Schulden*|Verschuldung|verschuldet*|Überschuldung|Lohnpfändung*|Schuldenberatung|Schuldensanierung|Betreibungsregister*|Betreibungsamt'),
    ('debts', 'it', 'debiti|indebitamento|sovraindebitamento|indebitati|pignoramento|risanamento dei debiti|consulenza debiti|esecuzioni e fallimenti|precetti esecutivi'),
    -- health
    ('work-capacity', 'fr', 'capacité de travail|incapacité de travail|capacité de gain|incapacité de gain|capacité résiduelle|aptitude au travail|exigibilité|arrêt de travail|arrêt maladie'),
    ('work-capacity', 'de', 'Arbeitsfähigkeit|Arbeitsunfähigkeit*|arbeitsunfähig*|Erwerbsfähigkeit|Erwerbsunfähigkeit|Restarbeitsfähigkeit|Zumutbarkeit|krankgeschrieben*|Krankschreibung*|arbeitsfähig*'),
    ('work-capacity', 'it', 'capacità lavorativa|incapacità lavorativa|capacità al lavoro|incapacità al lavoro|capacità di guadagno|incapacità di guadagno|esigibilità|inabilità al lavoro|capacità residua'),
    ('medical-certificate', 'fr', 'certificat médical|certificats médicaux|attestation médicale|attestations médicales|rapport médical|rapports médicaux'),
    ('medical-certificate', 'de', 'Arztzeugnis*|ärztliche* Zeugnis*|Arztbericht*|ärztliche Bescheinigung'),
    ('medical-certificate', 'it', 'certificato medico|certificati medici|attestato medico|attestati medici|rapporto medico|rapporti medici|referto medico'),
    ('treating-physician', 'fr', 'médecin traitant|médecins traitants|médecin de famille|médecins de famille|corps médical|médecin|médecins'),
    ('treating-physician', 'de', 'Hausarzt*|Hausärzt*|behandelnde* Ärzt*|behandelnde* Arzt|Ärzteschaft|Arzt|Ärzte|Ärztin*'),
    ('treating-physician', 'it', 'medico curante|medici curanti|medico di famiglia|medici di famiglia|corpo medico|medico|medici'),
    ('medical-assessment', 'fr', 'expertise médicale|expertises médicales|expertise pluridisciplinaire|examen médical|évaluation médicale|SMR|service médical régional'),
    ('medical-assessment', 'de', 'medizinische* Gutachten|Gutachten|Begutachtung*|RAD|regionaler ärztlicher Dienst|medizinische Abklärung*'),
    ('medical-assessment', 'it', 'perizia medica|perizie mediche|perizia pluridisciplinare|accertamento medico|accertamenti medici|SMR|servizio medico regionale|perizia'),
    ('mental-health', 'fr', 'santé psychique|santé mentale|troubles psychiques|trouble psychique|maladie psychique|maladies psychiques|problèmes psychiques|psychiatrie|psychiatrique|psychiatre|souffrance psychique|dépression|burn-out|psychologique'),
    ('mental-health', 'de', 'psychisch*|Psychiatrie|psychiatrisch*|Psychiater*|Depression*|Burnout|Burn-out|psychische Gesundheit'),
    ('mental-health', 'it', 'salute psichica|salute mentale|disturbi psichici|disturbo psichico|malattia psichica|malattie psichiche|problemi psichici|psichiatria|psichiatrico|psichiatrica|psichiatra|depressione|burnout|burn-out|psicologico'),
    ('addiction', 'fr', 'addiction|addictions|dépendance aux substances|toxicomanie|alcoolisme|alcool|drogues|jeu excessif'),
    ('addiction', 'de', 'Suchterkrankung*|Abhängigkeitserkrankung*|Alkohol*|Drogen*|Suchtmittel*|Suchtproblem*|Suchtberatung|Suchthilfe|suchtkrank*'),
    ('addiction', 'it', 'dipendenza da sostanze|dipendenze|tossicodipendenza|alcolismo|alcol|droghe|gioco d''azzardo patologico'),
    -- living conditions
    ('housing', 'fr', 'logement|logements|hébergement|sans-abri|sans domicile|loyers'),
    ('housing', 'de', 'Wohnung*|Wohnsituation|Obdachlos*|Wohnungslos*|Mietzins*|Miete'),
    ('housing', 'it', 'alloggio|alloggi|abitazione|senzatetto|senza fissa dimora|pigione|affitto'),
    ('childcare', 'fr', 'garde d''enfants|garde des enfants|accueil extrafamilial|crèche|crèches|structures d''accueil|accueil de jour'),
    ('childcare', 'de', 'Kinderbetreuung|familienergänzende* Betreuung|Kita*|Kindertagesstätte*|Krippe*|Betreuungsplatz*'),
    ('childcare', 'it', 'custodia dei bambini|custodia dei figli|accudimento dei figli|asilo nido|asili nido|nido d''infanzia|accoglienza extrafamiliare'),
    ('precarious-work', 'fr', 'temps partiel|emploi précaire|emplois précaires|travail sur appel|working poor|bas salaires|bas salaire|travailleurs pauvres|précarité'),
    ('precarious-work', 'de', 'Teilzeit*|prekär*|Arbeit auf Abruf|Working Poor|Tieflohn*|Niedriglohn*|Erwerbsarme*'),
    ('precarious-work', 'it', 'tempo parziale|lavoro precario|lavori precari|lavoro su chiamata|working poor|salari bassi|salario basso|lavoratori poveri|precarietà'),
    ('interim-earnings', 'fr', 'gain intermédiaire|gains intermédiaires|emploi temporaire|travail temporaire|missions temporaires|intérim'),
    ('interim-earnings', 'de', 'Zwischenverdienst*|temporäre Arbeit|Temporärarbeit|Temporärstelle*|Temporärbüro*'),
    ('interim-earnings', 'it', 'guadagno intermedio|guadagni intermedi|lavoro temporaneo|lavoro interinale|impieghi temporanei'),
    ('job-search-sanctions', 'fr', 'recherches d''emploi insuffisantes|suspension du droit|jours de suspension|sanctions|sanction|pénalité|obligation de collaborer|devoir de collaborer'),
    ('job-search-sanctions', 'de', 'Einstelltag*|Einstellung in der Anspruchsberechtigung|Sanktion*|Mitwirkungspflicht*|Arbeitsbemühungen|ungenügende Arbeitsbemühungen'),
    ('job-search-sanctions', 'it', 'giorni di sospensione|sospensione del diritto|sanzioni|sanzione|obbligo di collaborare|dovere di collaborazione|ricerche di lavoro insufficienti'),
    ('guardianship', 'fr', 'curatelle|curatelles|curateur|curatrice|APEA|protection de l''adulte|autorité de protection'),
    ('guardianship', 'de', 'Beistandschaft*|Beistand|Beiständin|KESB|Erwachsenenschutz*|Kindes- und Erwachsenenschutz'),
    ('guardianship', 'it', 'curatela|curatele|curatore|curatrice|ARP|autorità di protezione|protezione degli adulti'),
    ('residence-permit', 'fr', 'permis de séjour|autorisation de séjour|statut de séjour|révocation du permis|renouvellement du permis|droit des étrangers|LEI|permis B|permis C|droit de séjour|regroupement familial'),
    ('residence-permit', 'de', 'Aufenthaltsbewilligung*|Aufenthaltsstatus|Aufenthaltsrecht*|Ausländerrecht*|AIG|Ausweis B|Ausweis C|B-Ausweis|C-Ausweis|Widerruf der Bewilligung|Familiennachzug'),
    ('residence-permit', 'it', 'permesso di dimora|permesso di soggiorno|statuto di soggiorno|revoca del permesso|rinnovo del permesso|diritto degli stranieri|LStrI|permesso B|permesso C|diritto di soggiorno|ricongiungimento familiare'),
    ('non-take-up', 'fr', 'non-recours|renoncent à l''aide sociale|renoncent à demander|renoncer à l''aide|n''osent pas demander|ne font pas valoir|renoncent à l''aide|renoncer à demander'),
    ('non-take-up', 'de', 'Nichtbezug|verzicht*|auf den Bezug verzichten'),
    ('non-take-up', 'it', 'mancato ricorso|rinunciano all''assistenza|rinunciano a chiedere|non osano chiedere|rinunciano all''aiuto|rinunciare all''assistenza|non chiedono aiuto|non si rivolgono ai servizi sociali'),
    ('integration-agenda', 'fr', 'Agenda Intégration Suisse|AIS|agenda intégration|forfait d''intégration|forfaits d''intégration'),
    ('integration-agenda', 'de', 'Integrationsagenda*|IAS|Integrationspauschale*'),
    ('integration-agenda', 'it', 'Agenda Integrazione Svizzera|AIS|agenda integrazione|somma forfettaria per l''integrazione|somme forfettarie'),
    ('integration-pre-apprenticeship', 'fr', 'préapprentissage d''intégration|préapprentissages d''intégration|PAI|préapprentissage'),
    ('integration-pre-apprenticeship', 'de', 'Integrationsvorlehre*|INVOL|Vorlehre'),
    ('integration-pre-apprenticeship', 'it', 'pretirocinio d''integrazione|PTI|pretirocinio'),
    -- coordination between institutions (objective 2, priority P1)
    ('data-exchange', 'fr', 'échange de données|échange d''informations|échanges d''informations|transmission de données|transmission des données|transmettre des données|échange d''information|partage d''informations|communication de données|flux d''informations'),
    ('data-exchange', 'de', 'Datenaustausch*|Informationsaustausch*|Datenweitergabe|Weitergabe von Daten|Datenübermittlung|Informationsfluss|Austausch von Informationen|Informationen austauschen'),
    ('data-exchange', 'it', 'scambio di dati|scambio di informazioni|trasmissione dei dati|trasmissione di dati|condivisione delle informazioni|flusso di informazioni|comunicazione dei dati|scambiare informazioni'),
    ('data-protection', 'fr', 'protection des données|secret de fonction|secret professionnel|secret médical|levée du secret|confidentialité|LPD'),
    ('data-protection', 'de', 'Datenschutz*|Amtsgeheimnis*|Schweigepflicht*|Berufsgeheimnis*|Arztgeheimnis*|Entbindung von der Schweigepflicht'),
    ('data-protection', 'it', 'protezione dei dati|segreto d''ufficio|segreto professionale|segreto medico|riservatezza|confidenzialità'),
    ('consent', 'fr', 'consentement|déclaration de consentement|formulaire de consentement|autorisation de transmettre|signer une procuration|procuration signée'),
    ('consent', 'de', 'Vollmacht*|Einverständniserklärung*|Einwilligung*|Ermächtigung*|Einverständnis'),
    ('consent', 'it', 'consenso|dichiarazione di consenso|modulo di consenso'),
    ('competence-conflicts', 'fr', 'conflit de compétences|conflits de compétences|question de compétence|questions de compétence|répartition des compétences|renvoyés d''un service à l''autre|renvoi entre services|ping-pong'),
    ('competence-conflicts', 'de', 'Zuständigkeit*|Zuständigkeitskonflikt*|Kompetenzkonflikt*|zuständig*|hin- und hergeschoben|Ping-Pong'),
    ('competence-conflicts', 'it', 'conflitto di competenze|conflitti di competenza|questioni di competenza|ripartizione delle competenze|rimpallo|rimpalli|ping-pong'),
    ('revolving-door', 'fr', 'porte tournante|porte tambour|effet tourniquet|tourniquet|va-et-vient|allers-retours'),
    ('revolving-door', 'de', 'Drehtür*'),
    ('revolving-door', 'it', 'porta girevole|effetto porta girevole|andirivieni|avanti e indietro'),
    ('coverage-gap', 'fr', 'entre deux chaises|entre les mailles|aucune institution|personne ne se sent responsable|aucune prise en charge'),
    ('coverage-gap', 'de', 'Lücke*|zwischen Stuhl und Bank|zwischen Stühlen|durch die Maschen|Versorgungslücke*|niemand zuständig'),
    ('coverage-gap', 'it', 'tra due sedie|tra le maglie|nessuna istituzione|nessuna presa a carico'),
    ('waiting-times', 'fr', 'délais d''attente|délai d''attente|temps d''attente|délais|durée de la procédure|procédures longues|lenteur|lenteurs|longs délais|mois d''attente'),
    ('waiting-times', 'de', 'Wartezeit*|Verfahrensdauer|lange Verfahren|Verzögerung*|Wartefrist*|Bearbeitungsdauer|monatelang*'),
    ('waiting-times', 'it', 'tempi d''attesa|tempo d''attesa|durata della procedura|procedure lunghe|lentezza|ritardi|ritardo|lunghi tempi|mesi di attesa'),
    ('duplicate-assessments', 'fr', 'doublons|à double|évaluations à double|examens multiples|plusieurs évaluations|évaluations successives|redondances'),
    ('duplicate-assessments', 'de', 'Doppelspurigkeit*|Mehrfachabklärung*|Doppelabklärung*|mehrfach abgeklärt|Redundanz*'),
    ('duplicate-assessments', 'it', 'doppioni|doppie valutazioni|accertamenti doppi|valutazioni multiple|ridondanze'),
    ('digital-platform', 'fr', 'plateforme numérique|plateforme informatique|dossier électronique|outil informatique|système informatique|numérique|numérisation|digitalisation|interopérabilité'),
    ('digital-platform', 'de', 'digitale Plattform|Plattform|elektronisches Dossier|digital*|Digitalisierung|Interoperabilität|IT-System*|Informatik|Informatiksystem*'),
    ('digital-platform', 'it', 'piattaforma digitale|piattaforma informatica|dossier elettronico|sistema informatico|digitale|digitalizzazione|interoperabilità|piattaforma'),
    ('harmonisation', 'fr', 'harmonisation|harmoniser|pratiques cantonales|différences cantonales|disparités cantonales|inégalité de traitement|inégalités de traitement|d''un canton à l''autre|solution uniforme'),
    ('harmonisation', 'de', 'Harmonisierung|harmonisier*|kantonal unterschiedlich*|kantonale Unterschiede|Ungleichbehandlung*|von Kanton zu Kanton|einheitliche Lösung|einheitlich*'),
    ('harmonisation', 'it', 'armonizzazione|armonizzare|pratiche cantonali|differenze cantonali|disparità cantonali|disparità di trattamento|da un cantone all''altro|soluzione uniforme|uniforme'),
    ('monitoring-statistics', 'fr', 'statistiques|statistique|données statistiques|monitorage|monitoring|suivi statistique|chiffres'),
    ('monitoring-statistics', 'de', 'Statistik*|Kennzahl*|Indikator*|Monitoring|Datengrundlage*'),
    ('monitoring-statistics', 'it', 'statistiche|statistica|monitoraggio|monitoring|dati statistici|cifre')
) AS s (concept, language, terms)
CROSS JOIN LATERAL unnest (string_to_array (s.terms, '|')) AS t (term)
ON CONFLICT DO NOTHING;
