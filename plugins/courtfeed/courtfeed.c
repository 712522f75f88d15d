/*
 * courtfeed.c — the courtfeed plugin: its options and the lifecycle of a
 * source (start, stop, poke).  The polling itself is in poll.c, the feed
 * shapes in pagination.c, the secret files (token, headers) in secrets.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "courtfeed.h"

static const struct lw_option options[] = {
	{"url", LW_OPT_URL, LW_OPT_REQUIRED, NULL, 0, 0, NULL,
	 "the court interface's URL (https://...); query parameters are added to it"},
	{"token_file", LW_OPT_FILE, LW_OPT_PRIVATE, NULL, 0, 0, NULL,
	 "file holding the bearer token; re-read when it changes"},
	{"headers_file", LW_OPT_FILE, LW_OPT_PRIVATE, NULL, 0, 0, NULL,
	 "file of extra \"Name: value\" request headers (secrets); re-read when it changes"},
	{"interval", LW_OPT_DURATION, 0, "15m", 0, 0, NULL, "time between two polls"},
	{"page_size", LW_OPT_INT, 0, "500", 1, 10000, NULL, "items asked for per page"},
	{"profile", LW_OPT_STRING, 0, "court-cases", 0, 0, NULL, "mapping profile of the items"},
	{"start", LW_OPT_STRING, 0, NULL, 0, 0, NULL,
	 "first backfill date YYYY-MM-DD, used while no cursor is stored"},
	{"ca_file", LW_OPT_FILE, 0, NULL, 0, 0, NULL,
	 "PEM bundle that replaces the system trust store"},
	{"proxy", LW_OPT_STRING, 0, NULL, 0, 0, NULL, "HTTP(S) proxy, e.g. http://proxy:3128"},
	{"timeout", LW_OPT_DURATION, 0, "60s", 0, 0, NULL, "limit for one request"},
	{"items_pointer", LW_OPT_STRING, 0, "/items", 0, 0, NULL,
	 "JSON pointer to the array of cases in an answer"},
	{"pagination", LW_OPT_STRING, 0, "page", 0, 0, "page|offset|next-link|cursor-token",
	 "how pages are asked for"},
	{"cursor_param", LW_OPT_STRING, 0, "updated_since", 0, 0, NULL,
	 "query parameter carrying the cursor"},
	{"next_cursor_pointer", LW_OPT_STRING, 0, "/next_cursor", 0, 0, NULL,
	 "JSON pointer to the cursor for the next poll (or next page, cursor-token)"},
	{"total_pointer", LW_OPT_STRING, 0, "/total", 0, 0, NULL,
	 "JSON pointer to the number of items of the whole query (\"\": none)"},
	{"next_link_pointer", LW_OPT_STRING, 0, "/next", 0, 0, NULL,
	 "next-link: JSON pointer to the next page's URL"},
	{"page_param", LW_OPT_STRING, 0, "page", 0, 0, NULL, "page: query parameter of the page number"},
	{"page_size_param", LW_OPT_STRING, 0, "page_size", 0, 0, NULL,
	 "query parameter of the page size (\"\": not sent)"},
	{"offset_param", LW_OPT_STRING, 0, "offset", 0, 0, NULL, "offset: query parameter of the offset"},
	{"extra_query", LW_OPT_STRINGS, 0, NULL, 0, 0, NULL,
	 "extra query parameters, each \"name=value\" written URL-encoded"},
	{"cursor_commit", LW_OPT_STRING, 0, "pass", 0, 0, "pass|page",
	 "move the stored cursor at the end of a pass (any server) or with every page "
	 "(servers whose next_cursor is the high-water mark of the items so far)"},
	{"max_failures", LW_OPT_INT, 0, "5", 1, 1000, NULL,
	 "consecutive failures before the source reports failing"},
	{"max_pages", LW_OPT_INT, 0, "100000", 1, 100000000, NULL,
	 "pages of one pass before it is stopped as endless (a feed whose pages never end)"},
	{"backoff_base", LW_OPT_DURATION, 0, "1s", 0, 0, NULL, "first retry delay (before jitter)"},
	{"backoff_max", LW_OPT_DURATION, 0, "5m", 0, 0, NULL, "longest retry delay (before Retry-After)"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

/* ---- lifecycle ---- */

