/*
 * sql.c — the dashboard's own statements, in one place (style.md §5):
 * named parameters only, nothing built from data.  Figures, series,
 * obligations and aliases are read through their modules (core/figures,
 * core/alerts, core/deadlines, core/ingest), never here.  Every list is
 * bounded (LIMIT) so a page costs the same on a big warehouse.
 */
#include "web/web_sql.h"

/* ---- agency page ---- */
const char lw_wsql_agency[] = "SELECT id, name FROM agencies WHERE name = :name";
const char lw_wsql_agency_cases[] =
	"SELECT c.case_no, coalesce(c.filed_date, ''), coalesce(c.concluded_date, ''),\n"
	"       coalesce(c.cause, ''), o.label_zh, c.outcome, d.role\n"
	"  FROM case_defendants d JOIN cases c ON c.case_no = d.case_no\n"
	"  JOIN outcomes o ON o.code = c.outcome\n"
	" WHERE d.agency_id = :id\n"
	" ORDER BY c.filed_date DESC, c.case_no LIMIT :limit";
const char lw_wsql_agency_case_count[] =
	"SELECT count(*) FROM case_defendants WHERE agency_id = :id";
const char lw_wsql_agency_alerts[] =
	"SELECT id, rule, period, state, coalesce(summary, '') FROM alerts\n"
	" WHERE json_extract(labels, '$.agency') = :name ORDER BY id DESC LIMIT 100";
/* Held names that look like this agency — candidates for the alias form:
 * the agency's name is in it or it is in the agency's name, or it holds
 * the name without its 市/县/区 and its last character (自然资源局 ->
 * 自然资源: 市自然资源管理局; 公安局 -> 公安: 公安分局). */
const char lw_wsql_agency_unresolved[] =
	"SELECT name, seen, last_seen FROM unresolved_agencies\n"
	" WHERE instr(name, :name) > 0 OR instr(:name, name) > 0\n"
	"    OR instr(name, substr(:short, 1, max(2, length(:short) - 1))) > 0\n"
	" ORDER BY seen DESC, name LIMIT 50";
const char lw_wsql_firing_by_agency[] =
	"SELECT json_extract(labels, '$.agency') AS agency, count(*) FROM alerts\n"
	" WHERE state = 'firing' AND agency IS NOT NULL GROUP BY agency";

/* ---- cases ---- */
/* The search: every filter is optional ('' = any).  :no matches a part of
 * the case number (案号) as typed or as stored; :cause a part of the cause. */
#define CASE_COLS \
	"SELECT c.case_no, coalesce(c.filed_date, ''), coalesce(c.concluded_date, ''),\n" \
	"       coalesce(c.cause, ''), o.label_zh, c.outcome,\n" \
	"       (SELECT group_concat(a.name, '、') FROM case_defendants d2\n" \
	"          JOIN agencies a ON a.id = d2.agency_id WHERE d2.case_no = c.case_no)\n"
#define CASE_FILTERS \
	"   AND (:no = '' OR instr(c.case_no, :no) > 0 OR instr(c.case_no_raw, :no) > 0)\n" \
	"   AND (:cause = '' OR instr(c.cause, :cause) > 0)\n" \
	"   AND (:outcome = '' OR c.outcome = :outcome)\n" \
	"   AND (:from = '' OR c.filed_date >= :from)\n" \
	"   AND (:to = '' OR c.filed_date <= :to)\n"
const char lw_wsql_cases_search[] =
	CASE_COLS
	"  FROM cases c JOIN outcomes o ON o.code = c.outcome\n"
	" WHERE 1\n" CASE_FILTERS
	" ORDER BY c.filed_date DESC, c.case_no LIMIT :limit OFFSET :offset";
/* With an agency: driven from its defendants (index on agency_id). */
const char lw_wsql_cases_search_agency[] =
	CASE_COLS
	"  FROM agencies g JOIN case_defendants d ON d.agency_id = g.id\n"
	"  JOIN cases c ON c.case_no = d.case_no JOIN outcomes o ON o.code = c.outcome\n"
	" WHERE g.name = :agency\n" CASE_FILTERS
	" ORDER BY c.filed_date DESC, c.case_no LIMIT :limit OFFSET :offset";
