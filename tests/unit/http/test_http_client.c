/*
 * test_http_client.c — the libcurl-multi driver on a real libuv loop,
 * against the loopback server tests/e2e/httpserver.py (HTTP, HTTPS with a
 * CA made at test time, SMTP with STARTTLS), which the group setup starts
 * with fork/exec and stops by closing its stdin.
 *
 * Every test closes its driver and then requires uv_loop_close() == 0: no
 * uv handle may stay open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "net/http_client.h"

static struct {
	pid_t pid;
	int stdin_fd;
	int http, https, smtp;
	char ca[512];
} srv;

/* What a callback saw, copied out of the response. */
struct got {
	int fired;
	int result, curl_code, retryable;
	long status, num_connects;
	char error[LW_ERR_MSG_MAX];
	char *body;
	size_t len;
	char etag[128], lm[128], ct[128];
	int64_t retry_after, elapsed_ms;
};

static void copy_str(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

static void on_done(void *ud, struct lw_http_resp *r)
{
	struct got *g = ud;

	g->fired++;
	g->result = r->result;
	g->curl_code = r->curl_code;
	g->retryable = r->retryable;
	g->status = r->status;
	g->num_connects = r->num_connects;
	copy_str(g->error, sizeof g->error, r->error);
	copy_str(g->etag, sizeof g->etag, r->etag);
	copy_str(g->lm, sizeof g->lm, r->last_modified);
	copy_str(g->ct, sizeof g->ct, r->content_type);
	g->retry_after = r->retry_after_s;
	g->elapsed_ms = r->elapsed_ms;
	free(g->body);
	g->body = r->body; /* take it */
	g->len = r->body_len;
	r->body = NULL;
}

static void url(char *buf, size_t cap, int tls, const char *path)
{
	snprintf(buf, cap, "%s://127.0.0.1:%d%s", tls ? "https" : "http", tls ? srv.https : srv.http,
		 path);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- per-test loop and driver ---- */

struct env {
	uv_loop_t loop;
	struct lw_http_driver *drv;
	int closed;
};

static void env_open(struct env *e)
{
	struct lw_err err = {0};

	memset(e, 0, sizeof *e);
	assert_int_equal(uv_loop_init(&e->loop), 0);
	if (lw_http_driver_new(&e->loop, &e->drv, &err) != 0) {
		print_error("driver: %s\n", err.msg);
		fail();
	}
}

static void on_closed(void *ud)
{
	((struct env *)ud)->closed++;
}

/* Close the driver, drain the loop, and prove nothing is left open. */
static void env_close(struct env *e)
{
	lw_http_driver_close(e->drv, on_closed, e);
	uv_run(&e->loop, UV_RUN_DEFAULT);
	assert_int_equal(e->closed, 1);
	assert_int_equal(uv_loop_close(&e->loop), 0);
}

/* Start req (GET of url when req is NULL) and run the loop until idle. */
static void run_one(struct env *e, const char *u, struct lw_http_req *req, struct got *g)
{
	struct lw_http_req def = {.struct_size = sizeof def};
	struct lw_err err = {0};

	if (!req)
		req = &def;
	req->struct_size = sizeof *req;
	req->url = u;
	if (lw_http_request(e->drv, req, on_done, g, NULL, &err) != 0) {
		print_error("request refused: %s\n", err.msg);
		fail();
	}
	assert_int_equal(g->fired, 0); /* never from inside lw_http_request */
	/* uv_run returns only when nothing is armed: an idle driver holds
	 * no timer and polls no socket. */
	uv_run(&e->loop, UV_RUN_DEFAULT);
	assert_int_equal(g->fired, 1);
}

static void got_free(struct got *g)
{
	free(g->body);
	g->body = NULL;
}

/* ---- tests ---- */

static void get_200_returns_body_and_content_type(void **state)
{
	struct env e;
	struct got g = {0};
	char u[256];

	env_open(&e);
	url(u, sizeof u, 0, "/hello?_body=hello%20world");
	run_one(&e, u, NULL, &g);
	assert_int_equal(g.result, 0);
	assert_int_equal(g.status, 200);
	assert_int_equal(g.len, 11);
	assert_string_equal(g.body, "hello world");
	assert_string_equal(g.ct, "application/json");
	assert_int_equal(g.retry_after, -1);
	assert_string_equal(g.error, "");
	got_free(&g);
	env_close(&e);
}

static void second_request_reuses_the_connection(void **state)
{
	struct env e;
	struct got a = {0}, b = {0};
	char u[256];

	env_open(&e);
	url(u, sizeof u, 0, "/one?_body=1");
	run_one(&e, u, NULL, &a);
	url(u, sizeof u, 0, "/two?_body=2");
	run_one(&e, u, NULL, &b);
	assert_int_equal(a.num_connects, 1);
	assert_int_equal(b.num_connects, 0);
	assert_string_equal(b.body, "2");
	got_free(&a);
	got_free(&b);
	env_close(&e);
}

static void status_404_and_500_are_passed_through(void **state)
{
	struct env e;
	struct got a = {0}, b = {0};
	char u[256];

	env_open(&e);
	url(u, sizeof u, 0, "/x?_status=404&_body=nope");
	run_one(&e, u, NULL, &a);
	assert_int_equal(a.result, 0);
	assert_int_equal(a.status, 404);
	assert_int_equal(a.retryable, 0);
	assert_string_equal(a.body, "nope");
	url(u, sizeof u, 0, "/x?_status=500");
	run_one(&e, u, NULL, &b);
	assert_int_equal(b.result, 0);
	assert_int_equal(b.status, 500);
	assert_int_equal(b.retryable, 1);
	assert_non_null(b.body);
	assert_int_equal(b.len, 0);
	got_free(&a);
	got_free(&b);
	env_close(&e);
}

static void status_429_with_retry_after_seconds_and_date(void **state)
{
	struct env e;
	struct got a = {0}, b = {0};
	char u[256], date[64], path[160];
	time_t t = time(NULL) + 120;
	struct tm tm;

	env_open(&e);
	url(u, sizeof u, 0, "/busy?_status=429&_retry_after=7");
	run_one(&e, u, NULL, &a);
	assert_int_equal(a.status, 429);
	assert_int_equal(a.retry_after, 7);
	assert_int_equal(a.retryable, 1);
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a,%%20%d%%20%b%%20%Y%%20%H:%M:%S%%20GMT", &tm);
	snprintf(path, sizeof path, "/busy?_status=503&_retry_after=%s", date);
	url(u, sizeof u, 0, path);
	run_one(&e, u, NULL, &b);
	assert_int_equal(b.status, 503);
	assert_in_range(b.retry_after, 115, 121);
	got_free(&a);
	got_free(&b);
	env_close(&e);
}

static void etag_and_last_modified_round_trip_to_304(void **state)
{
	struct env e;
	struct got a = {0}, b = {0};
	struct lw_http_req req = {0};
	char u[256];

	env_open(&e);
	url(u, sizeof u, 0, "/export?_etag=%22v1%22&_last_modified=Sun,%2006%20Nov%201994%2008:49:37%20GMT&_body=data");
	run_one(&e, u, NULL, &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.etag, "\"v1\"");
	assert_string_equal(a.lm, "Sun, 06 Nov 1994 08:49:37 GMT");
	req.if_none_match = a.etag;
	req.if_modified_since = a.lm;
	run_one(&e, u, &req, &b);
	assert_int_equal(b.status, 304);
	assert_int_equal(b.len, 0);
	got_free(&a);
	got_free(&b);
	env_close(&e);
}

static void total_timeout_fails_the_request(void **state)
{
	struct env e;
	struct got g = {0};
	struct lw_http_req req = {0};
	char u[256];
	int64_t t0 = mono_ms();

	env_open(&e);
	url(u, sizeof u, 0, "/slow?_delay_ms=3000");
	req.timeout_ms = 300;
	run_one(&e, u, &req, &g);
	assert_int_equal(g.result, LW_EIO);
	assert_int_equal(g.curl_code, 28); /* CURLE_OPERATION_TIMEDOUT */
	assert_int_equal(g.retryable, 1);
	assert_null(g.body);
	assert_true(mono_ms() - t0 < 2500);
	assert_non_null(strstr(g.error, "/slow"));
	env_close(&e);
}

static int closed_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	bind(s, (struct sockaddr *)&a, sizeof a);
	getsockname(s, (struct sockaddr *)&a, &l);
	close(s);
	return ntohs(a.sin_port);
}

static void connection_refused_is_a_retryable_error(void **state)
{
	struct env e;
	struct got g = {0};
	char u[256];

	env_open(&e);
	snprintf(u, sizeof u, "http://127.0.0.1:%d/x", closed_port());
	run_one(&e, u, NULL, &g);
	assert_int_equal(g.result, LW_EIO);
	assert_int_equal(g.curl_code, 7); /* CURLE_COULDNT_CONNECT */
	assert_int_equal(g.retryable, 1);
	env_close(&e);
}

static void truncated_body_and_reset_are_errors(void **state)
{
	struct env e;
	struct got a = {0}, b = {0};
	char u[256];

	env_open(&e);
	url(u, sizeof u, 0, "/t?_truncate=100&_body=abc");
	run_one(&e, u, NULL, &a);
	assert_int_equal(a.result, LW_EIO);
	assert_int_equal(a.curl_code, 18); /* CURLE_PARTIAL_FILE */
	assert_null(a.body);
	url(u, sizeof u, 0, "/r?_reset=1");
	run_one(&e, u, NULL, &b);
	assert_int_equal(b.result, LW_EIO);
	assert_int_equal(b.retryable, 1);
	env_close(&e);
}

static void response_larger_than_max_size_is_aborted(void **state)
{
	struct env e;
	struct got g = {0};
	struct lw_http_req req = {0};
	char u[256];

	env_open(&e);
	url(u, sizeof u, 0, "/big?_bytes=100000");
	req.max_size = 1000;
	run_one(&e, u, &req, &g);
	assert_int_equal(g.result, LW_ELIMIT);
	assert_null(g.body);
	assert_non_null(strstr(g.error, "1000 bytes"));
	env_close(&e);
}

static void https_verifies_with_the_test_ca_and_fails_without(void **state)
{
	struct env e;
	struct got a = {0}, b = {0};
	struct lw_http_req req = {0};
	char u[256];

	env_open(&e);
	url(u, sizeof u, 1, "/secure?_body=ok");
	req.ca_file = srv.ca;
	run_one(&e, u, &req, &a);
	assert_int_equal(a.result, 0);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "ok");
	run_one(&e, u, NULL, &b);
	assert_int_equal(b.result, LW_EIO);
	assert_int_equal(b.curl_code, 60); /* CURLE_PEER_FAILED_VERIFICATION */
	assert_int_equal(b.retryable, 0);
	assert_non_null(strstr(b.error, "certificate"));
	got_free(&a);
	env_close(&e);
}

