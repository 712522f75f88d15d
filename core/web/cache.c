/*
 * cache.c — built pages kept while the warehouse has not changed.
 *
 * On the benchmark warehouse (10 years, 200 agencies, 5 M work orders) the
 * figures of one period take ~0.2 s and an agency's series with their
 * detectors ~0.9 s: with 20 clients on two cores no page could answer
 * within 100 ms if each request computed them again.  Yet they change
 * only when something is written.  So a page's content (below the header,
 * which names the user) is kept under its URL, arguments, language, role
 * and today's date, together with the warehouse's PRAGMA data_version seen
 * through one long-lived read-only connection of our own: any commit by
 * any other connection (an import, an alias, an evaluation, this
 * dashboard's own actions) changes it, and the next request builds the
 * page again.  A page under construction is built once: other requests
 * for it wait for it (single flight) instead of computing it too.
 *
 * A session's CSRF token in a kept page is replaced by a marker and put
 * back for each reader; the role is part of the key (a viewer's page has
 * no forms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "web/web_int.h"

#define CACHE_BYTES (64u << 20) /* all kept pages together */
#define WAIT_S 60               /* longest wait for a page another request builds */

static const char marker[] = "\x01" "csrf" "\x01";

struct lw_web_page {
	struct lw_web_page *next;
	char *key, *title, *content;
	size_t len;
	int64_t version;
	int building; /* a request is building it: wait on lw_web.cache_cv */
	uint64_t used; /* tick of the last use, for eviction */
};

/* The warehouse's data_version, or -1 (then nothing is kept). */
static int64_t data_version(struct lw_web *w)
{
	sqlite3_stmt *st;
	struct lw_err err = {0};
	int64_t v = -1;

	if (!w->version_wh && lw_wh_open(w->warehouse, LW_WH_READONLY, &w->version_wh, &err) != 0) {
		lw_log(LW_LOG_WARNING, NULL, "dashboard cache: %s", err.msg);
		w->version_wh = NULL;
		return -1;
	}
	if (lw_wh_stmt(w->version_wh, "PRAGMA data_version", &st, &err) == 0 &&
	    lw_wh_step(w->version_wh, st, &err) == 1) {
		v = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return v;
}

/* The first needle[0..m) in hay[0..n), or NULL (memmem is not C11). */
static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
	for (const char *p = hay; m && (size_t)(hay + n - p) >= m; p++) {
		if (!(p = memchr(p, needle[0], (size_t)(hay + n - p))) || (size_t)(hay + n - p) < m)
			return NULL;
		if (!memcmp(p, needle, m))
			return p;
	}
	return NULL;
}

static void page_free(struct lw_web_page *p)
{
	free(p->key);
	free(p->title);
	free(p->content);
	free(p);
}

void lw_web_cache_free(struct lw_web *w)
{
	while (w->pages) {
		struct lw_web_page *p = w->pages;
		w->pages = p->next;
		page_free(p);
	}
	lw_wh_close(w->version_wh);
	w->version_wh = NULL;
}

/* Drop pages of other versions, then the least recently used, until
 * `need` more bytes fit.  Under cache_mu. */
static void evict(struct lw_web *w, int64_t version, size_t need)
{
	for (struct lw_web_page **pp = &w->pages; *pp;) {
		struct lw_web_page *p = *pp;
		if (!p->building && p->version != version) {
			*pp = p->next;
			w->cache_bytes -= p->len;
			page_free(p);
		} else {
			pp = &p->next;
		}
	}
	while (w->cache_bytes + need > CACHE_BYTES) {
		struct lw_web_page **oldest = NULL;
		for (struct lw_web_page **pp = &w->pages; *pp; pp = &(*pp)->next)
			if (!(*pp)->building && (!oldest || (*pp)->used < (*oldest)->used))
				oldest = pp;
		if (!oldest)
			return;
		struct lw_web_page *p = *oldest;
		*oldest = p->next;
		w->cache_bytes -= p->len;
		page_free(p);
	}
}

static void key_of(struct lw_web_req *rq, char *key, size_t cap)
{
	char today[11];

	lw_web_today(today);
	/* Every argument a page reads, in a fixed order: two URLs that differ
	 * only in arguments no page reads share a page.  Pages change with the
	 * day (obligations due, overdue); the alerts page also with the
	 * minute (a silence ends at its time, with nothing written). */
	snprintf(key, cap, "%s|%s|%lld|%d|%s|%u|p=%s|s=%s|d=%s|a=%s|c=%s|u=%s|o=%s|f=%s|t=%s|g=%s|i=%s|"
		 "st=%s|n=%s", rq->url, today,
		 !strcmp(rq->url, "/ui/alerts") ? (long long)(time(NULL) / 60) : 0LL, (int)rq->role, rq->en ? "en" : "zh", rq->s->gen,
		 rq->period, rq->sort, rq->dir, rq->agency, rq->case_no, rq->cause, rq->outcome,
		 rq->from, rq->to, rq->page, rq->id, rq->state, rq->name);
}

