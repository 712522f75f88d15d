/*
 * schema.c — every version of the warehouse schema, as migrations.
 *
 * Why SQL text in C: the binary carries its schema, so a daemon upgrades any
 * older file it finds without shipping .sql files beside it.  The column
 * meanings are documented for analysts in docs/warehouse.md; keep the two in
 * step.  Rules for editing this file:
 *   - never change a released step; add a new one at the end;
 *   - no data in SQL text: the only C-built fragments below are the CHECK
 *     macros (compile-time constants), never values from input;
 *   - plain tables, not STRICT: analysts open the file with whatever sqlite3
 *     shell or DB browser they have, and STRICT tables are unreadable before
 *     SQLite 3.37.  Types are enforced by CHECK constraints instead.
 *
 * Time values are ISO-8601 TEXT (see docs/warehouse.md, "Dates and times"):
 *   dates         'YYYY-MM-DD'           civil dates as the source gives them
 *   local times   'YYYY-MM-DD HH:MM:SS'  event times from sources, Beijing time
 *   UTC stamps    'YYYY-MM-DDTHH:MM:SSZ' bookkeeping written by litwatch
 * They sort as text, read well in the shell and feed SQLite's date functions.
 */
#include "warehouse/schema.h"

#include <stdio.h>

/* CHECK fragments.  `date(julianday(x)) IS x` accepts exactly a valid
 * 'YYYY-MM-DD': the round trip through a day number turns 2024-02-30 into
 * 2024-03-01 (plain date(x) does not, before SQLite 3.42).  Likewise for the
 * other two forms. */
#define DATE_OK(c) "CHECK (" c " IS NULL OR date(julianday(" c ")) IS " c ")"
#define LOCAL_OK(c) "CHECK (" c " IS NULL OR datetime(julianday(" c ")) IS " c ")"
#define UTC_OK(c) \
	"CHECK (" c " IS NULL OR strftime('%Y-%m-%dT%H:%M:%SZ', julianday(" c ")) IS " c ")"
#define BOOL_OK(c) "CHECK (" c " IS NULL OR " c " IN (0, 1))"
#define HEX64_OK(c) \
	"CHECK (" c " IS NULL OR (length(" c ") = 64 AND NOT " c " GLOB '*[^0-9a-f]*'))"
#define JSON_OK(c) "CHECK (" c " IS NULL OR json_valid(" c "))"
#define COUNT_OK(c) "CHECK (" c " >= 0)"
#define NOW_UTC "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"

