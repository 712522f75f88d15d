/*
 * province_int.h — shared by the files of core/province/.
 */
#ifndef LW_PROVINCE_INT_H
#define LW_PROVINCE_INT_H

#include <libpq-fe.h>
#include <sqlite3.h>

#include "base/strbuf.h"
#include "province/province.h"
#include "warehouse/warehouse.h"

/* A table that goes up.  Its feed rows name `key`; the rows of one key go
 * up together (for case_defendants and obligations: every row of a case).
 * pk: the columns of the unique key after county (NULL: none, the key's
 * rows are replaced). */
struct lw_prov_table {
	const char *name, *key, *pk;
	int partitioned; /* PARTITION BY LIST (county) */
	int fed;         /* in the change feed (outcomes go up whole at each connect) */
};
extern const struct lw_prov_table lw_prov_tables[];
/* Nonzero when t's primary key is its feed key alone (one row per key). */
int lw_prov_single_key(const struct lw_prov_table *t);
extern const int lw_prov_ntables;

/* One table's columns in the county's warehouse (PRAGMA table_info). */
struct lw_prov_cols {
	int n;
	char **name;
	const char **pgtype; /* bigint | double precision | text */
};
int lw_prov_cols_read(sqlite3 *db, const char *table, struct lw_prov_cols *out, struct lw_err *e);
void lw_prov_cols_free(struct lw_prov_cols *c);

struct lw_pg {
	PGconn *conn;
	char county[7];
	struct lw_prov_cols cols[8]; /* per lw_prov_tables entry */
	/* A new county's first push (push.c, "seed"): the feed rows (seed_from,
	 * seed_to] are the reseed's, one per key, and the province had no row
	 * of the county when they were enqueued.  seed_to 0: no seed. */
	int64_t seed_from, seed_to;
};

/* ---- feed.c: the county side ---- */
/* Whether the triggers write (meta 'province_feed'). */
int lw_feed_enabled(struct lw_wh *wh, int *yes, struct lw_err *e);
/* Turn the triggers on and enqueue every row of every fed table, in one
 * transaction: the province then receives the whole county.  The rows
 * enqueued are the sequence numbers (*from, *to] (from: the last number
 * given before them). */
int lw_feed_reseed(struct lw_wh *wh, int64_t *from, int64_t *to, struct lw_err *e);
/* The last sequence number ever given (0: none). */
int lw_feed_last_seq(struct lw_wh *wh, int64_t *seq, struct lw_err *e);
/* Rows after hwm, and the age in seconds of the oldest. */
int lw_feed_lag(struct lw_wh *wh, int64_t hwm, int64_t *rows, int64_t *secs, struct lw_err *e);
/* Delete the feed rows up to hwm (pushed).  Best effort: a busy warehouse
 * keeps them until next time. */
void lw_feed_prune(struct lw_wh *wh, int64_t hwm);

/* ---- pg.c: PostgreSQL helpers ---- */
/* Connect only (no schema, no county): for readers such as stats --pg. */
int lw_pg_connect(const struct lw_province_conf *c, struct lw_pg **out, struct lw_err *e);
/* Run sql (no parameters); 0 or LW_EIO with PostgreSQL's message. */
int lw_pg_exec(struct lw_pg *pg, const char *sql, struct lw_err *e);
/* Run with text parameters; *res for a tuples result (caller PQclear). */
int lw_pg_params(struct lw_pg *pg, const char *sql, int n, const char *const *vals,
		 PGresult **res, struct lw_err *e);
/* COPY ... FROM STDIN: start, put rows, end. */
int lw_pg_copy_begin(struct lw_pg *pg, const char *sql, struct lw_err *e);
int lw_pg_copy_put(struct lw_pg *pg, const char *buf, size_t len, struct lw_err *e);
int lw_pg_copy_end(struct lw_pg *pg, struct lw_err *e);
/* COPY and SQL text is built in a growing buffer (base/strbuf.h): append
 * n bytes, LW_ENOMEM once an allocation failed. */
int lw_pgbuf_put(struct lw_strbuf *b, const char *s, size_t n);
/* Append a SQLite value to buf in COPY text format. */
int lw_pgbuf_value(struct lw_strbuf *b, sqlite3_stmt *st, int col);
/* "identifier" quoted for PostgreSQL (from our own tables' names). */
int lw_pgbuf_ident(struct lw_strbuf *b, const char *name);

/* ---- pgschema.c ---- */
/* Create or migrate schema litwatch and its views, and the county's
 * partitions; pg->cols filled from the county's warehouse. */
int lw_pgschema_ensure(struct lw_pg *pg, sqlite3 *db, struct lw_err *e);
/* Replace the county's outcome codes (reference data of the views). */
int lw_pgschema_outcomes(struct lw_pg *pg, sqlite3 *db, struct lw_err *e);

/* ---- push.c ---- */
/* Load rows of table t (the statement's columns in pg->cols order) into
 * the staging table lw_stage_<t>. */
int lw_push_stage(struct lw_pg *pg, int t, sqlite3_stmt *st, int64_t *nrows, struct lw_err *e);

#endif
