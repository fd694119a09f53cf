-- The GON monitor's store. Every accepted file is one row in `uploads`; its rows
-- live in `trajectories` (provider extracts) or `registrations` (WIJ extracts).
-- `current_uploads` says which upload counts for each delivery slot; the views
-- `current_trajectories` / `current_registrations` are what every figure reads.

CREATE SEQUENCE IF NOT EXISTS upload_seq START 1;

CREATE TABLE IF NOT EXISTS uploads (
    upload_id    INTEGER PRIMARY KEY,
    kind         VARCHAR NOT NULL,          -- 'aanbieder' | 'wij'
    aanbieder    VARCHAR,                   -- provider name as delivered; NULL for WIJ
    peildatum    DATE NOT NULL,
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    uploaded_by  VARCHAR NOT NULL,
    uploaded_at  TIMESTAMP NOT NULL,
    n_rows       INTEGER NOT NULL,
    archive_name VARCHAR NOT NULL           -- file name inside the archive folder
);

-- One row per delivery slot: (kind, slot, peildatum) -> the upload that counts.
-- slot is the lower-cased provider name, or '' for WIJ.
CREATE TABLE IF NOT EXISTS current_uploads (
    kind      VARCHAR NOT NULL,
    slot      VARCHAR NOT NULL,
    peildatum DATE NOT NULL,
    upload_id INTEGER NOT NULL,
    PRIMARY KEY (kind, slot, peildatum)
);

CREATE TABLE IF NOT EXISTS trajectories (
    upload_id                  INTEGER NOT NULL,
    row_no                     INTEGER NOT NULL,
    client_id                  VARCHAR NOT NULL,
    gebied                     VARCHAR NOT NULL,
    geboortejaar               SMALLINT NOT NULL,
    ondersteuning              VARCHAR NOT NULL,
    product                    VARCHAR NOT NULL,
    doelgroep                  VARCHAR NOT NULL,
    startdatum                 DATE NOT NULL,
    einddatum                  DATE,
    maatschappelijk_initiatief VARCHAR,
    uitvoerder                 VARCHAR
);

CREATE TABLE IF NOT EXISTS registrations (
    upload_id        INTEGER NOT NULL,
    row_no           INTEGER NOT NULL,
    client_id        VARCHAR NOT NULL,
    gebied           VARCHAR NOT NULL,
    geboortejaar     SMALLINT NOT NULL,
    aanmelddatum     DATE NOT NULL,
    doelgroep        VARCHAR NOT NULL,
    toeleiding       VARCHAR NOT NULL,
    hoofdaanbieder   VARCHAR,
    beschikking_duur VARCHAR
);

-- Area tables (gebiedsgegevens, metrics.md section 6): one row per year and area. An
-- area table is current per year: current_uploads has one row (kind 'gebied', slot = the
-- year as text, peildatum = 31 December of that year) per year the upload holds.
CREATE TABLE IF NOT EXISTS area_rows (
    upload_id       INTEGER NOT NULL,
    row_no          INTEGER NOT NULL,
    jaar            SMALLINT NOT NULL,
    gebied          VARCHAR NOT NULL,
    inwoners        BIGINT NOT NULL,
    inwoners_75plus BIGINT NOT NULL,
    lumpsum_euro    DECIMAL(15, 2) NOT NULL
);

-- The editable targets table of metrics.md (seeded from data/targets.csv).
CREATE TABLE IF NOT EXISTS targets (
    metric    VARCHAR NOT NULL,
    peildatum DATE NOT NULL,
    minimum   DOUBLE NOT NULL,
    PRIMARY KEY (metric, peildatum)
);

-- Short explanations per area and quarter, shown beside the figures.
CREATE TABLE IF NOT EXISTS notes (
    gebied     VARCHAR NOT NULL,
    peildatum  DATE NOT NULL,
    text       VARCHAR NOT NULL,
    author     VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (gebied, peildatum)
);

-- Who did what, when. Never client data.
CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL,
    actor     VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,
    detail    VARCHAR
);

-- Key/value facts about the database itself ('demo' = 'true' for the demo).
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- The current uploads of the quarterly deliveries (provider and WIJ extracts): their
-- peildatum is a quarter of the figures.
CREATE OR REPLACE VIEW quarter_uploads AS
SELECT * FROM current_uploads WHERE kind IN ('aanbieder', 'wij');

CREATE OR REPLACE VIEW current_area_rows AS
SELECT a.*
FROM area_rows a
JOIN current_uploads c ON c.upload_id = a.upload_id AND c.kind = 'gebied' AND c.slot = a.jaar::VARCHAR;

CREATE OR REPLACE VIEW current_trajectories AS
SELECT u.peildatum, u.aanbieder, t.*
FROM trajectories t
JOIN current_uploads c ON c.upload_id = t.upload_id AND c.kind = 'aanbieder'
JOIN uploads u ON u.upload_id = t.upload_id;

CREATE OR REPLACE VIEW current_registrations AS
SELECT u.peildatum, r.*
FROM registrations r
JOIN current_uploads c ON c.upload_id = r.upload_id AND c.kind = 'wij'
JOIN uploads u ON u.upload_id = r.upload_id;

-- Materialised facts (metrics.py, "materialised facts"): fact_cells and fact_wij are made by
-- metrics.refresh_all_facts with the columns the metric catalogue gives them. The per-
-- registration table of earlier versions is no longer used.
DROP TABLE IF EXISTS fact_registrations;

-- Which uploads were current when the facts were last brought up to date ('sources').
CREATE TABLE IF NOT EXISTS fact_state (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