struct cancel_ctx {
	struct lw_http_call *call;
	struct lw_http_driver *drv;
	int after_close;
};

static void on_cancel_timer(uv_timer_t *t)
{
	struct cancel_ctx *c = t->data;

	if (c->drv)
		lw_http_driver_close(c->drv, NULL, NULL);
	else
		lw_http_cancel(c->call);
	uv_close((uv_handle_t *)t, NULL);
}

static void cancel_mid_flight_fires_the_callback_once_with_ecanceled(void **state)
{
	struct env e;
	struct got g = {0};
	struct lw_http_req req = {.struct_size = sizeof req};
	struct cancel_ctx cc = {0};
	uv_timer_t t;
	char u[256];
	int64_t t0 = mono_ms();

	env_open(&e);
	url(u, sizeof u, 0, "/slow?_delay_ms=3000");
	req.url = u;
	assert_int_equal(lw_http_request(e.drv, &req, on_done, &g, &cc.call, NULL), 0);
	uv_timer_init(&e.loop, &t);
	t.data = &cc;
	uv_timer_start(&t, on_cancel_timer, 100, 0);
	uv_run(&e.loop, UV_RUN_DEFAULT);
	assert_int_equal(g.fired, 1);
	assert_int_equal(g.result, LW_ECANCELED);
	assert_non_null(strstr(g.error, "cancelled"));
	assert_true(mono_ms() - t0 < 2000);
	assert_int_equal(lw_http_in_flight(e.drv), 0);
	env_close(&e);
}

