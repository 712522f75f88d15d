/*
 * pgschema.c — the PostgreSQL side, created and migrated by litwatch
 * (docs/province.md): schema `litwatch`, one table per table that goes up
 * with `county` first in its key, the big ones partitioned by county (one
 * partition per county, made when it first connects), and the views of the
 * official figures.
 *
 * The columns follow the county's warehouse (PRAGMA table_info): a county
 * at a newer schema adds its new columns (ADD COLUMN IF NOT EXISTS), an
 * older one leaves them NULL.  Types: INTEGER -> bigint, REAL -> double
 * precision, everything else text (dates stay ISO-8601 text, as in the
 * county, and compare the same way).  litwatch.meta holds the layout's
 * version (PG_SCHEMA_VERSION): views and bookkeeping change with it.
 *
 * Every DDL runs under one advisory lock: counties connecting at once do
 * not race on CREATE ... IF NOT EXISTS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "province/province_int.h"

#define PG_SCHEMA_VERSION "1"
#define DDL_LOCK "SELECT pg_advisory_xact_lock(74170017)"

void lw_prov_cols_free(struct lw_prov_cols *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->name[i]);
	free(c->name);
	free(c->pgtype);
	memset(c, 0, sizeof *c);
}

int lw_prov_cols_read(sqlite3 *db, const char *table, struct lw_prov_cols *out, struct lw_err *e)
{
	char sql[128];
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	snprintf(sql, sizeof sql, "SELECT name, upper(type) FROM pragma_table_info('%s') ORDER BY cid",
		 table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return lw_err_set(e, LW_EDB, "warehouse: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		char **nn = realloc(out->name, (size_t)(out->n + 1) * sizeof *nn);
		const char **nt = nn ? realloc(out->pgtype, (size_t)(out->n + 1) * sizeof *nt) : NULL;
		if (nn)
			out->name = nn;
		if (nt)
			out->pgtype = nt;
		if (!nn || !nt || !(out->name[out->n] = strdup(name))) {
			sqlite3_finalize(st);
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		}
		out->pgtype[out->n++] = !strcmp(type, "INTEGER") ? "bigint"
				       : !strcmp(type, "REAL") ? "double precision" : "text";
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || out->n == 0)
		return lw_err_set(e, LW_EDB, "warehouse: no table %s (schema too old?)", table);
	return 0;
}

/* How many of the county's columns table ti has at the province already. */
static int columns_there(struct lw_pg *pg, int ti, int *n, struct lw_err *e)
{
	const struct lw_prov_cols *c = &pg->cols[ti];
	const char *v[1] = {lw_prov_tables[ti].name};
	PGresult *res = NULL;
	int rc = lw_pg_params(pg, "SELECT column_name FROM information_schema.columns WHERE "
				  "table_schema = 'litwatch' AND table_name = $1", 1, v, &res, e);
	*n = 0;
	if (rc)
		return rc;
	for (int i = 0; i < c->n; i++)
		for (int r = 0; r < PQntuples(res); r++)
			if (!strcmp(PQgetvalue(res, r, 0), c->name[i])) {
				(*n)++;
				break;
			}
	PQclear(res);
	return 0;
}

/* Whether column name is one of t's key columns (its primary key's, or
 * its feed key when it has none). */
