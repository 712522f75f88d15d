/*
 * agency.c — agency name normalisation, alias table, co-defendant split
 * (see agency.h).  The alias table is an open-addressing hash (FNV-1a) so
 * that a million-row import resolves each name in O(1).
 */
#include "domain/agency.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 || cp == 0x3000 || cp == 0xFEFF ||
	       cp == 0x200B;
}

static int open_bracket(uint32_t cp)
{
	return cp == '(' || cp == '[' || cp == 0x3010 || cp == 0x3014 || cp == 0x3016 || cp == 0xFE5D ||
	       cp == 0xFF3B;
}

static int close_bracket(uint32_t cp)
{
	return cp == ')' || cp == ']' || cp == 0x3011 || cp == 0x3015 || cp == 0x3017 || cp == 0xFE5E ||
	       cp == 0xFF3D;
}

/* Normalise s[0..len) (not NUL-terminated) into out. */
static int normalize_n(const char *s, size_t len, char *out, size_t cap, struct lw_err *e)
{
	char tmp[LW_AGENCY_NAME_MAX * 4 + 1];
	size_t r = 0, w = 0, bad;

	if (len > sizeof tmp - 1)
		return lw_err_set(e, LW_ELIMIT, "agency name: %zu bytes, longer than any agency name", len);
	if (!lw_utf8_valid(s, len, &bad))
		return lw_err_set(e, LW_EFORMAT, "agency name: invalid UTF-8 at byte %zu", bad);
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	lw_fold_fullwidth(tmp);
	len = strlen(tmp);
	while (r < len) {
		uint32_t cp;
		size_t n = lw_utf8_decode(tmp + r, len - r, &cp);
		char ch[4];
		size_t k;
		if (n == 0)
			return lw_err_set(e, LW_EFORMAT, "agency name: invalid UTF-8");
		r += n;
		if (is_space_cp(cp) || cp < 0x20 || cp == 0x7F)
			continue;
		if (open_bracket(cp)) {
			ch[0] = '(';
			k = 1;
		} else if (close_bracket(cp)) {
			ch[0] = ')';
			k = 1;
		} else {
			k = lw_utf8_encode(cp, ch);
		}
		if (w + k >= cap || w + k > LW_AGENCY_NAME_MAX)
			return lw_err_set(e, LW_ELIMIT, "agency name longer than %d bytes", LW_AGENCY_NAME_MAX);
		memcpy(out + w, ch, k);
		w += k;
	}
	out[w] = '\0';
	return 0;
}

int lw_agency_normalize(const char *name, char *out, size_t cap, struct lw_err *e)
{
	int rc;

	if (cap == 0)
		return lw_err_set(e, LW_ELIMIT, "agency name: no room for the result");
	out[0] = '\0';
	if ((rc = normalize_n(name, strlen(name), out, cap, e)) != 0)
		return rc;
	if (out[0] == '\0')
		return lw_err_set(e, LW_EFORMAT, "agency name is empty");
	return 0;
}

/* ---- alias table ---------------------------------------------------- */

struct slot {
	char *alias;            /* owned; NULL when empty */
	const char *canonical;  /* interned in t->names */
	enum lw_alias_origin origin;
};

struct lw_agency_aliases {
	struct slot *slots;
	size_t cap, used;
	char **names; /* interned canonical strings, freed with the table */
	size_t nnames, names_cap;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct lw_agency_aliases *lw_agency_aliases_new(void)
{
	struct lw_agency_aliases *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->cap = 64;
	if (!(t->slots = calloc(t->cap, sizeof *t->slots))) {
		free(t);
		return NULL;
	}
	return t;
}

void lw_agency_aliases_free(struct lw_agency_aliases *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].alias);
	for (size_t i = 0; i < t->nnames; i++)
		free(t->names[i]);
	free(t->names);
	free(t->slots);
	free(t);
}

static struct slot *find_slot(const struct lw_agency_aliases *t, const char *alias)
{
	size_t i = (size_t)(fnv1a(alias) & (t->cap - 1));

