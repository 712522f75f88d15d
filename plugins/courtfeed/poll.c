/*
 * poll.c — the courtfeed poll state machine, all on the daemon's loop:
 *
 *   IDLE --timer/poke--> CURSOR (read the stored cursor through the import
 *   queue, so it reflects every page stored before) --> FETCH page n -->
 *   IMPORT page n (the core maps and stores it in one transaction, with the
 *   cursor when this page may move it) --> FETCH page n+1 ... --> IDLE.
 *   Any failure --> WAIT (backoff) --> FETCH the same page again.
 *
 * The cursor invariant: the stored cursor never moves past data that is
 * not stored, because it is written only in the transaction of a page
 * whose rows land with it.  With cursor_commit "pass" (the default, safe
 * for any server) it moves with the last page of a pass only: a restart in
 * the middle of a pass repeats that pass from its first page, and the
 * repeated rows are harmless because cases upsert by 案号 (case number).
 * With "page" it moves with every page, for servers whose next_cursor is
 * the high-water mark of the items returned so far.  With cursor-token
 * pagination the token is the position itself and moves with every page.
 *
 * Exactly one uv timer is armed while idle or backing off, so an idle
 * source costs no CPU between polls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courtfeed.h"

#define RETRY_AFTER_MAX_MS (24LL * 3600 * 1000) /* honour Retry-After up to a day */

static void fetch(struct cf *st);

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
}

static void arm(struct cf *st, uint64_t ms, uv_timer_cb cb)
{
	uv_timer_stop(&st->timer);
	uv_timer_start(&st->timer, cb, ms, 0);
}

static void on_interval(uv_timer_t *t)
{
	cf_poll_begin(t->data);
}

static void on_retry(uv_timer_t *t)
{
	struct cf *st = t->data;

	if (st->in_pass)
		fetch(st);
	else
		cf_poll_begin(st);
}

static void end_pass_idle(struct cf *st)
{
	st->phase = CF_IDLE;
	st->in_pass = 0;
	if (st->again) {
		st->again = 0;
		cf_poll_begin(st);
		return;
	}
	arm(st, (uint64_t)st->interval_ms, on_interval);
}

/* One failure: count it, report failing after max_failures in a row, and
 * retry the same step after a jittered exponential delay (at least what a
 * Retry-After asked for). */
static void fail(struct cf *st, const char *detail, int64_t retry_after_s, int quiet)
{
	const struct lw_host_api *api = st->api;
	uint64_t delay;

	st->failures++;
	api->count(st->src, LW_CTR_ERRORS, 1);
	delay = api->backoff(st->failures - 1, (uint64_t)st->backoff_base_ms,
			     (uint64_t)st->backoff_max_ms, retry_after_s, RETRY_AFTER_MAX_MS, &st->rng);
	api->log(st->src, quiet ? LW_LOG_DEBUG : LW_LOG_WARNING,
		 "courtfeed: page %llu: %s; retry in %.1fs (failure %u in a row)",
		 (unsigned long long)st->page, detail, (double)delay / 1000.0, st->failures);
	if (st->failures == st->max_failures)
		api->log(st->src, LW_LOG_ERR, "courtfeed: %u failures in a row; the source is "
			 "failing (still retrying): %s", st->failures, detail);
	api->set_state(st->src, st->failures >= st->max_failures ? LW_STATE_FAILING
								 : LW_STATE_BUSY, detail);
	st->phase = CF_WAIT;
	arm(st, delay, on_retry);
}

/* The pass cannot end (the server's pagination loops or never ends): say
 * where and why, leave the cursor where it is (pages stored so far stay
 * stored; cases upsert, so the next pass repeating them is harmless), and
 * try again at the next interval rather than retrying the same page. */
static void fail_pass(struct cf *st, const char *why)
{
	const struct lw_host_api *api = st->api;
	const char *cur = st->shape.paging == CF_CURSOR_TOKEN ? st->token_pos : st->since;

	api->count(st->src, LW_CTR_ERRORS, 1);
	api->log(st->src, LW_LOG_ERR, "courtfeed: pass stopped at page %llu: %s; the stored cursor "
		 "stays at %s; next pass in %llds (fix the server's pagination, or raise max_pages "
		 "if the feed really is this long)", (unsigned long long)st->page, why,
		 cur ? cur : "-", (long long)(st->interval_ms / 1000));
	api->set_state(st->src, LW_STATE_FAILING, why);
	cf_seen_clear(&st->seen_pos);
	st->phase = CF_IDLE;
	st->in_pass = 0;
	st->again = 0;
	arm(st, (uint64_t)st->interval_ms, on_interval);
}