/* ---- version 1: the canonical data of design.md §5 ---------------------- */
static const char v1_sql[] =
	/* Key/value facts about this file: created_by, pii_key_id, ... */
	"CREATE TABLE meta (\n"
	"  key   TEXT PRIMARY KEY,\n"
	"  value TEXT\n"
	");\n"
	"INSERT INTO meta VALUES ('created_at', " NOW_UTC ");\n"

	/* One row per file, feed page or download that litwatch read. */
	"CREATE TABLE imports (\n"
	"  id           INTEGER PRIMARY KEY,\n"
	"  source       TEXT NOT NULL,\n"
	"  origin       TEXT NOT NULL,\n"
	"  content_hash TEXT " HEX64_OK("content_hash") ",\n"
	"  bytes        INTEGER CHECK (bytes IS NULL OR bytes >= 0),\n"
	"  format       TEXT,\n"
	"  profile      TEXT,\n"
	"  started_at   TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("started_at") ",\n"
	"  finished_at  TEXT " UTC_OK("finished_at") ",\n"
	"  status       TEXT NOT NULL DEFAULT 'running' CHECK (status IN\n"
	"                 ('running', 'ok', 'partial', 'rejected', 'failed', 'duplicate')),\n"
	"  duplicate_of INTEGER REFERENCES imports(id),\n"
	"  rows_total   INTEGER NOT NULL DEFAULT 0 " COUNT_OK("rows_total") ",\n"
	"  inserted     INTEGER NOT NULL DEFAULT 0 " COUNT_OK("inserted") ",\n"
	"  updated      INTEGER NOT NULL DEFAULT 0 " COUNT_OK("updated") ",\n"
	"  unchanged    INTEGER NOT NULL DEFAULT 0 " COUNT_OK("unchanged") ",\n"
	"  rejected     INTEGER NOT NULL DEFAULT 0 " COUNT_OK("rejected") ",\n"
	"  message      TEXT\n"
	");\n"
	"CREATE INDEX imports_content_hash ON imports(content_hash);\n"
	"CREATE INDEX imports_source_started ON imports(source, started_at);\n"

	/* Agencies (行政机关) and the names sources use for them. */
	"CREATE TABLE agencies (\n"
	"  id         INTEGER PRIMARY KEY,\n"
	"  name       TEXT NOT NULL UNIQUE,\n"
	"  kind       TEXT,\n"
	"  parent_id  INTEGER REFERENCES agencies(id),\n"
	"  created_at TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("created_at") "\n"
	");\n"
	"CREATE TABLE agency_aliases (\n"
	"  alias      TEXT PRIMARY KEY,\n"
	"  agency_id  INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,\n"
	"  origin     TEXT NOT NULL CHECK (origin IN ('config', 'learned')),\n"
	"  import_id  INTEGER REFERENCES imports(id),\n"
	"  created_at TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("created_at") "\n"
	");\n"
	"CREATE INDEX agency_aliases_agency ON agency_aliases(agency_id);\n"

	/* Outcome vocabulary (裁判结果): what counts as concluded, lost, and
	 * withdrawn-or-mediated (调撤).  loss NULL = decided by the setting
	 * "withdrawal after the agency changed its act counts as a loss". */
	"CREATE TABLE outcomes (\n"
	"  code               TEXT PRIMARY KEY,\n"
	"  label_zh           TEXT NOT NULL,\n"
	"  concluded          INTEGER NOT NULL CHECK (concluded IN (0, 1)),\n"
	"  loss               INTEGER " BOOL_OK("loss") ",\n"
	"  withdrawn_mediated INTEGER NOT NULL CHECK (withdrawn_mediated IN (0, 1))\n"
	");\n"
	"INSERT INTO outcomes VALUES\n"
	"  ('pending',                '审理中',                 0, 0,    0),\n"
	"  ('claims_rejected',        '判决驳回诉讼请求',       1, 0,    0),\n"
	"  ('revoked',                '撤销',                   1, 1,    0),\n"
	"  ('revoked_redo',           '撤销并责令重作',         1, 1,    0),\n"
	"  ('confirmed_illegal',      '确认违法',               1, 1,    0),\n"
	"  ('confirmed_void',         '确认无效',               1, 1,    0),\n"
	"  ('ordered_perform',        '责令履行',               1, 1,    0),\n"
	"  ('modified',               '变更',                   1, 1,    0),\n"
	"  ('ordered_pay',            '给付',                   1, 1,    0),\n"
	"  ('compensation',           '赔偿',                   1, 1,    0),\n"
	"  ('dismissed',              '裁定驳回起诉',           1, 0,    0),\n"
	"  ('withdrawn',              '准予撤诉',               1, 0,    1),\n"
	"  ('withdrawn_after_change', '被告改变行政行为后撤诉', 1, NULL, 1),\n"
	"  ('mediated',               '调解',                   1, 0,    1),\n"
	"  ('transferred',            '移送',                   1, 0,    0),\n"
	"  ('terminated',             '终结诉讼',               1, 0,    0),\n"
	"  ('other',                  '其他',                   1, 0,    0);\n"

	/* One row per administrative case (行政案件), keyed by the normalised
	 * case number (案号). */
	"CREATE TABLE cases (\n"
	"  case_no        TEXT PRIMARY KEY,\n"
	"  case_no_raw    TEXT NOT NULL,\n"
	"  year           INTEGER CHECK (year IS NULL OR year BETWEEN 1949 AND 2999),\n"
	"  court_code     TEXT,\n"
	"  special_code   TEXT,\n"
	"  type_code      TEXT,\n"
	"  seq            INTEGER CHECK (seq IS NULL OR seq > 0),\n"
	"  court          TEXT,\n"
	"  court_level    TEXT CHECK (court_level IS NULL OR court_level IN\n"
	"                   ('supreme', 'high', 'intermediate', 'basic', 'special')),\n"
	"  cause          TEXT,\n"
	"  act_type       TEXT,\n"
	"  domain         TEXT,\n"
	"  plaintiff_hash TEXT " HEX64_OK("plaintiff_hash") ",\n"
	"  plaintiff_mask TEXT,\n"
	"  filed_date     TEXT " DATE_OK("filed_date") ",\n"
	"  concluded_date TEXT " DATE_OK("concluded_date") ",\n"
	"  outcome        TEXT NOT NULL DEFAULT 'pending' REFERENCES outcomes(code),\n"
	"  outcome_raw    TEXT,\n"
	"  agency_lost    INTEGER " BOOL_OK("agency_lost") ",\n"
	"  hearing_held   INTEGER " BOOL_OK("hearing_held") ",\n"
	"  head_appeared  INTEGER " BOOL_OK("head_appeared") ",\n"
	"  source         TEXT NOT NULL,\n"
	"  import_id      INTEGER REFERENCES imports(id),\n"
	"  source_row     INTEGER,\n"
	"  first_import_id INTEGER REFERENCES imports(id),\n"
	"  first_seen     TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("first_seen") ",\n"
	"  updated_at     TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("updated_at") ",\n"
	"  CHECK (concluded_date IS NULL OR filed_date IS NULL\n"
	"         OR concluded_date >= filed_date)\n"
	");\n"
	"CREATE INDEX cases_filed ON cases(filed_date);\n"
	"CREATE INDEX cases_concluded ON cases(concluded_date);\n"
	"CREATE INDEX cases_import ON cases(import_id);\n"

	/* Defendants (被告): every agency sued in a case, co-defendants
	 * (共同被告) included — each one counts the case. */
	"CREATE TABLE case_defendants (\n"
	"  case_no    TEXT NOT NULL REFERENCES cases(case_no) ON DELETE CASCADE,\n"
	"  agency_id  INTEGER NOT NULL REFERENCES agencies(id),\n"
	"  role       TEXT NOT NULL DEFAULT 'principal'\n"
	"               CHECK (role IN ('principal', 'co-defendant')),\n"
	"  name_raw   TEXT,\n"
	"  source     TEXT NOT NULL,\n"
	"  import_id  INTEGER REFERENCES imports(id),\n"
	"  source_row INTEGER,\n"
	"  PRIMARY KEY (case_no, agency_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX case_defendants_agency ON case_defendants(agency_id, case_no);\n"

	/* 12345 hotline categories (诉求类型). */
	"CREATE TABLE ticket_categories (\n"
	"  code     TEXT PRIMARY KEY,\n"
	"  label_zh TEXT NOT NULL\n"
	");\n"
	"INSERT INTO ticket_categories VALUES\n"
	"  ('consult', '咨询'), ('help', '求助'), ('complaint', '投诉'),\n"
	"  ('suggestion', '建议'), ('report', '举报'), ('thanks', '感谢'),\n"
	"  ('other', '其它');\n"

	/* One row per 12345 work order (工单), keyed by 工单编号. */
	"CREATE TABLE tickets (\n"
	"  ticket_no        TEXT PRIMARY KEY,\n"
	"  received_at      TEXT " LOCAL_OK("received_at") ",\n"
	"  channel          TEXT,\n"
	"  category         TEXT REFERENCES ticket_categories(code),\n"
	"  topic            TEXT,\n"
	"  title            TEXT,\n"
	"  content          TEXT,\n"
	"  place            TEXT,\n"
	"  agency_id        INTEGER REFERENCES agencies(id),\n"
	"  agency_raw       TEXT,\n"
	"  deadline         TEXT " LOCAL_OK("deadline") ",\n"
	"  closed_at        TEXT " LOCAL_OK("closed_at") ",\n"
	"  status           TEXT,\n"
	"  resolved         INTEGER " BOOL_OK("resolved") ",\n"
	"  satisfaction     TEXT,\n"
	"  caller_hash      TEXT " HEX64_OK("caller_hash") ",\n"
	"  caller_mask      TEXT,\n"
	"  caller_name_hash TEXT " HEX64_OK("caller_name_hash") ",\n"
	"  law_enforcement  INTEGER " BOOL_OK("law_enforcement") ",\n"
	"  source           TEXT NOT NULL,\n"
	"  import_id        INTEGER REFERENCES imports(id),\n"
	"  source_row       INTEGER,\n"
	"  first_import_id  INTEGER REFERENCES imports(id),\n"
	"  first_seen       TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("first_seen") ",\n"
	"  updated_at       TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("updated_at") "\n"
	");\n"
	"CREATE INDEX tickets_received ON tickets(received_at);\n"
	"CREATE INDEX tickets_agency_received ON tickets(agency_id, received_at);\n"
	"CREATE INDEX tickets_category_received ON tickets(category, received_at);\n"
	"CREATE INDEX tickets_caller ON tickets(caller_hash);\n"
	"CREATE INDEX tickets_import ON tickets(import_id);\n"

	/* Which source supplied a field of a row that more than one source has
	 * written (the precedence rule needs to know).  A field with no entry
	 * here came from the row's own source/import_id. */
	"CREATE TABLE field_provenance (\n"
	"  table_name TEXT NOT NULL CHECK (table_name IN ('cases', 'tickets')),\n"
	"  row_key    TEXT NOT NULL,\n"
	"  field      TEXT NOT NULL,\n"
	"  source     TEXT NOT NULL,\n"
	"  import_id  INTEGER REFERENCES imports(id),\n"
	"  source_row INTEGER,\n"
	"  PRIMARY KEY (table_name, row_key, field)\n"
	") WITHOUT ROWID;\n"

	/* Rows that did not go in, with the reason a clerk can act on. */
	"CREATE TABLE rejects (\n"
	"  id            INTEGER PRIMARY KEY,\n"
	"  import_id     INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,\n"
	"  source_row    INTEGER,\n"
	"  source_column TEXT,\n"
	"  field         TEXT,\n"
	"  reason        TEXT NOT NULL,\n"
	"  raw           TEXT " JSON_OK("raw") "\n"
	");\n"
	"CREATE INDEX rejects_import ON rejects(import_id, source_row);\n"

	/* Two sources disagreed on a field: both values kept. */
	"CREATE TABLE conflicts (\n"
	"  id           INTEGER PRIMARY KEY,\n"
	"  table_name   TEXT NOT NULL CHECK (table_name IN ('cases', 'tickets', 'case_defendants')),\n"
	"  row_key      TEXT NOT NULL,\n"
	"  field        TEXT NOT NULL,\n"
	"  value_kept   TEXT,\n"
	"  source_kept  TEXT NOT NULL,\n"
	"  value_other  TEXT,\n"
	"  source_other TEXT NOT NULL,\n"
	"  import_id    INTEGER NOT NULL REFERENCES imports(id),\n"
	"  source_row   INTEGER,\n"
	"  at           TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("at") "\n"
	");\n"
	"CREATE INDEX conflicts_row ON conflicts(table_name, row_key);\n"
	"CREATE INDEX conflicts_import ON conflicts(import_id);\n"

	/* Feed position per source, written in the page's transaction. */
	"CREATE TABLE cursors (\n"
	"  source     TEXT PRIMARY KEY,\n"
	"  cursor     TEXT NOT NULL,\n"
	"  state      TEXT " JSON_OK("state") ",\n"
	"  updated_at TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("updated_at") ",\n"
	"  import_id  INTEGER REFERENCES imports(id)\n"
	");\n"

	/* Alerts: one row per identity (rule + labels + period). */
	"CREATE TABLE alerts (\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  rule             TEXT NOT NULL,\n"
	"  labels           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(labels)),\n"
	"  period           TEXT NOT NULL,\n"
	"  fingerprint      TEXT NOT NULL UNIQUE,\n"
	"  state            TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),\n"
	"  method           TEXT,\n"
	"  value            REAL,\n"
	"  threshold        REAL,\n"
	"  expected         REAL,\n"
	"  holds            INTEGER NOT NULL DEFAULT 0 " COUNT_OK("holds") ",\n"
	"  summary          TEXT,\n"
	"  first_seen       TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("first_seen") ",\n"
	"  last_eval        TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("last_eval") ",\n"
	"  fired_at         TEXT " UTC_OK("fired_at") ",\n"
	"  resolved_at      TEXT " UTC_OK("resolved_at") ",\n"
	"  last_notified_at TEXT " UTC_OK("last_notified_at") ",\n"
	"  acked_by         TEXT,\n"
	"  acked_at         TEXT " UTC_OK("acked_at") ",\n"
	"  CHECK ((acked_by IS NULL) = (acked_at IS NULL))\n"
	");\n"
	"CREATE INDEX alerts_state_rule ON alerts(state, rule);\n";