	while (t->slots[i].alias) {
		if (strcmp(t->slots[i].alias, alias) == 0)
			return &t->slots[i];
		i = (i + 1) & (t->cap - 1);
	}
	return &t->slots[i];
}

static int grow(struct lw_agency_aliases *t)
{
	struct slot *old = t->slots;
	size_t oc = t->cap;

	if (!(t->slots = calloc(oc * 2, sizeof *t->slots))) {
		t->slots = old;
		return LW_ENOMEM;
	}
	t->cap = oc * 2;
	for (size_t i = 0; i < oc; i++)
		if (old[i].alias)
			*find_slot(t, old[i].alias) = old[i];
	free(old);
	return 0;
}

static const char *intern(struct lw_agency_aliases *t, const char *name)
{
	struct slot *s = find_slot(t, name);
	char *copy;

	if (s->alias && strcmp(s->canonical, name) == 0)
		return s->canonical;
	if (t->nnames == t->names_cap) {
		size_t nc = t->names_cap ? t->names_cap * 2 : 16;
		char **nn = realloc(t->names, nc * sizeof *nn);
		if (!nn)
			return NULL;
		t->names = nn;
		t->names_cap = nc;
	}
	if (!(copy = strdup(name)))
		return NULL;
	t->names[t->nnames++] = copy;
	return copy;
}

/* Follow alias → canonical until a name that is its own canonical. */
static const char *resolve(const struct lw_agency_aliases *t, const char *name)
{
	for (int hops = 0; hops < 32; hops++) {
		struct slot *s = find_slot(t, name);
		if (!s->alias)
			return hops ? name : NULL;
		if (strcmp(s->canonical, name) == 0)
			return s->canonical;
		name = s->canonical;
	}
	return NULL;
}

/* Put alias → canonical; canonical already interned. */
static int put(struct lw_agency_aliases *t, const char *alias, const char *canonical, enum lw_alias_origin origin,
	       struct lw_err *e)
{
	struct slot *s;

	if ((t->used + 1) * 4 > t->cap * 3 && grow(t) != 0)
		return lw_err_set(e, LW_ENOMEM, "agency aliases: out of memory");
	s = find_slot(t, alias);
	if (s->alias) {
		if (strcmp(s->canonical, canonical) == 0) {
			if (origin == LW_ALIAS_CONFIG)
				s->origin = LW_ALIAS_CONFIG;
			return 0;
		}
		if (s->origin == LW_ALIAS_LEARNED && origin == LW_ALIAS_CONFIG) {
			s->canonical = canonical;
			s->origin = origin;
			return 0;
		}
		return lw_err_set(e, LW_EEXIST, "agency alias \"%s\" already means \"%s\" (%s); not changed to \"%s\"",
				  alias, s->canonical, s->origin == LW_ALIAS_CONFIG ? "configuration" : "learned",
				  canonical);
	}
	if (!(s->alias = strdup(alias)))
		return lw_err_set(e, LW_ENOMEM, "agency aliases: out of memory");
	s->canonical = canonical;
	s->origin = origin;
	t->used++;
	return 0;
}

int lw_agency_aliases_add(struct lw_agency_aliases *t, const char *alias, const char *canonical,
			  enum lw_alias_origin origin, struct lw_err *e)
{
	char a[LW_AGENCY_NAME_MAX + 1], c[LW_AGENCY_NAME_MAX + 1];
	const char *target, *ic;
	int rc;

	if ((rc = lw_agency_normalize(alias, a, sizeof a, e)) != 0 ||
	    (rc = lw_agency_normalize(canonical, c, sizeof c, e)) != 0)
		return rc;
	target = resolve(t, c);
	if (target && strcmp(target, a) == 0)
		return 0; /* already one agency, with alias as its canonical name */
	if (!target)
		target = c;
	if (!(ic = intern(t, target)))
		return lw_err_set(e, LW_ENOMEM, "agency aliases: out of memory");
	if ((rc = put(t, ic, ic, origin, e)) != 0 && rc != LW_EEXIST)
		return rc;
	return put(t, a, ic, origin, e);
}

