/*
 * memo.c — answers of the mapper per (kind, cell text), see memo.h.
 */
#include "ingest/memo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	enum lw_memo_kind kind;
	char *text;   /* NULL: empty */
	char *answer;
};

struct lw_map_memo {
	struct slot slot[LW_MEMO_SLOTS];
};

static unsigned slot_of(enum lw_memo_kind kind, const char *text)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % LW_MEMO_SLOTS;
}

struct lw_map_memo *lw_map_memo_new(void)
{
	return calloc(1, sizeof(struct lw_map_memo));
}

void lw_map_memo_free(struct lw_map_memo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < LW_MEMO_SLOTS; i++) {
		free(m->slot[i].text);
		free(m->slot[i].answer);
	}
	free(m);
}

const char *lw_map_memo_get(const struct lw_map_memo *m, enum lw_memo_kind kind, const char *text)
{
	const struct slot *s;

	if (!m)
		return NULL;
	s = &m->slot[slot_of(kind, text)];
	return s->text && s->kind == kind && !strcmp(s->text, text) ? s->answer : NULL;
}

void lw_map_memo_put(struct lw_map_memo *m, enum lw_memo_kind kind, const char *text,
		     const char *answer)
{
	struct slot *s;
	char *t, *a;

	if (!m || strlen(text) > LW_MEMO_TEXT_MAX)
		return;
	s = &m->slot[slot_of(kind, text)];
	if (!(t = strdup(text)) || !(a = strdup(answer))) {
		free(t);
		return;
	}
	free(s->text);
	free(s->answer);
	s->kind = kind;
	s->text = t;
	s->answer = a;
}