/* A page that does not end the pass: may the pass go on to the next one?
 * 0 yes; otherwise the pass has been stopped. */
static int pass_may_continue(struct cf *st, const char *next)
{
	char why[700];
	uint64_t first = 0;
	int r;

	if (st->page >= st->max_pages) {
		snprintf(why, sizeof why, "max_pages (%llu) reached and the feed still has more",
			 (unsigned long long)st->max_pages);
		fail_pass(st, why);
		return -1;
	}
	if (!next || (st->shape.paging != CF_NEXT_LINK && st->shape.paging != CF_CURSOR_TOKEN))
		return 0;
	if (st->page == 1) {
		const char *here = st->shape.paging == CF_NEXT_LINK ? st->req_url : st->token_pos;
		if (here && cf_seen_add(&st->seen_pos, here, 1, &first) < 0)
			goto nomem;
	}
	if ((r = cf_seen_add(&st->seen_pos, next, st->page + 1, &first)) < 0)
		goto nomem;
	if (r == 0)
		return 0;
	if (st->shape.paging == CF_NEXT_LINK) {
		char *shown = cf_url_for_log(next);
		snprintf(why, sizeof why, "the next link %s was already fetched in this pass (page "
			 "%llu): the server's pagination loops", shown ? shown : "-",
			 (unsigned long long)first);
		free(shown);
	} else {
		snprintf(why, sizeof why, "the next cursor token was already sent in this pass (page "
			 "%llu): the server's pagination loops", (unsigned long long)first);
	}
	fail_pass(st, why);
	return -1;
nomem:
	fail_pass(st, "out of memory tracking the pages of this pass");
	return -1;
}

static void succeeded(struct cf *st)
{
	if (st->failures >= st->max_failures)
		st->api->log(st->src, LW_LOG_NOTICE, "courtfeed: recovered after %u failures",
			     st->failures);
	if (st->failures)
		st->api->set_state(st->src, LW_STATE_BUSY, NULL);
	st->failures = 0;
	st->auth_failed = 0;
}

/* ---- a pass ---- */

static void on_cursor(void *ud, int rc, const char *cursor)
{
	struct cf *st = ud;
	char msg[256];

	if (st->stopping)
		return;
	if (rc != 0) {
		snprintf(msg, sizeof msg, "cannot read the stored cursor (error %d)", rc);
		st->phase = CF_IDLE;
		fail(st, msg, -1, 0);
		return;
	}
	if (!cursor && !st->start) {
		/* A configuration problem, not a transient one: say it once and
		 * look again at the next interval (a cursor may be imported). */
		st->api->log(st->src, LW_LOG_ERR, "courtfeed: no cursor is stored yet and `start` is "
			     "not set: set start to the first day to backfill (YYYY-MM-DD)");
		st->api->set_state(st->src, LW_STATE_FAILING, "no cursor stored and no `start` set");
		st->phase = CF_IDLE;
		arm(st, (uint64_t)st->interval_ms, on_interval);
		return;
	}
	set_str(&st->since, cursor ? cursor : st->start);
	set_str(&st->token_pos, st->since);
	set_str(&st->pass_cursor, NULL);
	set_str(&st->req_url, NULL);
	set_str(&st->pending_next, NULL);
	cf_seen_clear(&st->seen_pos);
	st->page = 1;
	st->offset = st->seen = st->pages = st->pass_rows = 0;
	st->in_pass = 1;
	st->t_pass_ms = uv_now(st->api->loop(st->src));
	st->api->log(st->src, LW_LOG_INFO, "courtfeed: poll from cursor %s%s", st->since,
		     cursor ? "" : " (start: first backfill)");
	fetch(st);
}

void cf_poll_begin(struct cf *st)
{
	int rc;

	if (st->stopping)
		return;
	uv_timer_stop(&st->timer);
	if (!st->failures)
		st->api->set_state(st->src, LW_STATE_BUSY, NULL);
	st->phase = CF_CURSOR;
	if ((rc = st->api->read_cursor(st->src, on_cursor, st)) != 0) {
		st->phase = CF_IDLE;
		fail(st, "the import queue refused to read the cursor", -1, 0);
	}
}