const char lw_wsql_outcomes[] = "SELECT code, label_zh FROM outcomes ORDER BY rowid";
const char lw_wsql_case[] = "SELECT * FROM cases WHERE case_no = :no";
const char lw_wsql_case_provenance[] =
	"SELECT p.field, p.source, p.import_id, p.source_row FROM field_provenance p\n"
	" WHERE p.table_name = 'cases' AND p.row_key = :no";
const char lw_wsql_case_defendants[] =
	"SELECT a.name, d.role, coalesce(d.name_raw, ''), d.source, d.import_id, d.source_row, 1\n"
	"  FROM case_defendants d JOIN agencies a ON a.id = d.agency_id WHERE d.case_no = :no\n"
	"UNION ALL\n"
	"SELECT u.name, u.role, coalesce(u.name_raw, ''), u.source, u.import_id, u.source_row, 0\n"
	"  FROM case_defendants_unresolved u WHERE u.case_no = :no";
const char lw_wsql_case_conflicts[] =
	"SELECT table_name, field, coalesce(value_kept, ''), source_kept, coalesce(value_other, ''),\n"
	"       source_other, import_id, source_row, at FROM conflicts\n"
	" WHERE table_name IN ('cases', 'case_defendants') AND row_key = :no ORDER BY id";
const char lw_wsql_import_origin[] = "SELECT origin FROM imports WHERE id = :id";

/* ---- alerts: silences ---- */
const char lw_wsql_alert_for_silence[] = "SELECT rule, labels FROM alerts WHERE id = :id";
const char lw_wsql_silences[] =
	"SELECT id, matchers, starts_at, ends_at, created_by, comment, coalesce(expired_at, ''),\n"
	"       CASE WHEN expired_at IS NOT NULL OR ends_at <= :now THEN 'ended'\n"
	"            WHEN starts_at > :now THEN 'pending' ELSE 'active' END\n"
	"  FROM silences ORDER BY expired_at IS NULL AND ends_at > :now DESC, id DESC LIMIT 100";

/* ---- sources and imports ---- */
const char lw_wsql_source_last[] =
	"SELECT i.source, i.id, i.status, i.started_at, coalesce(i.finished_at, ''),\n"
	"       (SELECT count(*) FROM imports j WHERE j.source = i.source)\n"
	"  FROM imports i WHERE i.id = (SELECT max(id) FROM imports k WHERE k.source = i.source)\n"
	" ORDER BY i.source";
#define IMPORT_COLS \
	"SELECT id, source, origin, status, started_at, coalesce(finished_at, ''), rows_total,\n" \
	"       inserted, updated, unchanged, rejected, coalesce(message, '')\n"
const char lw_wsql_imports_recent[] =
	IMPORT_COLS "  FROM imports ORDER BY id DESC LIMIT 50";
const char lw_wsql_imports_rejected[] =
	IMPORT_COLS "  FROM imports WHERE status IN ('rejected', 'failed', 'partial')\n"
	" ORDER BY id DESC LIMIT 50";
const char lw_wsql_import[] = IMPORT_COLS "  FROM imports WHERE id = :id";
const char lw_wsql_import_rejects[] =
	"SELECT coalesce(source_row, ''), coalesce(source_column, ''), coalesce(field, ''), reason\n"
	"  FROM rejects WHERE import_id = :id ORDER BY source_row, id LIMIT 1000";
const char lw_wsql_unresolved[] =
	"SELECT u.name, u.seen, u.first_seen, u.last_seen,\n"
	"       (SELECT count(*) FROM case_defendants_unresolved d WHERE d.name = u.name),\n"
	"       (SELECT count(*) FROM tickets t WHERE t.agency_id IS NULL AND t.agency_raw = u.name)\n"
	"  FROM unresolved_agencies u ORDER BY u.seen DESC, u.name LIMIT 200";
const char lw_wsql_agency_names[] = "SELECT name FROM agencies ORDER BY name LIMIT 2000";
