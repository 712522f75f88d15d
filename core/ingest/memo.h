/*
 * memo.h — what the mapper worked out for a cell it has seen before in the
 * same file.
 *
 * A 12345 export names the same few agencies and statuses on every row;
 * normalising an agency name and looking it up in the alias table was 12%
 * of the reader thread's time, for a handful of distinct names.  A memo
 * keeps the answer per (kind, cell text) in a small direct-mapped table:
 * a collision only replaces the older entry, so memory stays bounded by
 * LW_MEMO_SLOTS entries whatever the file holds.
 *
 * A memo belongs to one file (the alias table cannot change under it) and
 * to one thread at a time.
 */
#ifndef LW_INGEST_MEMO_H
#define LW_INGEST_MEMO_H

#define LW_MEMO_SLOTS 256
#define LW_MEMO_TEXT_MAX 256 /* longer cells are not remembered */

enum lw_memo_kind { LW_MEMO_AGENCY, LW_MEMO_STATUS };

struct lw_map_memo;

struct lw_map_memo *lw_map_memo_new(void); /* NULL when out of memory */
void lw_map_memo_free(struct lw_map_memo *m);

/* The answer remembered for text, or NULL. */
const char *lw_map_memo_get(const struct lw_map_memo *m, enum lw_memo_kind kind, const char *text);

/* Remember answer for text (both copied; nothing when out of memory or text
 * is too long: a memo is only a shortcut). */
void lw_map_memo_put(struct lw_map_memo *m, enum lw_memo_kind kind, const char *text,
		     const char *answer);

#endif
