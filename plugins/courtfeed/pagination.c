/*
 * pagination.c — the shapes a court feed can have: how the URL of a page is
 * built, and what a page's answer says about the next one (how many items,
 * the total, the next cursor, the next link).  There is no national
 * interface standard for 府院联动 data sharing, so each of these is a
 * setting; the default is ?updated_since=..&page=n&page_size=k answered by
 * {"total", "page", "items", "next_cursor"}.
 *
 * Everything here reads outside input (the court's answers): it is covered
 * by tests/fuzz/fuzz_courtfeed.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "courtfeed.h"

/* A growing string. */
struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	/* len + n + 1 must not wrap around (then nothing would be allocated
	 * and memcpy would write n bytes past the buffer), nor cap's doubling. */
	if (n > SIZE_MAX / 2 - b->len - 1) {
		b->oom = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		char *np;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Percent-encode everything but RFC 3986 unreserved characters: cursors
 * are opaque ("2024-05-06T08:00:00+08:00" holds a '+', which a server
 * would read as a space). */
static void sb_encoded(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			sb_add(b, s, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			sb_add(b, e, 3);
		}
	}
}

static void sb_param(struct sbuf *b, int *first, const char *name, const char *value)
{
	if (!name || !*name || !value)
		return;
	sb_str(b, *first ? "" : "&");
	*first = 0;
	sb_encoded(b, name);
	sb_str(b, "=");
	sb_encoded(b, value);
}

int cf_first_url(const struct cf_shape *sh, const char *cursor, uint64_t page, uint64_t offset,
		 char **out)
{
	struct sbuf b = {0};
	char num[32], size[32];
	int first;

	*out = NULL;
	sb_str(&b, sh->url);
	first = 1;
	if (!strchr(sh->url, '?'))
		sb_str(&b, "?");
	else if (b.len && b.p[b.len - 1] != '?' && b.p[b.len - 1] != '&')
		first = 0;
	snprintf(size, sizeof size, "%lld", (long long)sh->page_size);
	/* cursor-token: the stored cursor is the server's own position token;
	 * the other shapes send the "changed since" cursor. */
	sb_param(&b, &first, sh->cursor_param, cursor);
	switch (sh->paging) {
	case CF_PAGE:
		snprintf(num, sizeof num, "%llu", (unsigned long long)page);
		sb_param(&b, &first, sh->page_param, num);
		break;
	case CF_OFFSET:
		snprintf(num, sizeof num, "%llu", (unsigned long long)offset);
		sb_param(&b, &first, sh->offset_param, num);
		break;
	case CF_NEXT_LINK:
	case CF_CURSOR_TOKEN:
		break;
	}
	sb_param(&b, &first, sh->page_size_param, size);
	for (size_t i = 0; i < sh->n_extra; i++) {
		sb_str(&b, first ? "" : "&");
		first = 0;
		sb_str(&b, sh->extra_query[i]);
	}
	if (b.oom) {
		free(b.p);
		return CF_ENOMEM;
	}
	*out = b.p;
	return 0;
}

/* RFC 6901: resolve pointer in doc (borrowed), NULL when it leads nowhere.
 * A token longer than the buffer leads nowhere rather than being cut. */
static json_t *pointer_get(json_t *doc, const char *p)
{
	if (!p || !*p)
		return doc;
	if (*p != '/')
		return NULL;
	while (doc && *p == '/') {
		char tok[256];
		size_t n = 0;
		p++;
		while (*p && *p != '/') {
			char c;
			if (p[0] == '~' && p[1] == '1') {
				c = '/';
				p += 2;
			} else if (p[0] == '~' && p[1] == '0') {
				c = '~';
				p += 2;
			} else if (p[0] == '~') {
				return NULL; /* '~' must be escaped */
			} else {
				c = *p++;
			}
			if (n + 1 >= sizeof tok)
				return NULL;
			tok[n++] = c;
		}
		tok[n] = '\0';
		if (json_is_object(doc)) {
			doc = json_object_get(doc, tok);
		} else if (json_is_array(doc)) {
			char *end;
			unsigned long i;
			if (!n || (tok[0] == '0' && n > 1) || tok[0] < '0' || tok[0] > '9')
				return NULL;
			i = strtoul(tok, &end, 10);
			if (*end)
				return NULL;
			doc = json_array_get(doc, i);
		} else {
			return NULL;
		}
	}
	return doc;
}

