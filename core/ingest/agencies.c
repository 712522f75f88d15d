/*
 * agencies.c — agency names to agencies.id, holding the ones nobody has
 * confirmed (see agencies.h).
 *
 * A 12345 export names one 承办单位 per row, and the same few names again
 * and again: each name is looked up once per import and kept in a small
 * hash table, so the hot path costs a hash and a string compare.
 */
#include "ingest/agencies.h"

#include <stdlib.h>
#include <string.h>

#include "domain/agency.h"
#include "warehouse/warehouse.h"

#define NBUCKETS 256

struct entry {
	struct entry *next;
	int64_t id;      /* 0: held */
	uint64_t held;   /* rows of this import that named it (held names) */
	char name[];
};

struct lw_resolver {
	struct lw_wh *wh;
	struct lw_agency_aliases *aliases;
	int hold;
	struct entry *bucket[NBUCKETS];
};

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % NBUCKETS;
}

int lw_resolver_new(struct lw_wh *wh, struct lw_agency_aliases *aliases, int hold,
		    struct lw_resolver **out, struct lw_err *e)
{
	struct lw_resolver *r = calloc(1, sizeof *r);

	*out = NULL;
	if (!r)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	r->wh = wh;
	r->aliases = aliases;
	r->hold = hold;
	*out = r;
	return 0;
}

void lw_resolver_begin(struct lw_resolver *r)
{
	for (size_t i = 0; i < NBUCKETS; i++)
		while (r->bucket[i]) {
			struct entry *n = r->bucket[i]->next;
			free(r->bucket[i]);
			r->bucket[i] = n;
		}
}

void lw_resolver_free(struct lw_resolver *r)
{
	if (!r)
		return;
	lw_resolver_begin(r);
	free(r);
}

/* id of an existing agency called name, 0 when none. */
static int find_agency(struct lw_wh *wh, const char *name, int64_t *id, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*id = 0;
	if ((rc = lw_wh_stmt(wh, "SELECT id FROM agencies WHERE name = :name", &s, e)) ||
	    (rc = lw_wh_bind_text(s, ":name", name, e)))
		return rc;
	if ((rc = lw_wh_step(wh, s, e)) == 1)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc < 0 ? rc : 0;
}

static int create_agency(struct lw_wh *wh, const char *name, int64_t *id, struct lw_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = find_agency(wh, name, id, e)) != 0 || *id)
		return rc;
	if ((rc = lw_wh_stmt(wh, "INSERT INTO agencies (name) VALUES (:name)", &s, e)) ||
	    (rc = lw_wh_bind_text(s, ":name", name, e)) || (rc = lw_wh_step(wh, s, e)) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(lw_wh_db(wh));
	return 0;
}

/* Decide a name without the cache: the agency it is, or 0 (held).  The
 * alias table knowing the name (configured or learned) confirms it. */
static int decide(struct lw_resolver *r, const char *name, int64_t *id, struct lw_err *e)
{
	const char *canon = r->aliases ? lw_agency_aliases_lookup(r->aliases, name) : NULL;
	int rc;

	if (canon)
		return create_agency(r->wh, canon, id, e);
	if ((rc = find_agency(r->wh, name, id, e)) != 0 || *id)
		return rc;
	return r->hold ? 0 : create_agency(r->wh, name, id, e);
}

static struct entry *lookup(struct lw_resolver *r, const char *name)
{
	for (struct entry *en = r->bucket[hash(name)]; en; en = en->next)
		if (!strcmp(en->name, name))
			return en;
	return NULL;
}

int lw_resolver_id(struct lw_resolver *r, const char *name, int64_t *id, struct lw_err *e)
{
	struct entry *en = lookup(r, name);
	size_t len;
	int rc;

	if (!en) {
		int64_t v;
		if ((rc = decide(r, name, &v, e)) != 0)
			return rc;
		len = strlen(name);
		if (!(en = malloc(sizeof *en + len + 1)))
			return lw_err_set(e, LW_ENOMEM, "out of memory");
		memcpy(en->name, name, len + 1);
		en->id = v;
		en->held = 0;
		en->next = r->bucket[hash(name)];
		r->bucket[hash(name)] = en;
	}
	if (!en->id)
		en->held++;
	*id = en->id;
	return 0;
}