/* ---- version 2: silences and the notification outbox -------------------- */
static const char v2_sql[] =
	/* An operator's "be quiet about these" (like Alertmanager). */
	"CREATE TABLE silences (\n"
	"  id         INTEGER PRIMARY KEY,\n"
	"  matchers   TEXT NOT NULL CHECK (json_valid(matchers) AND json_type(matchers) = 'array'),\n"
	"  starts_at  TEXT NOT NULL " UTC_OK("starts_at") ",\n"
	"  ends_at    TEXT NOT NULL " UTC_OK("ends_at") ",\n"
	"  created_by TEXT NOT NULL,\n"
	"  created_at TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("created_at") ",\n"
	"  comment    TEXT NOT NULL DEFAULT '',\n"
	"  expired_at TEXT " UTC_OK("expired_at") ",\n"
	"  CHECK (ends_at > starts_at)\n"
	");\n"
	"CREATE INDEX silences_ends ON silences(ends_at);\n"

	/* Every state change of an alert; notifications point at these. */
	"CREATE TABLE alert_transitions (\n"
	"  id         INTEGER PRIMARY KEY,\n"
	"  alert_id   INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,\n"
	"  from_state TEXT CHECK (from_state IS NULL OR from_state IN ('pending', 'firing', 'resolved')),\n"
	"  to_state   TEXT NOT NULL CHECK (to_state IN ('pending', 'firing', 'resolved')),\n"
	"  value      REAL,\n"
	"  at         TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("at") "\n"
	");\n"
	"CREATE INDEX alert_transitions_alert ON alert_transitions(alert_id, at);\n"

	/* Outbox: one message per sink per group of transitions, inserted in the
	 * transaction that changes the alerts, so a restart neither loses one
	 * (it is durable before anything is sent) nor queues one twice
	 * (UNIQUE(sink, dedup_key) with a deterministic key). */
	"CREATE TABLE notifications (\n"
	"  id              INTEGER PRIMARY KEY,\n"
	"  sink            TEXT NOT NULL,\n"
	"  dedup_key       TEXT NOT NULL,\n"
	"  payload         TEXT NOT NULL,\n"
	"  state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),\n"
	"  attempts        INTEGER NOT NULL DEFAULT 0 " COUNT_OK("attempts") ",\n"
	"  next_attempt_at TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("next_attempt_at") ",\n"
	"  created_at      TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("created_at") ",\n"
	"  sent_at         TEXT " UTC_OK("sent_at") ",\n"
	"  last_error      TEXT,\n"
	"  UNIQUE (sink, dedup_key),\n"
	"  CHECK ((state = 'sent') = (sent_at IS NOT NULL))\n"
	");\n"
	"CREATE INDEX notifications_due ON notifications(state, next_attempt_at);\n"
	"CREATE TABLE notification_alerts (\n"
	"  notification_id INTEGER NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,\n"
	"  transition_id   INTEGER NOT NULL REFERENCES alert_transitions(id) ON DELETE CASCADE,\n"
	"  PRIMARY KEY (notification_id, transition_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX notification_alerts_transition ON notification_alerts(transition_id);\n";