/* A scalar as text: strings as they are, integers in decimal; anything else
 * (null, "", objects) is "absent". */
static char *scalar_text(json_t *v)
{
	char buf[32];

	if (json_is_string(v) && json_string_length(v) > 0)
		return strndup(json_string_value(v), json_string_length(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return strdup(buf);
	}
	return NULL;
}

static size_t authority_end(const char *u)
{
	const char *s = strstr(u, "://");
	size_t i;

	if (!s)
		return 0;
	i = (size_t)(s - u) + 3;
	while (u[i] && u[i] != '/' && u[i] != '?' && u[i] != '#')
		i++;
	return i;
}

/* Same scheme, host and port, compared without case; a user:password@
 * part in the link is refused outright. */
static int same_origin(const char *a, const char *b)
{
	size_t na = authority_end(a), nb = authority_end(b);
	const char *at;

	if (!na || na != nb || strncasecmp(a, b, na))
		return 0;
	at = memchr(b, '@', nb);
	return at == NULL;
}

int cf_resolve_link(const char *base, const char *link, char **out)
{
	struct sbuf b = {0};
	size_t auth = authority_end(base);

	*out = NULL;
	if (!auth || !*link)
		return CF_EFORMAT;
	for (const char *p = link; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return CF_EFORMAT; /* no spaces or control characters in a URL */
	if (strstr(link, "://")) {
		if (!same_origin(base, link))
			return CF_EFORMAT;
		sb_str(&b, link);
	} else if (link[0] == '/' && link[1] == '/') {
		return CF_EFORMAT; /* network-path reference: another host */
	} else if (link[0] == '/') {
		sb_add(&b, base, auth);
		sb_str(&b, link);
	} else if (link[0] == '?') {
		size_t n = strcspn(base, "?#");
		sb_add(&b, base, n);
		sb_str(&b, link);
	} else {
		/* Relative path: replace the last segment of base's path.  Dot
		 * segments are left for the server to read. */
		size_t n = strcspn(base, "?#"), dir = n;
		while (dir > auth && base[dir - 1] != '/')
			dir--;
		sb_add(&b, base, dir);
		if (dir == auth)
			sb_str(&b, "/");
		sb_str(&b, link);
	}
	if (b.oom) {
		free(b.p);
		return CF_ENOMEM;
	}
	/* Fragments are never sent. */
	b.p[strcspn(b.p, "#")] = '\0';
	*out = b.p;
	return 0;
}

int cf_parse_page(const struct cf_shape *sh, const char *body, size_t len,
		  const char *request_url, struct cf_page_info *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc, *items, *v;
	int rc = CF_EFORMAT;

	memset(out, 0, sizeof *out);
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		snprintf(err, errlen, "invalid JSON at line %d, column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		return CF_EFORMAT;
	}
	items = pointer_get(doc, sh->items_pointer);
	if (!json_is_array(items)) {
		snprintf(err, errlen, "no array of items at JSON pointer \"%s\"", sh->items_pointer);
		goto out;
	}
	out->n_items = json_array_size(items);
	if (sh->total_pointer && *sh->total_pointer && (v = pointer_get(doc, sh->total_pointer))) {
		if (json_is_integer(v) && json_integer_value(v) >= 0) {
			out->has_total = 1;
			out->total = json_integer_value(v);
		} else if (!json_is_null(v)) {
			snprintf(err, errlen, "the total at JSON pointer \"%s\" is not a count",
				 sh->total_pointer);
			goto out;
		}
	}
	if (sh->next_cursor_pointer && *sh->next_cursor_pointer &&
	    (v = pointer_get(doc, sh->next_cursor_pointer)) && !json_is_null(v)) {
		if (json_is_string(v)) {
			size_t n = json_string_length(v);
			if (memchr(json_string_value(v), '\0', n)) {
				snprintf(err, errlen, "the cursor at JSON pointer \"%s\" holds a NUL",
					 sh->next_cursor_pointer);
				goto out;
			}
			if (n && !(out->next_cursor = strndup(json_string_value(v), n))) {
				rc = CF_ENOMEM;
				goto out;
			}
		} else if (json_is_integer(v)) {
			if (!(out->next_cursor = scalar_text(v))) {
				rc = CF_ENOMEM;
				goto out;
			}
		} else {
			snprintf(err, errlen, "the cursor at JSON pointer \"%s\" is not a string",
				 sh->next_cursor_pointer);
			goto out;
		}
	}
	if (sh->paging == CF_NEXT_LINK && sh->next_link_pointer &&
	    (v = pointer_get(doc, sh->next_link_pointer)) && !json_is_null(v)) {
		char *link = scalar_text(v);
		if (!json_is_string(v)) {
			free(link);
			snprintf(err, errlen, "the next link at JSON pointer \"%s\" is not a string",
				 sh->next_link_pointer);
			goto out;
		}
		if (link) {
			int r;
			if (strlen(link) != json_string_length(v))
				r = CF_EFORMAT;
			else
				r = cf_resolve_link(request_url, link, &out->next_link);
			free(link);
			if (r) {
				snprintf(err, errlen, "the next link at JSON pointer \"%s\" is not a URL "
					 "on the configured server", sh->next_link_pointer);
				rc = r;
				goto out;
			}
		}
	}
	rc = 0;
out:
	json_decref(doc);
	if (rc)
		cf_page_info_free(out);
	return rc;
}

void cf_page_info_free(struct cf_page_info *pi)
{
	free(pi->next_cursor);
	free(pi->next_link);
	pi->next_cursor = pi->next_link = NULL;
}

char *cf_url_for_log(const char *url)
{
	struct sbuf b = {0};
	const char *s = strstr(url, "://");
	size_t auth = authority_end(url), host = s ? (size_t)(s - url) + 3 : 0;
	const char *at = auth ? memchr(url + host, '@', auth - host) : NULL;

	if (at) {
		sb_add(&b, url, host);
		sb_add(&b, at + 1, (size_t)(url + auth - at - 1));
		sb_add(&b, url + auth, strcspn(url + auth, "?#"));
	} else {
		sb_add(&b, url, strcspn(url, "?#"));
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p ? b.p : strdup("");
}

/* FNV-1a, then a final mix so that open addressing spreads similar URLs. */
static uint64_t seen_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h ? h : 1;
}

int cf_seen_add(struct cf_seen *set, const char *s, uint64_t page, uint64_t *first_page)
{
	uint64_t h = seen_hash(s);
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct cf_seen_slot *ns = calloc(cap, sizeof *ns);
		if (!ns)
			return CF_ENOMEM;
		for (size_t j = 0; j < set->cap; j++) {
			if (!set->slot[j].hash)
				continue;
			for (i = set->slot[j].hash & (cap - 1); ns[i].hash; i = (i + 1) & (cap - 1))
				;
			ns[i] = set->slot[j];
		}
		free(set->slot);
		set->slot = ns;
		set->cap = cap;
	}
	for (i = h & (set->cap - 1); set->slot[i].hash; i = (i + 1) & (set->cap - 1)) {
		if (set->slot[i].hash == h) {
			*first_page = set->slot[i].page;
			return 1;
		}
	}
	set->slot[i].hash = h;
	set->slot[i].page = page;
	set->n++;
	return 0;
}

void cf_seen_clear(struct cf_seen *set)
{
	free(set->slot);
	set->slot = NULL;
	set->n = set->cap = 0;
}

int cf_valid_date(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1949 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}
