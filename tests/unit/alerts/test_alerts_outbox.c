/*
 * test_alerts_outbox.c — the outbox against a fake receiver: retry with
 * exponential backoff, failed after max_attempts, and across a restart
 * (warehouse closed and reopened) nothing lost and nothing repeated; what
 * WeCom, DingTalk (signed) and webhook receivers get.
 */
#include "alerts_test_util.h"

/* A receiver that fails fail_next times, then takes everything. */
struct fake {
	int fail_next; /* failures to give before succeeding */
	int calls, delivered;
	int64_t ids[32];
	char last_url[512];
	char *last_body;
};

static int fake_send(struct fake *f, const struct lw_outbox_msg *m, char *detail, size_t len)
{
	f->calls++;
	snprintf(f->last_url, sizeof f->last_url, "%s", m->url ? m->url : "");
	free(f->last_body);
	f->last_body = strdup(m->body);
	if (f->fail_next > 0) {
		f->fail_next--;
		snprintf(detail, len, "fake receiver down");
		return LW_EIO;
	}
	f->ids[f->delivered++ % 32] = m->o.id;
	return 0;
}

static void queue_one(struct fx *f)
{
	add_cases(f, 2, "甲局", NULL, "2024-01-05", "2024-04-10", "revoked");
	conf_load(f, "{\"rules\":[{\"name\":\"lr\",\"method\":\"loss-rate\",\"above_percent\":10}]}",
		  "{\"retry\":{\"initial\":\"10s\",\"max\":\"30s\",\"max_attempts\":5},"
		  "\"sinks\":[{\"name\":\"hook\",\"type\":\"webhook\",\"url\":\"http://h/x\"}]}");
	eval(f, "2024-06-01T00:00:00Z", NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications"), 1);
}

/* What the engine does on its worker, with a synchronous receiver: take
 * what is due at now, "send" it, record the outcomes at now. */
static void drain(struct fx *f, struct fake *fk, const char *now)
{
	struct lw_outbox_msg *m;
	struct lw_err e = {0};
	size_t n;

	assert_int_equal(lw_outbox_take_due(f->wh, f->conf, at(now), NULL, 0, &m, &n, &e), 0);
	for (size_t i = 0; i < n; i++) {
		m[i].o.rc = fake_send(fk, &m[i], m[i].o.detail, sizeof m[i].o.detail);
		assert_int_equal(lw_outbox_record(f->wh, f->conf, &m[i].o, at(now), &e), 0);
	}
	lw_outbox_msgs_free(m, n);
}

static void in_flight_notifications_are_not_taken_twice(void **state)
{
	struct fx *f = *state;
	struct lw_outbox_msg *m, *m2;
	struct lw_err e = {0};
	size_t n, n2;

	queue_one(f);
	assert_int_equal(lw_outbox_take_due(f->wh, f->conf, at("2024-06-01T00:00:00Z"), NULL, 0,
					    &m, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lw_outbox_take_due(f->wh, f->conf, at("2024-06-01T00:00:00Z"), &m[0].o.id,
					    1, &m2, &n2, &e), 0);
	assert_int_equal(n2, 0);
	lw_outbox_msgs_free(m2, n2);
	lw_outbox_msgs_free(m, n);
}

static void failing_sink_is_retried_with_exponential_backoff(void **state)
{
	struct fx *f = *state;
	struct fake fk = {2, 0, 0, {0}, "", NULL};
	char next[32];

	queue_one(f);
	drain(f, &fk, "2024-06-01T00:00:00Z");
	assert_int_equal(fk.calls, 1);
	sql_text(f, "SELECT next_attempt_at FROM notifications", next, sizeof next);
	assert_string_equal(next, "2024-06-01T00:00:10Z"); /* initial 10 s */
	drain(f, &fk, "2024-06-01T00:00:09Z");
	assert_int_equal(fk.calls, 1); /* not due */
	drain(f, &fk, "2024-06-01T00:00:10Z");
	assert_int_equal(fk.calls, 2);
	sql_text(f, "SELECT next_attempt_at FROM notifications", next, sizeof next);
	assert_string_equal(next, "2024-06-01T00:00:30Z"); /* doubled: 20 s */
	assert_int_equal(sql_int(f, "SELECT attempts FROM notifications"), 2);
	drain(f, &fk, "2024-06-01T00:00:30Z");
	assert_int_equal(fk.calls, 3);
	assert_int_equal(fk.delivered, 1);
	sql_text(f, "SELECT state FROM notifications", next, sizeof next);
	assert_string_equal(next, "sent");
	drain(f, &fk, "2024-06-02T00:00:00Z");
	assert_int_equal(fk.calls, 3); /* sent: never again */
	free(fk.last_body);
}

static void sink_that_keeps_failing_ends_failed_after_max_attempts(void **state)
{
	struct fx *f = *state;
	struct fake fk = {100, 0, 0, {0}, "", NULL};
	char s[32];
	queue_one(f);
	for (int i = 0; i < 10; i++)
		drain(f, &fk, i < 9 ? "2024-06-01T01:00:00Z" : "2024-06-02T00:00:00Z");
	/* 5 attempts spread over the backoff; the tenth drain finds nothing. */
	sql_text(f, "SELECT state FROM notifications", s, sizeof s);
	assert_int_equal(sql_int(f, "SELECT attempts FROM notifications"), 2);
	for (int i = 0; i < 5; i++) {
		char t[32];
		snprintf(t, sizeof t, "2024-06-0%dT00:00:00Z", 3 + i);
		drain(f, &fk, t);
	}
	sql_text(f, "SELECT state FROM notifications", s, sizeof s);
	assert_string_equal(s, "failed");
	assert_int_equal(sql_int(f, "SELECT attempts FROM notifications"), 5);
	sql_text(f, "SELECT last_error FROM notifications", s, sizeof s);
	assert_string_equal(s, "fake receiver down");
	free(fk.last_body);
}

static void restart_neither_loses_nor_repeats(void **state)
{
	struct fx *f = *state;
	struct fake fk = {1, 0, 0, {0}, "", NULL};

	queue_one(f);
	/* Restart before anything was sent: the row is durable. */
	lw_wh_close(f->wh);
	fx_open(f);
	drain(f, &fk, "2024-06-01T00:00:00Z"); /* fails once */
	lw_wh_close(f->wh);
	fx_open(f);
	drain(f, &fk, "2024-06-01T00:00:05Z"); /* not due yet after restart */
	assert_int_equal(fk.calls, 1);
	drain(f, &fk, "2024-06-01T00:00:10Z");
	assert_int_equal(fk.delivered, 1);
	lw_wh_close(f->wh);
	fx_open(f);
	drain(f, &fk, "2024-06-03T00:00:00Z");
	assert_int_equal(fk.calls, 2);
	assert_int_equal(fk.delivered, 1);
	/* Re-evaluating after the restart queues nothing new either. */
	eval(f, "2024-06-01T00:00:00Z", NULL);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM notifications"), 1);
	free(fk.last_body);
}

static void robots_get_their_markdown_formats_and_dingtalk_is_signed(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	char *url, *body, payload[8192];
	json_t *j;

	queue_one(f);
	sql_text(f, "SELECT payload FROM notifications", payload, sizeof payload);
	struct lw_alert_sink wecom = {.name = "wx", .type = LW_SINK_WECOM, .url = "https://w/x?key=k"};
	assert_int_equal(lw_sink_render(&wecom, 7, payload, 0, &url, &body, &e), 0);
	j = json_loads(body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "msgtype")), "markdown");
	const char *md = json_string_value(json_object_get(json_object_get(j, "markdown"), "content"));
	assert_non_null(strstr(md, "【litwatch 预警】1 条触发"));
	assert_non_null(strstr(md, "甲局 2024Q2 败诉率 100.00%"));
	assert_non_null(strstr(md, "通知编号 notification #7"));
	assert_string_equal(url, "https://w/x?key=k");
	json_decref(j);
	free(url);
	free(body);

	struct lw_alert_sink ding = {.name = "dd", .type = LW_SINK_DINGTALK,
				     .url = "https://d/robot/send?access_token=t", .secret = "SECabc"};
	assert_int_equal(lw_sink_render(&ding, 7, payload, 1700000000000LL, &url, &body, &e), 0);
	j = json_loads(body, 0, NULL);
	assert_non_null(json_string_value(json_object_get(json_object_get(j, "markdown"), "title")));
	assert_non_null(json_string_value(json_object_get(json_object_get(j, "markdown"), "text")));
	/* Expected value computed with Python's hmac/base64/urllib. */
	assert_string_equal(url, "https://d/robot/send?access_token=t&timestamp=1700000000000"
				 "&sign=jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D");
	json_decref(j);
	free(url);
	free(body);

	struct lw_alert_sink hook = {.name = "h", .type = LW_SINK_WEBHOOK, .url = "http://h/"};
	assert_int_equal(lw_sink_render(&hook, 7, payload, 0, &url, &body, &e), 0);
	j = json_loads(body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(j, "notificationId")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "firing");
	assert_int_equal(json_array_size(json_object_get(j, "alerts")), 1);
	json_decref(j);
	free(url);
	free(body);
}