int lw_resolver_finish(struct lw_resolver *r, int64_t import_id, const char *now,
		       uint64_t *held_rows, struct lw_err *e)
{
	static const char sql[] =
		"INSERT INTO unresolved_agencies (name, seen, first_seen, last_seen, last_import_id) "
		"VALUES (:name, :n, :now, :now, :imp) ON CONFLICT(name) DO UPDATE SET "
		"seen = seen + excluded.seen, last_seen = excluded.last_seen, "
		"last_import_id = excluded.last_import_id";
	int rc;

	*held_rows = 0;
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct entry *en = r->bucket[i]; en; en = en->next) {
			sqlite3_stmt *s;
			if (en->id || !en->held)
				continue;
			*held_rows += en->held;
			if ((rc = lw_wh_stmt(r->wh, sql, &s, e)) ||
			    (rc = lw_wh_bind_text(s, ":name", en->name, e)) ||
			    (rc = lw_wh_bind_int64(s, ":n", (int64_t)en->held, e)) ||
			    (rc = lw_wh_bind_text(s, ":now", now, e)) ||
			    (rc = lw_wh_bind_int64(s, ":imp", import_id, e)) ||
			    (rc = lw_wh_step(r->wh, s, e)) < 0)
				return rc;
			en->held = 0;
		}
	return 0;
}

int lw_resolver_each_id(struct lw_resolver *r, int (*fn)(int64_t id, const char *name, void *ud),
			void *ud)
{
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct entry *en = r->bucket[i]; en; en = en->next) {
			int rc;
			if (en->id && (rc = fn(en->id, en->name, ud)) != 0)
				return rc;
		}
	return 0;
}

/* ---- resolving held rows again ---- */

struct fix {
	int64_t rowid, id;
};

/* Work orders without an agency whose 承办单位 now resolves. */
static int rerun_tickets(struct lw_resolver *r, int64_t *moved, struct lw_err *e)
{
	struct fix *fx = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(r->wh, "SELECT rowid, agency_raw FROM tickets WHERE agency_id IS NULL "
			     "AND agency_raw IS NOT NULL", &s, e)) != 0)
		return rc;
	/* Collected first, written after: an UPDATE moves rows in the index
	 * the SELECT walks. */
	while ((rc = lw_wh_step(r->wh, s, e)) == 1) {
		char norm[LW_AGENCY_NAME_MAX + 8];
		const char *canon;
		int64_t id = 0;
		if (lw_agency_normalize((const char *)sqlite3_column_text(s, 1), norm, sizeof norm,
					NULL) != 0)
			continue;
		canon = r->aliases ? lw_agency_aliases_lookup(r->aliases, norm) : NULL;
		if ((rc = lw_resolver_id(r, canon ? canon : norm, &id, e)) != 0)
			break;
		if (!id)
			continue;
		if (n == cap) {
			struct fix *t = realloc(fx, (cap = cap ? cap * 2 : 256) * sizeof *t);
			if (!t) {
				rc = lw_err_set(e, LW_ENOMEM, "out of memory");
				break;
			}
			fx = t;
		}
		fx[n++] = (struct fix){sqlite3_column_int64(s, 0), id};
	}
	sqlite3_reset(s);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		if ((rc = lw_wh_stmt(r->wh, "UPDATE tickets SET agency_id = :id WHERE rowid = :r", &s,
				     e)) ||
		    (rc = lw_wh_bind_int64(s, ":id", fx[i].id, e)) ||
		    (rc = lw_wh_bind_int64(s, ":r", fx[i].rowid, e)) || (rc = lw_wh_step(r->wh, s, e)) < 0)
			break;
		(*moved)++;
	}
	free(fx);
	return rc < 0 ? rc : 0;
}

