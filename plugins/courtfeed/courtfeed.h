/*
 * courtfeed.h — internal interface of the courtfeed importer plugin, which
 * polls a court's case-information interface (府院联动, court-government
 * information sharing) over HTTPS and hands each page to the core's
 * import pipeline.
 *
 * Split by concern:
 *   courtfeed.c   options, start/stop/poke (calls poll.c);
 *   poll.c        the poll state machine (passes, pages, retries, state);
 *   secrets.c     the token and headers files (used by both above);
 *   pagination.c  the shapes of a feed: request URLs, reading a page's
 *                 answer (items, total, next cursor, next link).
 * Nothing here is exported: the plugin's only public symbol is lw_plugin.
 */
#ifndef COURTFEED_H
#define COURTFEED_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "litwatch/plugin.h"

/* Negative codes as in the core's err.h (the plugin does not include it). */
#define CF_ENOMEM (-1)
#define CF_EIO (-2)
#define CF_EINVAL (-3)
#define CF_EFORMAT (-4)
#define CF_ECANCELED (-11)

enum cf_paging {
	CF_PAGE = 0,     /* ?page=n&page_size=k, n from 1 */
	CF_OFFSET,       /* ?offset=o&page_size=k, o from 0 */
	CF_NEXT_LINK,    /* the answer names the next page's URL */
	CF_CURSOR_TOKEN, /* the answer's next cursor is the next request's cursor */
};

/* The shape of a feed: how to ask for a page and where its answer keeps
 * things.  All strings are borrowed from the host's option values. */
struct cf_shape {
	enum cf_paging paging;
	const char *url;                 /* configured base URL */
	const char *items_pointer;       /* RFC 6901 */
	const char *cursor_param;
	const char *next_cursor_pointer; /* NULL or "": none */
	const char *total_pointer;       /* NULL or "": none */
	const char *next_link_pointer;
	const char *page_param, *page_size_param, *offset_param;
	const char **extra_query;        /* "k=v", URL-encoded by the operator */
	size_t n_extra;
	int64_t page_size;
};

/* What one page's answer says.  Strings are malloc'd; free with
 * cf_page_info_free. */
struct cf_page_info {
	size_t n_items;
	int has_total;
	int64_t total;
	char *next_cursor; /* NULL: absent, null or "" */
	char *next_link;   /* resolved absolute URL, NULL: none */
};

/* ---- pagination.c ---- */

/* The URL of the first request of a pass from cursor (may be NULL), page
 * or offset as the shape wants; malloc'd in *out. */
int cf_first_url(const struct cf_shape *sh, const char *cursor, uint64_t page, uint64_t offset,
		 char **out);

/* Read one answer (body of len bytes, not necessarily NUL-terminated).
 * request_url resolves a relative next link.  On CF_EFORMAT err says why
 * (no secrets: only the shape's pointers and JSON positions). */
int cf_parse_page(const struct cf_shape *sh, const char *body, size_t len,
		  const char *request_url, struct cf_page_info *out, char *err, size_t errlen);
void cf_page_info_free(struct cf_page_info *pi);

/* Resolve a next link against the URL it came from.  Refuses (CF_EFORMAT)
 * a link to another scheme, host or port: the bearer token must never go
 * to a server the operator did not configure.  malloc'd in *out. */
int cf_resolve_link(const char *base, const char *link, char **out);

/* base without query, fragment or user:password@, for logs and origins
 * (never carries secrets).  malloc'd. */
char *cf_url_for_log(const char *url);

/* Check a YYYY-MM-DD date (a real calendar day). */
int cf_valid_date(const char *s);

/* The links or cursor tokens a pass has asked for, so that a server whose
 * pagination loops (A -> B -> A, anywhere in the pass) is caught.  Holds
 * 64-bit hashes: a collision could only end a pass of the server that
 * crafted it, early and with an error, never skip data silently. */
struct cf_seen_slot {
	uint64_t hash; /* 0 = empty */
	uint64_t page; /* the page that first used it */
};
struct cf_seen {
	struct cf_seen_slot *slot; /* open addressing */
	size_t n, cap;
};

/* Record s as used by page.  Returns 0 when it is new, 1 when the pass
 * used it before (*first_page says where), or CF_ENOMEM. */
int cf_seen_add(struct cf_seen *set, const char *s, uint64_t page, uint64_t *first_page);
void cf_seen_clear(struct cf_seen *set);

/* ---- courtfeed.c: per-source state ---- */

/* A file re-read when its inode, size or mtime change (token, headers). */
struct cf_watched_file {
	const char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns;
	int loaded;
	unsigned generation; /* bumped each time the content is re-read */
};

enum cf_phase {
	CF_IDLE = 0, /* waiting for the next interval */
	CF_CURSOR,   /* reading the stored cursor */
	CF_FETCH,    /* a request is in flight */
	CF_IMPORT,   /* a page is being stored */
	CF_WAIT,     /* backing off after a failure */
};

struct cf {
	const struct lw_host_api *api;
	struct lw_source *src;
	struct cf_shape shape;
	uv_timer_t timer; /* the only timer: next poll or next retry */
	uv_fs_event_t tokwatch; /* the token file's directory (immediate retry after rotation) */
	int tokwatch_on;
	int handles_open;
	int stopping;

	/* options */
	const char *profile, *start, *ca_file, *proxy;
	int64_t interval_ms, timeout_ms, backoff_base_ms, backoff_max_ms;
	unsigned max_failures;
	uint64_t max_pages; /* pages of one pass before it is stopped as endless */
	int commit_per_page; /* cursor_commit = page */

	/* secrets: never logged */
	struct cf_watched_file tok;
	char *token;
	unsigned tok_rejected_gen; /* generation + 1 whose 401 was logged; 0: none */
	struct cf_watched_file hdr;
	char **headers; /* NULL-terminated "Name: value" */

	/* the pass in progress */
	enum cf_phase phase;
	int in_pass;
	char *since;       /* cursor the pass started from */
	char *req_url;     /* URL of the page being fetched or stored */
	uint64_t page, offset, seen, pages;
	char *token_pos;   /* cursor-token: the token sent with this page */
	char *pass_cursor; /* latest next cursor seen in this pass */
	int page_last;     /* the page being stored ends the pass */
	uint64_t cur_items; /* items of the page being stored */
	char *pending_next; /* next link / token, taken once the page is stored */
	struct cf_seen seen_pos; /* links / tokens requested in this pass */
	int again;         /* poke() during a pass: poll again at once after it */
	struct lw_http_call *call;
	uint64_t t_pass_ms;
	uint64_t pass_rows;

	/* failures */
	unsigned failures;
	int auth_failed; /* the last failure was a 401 */
	uint64_t rng;
};

/* ---- secrets.c ---- */

/* Re-read the token and headers files when they changed.  0, or a
 * negative code after writing a reason (naming the file, never its
 * content) to err. */
int cf_refresh_secrets(struct cf *st, char *err, size_t errlen);
/* Free a NULL-terminated list of "Name: value" lines. */
void cf_free_headers(char **h);

/* ---- poll.c ---- */

void cf_poll_begin(struct cf *st);      /* start a pass (phase must be IDLE) */
/* poke(): a pass now (0), one more right after the pass under way
 * (LW_POKE_UNDER_WAY), or the ms left of a back-off, which it keeps. */
int cf_poll_now(struct cf *st);
void cf_poll_token_changed(struct cf *st); /* the token file's directory changed */

#endif
