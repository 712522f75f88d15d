/*
 * agencies.h — from an agency name in a row to an agency of the warehouse.
 *
 * The mapper normalises a 被告 or 承办单位 and puts it through the alias
 * table (configured and learned).  Here that name becomes agencies.id — or,
 * when nobody has confirmed it (neither the alias table nor the agencies
 * table knows it, and the configuration holds unknown names), it is held in
 * unresolved_agencies instead of becoming an agency of its own: a typo,
 * "=HYPERLINK(...)" and the real name would otherwise be three agencies.
 * Held rows are resolved again when an alias is added.
 *
 * Every function runs inside the caller's write transaction, on the thread
 * that owns the connection.
 */
#ifndef LW_INGEST_AGENCIES_H
#define LW_INGEST_AGENCIES_H

#include <stdint.h>

#include "base/err.h"

struct lw_wh;
struct lw_agency_aliases;
struct lw_resolver;

/* A resolver on the writer wh.  aliases (borrowed, may be NULL) is the
 * table the mapper uses (lw_resolver_add_alias adds to it); hold: keep
 * unknown names unresolved rather than creating agencies for them. */
int lw_resolver_new(struct lw_wh *wh, struct lw_agency_aliases *aliases, int hold,
		    struct lw_resolver **out, struct lw_err *e);
void lw_resolver_free(struct lw_resolver *r);

/* A new import starts: forget what the last one resolved (its transaction
 * may have been rolled back with the agencies it created). */
void lw_resolver_begin(struct lw_resolver *r);

/* The agency id of name (as the mapper gives it: canonical, or normalised
 * when the table does not know it); 0 when the name is held. */
int lw_resolver_id(struct lw_resolver *r, const char *name, int64_t *id, struct lw_err *e);

/* Write what this import held (unresolved_agencies: seen, last_seen) and
 * return how many rows named a held name.  now: 'YYYY-MM-DDTHH:MM:SSZ'. */
int lw_resolver_finish(struct lw_resolver *r, int64_t import_id, const char *now,
		       uint64_t *held_rows, struct lw_err *e);

/* fn for every agency id handed out since lw_resolver_begin (held names
 * have none), with the name it was handed out for; stops at the first
 * nonzero return and returns it.  What a work-order file checks before its
 * commit (lw_store_bulk_verify). */
int lw_resolver_each_id(struct lw_resolver *r, int (*fn)(int64_t id, const char *name, void *ud),
			void *ud);

/* Resolve every held row again, with the alias table as it is now: work
 * orders without agency_id get one, waiting defendants move to
 * case_defendants, names that resolve leave unresolved_agencies.  Also
 * fills agency_id of work orders stored before agencies were resolved
 * (warehouses before schema 7).  *moved: rows that got their agency. */
int lw_resolver_rerun(struct lw_resolver *r, int64_t *moved, struct lw_err *e);

/* Map alias to the agency canonical (created when new) in agency_aliases
 * (origin 'learned'); both names are normalised first.  LW_EEXIST when
 * alias already means another agency. */
int lw_resolver_add_alias(struct lw_resolver *r, const char *canonical, const char *alias,
			  struct lw_err *e);

#endif