/* The kept content with rq's token in place of the marker. */
static void put_back(struct lw_web_req *rq, struct lw_strbuf *b, const char *s, size_t len)
{
	const char *end = s + len, *m;

	while (s < end && (m = find(s, (size_t)(end - s), marker, sizeof marker - 1))) {
		lw_strbuf_printf(b, "%.*s%s", (int)(m - s), s, rq->sess.csrf);
		s = m + sizeof marker - 1;
	}
	lw_strbuf_printf(b, "%.*s", (int)(end - s), s);
}

int lw_web_cache_serve(struct lw_web_req *rq)
{
	struct lw_web *w = rq->w;
	struct lw_web_page *p;
	struct timespec until;
	char key[sizeof rq->url + 1400];
	int64_t v;

	key_of(rq, key, sizeof key);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_S;
	pthread_mutex_lock(&w->cache_mu);
	if ((v = data_version(w)) < 0) {
		pthread_mutex_unlock(&w->cache_mu);
		return 0;
	}
	for (;;) {
		for (p = w->pages; p; p = p->next)
			if (p->version == v && !strcmp(p->key, key))
				break;
		if (!p || !p->building)
			break;
		if (pthread_cond_timedwait(&w->cache_cv, &w->cache_mu, &until) != 0) {
			pthread_mutex_unlock(&w->cache_mu);
			return 0; /* build it ourselves, uncached */
		}
	}
	if (p && !strncmp(rq->url, "/api/", 5)) { /* JSON: the body as kept */
		size_t len = p->len;
		p->used = ++w->cache_tick;
		if ((rq->reply.body = malloc(len + 1))) {
			memcpy(rq->reply.body, p->content, len);
			rq->reply.body[len] = '\0';
		}
		pthread_mutex_unlock(&w->cache_mu);
		rq->reply.len = rq->reply.body ? len : 0;
		rq->reply.status = rq->reply.body ? 200 : 500;
		rq->reply.content_type = "application/json";
		return 1;
	}
	if (p) {
		struct lw_strbuf b = {0};
		p->used = ++w->cache_tick;
		/* Copied under the lock: the page may be evicted right after. */
		lw_page_begin(rq, &b, p->title);
		put_back(rq, &b, p->content, p->len);
		pthread_mutex_unlock(&w->cache_mu);
		lw_page_end(rq, &b);
		lw_page_reply(rq, &b, 200);
		return 1;
	}
	/* Ours to build: others wait for it. */
	if ((p = calloc(1, sizeof *p)) && (p->key = strdup(key))) {
		p->version = v;
		p->building = 1;
		p->used = ++w->cache_tick;
		p->next = w->pages;
		w->pages = p;
		rq->building = p;
	} else {
		free(p);
	}
	pthread_mutex_unlock(&w->cache_mu);
	return 0;
}

void lw_web_cache_done(struct lw_web_req *rq, const char *html, size_t len)
{
	struct lw_web *w = rq->w;
	struct lw_web_page *p = rq->building, **pp;
	struct lw_strbuf c = {0};
	const char *s, *end, *m;
	size_t n = strlen(rq->sess.csrf);

	if (!p)
		return;
	rq->building = NULL;
	/* The content, the token replaced by the marker. */
	if (html && rq->content_to > rq->content_from && rq->content_to <= len) {
		s = html + rq->content_from;
		end = html + rq->content_to;
		while (n && s < end && (m = find(s, (size_t)(end - s), rq->sess.csrf, n))) {
			lw_strbuf_printf(&c, "%.*s%s", (int)(m - s), s, marker);
			s = m + n;
		}
		lw_strbuf_printf(&c, "%.*s", (int)(end - s), s);
	}
	pthread_mutex_lock(&w->cache_mu);
	for (pp = &w->pages; *pp && *pp != p; pp = &(*pp)->next)
		;
	if (html && c.p && !c.oom && (p->title = strdup(rq->title))) {
		evict(w, p->version, c.len);
		p->content = c.p;
		p->len = c.len;
		w->cache_bytes += c.len;
		p->building = 0;
		c.p = NULL;
	} else if (*pp) { /* not kept: waiters build it themselves */
		*pp = p->next;
		page_free(p);
	}
	pthread_cond_broadcast(&w->cache_cv);
	pthread_mutex_unlock(&w->cache_mu);
	free(c.p);
}