static void driver_close_with_requests_in_flight_closes_every_handle(void **state)
{
	struct env e;
	struct got g[3] = {{0}};
	struct lw_http_req req = {.struct_size = sizeof req};
	struct cancel_ctx cc = {0};
	uv_timer_t t;
	char u[256];

	env_open(&e);
	url(u, sizeof u, 0, "/slow?_delay_ms=3000");
	req.url = u;
	for (int i = 0; i < 3; i++)
		assert_int_equal(lw_http_request(e.drv, &req, on_done, &g[i], NULL, NULL), 0);
	cc.drv = e.drv;
	uv_timer_init(&e.loop, &t);
	t.data = &cc;
	uv_timer_start(&t, on_cancel_timer, 100, 0);
	uv_run(&e.loop, UV_RUN_DEFAULT);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(g[i].fired, 1);
		assert_int_equal(g[i].result, LW_ECANCELED);
	}
	assert_int_equal(uv_loop_close(&e.loop), 0);
}

static void token_and_credentials_never_appear_in_errors(void **state)
{
	static const char tok[] = "s3cr3t-T0KEN-value";
	struct env e;
	struct got a = {0}, b = {0}, c = {0};
	struct lw_http_req req = {0};
	char u[256];

	env_open(&e);
	/* a failing request whose URL carries the token, a password and the
	 * token as a query value */
	snprintf(u, sizeof u, "http://user:%s@127.0.0.1:%d/x?token=%s&page=1", tok, closed_port(),
		 tok);
	req.bearer_token = tok;
	run_one(&e, u, &req, &a);
	assert_int_equal(a.result, LW_EIO);
	assert_null(strstr(a.error, tok));
	assert_null(strstr(a.error, "user"));
	assert_non_null(strstr(a.error, "token=REDACTED&page=1"));
	/* the token does reach the server, as a bearer header */
	url(u, sizeof u, 0, "/auth?_status=401");
	run_one(&e, u, &req, &b);
	assert_int_equal(b.status, 401);
	url(u, sizeof u, 0, "/_requests");
	run_one(&e, u, NULL, &c);
	assert_non_null(strstr(c.body, "\"Authorization\": \"Bearer s3cr3t-T0KEN-value\""));
	got_free(&b);
	got_free(&c);
	env_close(&e);
}

