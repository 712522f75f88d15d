/*
 * cmd_report_pg.c — `litwatch report --pg CONNINFO_FILE --county C ...`:
 * a county's bulletin made from the province's copy of its warehouse.
 *
 * The county's rows are read back from PostgreSQL into a temporary
 * warehouse of the current schema, and the bulletin is made from it by
 * `litwatch report --db` itself (core/report/): the same code, so the
 * same document as the county's own, figure for figure and byte for byte
 * of its data.  A second implementation of the bulletin over the
 * province's views would be the thing to keep in step forever; reading a
 * county back costs seconds (measured in docs/province.md).
 *
 * Values come through libpq's single-row mode (no COPY text to parse
 * here), each bound with the column's text as SQLite's column affinity
 * expects it.  Only the columns both sides have are read: a county that
 * runs an older or newer litwatch still makes its bulletin.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "cli.h"
#include "province/province_int.h"

#define USAGE                                                                                      \
	"usage: litwatch report --pg CONNINFO_FILE --county C --period P --format xlsx|html|csv|json\n" \
	"       -o OUT [the other options of litwatch report]\n"                                     \
	"the bulletin of county C from the province's copy (the city ranking of counties:\n"        \
	"litwatch stats --pg CONNINFO_FILE --period P)\n"

/* The columns of litwatch.<t> at the province that the local table has. */
static int common_columns(struct lw_pg *pg, sqlite3 *db, const char *t, struct lw_strbuf *cols,
			  int *n, struct lw_err *e)
{
	const char *v[1] = {t};
	PGresult *res = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if ((rc = lw_pg_params(pg, "SELECT column_name FROM information_schema.columns WHERE "
				   "table_schema = 'litwatch' AND table_name = $1 AND column_name <> "
				   "'county' ORDER BY ordinal_position", 1, v, &res, e)))
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
			       NULL) != SQLITE_OK) {
		PQclear(res);
		return lw_err_set(e, LW_EDB, "temporary warehouse: %s", sqlite3_errmsg(db));
	}
	for (int i = 0; i < PQntuples(res); i++) {
		const char *c = PQgetvalue(res, i, 0);
		sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			if ((*n)++)
				lw_strbuf_add(cols, ", ", 2);
			lw_pgbuf_ident(cols, c);
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	PQclear(res);
	return cols->oom ? lw_err_set(e, LW_ENOMEM, "out of memory") : 0;
}

/* Copy the county's rows of table t into db; *rows counts them. */
static int copy_table(struct lw_pg *pg, sqlite3 *db, const char *t, const char *county,
		      int64_t *rows, struct lw_err *e)
{
	struct lw_strbuf cols = {0}, sel = {0}, ins = {0};
	const char *v[1] = {county};
	sqlite3_stmt *st = NULL;
	PGresult *res;
	int n, rc;

	if ((rc = common_columns(pg, db, t, &cols, &n, e)) || n == 0)
		goto out;
	lw_strbuf_printf(&sel, "SELECT %s FROM litwatch.%s WHERE county = $1", cols.p, t);
	lw_strbuf_printf(&ins, "INSERT INTO %s (%s) VALUES (?", t, cols.p);
	for (int i = 1; i < n; i++)
		lw_strbuf_add(&ins, ", ?", 3);
	lw_strbuf_add(&ins, ")", 1);
	if (sel.oom || ins.oom) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db, ins.p, -1, &st, NULL) != SQLITE_OK) {
		rc = lw_err_set(e, LW_EDB, "temporary warehouse: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (!PQsendQueryParams(pg->conn, sel.p, 1, NULL, v, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(pg->conn)) {
		rc = lw_err_set(e, LW_EIO, "province: %s", PQerrorMessage(pg->conn));
		goto out;
	}
	while ((res = PQgetResult(pg->conn))) {
		ExecStatusType s = PQresultStatus(res);
		if (s == PGRES_SINGLE_TUPLE && !rc) {
			for (int i = 0; i < n; i++) {
				if (PQgetisnull(res, 0, i))
					sqlite3_bind_null(st, i + 1);
				else
					sqlite3_bind_text(st, i + 1, PQgetvalue(res, 0, i),
							  PQgetlength(res, 0, i), SQLITE_STATIC);
			}
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = lw_err_set(e, LW_EDB, "temporary warehouse: %s: %s", t,
						sqlite3_errmsg(db));
			sqlite3_reset(st);
			(*rows)++;
		} else if (s != PGRES_SINGLE_TUPLE && s != PGRES_TUPLES_OK && !rc) {
			const char *m = PQresultErrorMessage(res);
			rc = lw_err_set(e, LW_EIO, "province: %s: %.*s", t, (int)strcspn(m, "\n"), m);
		}
		PQclear(res); /* every result is read: the connection stays usable */
	}
out:
	sqlite3_finalize(st);
	free(cols.p);
	free(sel.p);
	free(ins.p);
	return rc;
}