/* Waiting defendants, and the held names themselves. */
static int rerun_names(struct lw_resolver *r, int64_t *moved, struct lw_err *e)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	if ((rc = lw_wh_stmt(r->wh, "SELECT name FROM unresolved_agencies", &s, e)) != 0)
		return rc;
	while ((rc = lw_wh_step(r->wh, s, e)) == 1) {
		if (n == cap) {
			char **t = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *t);
			if (!t) {
				rc = lw_err_set(e, LW_ENOMEM, "out of memory");
				break;
			}
			names = t;
		}
		if (!(names[n] = strdup((const char *)sqlite3_column_text(s, 0)))) {
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	sqlite3_reset(s);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		const char *canon = r->aliases ? lw_agency_aliases_lookup(r->aliases, names[i]) : NULL;
		int64_t id = 0;
		if ((rc = lw_resolver_id(r, canon ? canon : names[i], &id, e)) != 0)
			break;
		if (!id)
			continue;
		if ((rc = lw_wh_stmt(r->wh, "INSERT OR IGNORE INTO case_defendants (case_no, agency_id, "
				     "role, name_raw, source, import_id, source_row) SELECT case_no, :id, "
				     "role, name_raw, source, import_id, source_row FROM "
				     "case_defendants_unresolved WHERE name = :name", &s, e)) ||
		    (rc = lw_wh_bind_int64(s, ":id", id, e)) ||
		    (rc = lw_wh_bind_text(s, ":name", names[i], e)) || (rc = lw_wh_step(r->wh, s, e)) < 0)
			break;
		*moved += sqlite3_changes(lw_wh_db(r->wh));
		if ((rc = lw_wh_stmt(r->wh, "DELETE FROM case_defendants_unresolved WHERE name = :name",
				     &s, e)) ||
		    (rc = lw_wh_bind_text(s, ":name", names[i], e)) || (rc = lw_wh_step(r->wh, s, e)) < 0 ||
		    (rc = lw_wh_stmt(r->wh, "DELETE FROM unresolved_agencies WHERE name = :name", &s, e)) ||
		    (rc = lw_wh_bind_text(s, ":name", names[i], e)) || (rc = lw_wh_step(r->wh, s, e)) < 0)
			break;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc < 0 ? rc : 0;
}

int lw_resolver_rerun(struct lw_resolver *r, int64_t *moved, struct lw_err *e)
{
	int rc;

	*moved = 0;
	lw_resolver_begin(r);
	if ((rc = rerun_tickets(r, moved, e)) != 0 || (rc = rerun_names(r, moved, e)) != 0)
		return rc;
	/* The held counts of this pass are not sightings. */
	lw_resolver_begin(r);
	return 0;
}

int lw_resolver_add_alias(struct lw_resolver *r, const char *canonical, const char *alias,
			  struct lw_err *e)
{
	char canon[LW_AGENCY_NAME_MAX + 8], al[LW_AGENCY_NAME_MAX + 8];
	const char *now;
	sqlite3_stmt *s;
	int64_t id;
	int rc;

	if ((rc = lw_agency_normalize(canonical, canon, sizeof canon, e)) != 0 ||
	    (rc = lw_agency_normalize(alias, al, sizeof al, e)) != 0)
		return rc;
	/* The table decides conflicts (an alias of another agency). */
	if (r->aliases && (rc = lw_agency_aliases_add(r->aliases, al, canon, LW_ALIAS_LEARNED, e)) != 0)
		return rc;
	now = r->aliases ? lw_agency_aliases_lookup(r->aliases, canon) : canon;
	if ((rc = create_agency(r->wh, now ? now : canon, &id, e)) != 0)
		return rc;
	if (!strcmp(al, now ? now : canon))
		return 0; /* the agency itself: confirmed, no alias row */
	if ((rc = lw_wh_stmt(r->wh, "INSERT INTO agency_aliases (alias, agency_id, origin) VALUES "
			     "(:a, :id, 'learned') ON CONFLICT(alias) DO UPDATE SET agency_id = "
			     "excluded.agency_id WHERE origin = 'learned'", &s, e)) ||
	    (rc = lw_wh_bind_text(s, ":a", al, e)) || (rc = lw_wh_bind_int64(s, ":id", id, e)) ||
	    (rc = lw_wh_step(r->wh, s, e)) < 0)
		return rc;
	return 0;
}