static void post_sends_body_and_headers(void **state)
{
	static const char *const hdrs[] = {"Content-Type: application/json", "X-Lw-Test: 1", NULL};
	struct env e;
	struct got a = {0}, b = {0};
	struct lw_http_req req = {0};
	char u[256];

	env_open(&e);
	url(u, sizeof u, 0, "/hook");
	req.method = LW_HTTP_POST;
	req.headers = hdrs;
	req.body = "{\"alert\":\"上升\"}";
	req.body_len = strlen(req.body);
	run_one(&e, u, &req, &a);
	assert_int_equal(a.status, 200);
	url(u, sizeof u, 0, "/_requests");
	run_one(&e, u, NULL, &b);
	assert_non_null(strstr(b.body, "\"body\": \"{\\\"alert\\\":\\\"上升\\\"}\""));
	assert_non_null(strstr(b.body, "\"X-Lw-Test\": \"1\""));
	assert_non_null(strstr(b.body, "\"method\": \"POST\""));
	got_free(&a);
	got_free(&b);
	env_close(&e);
}

static void invalid_requests_are_refused_and_never_call_back(void **state)
{
	static const char *const bad_hdr[] = {"X-Evil: a\r\nInjected: b", NULL};
	static const char *const rcpt[] = {"<a@x>", NULL};
	struct env e;
	struct got g = {0};
	struct lw_http_req req = {.struct_size = sizeof req};
	struct lw_err err = {0};

	env_open(&e);
	req.url = "ftp://127.0.0.1/file";
	assert_int_equal(lw_http_request(e.drv, &req, on_done, &g, NULL, &err), LW_EINVAL);
	assert_non_null(strstr(err.msg, "http"));
	req.url = "http://127.0.0.1/x";
	req.headers = bad_hdr;
	assert_int_equal(lw_http_request(e.drv, &req, on_done, &g, NULL, &err), LW_EINVAL);
	req.headers = NULL;
	req.bearer_token = "a\nb";
	assert_int_equal(lw_http_request(e.drv, &req, on_done, &g, NULL, &err), LW_EINVAL);
	req.bearer_token = NULL;
	req.method = LW_HTTP_MAIL;
	req.url = "smtp://mail.example.com:25";
	req.mail_from = "<me@x>";
	req.mail_rcpt = rcpt;
	req.tls = LW_TLS_NONE_LOOPBACK;
	assert_int_equal(lw_http_request(e.drv, &req, on_done, &g, NULL, &err), LW_EINVAL);
	assert_non_null(strstr(err.msg, "without TLS"));
	req.struct_size = 0;
	assert_int_equal(lw_http_request(e.drv, &req, on_done, &g, NULL, &err), LW_EINVAL);
	uv_run(&e.loop, UV_RUN_DEFAULT);
	assert_int_equal(g.fired, 0);
	env_close(&e);
}

