/*
 * sql.c — every statement of the figures module (figures_int.h).
 *
 * Filed counts go by filing date, concluded/lost/withdrawn/mediated by
 * conclusion date.  Each aggregation reads only the cases filed in the
 * period or the same period last year, or concluded in the period (the
 * indexes on filed_date and concluded_date serve the OR).
 */
#include "figures/figures_int.h"

#define AGG_SQL(cte)                                                                               \
	"WITH g AS (" cte                                                                          \
	" WHERE (c.filed_date >= :s AND c.filed_date < :e)\n"                                      \
	"    OR (c.filed_date >= :ps AND c.filed_date < :pe)\n"                                    \
	"    OR (c.concluded_date >= :s AND c.concluded_date < :e))\n"                             \
	"SELECT grp,\n"                                                                            \
	" SUM(g.filed_date >= :s AND g.filed_date < :e),\n"                                        \
	" SUM(g.filed_date >= :ps AND g.filed_date < :pe),\n"                                      \
	" SUM(o.concluded = 1 AND g.concluded_date >= :s AND g.concluded_date < :e),\n"            \
	" SUM(o.concluded = 1 AND g.concluded_date >= :s AND g.concluded_date < :e\n"              \
	"     AND (o.loss = 1 OR (o.loss IS NULL AND :wcl))),\n"                                   \
	" SUM(o.concluded = 1 AND g.concluded_date >= :s AND g.concluded_date < :e\n"              \
	"     AND g.outcome IN ('withdrawn', 'withdrawn_after_change')),\n"                        \
	" SUM(o.concluded = 1 AND g.concluded_date >= :s AND g.concluded_date < :e\n"              \
	"     AND g.outcome = 'mediated'),\n"                                                      \
	" SUM(g.concluded_date >= :s AND g.concluded_date < :e\n"                                  \
	"     AND (g.hearing_held = 1 OR (g.hearing_held IS NULL AND g.head_appeared IS NOT NULL))),\n" \
	" SUM(g.concluded_date >= :s AND g.concluded_date < :e AND g.head_appeared = 1\n"          \
	"     AND (g.hearing_held = 1 OR g.hearing_held IS NULL))\n"                               \
	"FROM g JOIN outcomes o ON o.code = g.outcome\n"                                           \
	"GROUP BY grp ORDER BY grp"

#define CASE_COLS "c.filed_date, c.concluded_date, c.outcome, c.hearing_held, c.head_appeared"

const char *const lw_figsql_groups[4] = {
	AGG_SQL("SELECT a.name AS grp, " CASE_COLS " FROM cases c JOIN case_defendants d "
		"ON d.case_no = c.case_no JOIN agencies a ON a.id = d.agency_id"),
	AGG_SQL("SELECT COALESCE(c.domain, '(未填 unspecified)') AS grp, " CASE_COLS
		" FROM cases c"),
	AGG_SQL("SELECT COALESCE(c.act_type, '(未填 unspecified)') AS grp, " CASE_COLS
		" FROM cases c"),
	AGG_SQL("SELECT COALESCE(c.court, c.court_code, '(未填 unspecified)') AS grp, " CASE_COLS
		" FROM cases c"),
};

const char lw_figsql_total[] = AGG_SQL("SELECT '' AS grp, " CASE_COLS " FROM cases c");

const char lw_figsql_agency_names[] = "SELECT name FROM agencies ORDER BY name";

const char lw_figsql_filed_monthly[] =
	"SELECT substr(filed_date, 1, 7), count(*) FROM cases\n"
	" WHERE filed_date >= :s AND filed_date < :e GROUP BY 1 ORDER BY 1";

const char lw_figsql_data_start[] = "SELECT min(filed_date) FROM cases";

const char lw_figsql_lost_cases[] =
	"SELECT c.case_no, a.name, c.cause, c.act_type, c.outcome, o.label_zh, c.concluded_date\n"
	"FROM cases c JOIN outcomes o ON o.code = c.outcome\n"
	" LEFT JOIN case_defendants d ON d.case_no = c.case_no\n"
	" LEFT JOIN agencies a ON a.id = d.agency_id\n"
	"WHERE c.concluded_date >= :s AND c.concluded_date < :e AND o.concluded = 1\n"
	"  AND (o.loss = 1 OR (o.loss IS NULL AND :wcl))\n"
	"ORDER BY c.concluded_date, c.case_no, a.name";

/* Per agency: enforcement-related work orders in the period, of which
 * complaints or reports, and in the same period last year.  Each count is
 * a range of the index tickets_agency_received (agency_id, received_at,
 * law_enforcement, category; schema 13), which covers it:
 * the warehouse has no index on received_at alone (schema 6). */
#define HOTLINE_COUNT(from, to, extra)                                                             \
	"(SELECT count(*) FROM tickets t WHERE t.agency_id = a.id AND t.received_at >= " from      \
	" AND t.received_at < " to " AND t.law_enforcement = 1" extra ")"
const char lw_figsql_hotline[] =
	"SELECT a.name, " HOTLINE_COUNT(":s", ":e", "") ",\n"
	" " HOTLINE_COUNT(":s", ":e", " AND t.category IN ('complaint', 'report')") ",\n"
	" " HOTLINE_COUNT(":ps", ":pe", "") "\n"
	"FROM agencies a ORDER BY a.name";

const char lw_figsql_hotline_unassigned[] =
	"SELECT count(*) FROM tickets\n"
	" WHERE received_at >= :s AND received_at < :e AND law_enforcement = 1\n"
	"   AND agency_id IS NULL";

/* Import ids grow with time: the first import of the period bounds the
 * rows written since. */
const char lw_figsql_first_import_since[] =
	"SELECT min(id) FROM imports WHERE started_at >= :s";

/* Agencies report their cases (the 12345 platform, not the agencies, sends
 * work orders: its freshness is the sources table's). */
const char lw_figsql_silent_agencies[] =
	"SELECT a.name FROM agencies a\n"
	"WHERE :since IS NULL OR a.id NOT IN (\n"
	"  SELECT agency_id FROM case_defendants WHERE import_id >= :since)\n"
	"ORDER BY a.name";

const char lw_figsql_agency_count[] = "SELECT count(*) FROM agencies";

/* The last import of each source (bare columns come from the max(id) row). */
const char lw_figsql_sources[] =
	"SELECT source, max(id), COALESCE(finished_at, started_at), status, count(*)\n"
	"FROM imports GROUP BY source ORDER BY source";
