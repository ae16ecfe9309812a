-- 0002_seed.sql — default registry (DESIGN §2): the 26 cantons with their official languages,
-- the seven statistical regions as regional networks, the CII institutions and target groups.
-- Text is UTF-8 (French/German/Italian names kept as they are spelled).

INSERT INTO networks (name, label) VALUES
    ('lemanique',  'Région lémanique'),
    ('mittelland', 'Espace Mittelland'),
    ('nordwest',   'Nordwestschweiz'),
    ('zuerich',    'Zürich'),
    ('ost',        'Ostschweiz'),
    ('zentral',    'Zentralschweiz'),
    ('ticino',     'Ticino');

INSERT INTO cantons (code, name, languages, network) VALUES
    ('AG', 'Aargau',                   '{de}',       'nordwest'),
    ('AI', 'Appenzell Innerrhoden',    '{de}',       'ost'),
    ('AR', 'Appenzell Ausserrhoden',   '{de}',       'ost'),
    ('BE', 'Bern / Berne',             '{fr,de}',    'mittelland'),
    ('BL', 'Basel-Landschaft',         '{de}',       'nordwest'),
    ('BS', 'Basel-Stadt',              '{de}',       'nordwest'),
    ('FR', 'Fribourg / Freiburg',      '{fr,de}',    'mittelland'),
    ('GE', 'Genève',                   '{fr}',       'lemanique'),
    ('GL', 'Glarus',                   '{de}',       'ost'),
    ('GR', 'Graubünden / Grigioni / Grischun', '{de,it,rm}', 'ost'),
    ('JU', 'Jura',                     '{fr}',       'mittelland'),
    ('LU', 'Luzern',                   '{de}',       'zentral'),
    ('NE', 'Neuchâtel',                '{fr}',       'mittelland'),
    ('NW', 'Nidwalden',                '{de}',       'zentral'),
    ('OW', 'Obwalden',                 '{de}',       'zentral'),
    ('SG', 'St. Gallen',               '{de}',       'ost'),
    ('SH', 'Schaffhausen',             '{de}',       'ost'),
    ('SO', 'Solothurn',                '{de}',       'mittelland'),
    ('SZ', 'Schwyz',                   '{de}',       'zentral'),
    ('TG', 'Thurgau',                  '{de}',       'ost'),
    ('TI', 'Ticino',                   '{it}',       'ticino'),
    ('UR', 'Uri',                      '{de}',       'zentral'),
    ('VD', 'Vaud',                     '{fr}',       'lemanique'),
    ('VS', 'Valais / Wallis',          '{fr,de}',    'lemanique'),
    ('ZG', 'Zug',                      '{de}',       'zentral'),
    ('ZH', 'Zürich',                   '{de}',       'zuerich');

INSERT INTO institutions (code, label) VALUES
    ('unemployment',        'Assurance-chômage (AC/ORP)'),
    ('invalidity',          'Assurance-invalidité (AI)'),
    ('social-aid',          'Aide sociale'),
    ('vocational-training', 'Formation professionnelle et orientation'),
    ('migration',           'Migration et intégration des étrangers'),
    ('health',              'Santé');

INSERT INTO target_groups (code, label) VALUES
    ('social-aid-recipients',               'Bénéficiaires de l''aide sociale'),
    ('health-impaired',                     'Personnes atteintes dans leur santé'),
    ('low-qualified-adults',                'Adultes peu qualifiés'),
    ('late-arriving-youth',                 'Jeunes arrivés tardivement'),
    ('provisionally-admitted-and-refugees', 'Personnes admises à titre provisoire et réfugiés');