static void on_imported(void *ud, int rc, const struct lw_import_result *res)
{
	struct cf *st = ud;
	char msg[512];

	if (st->stopping || rc == CF_ECANCELED)
		return;
	if (rc != 0 || !strcmp(res->status, "failed") ||
	    (!strcmp(res->status, "rejected") && res->rows == 0)) {
		/* Nothing of the page is stored and the cursor did not move:
		 * fetch the page again later. */
		snprintf(msg, sizeof msg, "the page was not stored: %s",
			 res && res->message ? res->message : "warehouse error");
		fail(st, msg, -1, 0);
		return;
	}
	succeeded(st);
	/* Only now does the position move past this page. */
	st->seen += st->cur_items;
	st->offset += st->cur_items;
	st->page++;
	if (st->shape.paging == CF_NEXT_LINK && st->pending_next) {
		free(st->req_url);
		st->req_url = st->pending_next;
		st->pending_next = NULL;
	} else if (st->shape.paging == CF_CURSOR_TOKEN && st->pending_next) {
		set_str(&st->token_pos, st->pending_next);
	}
	st->pages++;
	st->pass_rows += res->rows;
	if (st->page_last) {
		uint64_t ms = uv_now(st->api->loop(st->src)) - st->t_pass_ms;
		st->api->log(st->src, LW_LOG_INFO, "courtfeed: poll done: %llu page(s), %llu case(s) "
			     "in %.1fs; cursor now %s", (unsigned long long)st->pages,
			     (unsigned long long)st->pass_rows, (double)ms / 1000.0,
			     st->shape.paging == CF_CURSOR_TOKEN ? (st->token_pos ? st->token_pos : "-")
			     : st->pass_cursor ? st->pass_cursor : st->since);
		st->api->set_state(st->src, LW_STATE_IDLE, NULL);
		cf_seen_clear(&st->seen_pos);
		end_pass_idle(st);
		return;
	}
	fetch(st);
}

/* The page's answer arrived: read it, decide whether it ends the pass and
 * which cursor goes with it, and hand it to the core. */
static void take_page(struct cf *st, const char *body, size_t len)
{
	const struct lw_host_api *api = st->api;
	struct cf_page_info pi;
	struct lw_records_req rq = {.struct_size = sizeof rq};
	char err[512], origin[600], *shown;
	const char *cursor = NULL;
	int rc, last;

	if ((rc = cf_parse_page(&st->shape, body, len, st->req_url, &pi, err, sizeof err)) != 0) {
		char msg[600];
		snprintf(msg, sizeof msg, "unusable answer: %s", err);
		fail(st, msg, -1, 0);
		return;
	}
	switch (st->shape.paging) {
	case CF_PAGE:
	case CF_OFFSET:
		last = pi.n_items == 0 || (pi.has_total && st->seen + pi.n_items >= (uint64_t)pi.total);
		break;
	case CF_NEXT_LINK:
		last = pi.n_items == 0 || !pi.next_link || !strcmp(pi.next_link, st->req_url);
		break;
	default: /* CF_CURSOR_TOKEN */
		last = pi.n_items == 0 || !pi.next_cursor ||
		       (st->token_pos && !strcmp(pi.next_cursor, st->token_pos));
		break;
	}
	if (!last && pass_may_continue(st, st->shape.paging == CF_NEXT_LINK ? pi.next_link
					: pi.next_cursor) != 0) {
		cf_page_info_free(&pi);
		return;
	}
	if (pi.next_cursor)
		set_str(&st->pass_cursor, pi.next_cursor);
	if (st->shape.paging == CF_CURSOR_TOKEN)
		cursor = pi.next_cursor;
	else if (last)
		cursor = st->pass_cursor;
	else if (st->commit_per_page)
		cursor = pi.next_cursor;
	st->page_last = last;
	st->cur_items = pi.n_items;
	/* Where the next page is: kept aside, taken only once this page is
	 * stored (a failed import retries this page, not the next). */
	set_str(&st->pending_next, st->shape.paging == CF_NEXT_LINK ? pi.next_link
				   : st->shape.paging == CF_CURSOR_TOKEN ? pi.next_cursor : NULL);
	shown = cf_url_for_log(st->req_url ? st->req_url : st->shape.url);
	snprintf(origin, sizeof origin, "%s page %llu", shown ? shown : "courtfeed",
		 (unsigned long long)st->page);
	free(shown);
	rq.profile = st->profile;
	rq.origin = origin;
	rq.json = body;
	rq.json_len = len;
	rq.items_pointer = st->shape.items_pointer;
	rq.cursor = cursor;
	st->phase = CF_IMPORT;
	rc = api->import_records(st->src, &rq, on_imported, st);
	cf_page_info_free(&pi);
	if (rc != 0) {
		snprintf(err, sizeof err, "the import queue refused the page (error %d)", rc);
		fail(st, err, -1, 0);
		return;
	}
}

