/*
 * pg.c — the connection to the province: conninfo from its private file,
 * libpq calls with litwatch errors, COPY text encoding, and lw_pg_open
 * (schema, county registration, first or re-seed).
 *
 * The conninfo may hold a password: it is read into memory, given to libpq
 * and wiped; no message quotes it (libpq's own messages name the host and
 * the user, never the password).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/paths.h"
#include "province/province_int.h"

int lw_pgbuf_put(struct lw_strbuf *b, const char *s, size_t n)
{
	lw_strbuf_add(b, s, n);
	return b->oom ? LW_ENOMEM : 0;
}

int lw_pgbuf_ident(struct lw_strbuf *b, const char *name)
{
	int rc = lw_pgbuf_put(b, "\"", 1);
	for (const char *s = name; !rc && *s; s++)
		rc = *s == '"' ? lw_pgbuf_put(b, "\"\"", 2) : lw_pgbuf_put(b, s, 1);
	return rc ? rc : lw_pgbuf_put(b, "\"", 1);
}

/* COPY text format: \N for NULL; backslash, tab, newline and CR escaped. */
int lw_pgbuf_value(struct lw_strbuf *b, sqlite3_stmt *st, int col)
{
	char num[32];
	int n;

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		return lw_pgbuf_put(b, "\\N", 2);
	case SQLITE_INTEGER: {
		/* Digits by hand: snprintf's format parsing was a visible part of
		 * a first push's profile (ids, row numbers, flags in every row). */
		sqlite3_int64 v = sqlite3_column_int64(st, col);
		sqlite3_uint64 u = v < 0 ? 0 - (sqlite3_uint64)v : (sqlite3_uint64)v;
		char *p = num + sizeof num;
		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v < 0)
			*--p = '-';
		return lw_pgbuf_put(b, p, (size_t)(num + sizeof num - p));
	}
	case SQLITE_FLOAT:
		n = snprintf(num, sizeof num, "%.17g", sqlite3_column_double(st, col));
		return lw_pgbuf_put(b, num, (size_t)n);
	default: {
		const char *s = (const char *)sqlite3_column_text(st, col);
		size_t len = (size_t)sqlite3_column_bytes(st, col), from = 0;
		int rc = 0;
		for (size_t i = 0; !rc && i < len; i++) {
			const char *esc = s[i] == '\\' ? "\\\\" : s[i] == '\t' ? "\\t"
				       : s[i] == '\n' ? "\\n" : s[i] == '\r' ? "\\r" : NULL;
			if (!esc && s[i] != '\0')
				continue;
			rc = lw_pgbuf_put(b, s + from, i - from);
			if (!rc && esc)
				rc = lw_pgbuf_put(b, esc, 2);
			from = i + 1; /* a NUL byte is dropped: PostgreSQL text has none */
		}
		return rc ? rc : lw_pgbuf_put(b, s + from, len - from);
	}
	}
}

static int pg_fail(struct lw_pg *pg, PGresult *res, const char *what, struct lw_err *e)
{
	const char *m = res ? PQresultErrorMessage(res) : "";
	if (!m || !*m)
		m = PQerrorMessage(pg->conn);
	lw_err_set(e, LW_EIO, "province: %s: %.*s", what, (int)strcspn(m, "\n"), m);
	if (res)
		PQclear(res);
	return LW_EIO;
}

int lw_pg_exec(struct lw_pg *pg, const char *sql, struct lw_err *e)
{
	PGresult *res = PQexec(pg->conn, sql);
	ExecStatusType s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return pg_fail(pg, res, "PostgreSQL refused a statement", e);
	PQclear(res);
	return 0;
}