/* ---- version 4: cheaper ticket inserts --------------------------------- */
static const char v4_sql[] =
	/* An index on random 64-digit hashes cost a quarter of a 12345
	 * import's time (measured on 300k work orders: 10.2 s -> 7.3 s
	 * without it).  Counting repeat callers groups over the whole table
	 * and needs no index; look-ups of one caller are rare (an analyst can
	 * CREATE INDEX for a study). */
	"DROP INDEX IF EXISTS tickets_caller;\n";

/* ---- version 5: cheaper checks on tickets ------------------------------ */
/* 12345 exports bring hundreds of thousands of rows at a time.  v1's CHECKs
 * on tickets ran date functions and a GLOB per value: more than half of
 * SQLite's CPU time for an import (measured on 300k tickets: 3.94 s user
 * with them, 2.30 s with these, 2.14 s with none).  The import pipeline
 * validates every value already; these checks remain as the shape guard
 * against other writers: a local time is 19 characters in range, a UTC
 * stamp 20, a hash 64 (a phone number can never pass as one).  SQLite
 * cannot alter a CHECK, so the table is rebuilt, rows and indexes kept. */
#define LOCAL_SHAPE(c) \
	"CHECK (" c " IS NULL OR (length(" c ") = 19 AND " c \
	" BETWEEN '1900-01-01 00:00:00' AND '2199-12-31 23:59:59'))"