static void smtp_sends_one_message_to_two_recipients_over_starttls(void **state)
{
	static const char *const rcpt[] = {"<ops@bureau.example>", "<head@bureau.example>", NULL};
	static const char msg[] =
		"From: litwatch <litwatch@bureau.example>\r\n"
		"To: ops@bureau.example, head@bureau.example\r\n"
		"Subject: =?UTF-8?B?5ZGK6K2m?=\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n\r\n"
		"Filed cases rose.\r\n.leading dot\r\n";
	struct env e;
	struct got a = {0}, b = {0};
	struct lw_http_req req = {0};
	char u[256];
	json_t *j;

	env_open(&e);
	snprintf(u, sizeof u, "smtp://127.0.0.1:%d", srv.smtp);
	req.method = LW_HTTP_MAIL;
	req.mail_from = "<litwatch@bureau.example>";
	req.mail_rcpt = rcpt;
	req.body = msg;
	req.body_len = sizeof msg - 1;
	req.username = "lw";
	req.password = "mail-pass";
	req.ca_file = srv.ca;
	run_one(&e, u, &req, &a);
	if (a.result != 0)
		print_error("smtp: %s\n", a.error);
	assert_int_equal(a.result, 0);
	assert_int_equal(a.status, 250);
	url(u, sizeof u, 0, "/_smtp");
	run_one(&e, u, NULL, &b);
	j = json_loads(b.body, 0, NULL);
	assert_non_null(j);
	json_t *m = json_array_get(j, json_array_size(j) - 1);
	assert_string_equal(json_string_value(json_object_get(m, "mail_from")),
			    "<litwatch@bureau.example>");
	assert_int_equal(json_array_size(json_object_get(m, "rcpt")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "rcpt"), 1)),
			    "<head@bureau.example>");
	assert_true(json_is_true(json_object_get(m, "tls")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "auth"), "password")),
			    "mail-pass");
	assert_non_null(strstr(json_string_value(json_object_get(m, "data")),
			       "Filed cases rose.\r\n.leading dot\r\n"));
	json_decref(j);
	got_free(&a);
	got_free(&b);
	env_close(&e);
}

static void smtp_without_ca_fails_verification(void **state)
{
	static const char *const rcpt[] = {"<ops@bureau.example>", NULL};
	struct env e;
	struct got a = {0};
	struct lw_http_req req = {0};
	char u[256];

	env_open(&e);
	snprintf(u, sizeof u, "smtp://127.0.0.1:%d", srv.smtp);
	req.method = LW_HTTP_MAIL;
	req.mail_from = "<litwatch@bureau.example>";
	req.mail_rcpt = rcpt;
	req.body = "Subject: x\r\n\r\nx\r\n";
	req.body_len = strlen(req.body);
	run_one(&e, u, &req, &a);
	assert_int_equal(a.result, LW_EIO);
	assert_int_equal(a.curl_code, 60);
	env_close(&e);
}

/* Figures for the report: sequential GETs on one kept-alive connection. */
struct bench {
	struct lw_http_driver *drv;
	char url[256];
	int left, done;
	long connects;
};

static void bench_next(struct bench *b);