int lw_pg_params(struct lw_pg *pg, const char *sql, int n, const char *const *vals,
		 PGresult **out, struct lw_err *e)
{
	PGresult *res = PQexecParams(pg->conn, sql, n, NULL, vals, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return pg_fail(pg, res, "PostgreSQL refused a statement", e);
	if (out)
		*out = res;
	else
		PQclear(res);
	return 0;
}

int lw_pg_copy_begin(struct lw_pg *pg, const char *sql, struct lw_err *e)
{
	PGresult *res = PQexec(pg->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return pg_fail(pg, res, "COPY refused", e);
	PQclear(res);
	return 0;
}

int lw_pg_copy_put(struct lw_pg *pg, const char *buf, size_t len, struct lw_err *e)
{
	if (len && PQputCopyData(pg->conn, buf, (int)len) != 1)
		return pg_fail(pg, NULL, "COPY interrupted", e);
	return 0;
}

int lw_pg_copy_end(struct lw_pg *pg, struct lw_err *e)
{
	PGresult *res;
	int ok = 1;

	if (PQputCopyEnd(pg->conn, NULL) != 1)
		return pg_fail(pg, NULL, "COPY interrupted", e);
	while ((res = PQgetResult(pg->conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (ok)
				pg_fail(pg, res, "COPY failed", e);
			else
				PQclear(res);
			ok = 0;
			continue;
		}
		PQclear(res);
	}
	return ok ? 0 : LW_EIO;
}

/* The conninfo file's text, trailing white space removed (malloc'd). */
static char *read_conninfo(const char *path, struct lw_err *e)
{
	FILE *f;
	char *buf;
	size_t n;

	if (lw_path_trusted(path, "province.conninfo_file", LW_TRUST_PRIVATE, e) != 0)
		return NULL;
	if (!(f = fopen(path, "re"))) {
		lw_err_set(e, LW_EIO, "province.conninfo_file %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = calloc(1, 8192);
	n = buf ? fread(buf, 1, 8191, f) : 0;
	fclose(f);
	if (!buf) {
		lw_err_set(e, LW_ENOMEM, "out of memory");
		return NULL;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
		     buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return buf;
}

static void wipe_free(char *s)
{
	if (!s)
		return;
	for (volatile char *p = s; *p; p++)
		*p = 0;
	free(s);
}

void lw_pg_close(struct lw_pg *pg)
{
	if (!pg)
		return;
	if (pg->conn)
		PQfinish(pg->conn);
	for (int i = 0; i < lw_prov_ntables; i++)
		lw_prov_cols_free(&pg->cols[i]);
	free(pg);
}

/* PostgreSQL's notices ("already exists, skipping") are not ours to print. */
static void quiet_notice(void *ud, const char *message)
{
	(void)ud;
	(void)message;
}

static int connect_pg(const struct lw_province_conf *c, struct lw_pg *pg, struct lw_err *e)
{
	const char *keys[10], *vals[10];
	char appname[64];
	char *ci = read_conninfo(c->conninfo_file, e);
	int n = 0;

	if (!ci)
		return e->code ? e->code : LW_EIO;
	snprintf(appname, sizeof appname, "litwatch %s", c->county);
	keys[n] = "dbname", vals[n++] = ci; /* expanded: a conninfo or URI */
	keys[n] = "application_name", vals[n++] = appname;
	keys[n] = "connect_timeout", vals[n++] = "10";
	keys[n] = "keepalives_idle", vals[n++] = "30";
	keys[n] = "tcp_user_timeout", vals[n++] = "60000";
	if (c->sslmode)
		keys[n] = "sslmode", vals[n++] = c->sslmode;
	if (c->sslrootcert)
		keys[n] = "sslrootcert", vals[n++] = c->sslrootcert;
	keys[n] = NULL, vals[n] = NULL;
	pg->conn = PQconnectdbParams(keys, vals, 1);
	wipe_free(ci);
	if (!pg->conn)
		return lw_err_set(e, LW_ENOMEM, "province: out of memory");
	if (PQstatus(pg->conn) != CONNECTION_OK)
		return pg_fail(pg, NULL, "cannot connect", e);
	PQsetNoticeProcessor(pg->conn, quiet_notice, NULL);
	return lw_pg_exec(pg, "SET client_encoding = 'UTF8'; SET search_path = pg_catalog", e);
}

/* The province's mark for this county, registering it (-1: it was new). */
static int county_mark(struct lw_pg *pg, int64_t *hwm, struct lw_err *e)
{
	const char *v[1] = {pg->county};
	PGresult *res = NULL;
	int rc = lw_pg_params(pg,
			      "INSERT INTO litwatch.counties (county) VALUES ($1) ON CONFLICT DO NOTHING "
			      "RETURNING -1",
			      1, v, &res, e);
	if (rc)
		return rc;
	if (PQntuples(res) == 1) {
		*hwm = -1;
		PQclear(res);
		return 0;
	}
	PQclear(res);
	if ((rc = lw_pg_params(pg, "SELECT hwm FROM litwatch.counties WHERE county = $1", 1, v, &res,
			       e)))
		return rc;
	*hwm = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
	PQclear(res);
	return 0;
}

/* Whether the province holds no row of this county in any fed table. */
static int county_empty(struct lw_pg *pg, int *empty, struct lw_err *e)
{
	const char *v[1] = {pg->county};
	struct lw_strbuf b = {0};
	PGresult *res = NULL;
	int rc;

	*empty = 0;
	for (int i = 0; i < lw_prov_ntables; i++)
		if (lw_prov_tables[i].fed)
			lw_strbuf_printf(&b, "%s(SELECT 1 FROM litwatch.%s WHERE county = $1 LIMIT 1)",
					 b.len ? " UNION ALL " : "", lw_prov_tables[i].name);
	if (b.oom) {
		free(b.p);
		return lw_err_set(e, LW_ENOMEM, "province: out of memory");
	}
	rc = lw_pg_params(pg, b.p, 1, v, &res, e);
	free(b.p);
	if (rc)
		return rc;
	*empty = PQntuples(res) == 0;
	PQclear(res);
	return 0;
}

static int set_mark(struct lw_pg *pg, int64_t hwm, struct lw_err *e)
{
	char num[24];
	const char *v[2] = {pg->county, num};
	snprintf(num, sizeof num, "%lld", (long long)hwm);
	return lw_pg_params(pg, "UPDATE litwatch.counties SET hwm = $2 WHERE county = $1", 2, v, NULL,
			    e);
}

int lw_pg_connect(const struct lw_province_conf *c, struct lw_pg **out, struct lw_err *e)
{
	struct lw_pg *pg = calloc(1, sizeof *pg);
	int rc;

	*out = NULL;
	if (!pg)
		return lw_err_set(e, LW_ENOMEM, "province: out of memory");
	snprintf(pg->county, sizeof pg->county, "%s", c->county ? c->county : "");
	if ((rc = connect_pg(c, pg, e))) {
		lw_pg_close(pg);
		return rc;
	}
	*out = pg;
	return 0;
}

int lw_pg_open(const struct lw_province_conf *c, struct lw_wh *wh, struct lw_pg **out,
	       struct lw_err *e)
{
	struct lw_pg *pg = calloc(1, sizeof *pg);
	int64_t hwm = 0, last = 0, from = 0, to = 0;
	int rc, enabled = 0;

	*out = NULL;
	if (!pg)
		return lw_err_set(e, LW_ENOMEM, "province: out of memory");
	snprintf(pg->county, sizeof pg->county, "%s", c->county);
	if ((rc = connect_pg(c, pg, e)) || (rc = lw_pgschema_ensure(pg, lw_wh_db(wh), e)) ||
	    (rc = lw_pgschema_outcomes(pg, lw_wh_db(wh), e)) || (rc = county_mark(pg, &hwm, e)) ||
	    (rc = lw_feed_enabled(wh, &enabled, e)) || (rc = lw_feed_last_seq(wh, &last, e)))
		goto fail;
	if (hwm < 0 || !enabled || hwm > last) {
		/* New at the province, never fed, or the county's file is older
		 * than what it pushed (restored from a backup): send everything
		 * again, after the last number given (upserts make it harmless). */
		lw_log(LW_LOG_NOTICE, "province", "county %s: %s; sending every row", pg->county,
		       hwm < 0 ? "new at the province" : !enabled ? "first push from this warehouse"
							 : "warehouse behind the province's mark");
		if ((rc = lw_feed_reseed(wh, &from, &to, e)))
			goto fail;
		if (hwm < 0 || hwm > last) {
			if ((rc = set_mark(pg, from, e)))
				goto fail;
		}
		/* A county new at the province, with nothing there: its seed
		 * may go up the fast way (push.c). */
		if (hwm < 0 && to > from) {
			int empty = 0;
			if ((rc = county_empty(pg, &empty, e)))
				goto fail;
			if (empty) {
				pg->seed_from = from;
				pg->seed_to = to;
			}
		}
	}
	*out = pg;
	return 0;
fail:
	lw_pg_close(pg);
	return rc;
}