#define UTC_SHAPE(c) \
	"CHECK (length(" c ") = 20 AND " c " BETWEEN '2000-01-01T00:00:00Z' AND '2199-12-31T23:59:59Z')"
#define HASH_SHAPE(c) "CHECK (" c " IS NULL OR length(" c ") = 64)"
static const char v5_sql[] =
	"CREATE TABLE tickets_v5 (\n"
	"  ticket_no        TEXT PRIMARY KEY,\n"
	"  received_at      TEXT " LOCAL_SHAPE("received_at") ",\n"
	"  channel          TEXT,\n"
	"  category         TEXT REFERENCES ticket_categories(code),\n"
	"  topic            TEXT,\n"
	"  title            TEXT,\n"
	"  content          TEXT,\n"
	"  place            TEXT,\n"
	"  agency_id        INTEGER REFERENCES agencies(id),\n"
	"  agency_raw       TEXT,\n"
	"  deadline         TEXT " LOCAL_SHAPE("deadline") ",\n"
	"  closed_at        TEXT " LOCAL_SHAPE("closed_at") ",\n"
	"  status           TEXT,\n"
	"  resolved         INTEGER " BOOL_OK("resolved") ",\n"
	"  satisfaction     TEXT,\n"
	"  caller_hash      TEXT " HASH_SHAPE("caller_hash") ",\n"
	"  caller_mask      TEXT,\n"
	"  caller_name_hash TEXT " HASH_SHAPE("caller_name_hash") ",\n"
	"  law_enforcement  INTEGER " BOOL_OK("law_enforcement") ",\n"
	"  source           TEXT NOT NULL,\n"
	"  import_id        INTEGER REFERENCES imports(id),\n"
	"  source_row       INTEGER,\n"
	"  first_import_id  INTEGER REFERENCES imports(id),\n"
	"  first_seen       TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_SHAPE("first_seen") ",\n"
	"  updated_at       TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_SHAPE("updated_at") "\n"
	");\n"
	"INSERT INTO tickets_v5 SELECT * FROM tickets;\n"
	"DROP TABLE tickets;\n"
	"ALTER TABLE tickets_v5 RENAME TO tickets;\n"
	"CREATE INDEX tickets_received ON tickets(received_at);\n"
	"CREATE INDEX tickets_agency_received ON tickets(agency_id, received_at);\n"
	"CREATE INDEX tickets_category_received ON tickets(category, received_at);\n"
	"CREATE INDEX tickets_import ON tickets(import_id);\n";

/* ---- version 6: leaner tickets ----------------------------------------- */
/* A 12345 export is hundreds of thousands of rows at a time, and what an
 * import writes is what it costs (measured with INSERT ... SELECT of 300k
 * ordered work orders into the v5 table: 1.62 s and 147 MB; without these
 * two columns and two indexes: 1.30 s and 118 MB; bare table: 0.81 s).
 * - first_seen and updated_at repeated, on every row, the start time of
 *   the import in first_import_id and import_id (imports.started_at): the
 *   view ticket_provenance gives them back.
 * - tickets_import served nothing of litwatch's; an analyst listing what
 *   one import brought scans (a second per million rows).
 * - tickets_received: every series litwatch reads groups the whole table;
 *   per agency and per category the two other indexes serve ranges. */
static const char v6_sql[] =
	"DROP INDEX IF EXISTS tickets_received;\n"
	"DROP INDEX IF EXISTS tickets_import;\n"
	"ALTER TABLE tickets DROP COLUMN first_seen;\n"
	"ALTER TABLE tickets DROP COLUMN updated_at;\n"
	"CREATE VIEW ticket_provenance AS\n"
	"  SELECT t.ticket_no, t.source, t.import_id, t.source_row, t.first_import_id,\n"
	"         f.started_at AS first_seen, u.started_at AS updated_at\n"
	"    FROM tickets t\n"
	"    LEFT JOIN imports f ON f.id = t.first_import_id\n"
	"    LEFT JOIN imports u ON u.id = t.import_id;\n";

