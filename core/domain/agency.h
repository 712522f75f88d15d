/*
 * agency.h — names of administrative agencies (行政机关): normalisation,
 * the alias table and splitting co-defendants (共同被告) out of one cell.
 *
 * The same bureau arrives as "市自然资源和规划局", "自然资源局" and
 * "市自然资源局 " depending on who typed it.  Names are first normalised
 * (trimmed, full-width folded, white space dropped, brackets unified), then
 * looked up in an alias table filled from the configuration and from what
 * operators confirmed ("learned").  There is no fuzzy matching: 县自然资源局
 * and 市自然资源局 are different agencies, and only the table says otherwise.
 */
#ifndef LW_DOMAIN_AGENCY_H
#define LW_DOMAIN_AGENCY_H

#include <stddef.h>

#include "base/err.h"

/* Longest normalised name accepted, in bytes (80 Chinese characters). */
#define LW_AGENCY_NAME_MAX 240

/*
 * Normalise name into out (cap bytes, NUL-terminated): trim, fold full-width
 * forms to ASCII, drop every white space (also U+3000, NBSP, zero-width),
 * make every bracket style ( （ 【 〔 [ ［ 〖 ﹝ ) the half-width "(" / ")".
 * Returns 0; LW_EFORMAT when name is empty after that or not UTF-8;
 * LW_ELIMIT when it is longer than LW_AGENCY_NAME_MAX or cap.
 */
int lw_agency_normalize(const char *name, char *out, size_t cap, struct lw_err *e);

/* Where an alias came from.  Configuration wins over learned entries. */
enum lw_alias_origin {
	LW_ALIAS_CONFIG = 0,
	LW_ALIAS_LEARNED = 1,
};

struct lw_agency_aliases;

/* Empty table, NULL when out of memory.  Not thread-safe for writes;
 * concurrent lookups on an unchanging table are safe. */
struct lw_agency_aliases *lw_agency_aliases_new(void);

/* Free the table and every string it returned. */
void lw_agency_aliases_free(struct lw_agency_aliases *t);

/*
 * Record that alias means canonical (both normalised first; copies are
 * kept).  canonical also becomes a name of itself.  If canonical is itself
 * an alias, the mapping goes to what it resolves to.  Returns 0 (also when
 * the mapping exists already); LW_EEXIST when alias already means another
 * agency and may not be overridden (config vs config, or learned vs config —
 * configuration replaces a learned entry silently); LW_EFORMAT/LW_ELIMIT for
 * a bad name; LW_ENOMEM.  When canonical already resolves to alias, the two
 * are one agency already and nothing changes.
 */
int lw_agency_aliases_add(struct lw_agency_aliases *t, const char *alias, const char *canonical,
			  enum lw_alias_origin origin, struct lw_err *e);

/* Canonical name of name (normalised first), or NULL when the table does
 * not know it.  The string belongs to the table and stays valid until
 * lw_agency_aliases_free. */
const char *lw_agency_aliases_lookup(const struct lw_agency_aliases *t, const char *name);

/* Number of names (aliases and canonical names) in the table. */
size_t lw_agency_aliases_count(const struct lw_agency_aliases *t);

/* Call fn for every alias → canonical entry (including canonical → itself),
 * in no particular order, e.g. to persist learned ones.  Stops and returns
 * fn's value when it is nonzero. */
int lw_agency_aliases_each(const struct lw_agency_aliases *t,
			   int (*fn)(const char *alias, const char *canonical, enum lw_alias_origin origin, void *ud),
			   void *ud);

/*
 * Split a cell naming several defendants (共同被告) at 、 ， , ; ； 及 and
 * line breaks, outside brackets ("某局（含A、B分局）" stays whole; "及其" as
 * in "某局及其工作人员" does not split).  Each part is normalised; empty
 * parts and repeats are dropped.  On success *names is a malloc'd array of
 * *count malloc'd strings (free with lw_agency_names_free), count >= 1.
 * Returns LW_EFORMAT when no name is left, LW_ELIMIT for a part too long.
 */
int lw_agency_split(const char *cell, char ***names, size_t *count, struct lw_err *e);

/* Free what lw_agency_split returned. */
void lw_agency_names_free(char **names, size_t count);

#endif