const char *lw_agency_aliases_lookup(const struct lw_agency_aliases *t, const char *name)
{
	char n[LW_AGENCY_NAME_MAX + 1];

	if (lw_agency_normalize(name, n, sizeof n, NULL) != 0)
		return NULL;
	return resolve(t, n);
}

size_t lw_agency_aliases_count(const struct lw_agency_aliases *t)
{
	return t->used;
}

int lw_agency_aliases_each(const struct lw_agency_aliases *t,
			   int (*fn)(const char *alias, const char *canonical, enum lw_alias_origin origin, void *ud),
			   void *ud)
{
	for (size_t i = 0; i < t->cap; i++) {
		int rc;
		if (t->slots[i].alias && (rc = fn(t->slots[i].alias, resolve(t, t->slots[i].alias),
						  t->slots[i].origin, ud)) != 0)
			return rc;
	}
	return 0;
}

/* ---- co-defendants -------------------------------------------------- */

void lw_agency_names_free(char **names, size_t count)
{
	if (!names)
		return;
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static int is_separator(uint32_t cp)
{
	return cp == 0x3001 /* 、 */ || cp == 0xFF0C /* ， */ || cp == ',' || cp == ';' || cp == 0xFF1B /* ； */ ||
	       cp == '\n' || cp == '\r' || cp == 0x53CA /* 及 */;
}

static int add_name(char ***names, size_t *count, const char *s, size_t len, struct lw_err *e)
{
	char n[LW_AGENCY_NAME_MAX + 1], **nn;
	int rc = normalize_n(s, len, n, sizeof n, e);

	if (rc != 0)
		return rc;
	if (n[0] == '\0')
		return 0; /* empty part between two separators */
	for (size_t i = 0; i < *count; i++)
		if (strcmp((*names)[i], n) == 0)
			return 0;
	if (!(nn = realloc(*names, (*count + 1) * sizeof *nn)))
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	*names = nn;
	if (!(nn[*count] = strdup(n)))
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	(*count)++;
	return 0;
}

int lw_agency_split(const char *cell, char ***names, size_t *count, struct lw_err *e)
{
	size_t len = strlen(cell), r = 0, start = 0, bad;
	int depth = 0, rc = 0;
	struct lw_err local;

	lw_err_clear(&local);
	*names = NULL;
	*count = 0;
	if (!e)
		e = &local;
	if (!lw_utf8_valid(cell, len, &bad))
		return lw_err_set(e, LW_EFORMAT, "defendants: invalid UTF-8 at byte %zu", bad);
	while (r <= len) {
		uint32_t cp = 0;
		size_t n = r < len ? lw_utf8_decode(cell + r, len - r, &cp) : 1;
		int cut = r == len;

		if (!cut) {
			if (open_bracket(cp) || cp == 0xFF08 /* （ */)
				depth++;
			else if ((close_bracket(cp) || cp == 0xFF09 /* ） */) && depth > 0)
				depth--;
			else if (depth == 0 && is_separator(cp)) {
				uint32_t next = 0;
				/* 及其 ("and its") belongs to the name. */
				if (cp == 0x53CA && r + n < len && lw_utf8_decode(cell + r + n, len - r - n, &next) &&
				    next == 0x5176 /* 其 */)
					cut = 0;
				else
					cut = 1;
			}
		}
		if (cut) {
			if ((rc = add_name(names, count, cell + start, r - start, e)) != 0)
				goto fail;
			start = r + n;
		}
		r += n;
	}
	if (*count == 0) {
		rc = lw_err_set(e, LW_EFORMAT, "defendants: no agency name in the cell");
		goto fail;
	}
	return 0;
fail:
	lw_agency_names_free(*names, *count);
	*names = NULL;
	*count = 0;
	return rc;
}