static void on_tokdir(uv_fs_event_t *h, const char *filename, int events, int status)
{
	struct cf *st = h->data;
	char *copy = strdup(st->tok.path);

	if (copy && (!filename || !strcmp(filename, basename(copy))))
		cf_poll_token_changed(st);
	free(copy);
}

static void free_state(struct cf *st)
{
	if (st->token) {
		explicit_bzero(st->token, strlen(st->token));
		free(st->token);
	}
	cf_free_headers(st->headers);
	free(st->since);
	free(st->req_url);
	free(st->token_pos);
	free(st->pass_cursor);
	free(st->pending_next);
	cf_seen_clear(&st->seen_pos);
	free(st->shape.extra_query);
	free(st);
}

static void on_closed(uv_handle_t *h)
{
	struct cf *st = h->data;

	if (--st->handles_open == 0) {
		const struct lw_host_api *api = st->api;
		struct lw_source *src = st->src;
		free_state(st);
		/* Requests and imports still in flight are the host's to abort
		 * from here on; their callbacks never fire. */
		api->stopped(src);
	}
}

static int cf_start(const struct lw_host_api *api, struct lw_source *src, void **state)
{
	struct cf *st;
	const char *paging, *s;
	size_t n;

	if (api->abi_version < 1 ||
	    api->struct_size < offsetof(struct lw_host_api, read_cursor) + sizeof api->read_cursor) {
		api->log(src, LW_LOG_ERR, "courtfeed needs a host with the HTTP and import entries "
			 "(ABI 1); upgrade litwatchd");
		return -6;
	}
	if (!(st = calloc(1, sizeof *st)))
		return CF_ENOMEM;
	st->api = api;
	st->src = src;
	st->shape.url = api->opt_str(src, "url");
	st->shape.items_pointer = api->opt_str(src, "items_pointer");
	st->shape.cursor_param = api->opt_str(src, "cursor_param");
	st->shape.next_cursor_pointer = api->opt_str(src, "next_cursor_pointer");
	st->shape.total_pointer = api->opt_str(src, "total_pointer");
	st->shape.next_link_pointer = api->opt_str(src, "next_link_pointer");
	st->shape.page_param = api->opt_str(src, "page_param");
	st->shape.page_size_param = api->opt_str(src, "page_size_param");
	st->shape.offset_param = api->opt_str(src, "offset_param");
	st->shape.page_size = api->opt_int(src, "page_size");
	paging = api->opt_str(src, "pagination");
	st->shape.paging = !strcmp(paging, "offset")         ? CF_OFFSET
			   : !strcmp(paging, "next-link")    ? CF_NEXT_LINK
			   : !strcmp(paging, "cursor-token") ? CF_CURSOR_TOKEN
							     : CF_PAGE;
	st->profile = api->opt_str(src, "profile");
	st->start = api->opt_str(src, "start");
	st->ca_file = api->opt_str(src, "ca_file");
	st->proxy = api->opt_str(src, "proxy");
	st->interval_ms = api->opt_int(src, "interval");
	st->timeout_ms = api->opt_int(src, "timeout");
	st->backoff_base_ms = api->opt_int(src, "backoff_base");
	st->backoff_max_ms = api->opt_int(src, "backoff_max");
	st->max_failures = (unsigned)api->opt_int(src, "max_failures");
	st->max_pages = (uint64_t)api->opt_int(src, "max_pages");
	st->commit_per_page = !strcmp(api->opt_str(src, "cursor_commit"), "page");
	st->tok.path = api->opt_str(src, "token_file");
	st->hdr.path = api->opt_str(src, "headers_file");
	st->rng = (uint64_t)(uintptr_t)st ^ (uint64_t)uv_hrtime();

	/* What the host's option types cannot say. */
	if (st->start && !cf_valid_date(st->start)) {
		api->log(src, LW_LOG_ERR, "start: \"%s\" is not a date written YYYY-MM-DD", st->start);
		goto bad;
	}
	if (strchr(st->shape.url, '#')) {
		api->log(src, LW_LOG_ERR, "url: remove the #fragment");
		goto bad;
	}
	if (st->interval_ms < 1000 || st->backoff_base_ms < 10 ||
	    st->backoff_max_ms < st->backoff_base_ms) {
		api->log(src, LW_LOG_ERR, "interval must be at least 1s, backoff_base at least 10ms "
			 "and backoff_max at least backoff_base");
		goto bad;
	}
	s = st->shape.items_pointer;
	if ((*s && *s != '/') || (st->shape.next_cursor_pointer[0] &&
				  st->shape.next_cursor_pointer[0] != '/') ||
	    (st->shape.total_pointer[0] && st->shape.total_pointer[0] != '/') ||
	    (st->shape.next_link_pointer[0] != '/')) {
		api->log(src, LW_LOG_ERR, "items_pointer, next_cursor_pointer, total_pointer and "
			 "next_link_pointer are JSON pointers: \"\" or starting with '/'");
		goto bad;
	}
	if (st->shape.paging == CF_CURSOR_TOKEN && !st->shape.next_cursor_pointer[0]) {
		api->log(src, LW_LOG_ERR, "pagination cursor-token needs next_cursor_pointer");
		goto bad;
	}
	n = api->opt_count(src, "extra_query");
	if (n) {
		if (!(st->shape.extra_query = calloc(n, sizeof(char *))))
			goto bad;
		for (size_t i = 0; i < n; i++) {
			const char *kv = api->opt_item(src, "extra_query", i);
			if (!strchr(kv, '=') || kv[0] == '=' || strpbrk(kv, " &#\r\n\t")) {
				api->log(src, LW_LOG_ERR, "extra_query[%zu]: expected \"name=value\" "
					 "(URL-encoded, no spaces, '&' or '#')", i);
				goto bad;
			}
			st->shape.extra_query[i] = kv;
		}
		st->shape.n_extra = n;
	}
	{
		char err[512];
		if (cf_refresh_secrets(st, err, sizeof err) != 0) {
			/* Not fatal: a token may be put in place after start.  The
			 * poll reports it as a failure and retries. */
			api->log(src, LW_LOG_WARNING, "courtfeed: %s", err);
		}
	}

	uv_timer_init(api->loop(src), &st->timer);
	st->timer.data = st;
	st->handles_open = 1;
	if (st->tok.path) {
		/* Watch the token's directory, not the file: rotation usually
		 * renames a new file over the old one. */
		char *dir = strdup(st->tok.path);
		uv_fs_event_init(api->loop(src), &st->tokwatch);
		st->tokwatch.data = st;
		st->handles_open++;
		st->tokwatch_on = 1;
		if (!dir || uv_fs_event_start(&st->tokwatch, on_tokdir, dirname(dir), 0) != 0)
			api->log(src, LW_LOG_INFO, "courtfeed: cannot watch the token's folder; a "
				 "rotated token is picked up at the next retry");
		free(dir);
	}
	{
		char *shown = cf_url_for_log(st->shape.url);
		api->log(src, LW_LOG_INFO, "courtfeed: polling %s every %llds, %s pagination, "
			 "%lld per page, cursor moves per %s", shown ? shown : "the feed",
			 (long long)(st->interval_ms / 1000), paging,
			 (long long)st->shape.page_size, st->commit_per_page ? "page" : "pass");
		free(shown);
	}
	*state = st;
	cf_poll_begin(st);
	return 0;
bad:
	free_state(st);
	return CF_EINVAL;
}

static void cf_stop(void *state)
{
	struct cf *st = state;

	st->stopping = 1;
	uv_timer_stop(&st->timer);
	uv_close((uv_handle_t *)&st->timer, on_closed);
	if (st->tokwatch_on)
		uv_close((uv_handle_t *)&st->tokwatch, on_closed);
}

static int cf_poke(void *state)
{
	return cf_poll_now(state);
}

LW_PLUGIN_EXPORT const struct lw_plugin lw_plugin = {
	.abi_version = LW_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(struct lw_plugin),
	.name = "courtfeed",
	.version = "1.0",
	.description = "polls a court's case-information interface (JSON over HTTPS)",
	.options = options,
	.start = cf_start,
	.stop = cf_stop,
	.poke = cf_poke,
};