static void matchers_parse_and_match(void **state)
{
	(void)state;
	struct lw_matcher m[2];
	struct lw_err e = {0};
	json_t *l = json_pack("{s:s, s:s}", "agency", "甲局", "severity", "warning");
	assert_int_equal(lw_matcher_parse("agency=甲局", &m[0], &e), 0);
	assert_int_equal(lw_matcher_parse("severity!=critical", &m[1], &e), 0);
	assert_true(lw_matchers_match(m, 2, l));
	json_object_set_new(l, "severity", json_string("critical"));
	assert_false(lw_matchers_match(m, 2, l));
	lw_matcher_clear(&m[0]);
	lw_matcher_clear(&m[1]);
	assert_int_equal(lw_matcher_parse("=x", &m[0], &e), LW_EINVAL);
	assert_int_equal(lw_matcher_parse("a b=x", &m[0], &e), LW_EINVAL);
	assert_int_equal(lw_matcher_parse("noequals", &m[0], &e), LW_EINVAL);
	json_decref(l);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(failing_sink_is_retried_with_exponential_backoff),
		T(sink_that_keeps_failing_ends_failed_after_max_attempts),
		T(restart_neither_loses_nor_repeats),
		T(in_flight_notifications_are_not_taken_twice),
		T(robots_get_their_markdown_formats_and_dingtalk_is_signed),
		cmocka_unit_test(matchers_parse_and_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
