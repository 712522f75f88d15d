/*
 * store_bulk.c — a work-order file's references, checked once per distinct
 * value instead of once per row (see store.h, lw_store_bulk_begin).
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "ingest/agencies.h"
#include "ingest/store_int.h"
#include "warehouse/warehouse.h"

int lw_store_bulk_begin(struct lw_store *st, struct lw_err *e)
{
	int rc;

	if ((rc = lw_wh_foreign_keys(st->wh, 0, e)) != 0)
		return rc;
	st->bulk = 1;
	st->window_unvouched = 0;
	st->lastcat = 0;
	for (size_t i = 0; i < st->ncats; i++)
		free(st->cats[i]);
	st->ncats = 0;
	return 0;
}

void lw_store_bulk_end(struct lw_store *st)
{
	struct lw_err err = {0};

	if (!st->bulk)
		return;
	st->bulk = 0;
	/* Between transactions this fails only on a broken connection, which
	 * the next statement reports too. */
	if (lw_wh_foreign_keys(st->wh, 1, &err) != 0)
		lw_log(LW_LOG_ERR, "import", "foreign-key checks could not be turned on again: %s",
		       err.msg);
}

int lw_store_bulk_on(const struct lw_store *st)
{
	return st->bulk;
}

void lw_store_bulk_free(struct lw_store *st)
{
	for (size_t i = 0; i < st->ncats; i++)
		free(st->cats[i]);
	free(st->cats);
}

int lw_store_bulk_note(struct lw_store *st, const struct lw_record *r, struct lw_err *e)
{
	const char *c = r->val[LW_TC_CATEGORY];
	char *d;

	if (r->target != LW_TARGET_TICKETS)
		return lw_err_set(e, LW_EINVAL, "a work-order file's import got a case");
	/* Agency ids: the resolver keeps every one it handed out. */
	if (!c || (st->ncats && !strcmp(st->cats[st->lastcat], c)))
		return 0;
	for (size_t i = 0; i < st->ncats; i++)
		if (!strcmp(st->cats[i], c)) {
			st->lastcat = i;
			return 0;
		}
	if (st->ncats == st->capcats) {
		size_t cap = st->capcats ? st->capcats * 2 : 16;
		char **t = realloc(st->cats, cap * sizeof *t);
		if (!t)
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		st->cats = t;
		st->capcats = cap;
	}
	if (!(d = strdup(c)))
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	st->lastcat = st->ncats;
	st->cats[st->ncats++] = d;
	return 0;
}

/* 1 when sql (one :v parameter) finds a row for v, 0 when not, or < 0. */
static int exists(struct lw_store *st, const char *sql, const char *text, int64_t num,
		  struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(st->wh, sql, &s, e)) != 0 ||
	    (rc = text ? lw_wh_bind_text(s, ":v", text, e) : lw_wh_bind_int64(s, ":v", num, e)) != 0)
		return rc;
	rc = lw_wh_step(st->wh, s, e);
	sqlite3_reset(s);
	return rc;
}

struct agency_check {
	struct lw_store *st;
	struct lw_err *e;
};

static int agency_exists(int64_t id, const char *name, void *ud)
{
	struct agency_check *c = ud;
	int rc = exists(c->st, "SELECT 1 FROM agencies WHERE id = :v", NULL, id, c->e);

	return rc < 0 ? rc : rc == 0 ? lw_err_set(c->e, LW_EDB, "agency %lld (%s) vanished during "
						  "the import", (long long)id, name) : 0;
}

int lw_store_bulk_verify(struct lw_store *st, int64_t import_id, struct lw_err *e)
{
	struct agency_check c = {st, e};
	int rc;

	if (!st->bulk)
		return 0;
	if ((rc = exists(st, "SELECT 1 FROM imports WHERE id = :v", NULL, import_id, e)) <= 0)
		return rc < 0 ? rc : lw_err_set(e, LW_EDB, "import %lld vanished during the import",
					       (long long)import_id);
	for (size_t i = 0; i < st->ncats; i++)
		if ((rc = exists(st, "SELECT 1 FROM ticket_categories WHERE code = :v", st->cats[i], 0,
				 e)) <= 0)
			return rc < 0 ? rc : lw_err_set(e, LW_EDB, "work-order category %s is not in "
						       "ticket_categories", st->cats[i]);
	return st->res ? lw_resolver_each_id(st->res, agency_exists, &c) : 0;
}