/* ---- version 3: the outcome classifier's full vocabulary ----------------- */
static const char v3_sql[] =
	/* Outcomes the judgment classifier (domain/outcome.c) tells apart beyond
	 * v1's list.  upheld (驳回上诉，维持原判) concludes an appeal; the loss
	 * belongs to the first-instance case, so it is not one here.  remanded
	 * (发回重审) and unknown (text not understood) do not conclude a case. */
	"INSERT INTO outcomes VALUES\n"
	"  ('upheld',           '维持原判',   1, 0, 0),\n"
	"  ('remanded',         '发回重审',   0, 0, 0),\n"
	"  ('lost_unspecified', '败诉',       1, 1, 0),\n"
	"  ('won_unspecified',  '胜诉',       1, 0, 0),\n"
	"  ('unknown',          '无法识别',   0, 0, 0);\n"
	/* Imports list and report pages filter by status. */
	"CREATE INDEX imports_status ON imports(status, id);\n";

/* ---- version 7: agency names nobody has confirmed ----------------------- */
/* A 被告 or 承办单位 that is neither a known agency nor one of its aliases
 * does not become an agency of its own (a typo, "=HYPERLINK(...)" and the
 * real name would be three agencies): it waits here, with what named it,
 * until an operator maps it (litwatch agencies alias) or the configuration
 * accepts new names.  Work orders keep agency_id NULL meanwhile. */
static const char v7_sql[] =
	"CREATE TABLE unresolved_agencies (\n"
	"  name           TEXT PRIMARY KEY,\n" /* normalised (domain/agency.c) */
	"  seen           INTEGER NOT NULL DEFAULT 0,\n" /* rows that named it, all imports */
	"  first_seen     TEXT NOT NULL " UTC_OK("first_seen") ",\n"
	"  last_seen      TEXT NOT NULL " UTC_OK("last_seen") ",\n"
	"  last_import_id INTEGER REFERENCES imports(id)\n"
	") WITHOUT ROWID;\n"
	/* Defendants waiting for their name to be resolved; moved to
	 * case_defendants when it is. */
	"CREATE TABLE case_defendants_unresolved (\n"
	"  case_no    TEXT NOT NULL REFERENCES cases(case_no) ON DELETE CASCADE,\n"
	"  name       TEXT NOT NULL,\n"
	"  role       TEXT NOT NULL DEFAULT 'principal'\n"
	"               CHECK (role IN ('principal', 'co-defendant')),\n"
	"  name_raw   TEXT,\n"
	"  source     TEXT NOT NULL,\n"
	"  import_id  INTEGER REFERENCES imports(id),\n"
	"  source_row INTEGER,\n"
	"  PRIMARY KEY (case_no, name)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX case_defendants_unresolved_name ON case_defendants_unresolved(name);\n"
	/* Rows of the import that named an unresolved agency. */
	"ALTER TABLE imports ADD COLUMN unresolved INTEGER NOT NULL DEFAULT 0;\n"
	/* One quarter label everywhere: 2024Q3 (alerts wrote 2024-Q3). */
	"UPDATE alerts SET period = replace(period, '-Q', 'Q') WHERE period LIKE '____-Q_';\n";

/* ---- deadlines (时限监督, issue 15) -------------------------------------- */
/* Named, not numbered, so that a merge with another branch's migration only
 * renumbers its entry in lw_wh_migrations.  The dates agencies report (and
 * the court feed where it has them), and one row per case x rule x
 * defendant agency, recomputed in the transaction of the import that
 * changed a date (core/deadlines/obligations.c).  The stored status does
 * not depend on the clock: `due` / `overdue` are decided when read. */
static const char deadlines_sql[] =
	"ALTER TABLE cases ADD COLUMN papers_received_date TEXT " DATE_OK("papers_received_date") ";\n"
	"ALTER TABLE cases ADD COLUMN reported_date TEXT " DATE_OK("reported_date") ";\n"
	"ALTER TABLE cases ADD COLUMN defence_filed_date TEXT " DATE_OK("defence_filed_date") ";\n"
	"ALTER TABLE cases ADD COLUMN judgment_received_date TEXT "
	DATE_OK("judgment_received_date") ";\n"
	"ALTER TABLE cases ADD COLUMN loss_report_date TEXT " DATE_OK("loss_report_date") ";\n"
	"ALTER TABLE cases ADD COLUMN rectification_date TEXT " DATE_OK("rectification_date") ";\n"
	"CREATE TABLE obligations (\n"
	"  case_no       TEXT NOT NULL REFERENCES cases(case_no) ON DELETE CASCADE,\n"
	"  rule          TEXT NOT NULL,\n"
	"  agency_id     INTEGER REFERENCES agencies(id),\n"
	"  calendar      TEXT NOT NULL CHECK (calendar IN ('calendar', 'working')),\n"
	"  informational INTEGER NOT NULL DEFAULT 0 " BOOL_OK("informational") ",\n"
	"  start_date    TEXT " DATE_OK("start_date") ",\n"
	"  due_date      TEXT " DATE_OK("due_date") ",\n"
	"  done_date     TEXT " DATE_OK("done_date") ",\n"
	"  status        TEXT NOT NULL\n"
	"                  CHECK (status IN ('waiting', 'open', 'met', 'late', 'unknown')),\n"
	"  days_late     INTEGER CHECK (days_late IS NULL OR days_late > 0),\n"
	"  note          TEXT,\n"
	"  computed_at   TEXT NOT NULL " UTC_OK("computed_at") ",\n"
	"  CHECK (status <> 'open' OR due_date IS NOT NULL)\n"
	");\n"
	"CREATE INDEX obligations_case ON obligations(case_no);\n"
	"CREATE INDEX obligations_due ON obligations(due_date, status);\n"
	"CREATE INDEX obligations_agency ON obligations(agency_id, due_date);\n";