static void on_bench(void *ud, struct lw_http_resp *r)
{
	struct bench *b = ud;

	assert_int_equal(r->result, 0);
	b->connects += r->num_connects;
	b->done++;
	bench_next(b);
}

static void bench_next(struct bench *b)
{
	struct lw_http_req req = {.struct_size = sizeof req, .url = b->url};

	if (b->left-- > 0)
		assert_int_equal(lw_http_request(b->drv, &req, on_bench, b, NULL, NULL), 0);
}

static void loopback_throughput_on_kept_alive_connections(void **state)
{
	struct env e;
	struct bench b[4];
	int64_t t0;
	int total = 0;
	long connects = 0;

	env_open(&e);
	for (int i = 0; i < 4; i++) {
		memset(&b[i], 0, sizeof b[i]);
		b[i].drv = e.drv;
		b[i].left = 500;
		url(b[i].url, sizeof b[i].url, 0, "/bench?_bytes=1000");
	}
	t0 = mono_ms();
	for (int i = 0; i < 4; i++)
		bench_next(&b[i]);
	uv_run(&e.loop, UV_RUN_DEFAULT);
	for (int i = 0; i < 4; i++) {
		total += b[i].done;
		connects += b[i].connects;
	}
	assert_int_equal(total, 2000);
	assert_true(connects <= 8);
	fprintf(stderr, "# %d GETs in %lld ms (%.0f req/s) over %ld connection(s)\n", total,
		(long long)(mono_ms() - t0), total * 1000.0 / (double)(mono_ms() - t0 + 1), connects);
	env_close(&e);
}

/* ---- the server ---- */

static int server_start(void **state)
{
	int in[2], out[2];
	char line[1024];
	FILE *f;
	json_t *j;

	if (pipe(in) || pipe(out))
		return -1;
	srv.pid = fork();
	if (srv.pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(LW_PYTHON, LW_PYTHON, LW_HTTPSERVER_PY, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	srv.stdin_fd = in[1];
	f = fdopen(out[0], "r");
	if (!f || !fgets(line, sizeof line, f)) {
		fprintf(stderr, "httpserver.py did not start\n");
		return -1;
	}
	fclose(f);
	j = json_loads(line, 0, NULL);
	if (!j)
		return -1;
	srv.http = (int)json_integer_value(json_object_get(j, "http"));
	srv.https = (int)json_integer_value(json_object_get(j, "https"));
	srv.smtp = (int)json_integer_value(json_object_get(j, "smtp"));
	snprintf(srv.ca, sizeof srv.ca, "%s", json_string_value(json_object_get(j, "ca")));
	json_decref(j);
	return 0;
}

static int server_stop(void **state)
{
	int st;

	close(srv.stdin_fd);
	waitpid(srv.pid, &st, 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_200_returns_body_and_content_type),
		cmocka_unit_test(second_request_reuses_the_connection),
		cmocka_unit_test(status_404_and_500_are_passed_through),
		cmocka_unit_test(status_429_with_retry_after_seconds_and_date),
		cmocka_unit_test(etag_and_last_modified_round_trip_to_304),
		cmocka_unit_test(total_timeout_fails_the_request),
		cmocka_unit_test(connection_refused_is_a_retryable_error),
		cmocka_unit_test(truncated_body_and_reset_are_errors),
		cmocka_unit_test(response_larger_than_max_size_is_aborted),
		cmocka_unit_test(https_verifies_with_the_test_ca_and_fails_without),
		cmocka_unit_test(cancel_mid_flight_fires_the_callback_once_with_ecanceled),
		cmocka_unit_test(driver_close_with_requests_in_flight_closes_every_handle),
		cmocka_unit_test(token_and_credentials_never_appear_in_errors),
		cmocka_unit_test(post_sends_body_and_headers),
		cmocka_unit_test(invalid_requests_are_refused_and_never_call_back),
		cmocka_unit_test(smtp_sends_one_message_to_two_recipients_over_starttls),
		cmocka_unit_test(smtp_without_ca_fails_verification),
		cmocka_unit_test(loopback_throughput_on_kept_alive_connections),
	};
	return cmocka_run_group_tests(tests, server_start, server_stop);
}