static void on_http(void *ud, struct lw_http_resp *r)
{
	struct cf *st = ud;
	char msg[700];

	st->call = NULL;
	if (st->stopping || r->result == CF_ECANCELED)
		return;
	if (r->result != 0) {
		snprintf(msg, sizeof msg, "%s", r->error && *r->error ? r->error : "request failed");
		fail(st, msg, -1, 0);
		return;
	}
	if (r->status == 401) {
		unsigned gen = st->tok.generation;
		int first;
		/* Rotated while this request was in flight: try the new token now. */
		if (cf_refresh_secrets(st, msg, sizeof msg) == 0 && st->tok.generation != gen) {
			st->api->log(st->src, LW_LOG_NOTICE, "courtfeed: the token file changed; "
				     "retrying now");
			fetch(st);
			return;
		}
		first = st->tok_rejected_gen != st->tok.generation + 1;
		if (st->tok.path)
			snprintf(msg, sizeof msg, "token rejected (HTTP 401): update %s", st->tok.path);
		else
			snprintf(msg, sizeof msg, "token rejected (HTTP 401): set token_file");
		if (first)
			st->api->log(st->src, LW_LOG_ERR, "courtfeed: %s", msg);
		st->tok_rejected_gen = st->tok.generation + 1;
		st->auth_failed = 1;
		fail(st, msg, r->retry_after_s, !first);
		return;
	}
	if (r->status != 200) {
		snprintf(msg, sizeof msg, "HTTP %ld from the server", r->status);
		fail(st, msg, r->retry_after_s, 0);
		return;
	}
	take_page(st, r->body, r->body_len);
}

static void fetch(struct cf *st)
{
	const struct lw_host_api *api = st->api;
	struct lw_http_req req = {.struct_size = sizeof req};
	char err[512];
	int rc;

	if ((rc = cf_refresh_secrets(st, err, sizeof err)) != 0) {
		fail(st, err, -1, 0);
		return;
	}
	if (st->shape.paging != CF_NEXT_LINK || st->page == 1) {
		char *url = NULL;
		const char *cur = st->shape.paging == CF_CURSOR_TOKEN ? st->token_pos : st->since;
		if (cf_first_url(&st->shape, cur, st->page, st->offset, &url) != 0) {
			fail(st, "out of memory", -1, 0);
			return;
		}
		free(st->req_url);
		st->req_url = url;
	}
	req.method = LW_HTTP_GET;
	req.url = st->req_url;
	req.headers = (const char *const *)st->headers;
	req.bearer_token = st->token;
	req.ca_file = st->ca_file;
	req.proxy = st->proxy;
	req.timeout_ms = st->timeout_ms;
	/* A server that stalls mid-answer is given 30 s, not the whole time-out. */
	req.low_speed_limit = 1;
	req.low_speed_time_ms = st->timeout_ms < 30000 ? st->timeout_ms : 30000;
	st->phase = CF_FETCH;
	if ((rc = api->http_request(st->src, &req, on_http, st, &st->call)) != 0) {
		snprintf(err, sizeof err, "the request was refused (error %d)", rc);
		fail(st, err, -1, 0);
	}
}

int cf_poll_now(struct cf *st)
{
	uint64_t left;

	if (st->stopping)
		return LW_POKE_UNDER_WAY;
	switch (st->phase) {
	case CF_IDLE:
		cf_poll_begin(st);
		return 0;
	case CF_WAIT:
		/* Backing off after failures or a Retry-After: an operator's
		 * poll must not cut it short (50 pokes would be 50 requests to
		 * a server that asked us to wait).  Say when the retry is. */
		left = uv_timer_get_due_in(&st->timer);
		return left > INT32_MAX ? INT32_MAX : left < 2 ? 2 : (int)left;
	default:
		st->again = 1; /* one more pass after this one, however many pokes */
		return LW_POKE_UNDER_WAY;
	}
}

void cf_poll_token_changed(struct cf *st)
{
	unsigned gen = st->tok.generation;
	char err[512];

	if (st->stopping || st->phase != CF_WAIT || !st->auth_failed)
		return;
	/* An editor may write the file in several steps: act only once it
	 * holds a usable token that differs from the one refused. */
	if (cf_refresh_secrets(st, err, sizeof err) != 0 || st->tok.generation == gen)
		return;
	st->api->log(st->src, LW_LOG_NOTICE, "courtfeed: the token file changed; retrying now");
	uv_timer_stop(&st->timer);
	on_retry(&st->timer);
}