static int key_column(const struct lw_prov_table *t, const char *name)
{
	const char *k = t->pk ? t->pk : t->key;
	size_t n = strlen(name);

	for (const char *p = k; (p = strstr(p, name)) != NULL; p += n)
		if ((p == k || p[-1] == ' ' || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

/* CREATE TABLE IF NOT EXISTS, ADD COLUMN IF NOT EXISTS, the partition.
 * ALTER TABLE locks the table: it runs only when a column is missing. */
static int table_ddl(struct lw_pg *pg, int ti, struct lw_err *e)
{
	const struct lw_prov_table *t = &lw_prov_tables[ti];
	const struct lw_prov_cols *c = &pg->cols[ti];
	struct lw_strbuf b = {0};
	char tmp[256];
	int rc, there = 0;

	if ((rc = columns_there(pg, ti, &there, e)))
		return rc;

	/* Keys are identifiers (division codes, case and work-order numbers):
	 * byte order, COLLATE "C", is their order, and it spares every index
	 * insert the locale's comparison (a province database is usually
	 * zh_CN.UTF-8). */
	snprintf(tmp, sizeof tmp,
		 "CREATE TABLE IF NOT EXISTS litwatch.%s (county text COLLATE \"C\" NOT NULL", t->name);
	rc = lw_pgbuf_put(&b, tmp, strlen(tmp));
	for (int i = 0; !rc && i < c->n; i++) {
		rc = lw_pgbuf_put(&b, ", ", 2);
		rc = rc ? rc : lw_pgbuf_ident(&b, c->name[i]);
		snprintf(tmp, sizeof tmp, " %s%s", c->pgtype[i],
			 !strcmp(c->pgtype[i], "text") && key_column(t, c->name[i]) ? " COLLATE \"C\"" : "");
		rc = rc ? rc : lw_pgbuf_put(&b, tmp, strlen(tmp));
	}
	if (t->pk)
		snprintf(tmp, sizeof tmp, ", PRIMARY KEY (county, %s))", t->pk);
	else
		snprintf(tmp, sizeof tmp, ")");
	rc = rc ? rc : lw_pgbuf_put(&b, tmp, strlen(tmp));
	if (t->partitioned)
		rc = rc ? rc : lw_pgbuf_put(&b, " PARTITION BY LIST (county)", 27);
	rc = rc ? rc : lw_pgbuf_put(&b, ";\n", 2);
	for (int i = 0; !rc && there > 0 && there < c->n && i < c->n; i++) {
		snprintf(tmp, sizeof tmp, "ALTER TABLE litwatch.%s ADD COLUMN IF NOT EXISTS ", t->name);
		rc = lw_pgbuf_put(&b, tmp, strlen(tmp));
		rc = rc ? rc : lw_pgbuf_ident(&b, c->name[i]);
		snprintf(tmp, sizeof tmp, " %s;\n", c->pgtype[i]);
		rc = rc ? rc : lw_pgbuf_put(&b, tmp, strlen(tmp));
	}
	if (!t->pk) {
		snprintf(tmp, sizeof tmp,
			 "CREATE INDEX IF NOT EXISTS %s_key ON litwatch.%s (county, %s);\n", t->name,
			 t->name, t->key);
		rc = rc ? rc : lw_pgbuf_put(&b, tmp, strlen(tmp));
	}
	if (t->partitioned) {
		/* pg->county is 6 digits (checked with the configuration). */
		snprintf(tmp, sizeof tmp,
			 "CREATE TABLE IF NOT EXISTS litwatch.%s_%s PARTITION OF litwatch.%s "
			 "FOR VALUES IN ('%s');\n",
			 t->name, pg->county, t->name, pg->county);
		rc = rc ? rc : lw_pgbuf_put(&b, tmp, strlen(tmp));
	}
	if (rc) {
		free(b.p);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	rc = lw_pg_exec(pg, b.p, e);
	free(b.p);
	return rc;
}

/* The official figures (core/figures/sql.c, docs/domain-rules.md §7) by
 * county and month: filed by filing month; concluded, lost, withdrawn,
 * mediated, hearings, heads appeared by conclusion month.  A period's
 * figures are sums over its months; rates are computed from the sums. */
#define CASE_MONTH_ROWS(extra_cols, from)                                                          \
	"SELECT c.county" extra_cols ", substr(c.filed_date, 1, 7) AS month, 1 AS filed,\n"          \
	"  0 AS concluded, 0 AS lost, 0 AS lost_if_withdrawn_after_change, 0 AS withdrawn,\n"       \
	"  0 AS mediated, 0 AS hearings, 0 AS head_appeared\n"                                       \
	" FROM " from " WHERE c.filed_date IS NOT NULL\n"                                             \
	"UNION ALL\n"                                                                                 \
	"SELECT c.county" extra_cols ", substr(c.concluded_date, 1, 7), 0,\n"                        \
	"  (o.concluded = 1)::int,\n"                                                                 \
	"  COALESCE((o.concluded = 1 AND o.loss = 1)::int, 0),\n"                                     \
	"  COALESCE((o.concluded = 1 AND (o.loss = 1 OR o.loss IS NULL))::int, 0),\n"                 \
	"  (o.concluded = 1 AND c.outcome IN ('withdrawn', 'withdrawn_after_change'))::int,\n"       \
	"  (o.concluded = 1 AND c.outcome = 'mediated')::int,\n"                                      \
	"  COALESCE((c.hearing_held = 1 OR (c.hearing_held IS NULL AND c.head_appeared IS NOT NULL))" \
	"::int, 0),\n"                                                                                \
	"  COALESCE((c.head_appeared = 1 AND (c.hearing_held = 1 OR c.hearing_held IS NULL))::int, 0)\n" \
	" FROM " from " JOIN litwatch.outcomes o ON o.county = c.county AND o.code = c.outcome\n"    \
	" WHERE c.concluded_date IS NOT NULL\n"

#define SUMS                                                                                        \
	" sum(filed) AS filed, sum(concluded) AS concluded, sum(lost) AS lost,\n"                    \
	" sum(lost_if_withdrawn_after_change) AS lost_if_withdrawn_after_change,\n"                 \
	" sum(withdrawn) AS withdrawn, sum(mediated) AS mediated, sum(hearings) AS hearings,\n"    \
	" sum(head_appeared) AS head_appeared\n"

static const char views_sql[] =
	"CREATE OR REPLACE VIEW litwatch.figures_county_month AS\n"
	"SELECT county, month," SUMS "FROM (\n" CASE_MONTH_ROWS("", "litwatch.cases c") ") x\n"
	"GROUP BY county, month;\n"
	"CREATE OR REPLACE VIEW litwatch.figures_agency_month AS\n"
	"SELECT county, agency, month," SUMS "FROM (\n"
	CASE_MONTH_ROWS(", a.name AS agency",
			"litwatch.cases c JOIN litwatch.case_defendants d ON d.county = c.county "
			"AND d.case_no = c.case_no JOIN litwatch.agencies a ON a.county = d.county "
			"AND a.id = d.agency_id")
	") x\nGROUP BY county, agency, month;\n"
	"CREATE OR REPLACE VIEW litwatch.figures_county_year AS\n"
	"SELECT county, substr(month, 1, 4) AS year," SUMS
	"FROM litwatch.figures_county_month GROUP BY county, substr(month, 1, 4);\n"
	"CREATE OR REPLACE VIEW litwatch.figures_province_month AS\n"
	"SELECT month," SUMS "FROM litwatch.figures_county_month GROUP BY month;\n"
	"CREATE OR REPLACE VIEW litwatch.figures_province_year AS\n"
	"SELECT year," SUMS "FROM litwatch.figures_county_year GROUP BY year;\n"
	/* 12345 work orders concerning law enforcement, by county and month. */
	"CREATE OR REPLACE VIEW litwatch.hotline_county_month AS\n"
	"SELECT county, substr(received_at, 1, 7) AS month, count(*) AS tickets,\n"
	" count(*) FILTER (WHERE law_enforcement = 1) AS enforcement,\n"
	" count(*) FILTER (WHERE law_enforcement = 1 AND category IN ('complaint', 'report'))"
	" AS complaints\n"
	"FROM litwatch.tickets GROUP BY county, substr(received_at, 1, 7);\n"
	/* The push itself, per county: for monitoring from the province. */
	"CREATE OR REPLACE VIEW litwatch.push_status AS\n"
	"SELECT county, hwm, pushed_at, rows_pushed, now() - pushed_at AS since_last_push\n"
	"FROM litwatch.counties;\n";

/* Whether the views are at this binary's version already. */
static int views_current(struct lw_pg *pg, int *yes, struct lw_err *e)
{
	PGresult *res = NULL;
	int rc = lw_pg_params(pg, "SELECT value FROM litwatch.meta WHERE key = 'schema_version'", 0,
			      NULL, &res, e);
	*yes = 0;
	if (rc)
		return rc;
	*yes = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), PG_SCHEMA_VERSION);
	PQclear(res);
	return 0;
}

int lw_pgschema_ensure(struct lw_pg *pg, sqlite3 *db, struct lw_err *e)
{
	int rc, current = 0;

	for (int i = 0; i < lw_prov_ntables; i++) {
		lw_prov_cols_free(&pg->cols[i]);
		if ((rc = lw_prov_cols_read(db, lw_prov_tables[i].name, &pg->cols[i], e)))
			return rc;
	}
	if ((rc = lw_pg_exec(pg,
			     "BEGIN; " DDL_LOCK "; CREATE SCHEMA IF NOT EXISTS litwatch;\n"
			     "CREATE TABLE IF NOT EXISTS litwatch.meta (key text PRIMARY KEY, value text);\n"
			     "CREATE TABLE IF NOT EXISTS litwatch.counties (county text PRIMARY KEY,\n"
			     "  hwm bigint NOT NULL DEFAULT 0, pushed_at timestamptz,\n"
			     "  rows_pushed bigint NOT NULL DEFAULT 0,\n"
			     "  registered_at timestamptz NOT NULL DEFAULT now());",
			     e)) ||
	    (rc = views_current(pg, &current, e)))
		goto fail;
	for (int i = 0; i < lw_prov_ntables; i++)
		if ((rc = table_ddl(pg, i, e)))
			goto fail;
	/* CREATE OR REPLACE VIEW locks the view: only when the layout changed. */
	if ((!current && (rc = lw_pg_exec(pg, views_sql, e))) ||
	    (rc = lw_pg_exec(pg, "INSERT INTO litwatch.meta VALUES ('schema_version', '"
				 PG_SCHEMA_VERSION "') ON CONFLICT (key) DO UPDATE SET value = "
				 "EXCLUDED.value", e)) ||
	    (rc = lw_pg_exec(pg, "COMMIT", e)))
		goto fail;
	return 0;
fail:
	lw_pg_exec(pg, "ROLLBACK", &(struct lw_err){0});
	lw_err_prefix(e, "creating the province's schema");
	return rc;
}

int lw_pgschema_outcomes(struct lw_pg *pg, sqlite3 *db, struct lw_err *e)
{
	int ti = lw_prov_ntables - 1; /* outcomes, last of the list */
	sqlite3_stmt *st = NULL;
	const char *v[1] = {pg->county};
	int64_t n = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT * FROM outcomes", -1, &st, NULL) != SQLITE_OK)
		return lw_err_set(e, LW_EDB, "warehouse: %s", sqlite3_errmsg(db));
	if ((rc = lw_pg_exec(pg, "BEGIN", e)) == 0 &&
	    (rc = lw_pg_params(pg, "DELETE FROM litwatch.outcomes WHERE county = $1", 1, v, NULL, e)) == 0 &&
	    (rc = lw_push_stage(pg, ti, st, &n, e)) == 0 &&
	    (rc = lw_pg_exec(pg, "INSERT INTO litwatch.outcomes SELECT * FROM pg_temp.lw_stage_outcomes", e)) == 0)
		rc = lw_pg_exec(pg, "COMMIT", e);
	sqlite3_finalize(st);
	if (rc)
		lw_pg_exec(pg, "ROLLBACK", &(struct lw_err){0});
	return rc;
}