/* The county's warehouse as the province holds it, into path. */
static int materialize(const char *conninfo_file, const char *county, const char *path,
		       int64_t *rows, struct lw_err *e)
{
	struct lw_province_conf pc = {.conninfo_file = (char *)conninfo_file, .county = (char *)county};
	struct lw_wh_options o = {LW_WH_WRITER | LW_WH_CREATE | LW_WH_CHECKED, 0};
	const char *v[1] = {county};
	struct lw_wh *wh = NULL;
	struct lw_pg *pg = NULL;
	PGresult *res = NULL;
	sqlite3 *db;
	int rc;

	if ((rc = lw_pg_connect(&pc, &pg, e)) ||
	    (rc = lw_pg_params(pg, "SELECT 1 FROM litwatch.counties WHERE county = $1", 1, v, &res,
			       e)))
		goto out;
	if (PQntuples(res) != 1) {
		rc = lw_err_set(e, LW_ENOENT, "province: no county %s (litwatch stats --pg FILE "
					      "--period P lists the counties)", county);
		goto out;
	}
	if ((rc = lw_wh_open_opts(path, &o, &wh, e)))
		goto out;
	db = lw_wh_db(wh);
	/* A throw-away file: no journal, no fsync. */
	sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", NULL, NULL, NULL);
	if ((rc = lw_wh_begin_immediate(wh, e)))
		goto out;
	/* Parents before children (imports, agencies, cases, then the rest). */
	for (int i = 0; !rc && i < lw_prov_ntables; i++)
		if (lw_prov_tables[i].fed)
			rc = copy_table(pg, db, lw_prov_tables[i].name, county, rows, e);
	if (rc)
		lw_wh_rollback(wh);
	else
		rc = lw_wh_commit(wh, e);
out:
	if (res)
		PQclear(res);
	lw_pg_close(pg);
	lw_wh_close(wh);
	return rc;
}

/* The temporary warehouse and what SQLite may have made beside it. */
static void remove_db(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[4300];

	for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

int lw_cmd_report_pg(int argc, char **argv)
{
	const char *file = NULL, *county = NULL;
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[4096], path[4200];
	char **args = calloc((size_t)argc + 3, sizeof *args);
	struct lw_err err = {0};
	int64_t rows = 0;
	int n = 0, rc = 2;

	if (!args) {
		fprintf(stderr, "report: out of memory\n");
		return 1;
	}
	/* Take --pg and --county; hand every other argument to report --db. */
	for (int i = 0; i < argc; i++) {
		const char **to = !strcmp(argv[i], "--pg") ? &file : !strcmp(argv[i], "--county") ? &county
												 : NULL;
		if (!to && !strncmp(argv[i], "--pg=", 5)) {
			file = argv[i] + 5;
		} else if (!to && !strncmp(argv[i], "--county=", 9)) {
			county = argv[i] + 9;
		} else if (to) {
			if (i + 1 >= argc)
				goto usage;
			*to = argv[++i];
		} else if (!strcmp(argv[i], "--db") || !strncmp(argv[i], "--db=", 5)) {
			fprintf(stderr, "report: --pg and --db: one warehouse or the other\n");
			goto done;
		} else {
			args[n++] = argv[i];
		}
	}
	if (!file || !county)
		goto usage;
	if (strlen(county) != 6 || strspn(county, "0123456789") != 6) {
		fprintf(stderr, "report: --county: a 6-digit code (GB/T 2260), e.g. 411121\n");
		goto done;
	}
	snprintf(dir, sizeof dir, "%s/litwatch-report-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		perror("report: temporary directory");
		rc = 1;
		goto done;
	}
	snprintf(path, sizeof path, "%s/county.db", dir);
	if (materialize(file, county, path, &rows, &err) != 0) {
		fprintf(stderr, "report: %s\n", err.msg);
		rc = 1;
	} else {
		args[n++] = "--db";
		args[n++] = path;
		rc = lw_cmd_report(n, args);
	}
	remove_db(path);
	rmdir(dir);
	goto done;
usage:
	fprintf(stderr, "%s", USAGE);
done:
	free(args);
	return rc;
}