/* ---- bulletins: the scheduled bulletins made, and their sends ----------- */
/* (Kept last and self-contained: a concurrent migration merged before it
 * only renumbers this one.)  A bulletin of (name, period) is made once:
 * the row says so across restarts, like an alert.  Each sink it goes to
 * has a row, pending until sent. */
static const char bulletins_sql[] =
	"CREATE TABLE bulletins (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  name        TEXT NOT NULL,\n"
	"  period      TEXT NOT NULL,\n"
	"  made_at     TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("made_at") ",\n"
	"  files       TEXT NOT NULL,\n" /* JSON array of the files written */
	"  data_sha256 TEXT " HEX64_OK("data_sha256") ",\n"
	"  title       TEXT NOT NULL,\n"
	"  summary     TEXT NOT NULL,\n" /* the robots' markdown, as made */
	"  UNIQUE (name, period)\n"
	");\n"
	"CREATE TABLE bulletin_sends (\n"
	"  bulletin_id     INTEGER NOT NULL REFERENCES bulletins(id) ON DELETE CASCADE,\n"
	"  sink            TEXT NOT NULL,\n"
	"  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),\n"
	"  attempts        INTEGER NOT NULL DEFAULT 0 " COUNT_OK("attempts") ",\n"
	"  last_attempt_at TEXT " UTC_OK("last_attempt_at") ",\n"
	"  detail          TEXT,\n"
	"  PRIMARY KEY (bulletin_id, sink)\n"
	") WITHOUT ROWID;\n";

/* The dashboard (docs/dashboard.md): who did what through it, and how an
 * analyst closed an alert.  Named, not numbered, so that a merge with
 * another branch's migration only renumbers the entry below. */
static const char dashboard_audit_sql[] =
	"CREATE TABLE web_audit (\n"
	"  id       INTEGER PRIMARY KEY,\n"
	"  at       TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("at") ",\n"
	"  user     TEXT NOT NULL,\n"
	"  role     TEXT NOT NULL,\n"
	"  address  TEXT NOT NULL,\n"
	"  action   TEXT NOT NULL,\n"
	"  target   TEXT,\n"
	"  detail   TEXT,\n"
	"  ok       INTEGER NOT NULL CHECK (ok IN (0, 1))\n"
	");\n"
	"CREATE INDEX web_audit_at ON web_audit(at);\n"
	"CREATE TABLE alert_reviews (\n"
	"  alert_id  INTEGER PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,\n"
	"  outcome   TEXT NOT NULL CHECK (outcome IN ('confirmed', 'not_real', 'data_error')),\n"
	"  note      TEXT NOT NULL DEFAULT '',\n"
	"  closed_by TEXT NOT NULL,\n"
	"  closed_at TEXT NOT NULL DEFAULT " NOW_UTC " " UTC_OK("closed_at") "\n"
	");\n";

/* ---- province: the county's change feed (core/province/, docs/province.md) */
/* One row per changed row of the tables that go up to the province,
 * written in the same transaction as the change, so that nothing committed
 * is ever missed whichever code path wrote it.  `k` is the row's key (for
 * case_defendants and obligations: the case, whose rows go up together); it
 * has no declared type so that integer ids stay integers.  AUTOINCREMENT:
 * a sequence number is never used twice, even after pushed rows are
 * pruned.  The triggers that fill it are created only when a push is
 * configured (core/province/feed.c): a county that never pushes pays
 * nothing per row (measured: the triggers, even with a WHEN that stops them
 * at once, took a 300 000-row 12345 import from 1.8 s to 4.3 s). */
static const char province_sql[] =
	"CREATE TABLE province_feed (\n"
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  tbl TEXT NOT NULL,\n"
	"  k   NOT NULL,\n"
	"  at  INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))\n"
	");\n";

/* ---- tickets: no index by category (issue 18) ---------------------------- */
/* tickets_category_received served one query, the detectors' weekly series
 * per category x agency (core/alerts/sql.c), and served it badly: that
 * query groups the whole table through a temporary B-tree either way, and
 * walking the index then reading each row was slower than scanning the
 * table (3 M work orders: 5.5 s with the index, 4.7 s without).  No other
 * query of litwatch filters tickets by category first (the figures count
 * per agency through tickets_agency_received).  Every work order paid for
 * it on import: a third B-tree to keep (inserting 300 000 warehouse rows
 * from C: 2.40 s CPU with it, 1.79 s without; shuffled 4.94 s, 4.02 s). */
static const char tickets_no_category_index_sql[] =
	"DROP INDEX IF EXISTS tickets_category_received;\n";

/* ---- tickets: the per-agency index covers the figures' counts ---------- */
/* The bulletin's and the dashboard's 12345 counts (figures/sql.c,
 * lw_figsql_hotline) count per agency and period the work orders that
 * concern law enforcement, and of them the complaints: with the two flags
 * in the index the counts read the index alone, not each work order's row
 * (5 M work orders: a quarterly bulletin 2.4 s -> 1.6 s).  Inserting
 * costs about the same (300 000 shuffled rows: 1.42 s CPU, 1.46 s): it is
 * the same B-tree with two short columns more.  Rebuilt once, at the
 * upgrade (a few seconds per million work orders). */
static const char tickets_covering_agency_index_sql[] =
	"DROP INDEX IF EXISTS tickets_agency_received;\n"
	"CREATE INDEX tickets_agency_received ON tickets(agency_id, received_at, law_enforcement,\n"
	"  category);\n";

const struct lw_wh_migration lw_wh_migrations[] = {
	{1, "canonical data: cases, tickets, agencies, imports, rejects, conflicts, cursors, alerts",
	 v1_sql},
	{2, "alert silences, transitions and the notification outbox", v2_sql},
	{3, "outcome codes of the judgment classifier; imports by status", v3_sql},
	{4, "no index on callers' hashes (faster 12345 imports)", v4_sql},
	{5, "tickets rebuilt with shape checks instead of date functions (faster imports)", v5_sql},
	{6, "tickets without per-row timestamps and two indexes (faster imports)", v6_sql},
	{7, "unresolved agency names, held until an operator maps them", v7_sql},
	/* Keep last; renumber on merge (the number is only the position). */
	{8, "deadlines: the dates agencies report, and stored obligations", deadlines_sql},
	{9, "bulletins made on schedule and their sends", bulletins_sql},
	{10, "dashboard: the audit of logins and actions, alert reviews", dashboard_audit_sql},
	{11, "province: the change feed of the rows pushed to PostgreSQL", province_sql},
	{12, "tickets without the index by category (faster 12345 imports)",
	 tickets_no_category_index_sql},
	{13, "tickets: the per-agency index covers the 12345 counts of the figures",
	 tickets_covering_agency_index_sql},
};

const int lw_wh_migration_count =
	(int)(sizeof lw_wh_migrations / sizeof lw_wh_migrations[0]);

static int user_version(sqlite3 *db, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* A step that rebuilds a table runs with foreign keys off (the writer turns
 * them on only after migrating); it must still leave every reference valid. */
static int foreign_keys_clean(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc == SQLITE_ROW ? SQLITE_CONSTRAINT : rc;
	}
	sqlite3_finalize(st);
	return rc;
}

int lw_wh_schema_apply(sqlite3 *db, const char *path, int to, struct lw_err *e)
{
	char pragmas[128];
	int rc, have = 0;

	if (to < 1 || to > lw_wh_migration_count)
		return lw_err_set(e, LW_EINVAL, "%s: no schema version %d (this binary knows 1..%d)",
				  path, to, lw_wh_migration_count);
	for (;;) {
		const struct lw_wh_migration *m;

		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail_nobegin;
		/* Read inside the lock: another process may have migrated. */
		if ((rc = user_version(db, &have)) != SQLITE_OK)
			goto fail;
		if (have >= to)
			break;
		if (have < 0) { /* not ours: never index the migrations with it */
			rc = SQLITE_MISMATCH;
			goto fail;
		}
		m = &lw_wh_migrations[have];
		if ((rc = sqlite3_exec(db, m->sql, NULL, NULL, NULL)) != SQLITE_OK)
			goto fail;
		if ((rc = foreign_keys_clean(db)) != SQLITE_OK)
			goto fail;
		/* Integers from this file, not data: PRAGMA takes no parameters. */
		snprintf(pragmas, sizeof pragmas, "PRAGMA user_version = %d; PRAGMA application_id = %d;",
			 m->version, LW_WH_APPLICATION_ID);
		if ((rc = sqlite3_exec(db, pragmas, NULL, NULL, NULL)) != SQLITE_OK)
			goto fail;
		if ((rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
			goto fail;
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return 0;

fail:
	rc = (rc & 0xff) == SQLITE_BUSY ? LW_EBUSY : LW_EDB;
	lw_err_set(e, rc, "%s: schema migration %d -> %d failed: %s; the file is left at version %d",
		   path, have, have + 1, sqlite3_errmsg(db), have);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
fail_nobegin:
	if ((rc & 0xff) == SQLITE_BUSY)
		return lw_err_set(e, LW_EBUSY,
				  "%s: another process holds the write lock, schema migration waited "
				  "and gave up; stop the other writer (is a second litwatchd running?)",
				  path);
	return lw_err_set(e, LW_EDB, "%s: cannot start schema migration: %s", path,
			  sqlite3_errmsg(db));
}
