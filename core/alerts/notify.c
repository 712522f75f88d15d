/*
 * notify.c — from transitions to queued notifications, inside the
 * evaluation's transaction (like Alertmanager's dispatcher, but stateless
 * between runs: everything it needs is in the warehouse).
 *
 * For each sink: the alerts whose latest transition it has not been told
 * about (to firing; firing to resolved), plus firing alerts due for a
 * repeat (repeat_interval), minus those a silence or the sink's `match`
 * excludes, are grouped by the `group_by` labels.  A group is queued as ONE
 * notification unless it was notified less than group_interval ago, or is
 * new and its oldest transition is younger than group_wait; held groups go
 * out at a later evaluation.  Silenced transitions stay untold: if the
 * alert still fires when the silence ends, the next evaluation tells it.
 *
 * dedup_key = sha256(group key) ":" sha256(transition ids, kind, now) — the
 * same evaluation run twice queues nothing new (UNIQUE(sink, dedup_key)).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"

struct cand {
	int64_t tid, aid;
	int repeat;
	json_t *alert;  /* the webhook "alerts[]" entry */
	json_t *labels; /* borrowed from alert */
	char group[65];
	char at[24];
};

struct silence {
	struct lw_matcher *m;
	size_t n;
};

static void cands_free(struct cand *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(c[i].alert);
	free(c);
}

static json_t *real_or_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? json_null()
							   : json_real(sqlite3_column_double(st, col));
}

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	return s ? json_string(s) : json_null();
}

/* Read candidates of one query (columns as lw_alsql_notify_candidates). */
static int read_cands(struct lw_eval_ctx *cx, sqlite3_stmt *st, int repeat, struct cand **c,
		      size_t *n, size_t *cap)
{
	int rc;
	while ((rc = lw_wh_step(cx->wh, st, cx->e)) == 1) {
		struct cand *x;
		json_t *labels = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
		if (*n == *cap) {
			struct cand *t = realloc(*c, (*cap = *cap ? *cap * 2 : 16) * sizeof *t);
			if (!t) {
				json_decref(labels);
				sqlite3_reset(st);
				return lw_err_set(cx->e, LW_ENOMEM, "out of memory");
			}
			*c = t;
		}
		x = &(*c)[(*n)++];
		memset(x, 0, sizeof *x);
		x->tid = sqlite3_column_int64(st, 0);
		x->aid = sqlite3_column_int64(st, 3);
		x->repeat = repeat;
		snprintf(x->at, sizeof x->at, "%s", (const char *)sqlite3_column_text(st, 2));
		x->alert = json_pack("{s:s, s:o, s:{s:o}, s:o, s:o, s:s, s:o, s:o, s:o, s:s, s:I, s:b}",
				     "status", (const char *)sqlite3_column_text(st, 1),
				     "labels", labels ? labels : json_object(),
				     "annotations", "summary", text_or_null(st, 10),
				     "startsAt", text_or_null(st, 12),
				     "endsAt", text_or_null(st, 13),
				     "fingerprint", (const char *)sqlite3_column_text(st, 11),
				     "value", real_or_null(st, 7),
				     "threshold", real_or_null(st, 8),
				     "expected", real_or_null(st, 9),
				     "period", (const char *)sqlite3_column_text(st, 6),
				     "alertId", (json_int_t)x->aid,
				     "repeat", repeat);
		if (!x->alert) {
			sqlite3_reset(st);
			return lw_err_set(cx->e, LW_ENOMEM, "out of memory");
		}
		x->labels = json_object_get(x->alert, "labels");
	}
	return rc;
}

static int load_silences(struct lw_eval_ctx *cx, struct silence **out, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = lw_wh_stmt(cx->wh, lw_alsql_silences_active, &st, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":now", cx->now_utc, cx->e)) != 0)
		return rc;
	while ((rc = lw_wh_step(cx->wh, st, cx->e)) == 1) {
		json_t *arr = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL), *m;
		struct silence *t = realloc(*out, (*n + 1) * sizeof *t);
		size_t i;
		if (!t) {
			json_decref(arr);
			sqlite3_reset(st);
			return lw_err_set(cx->e, LW_ENOMEM, "out of memory");
		}
		*out = t;
		t[*n].n = 0;
		t[*n].m = calloc(json_array_size(arr) + 1, sizeof *t[*n].m);
		json_array_foreach(arr, i, m) {
			const char *name = json_string_value(json_object_get(m, "name"));
			const char *val = json_string_value(json_object_get(m, "value"));
			if (!t[*n].m || !name || !val)
				continue;
			t[*n].m[t[*n].n].name = strdup(name);
			t[*n].m[t[*n].n].value = strdup(val);
			t[*n].m[t[*n].n].negate = json_is_true(json_object_get(m, "negate"));
			t[*n].n++;
		}
		json_decref(arr);
		(*n)++;
	}
	return rc;
}

static void silences_free(struct silence *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < s[i].n; j++)
			lw_matcher_clear(&s[i].m[j]);
		free(s[i].m);
	}
	free(s);
}

static int silenced(const struct silence *s, size_t n, json_t *labels)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].n && lw_matchers_match(s[i].m, s[i].n, labels))
			return 1;
	return 0;
}

/* The labels a group is made of: conf->group_by; deadline alerts (reminders
 * and overdue alike) always group per agency — one message per agency,
 * whatever group_by says — as {"group": "deadlines", "agency": A}. */
static json_t *group_labels(const struct lw_alerts_conf *conf, json_t *labels)
{
	json_t *g = json_object();
	if (g && lw_is_deadline_alert(labels)) {
		json_t *a = json_object_get(labels, "agency");
		json_object_set_new(g, "group", json_string("deadlines"));
		json_object_set_new(g, "agency", a ? json_incref(a) : json_string(""));
		return g;
	}
	for (size_t i = 0; g && i < conf->ngroup_by; i++) {
		json_t *v = json_object_get(labels, conf->group_by[i]);
		json_object_set_new(g, conf->group_by[i], v ? json_incref(v) : json_string(""));
	}
	return g;
}

/* Should this sink get this deadline alert?  A reminder with a `contact`
 * goes to that sink only; everything else goes to the bureau's sinks: those
 * no agency names as its contact. */
static int deadline_route(const struct lw_alerts_conf *conf, const struct lw_alert_sink *sink,
			  json_t *labels)
{
	const char *contact = json_string_value(json_object_get(labels, "contact"));
	const char *agency;
	json_t *v;

	if (contact)
		return !strcmp(contact, sink->name);
	if (conf->deadlines)
		json_object_foreach(conf->deadlines->contacts, agency, v)
			if (!strcmp(json_string_value(v), sink->name))
				return 0;
	return 1;
}

/* Unix seconds of "YYYY-MM-DDTHH:MM:SSZ", or -1. */
static int64_t utc_of(const char *s)
{
	int64_t t;
	return lw_utc_parse(s, &t) == 0 ? t : -1;
}

static void group_key(const struct lw_alerts_conf *conf, json_t *labels, char out[65])
{
	json_t *g = group_labels(conf, labels);
	char *canon;
	canon = lw_json_canon(g);
	lw_sha256_hex(canon ? canon : "", canon ? strlen(canon) : 0, out);
	free(canon);
	json_decref(g);
}

static int sql_text(struct lw_eval_ctx *cx, const char *sql, const char *sink,
		    const char *group, char *out, size_t len)
{
	sqlite3_stmt *st;
	int rc;
	out[0] = '\0';
	if ((rc = lw_wh_stmt(cx->wh, sql, &st, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":sink", sink, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":group", group, cx->e)) != 0 ||
	    (rc = lw_wh_step(cx->wh, st, cx->e)) < 0)
		return rc;
	if (rc == 1) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	return 0;
}

/* Labels every alert of the group shares. */
static json_t *common_labels(struct cand **g, size_t n)
{
	json_t *c = json_deep_copy(g[0]->labels);
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(c, tmp, k, v) {
		for (size_t i = 1; i < n; i++)
			if (!json_equal(json_object_get(g[i]->labels, k), v)) {
				json_object_del(c, k);
				break;
			}
	}
	return c;
}

static int queue_group(struct lw_eval_ctx *cx, const struct lw_alert_sink *sink,
		       struct cand **g, size_t n)
{
	json_t *doc = NULL, *alerts = json_array(), *glabels = json_object();
	char *payload = NULL, *ids = NULL, hash[65], key[140];
	size_t idlen = 0, firing = 0;
	sqlite3_stmt *st;
	int64_t nid;
	int rc = LW_ENOMEM;

	if (!alerts || !glabels || !(ids = malloc(n * 48 + 64)))
		goto out;
	json_decref(glabels);
	if (!(glabels = group_labels(cx->conf, g[0]->labels)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_array_append(alerts, g[i]->alert);
		firing += !strcmp(json_string_value(json_object_get(g[i]->alert, "status")),
				  "firing");
		idlen += (size_t)sprintf(ids + idlen, "%lld%s,", (long long)g[i]->tid,
					 g[i]->repeat ? "r" : "");
	}
	sprintf(ids + idlen, "@%s", cx->now_utc);
	lw_sha256_hex(ids, strlen(ids), hash);
	snprintf(key, sizeof key, "%s:%s", g[0]->group, hash);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o, s:O, s:s, s:I, s:i}",
			"version", "4", "groupKey", g[0]->group,
			"status", firing ? "firing" : "resolved", "receiver", sink->name,
			"groupLabels", glabels, "commonLabels", common_labels(g, n),
			"alerts", alerts, "evaluatedAt", cx->now_utc,
			"firingCount", (json_int_t)firing, "truncatedAlerts", 0);
	if (!doc || !(payload = lw_json_canon(doc)))
		goto out;
	if ((rc = lw_wh_stmt(cx->wh, lw_alsql_notification_insert, &st, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":sink", sink->name, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":dedup_key", key, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":payload", payload, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":now", cx->now_utc, cx->e)) != 0 ||
	    (rc = lw_wh_step(cx->wh, st, cx->e)) < 0)
		goto out;
	rc = 0;
	if (sqlite3_changes(lw_wh_db(cx->wh)) == 0)
		goto out; /* already queued by an identical evaluation */
	nid = sqlite3_last_insert_rowid(lw_wh_db(cx->wh));
	cx->st->notifications++;
	for (size_t i = 0; i < n; i++) {
		if ((rc = lw_wh_stmt(cx->wh, lw_alsql_notification_link, &st, cx->e)) != 0 ||
		    (rc = lw_wh_bind_int64(st, ":notification_id", nid, cx->e)) != 0 ||
		    (rc = lw_wh_bind_int64(st, ":transition_id", g[i]->tid, cx->e)) != 0 ||
		    (rc = lw_wh_step(cx->wh, st, cx->e)) < 0 ||
		    (rc = lw_wh_stmt(cx->wh, lw_alsql_alert_notified, &st, cx->e)) != 0 ||
		    (rc = lw_wh_bind_int64(st, ":id", g[i]->aid, cx->e)) != 0 ||
		    (rc = lw_wh_bind_text(st, ":now", cx->now_utc, cx->e)) != 0 ||
		    (rc = lw_wh_step(cx->wh, st, cx->e)) < 0)
			goto out;
		rc = 0;
	}
out:
	if (rc == LW_ENOMEM)
		lw_err_set(cx->e, rc, "out of memory");
	free(payload);
	free(ids);
	json_decref(doc);
	json_decref(alerts);
	json_decref(glabels);
	return rc;
}

static int notify_sink(struct lw_eval_ctx *cx, const struct lw_alert_sink *sink,
		       const struct silence *sil, size_t nsil)
{
	struct cand *c = NULL, **grp = NULL;
	size_t n = 0, cap = 0, ncands;
	char due[24], wait_limit[24], interval_limit[24], last[32];
	sqlite3_stmt *st;
	int rc;

	lw_utc_format(cx->now - cx->conf->repeat_interval_ms / 1000, due, sizeof due);
	lw_utc_format(cx->now - cx->conf->group_wait_ms / 1000, wait_limit, sizeof wait_limit);
	lw_utc_format(cx->now - cx->conf->group_interval_ms / 1000, interval_limit,
		      sizeof interval_limit);
	if ((rc = lw_wh_stmt(cx->wh, lw_alsql_notify_candidates, &st, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":sink", sink->name, cx->e)) != 0 ||
	    (rc = lw_wh_bind_int64(st, ":send_resolved", sink->send_resolved, cx->e)) != 0 ||
	    (rc = read_cands(cx, st, 0, &c, &n, &cap)) != 0)
		goto out;
	ncands = n;
	if ((rc = lw_wh_stmt(cx->wh, lw_alsql_notify_repeats, &st, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":sink", sink->name, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":due", due, cx->e)) != 0 ||
	    (rc = read_cands(cx, st, 1, &c, &n, &cap)) != 0)
		goto out;
	(void)ncands;
	if (!(grp = calloc(n + 1, sizeof *grp))) {
		rc = lw_err_set(cx->e, LW_ENOMEM, "out of memory");
		goto out;
	}
	/* Drop what the sink does not want or a silence covers. */
	for (size_t i = 0; i < n; i++) {
		if (!lw_matchers_match(sink->match, sink->nmatch, c[i].labels) ||
		    (lw_is_deadline_alert(c[i].labels) && !deadline_route(cx->conf, sink, c[i].labels))) {
			c[i].tid = 0;
		} else if (silenced(sil, nsil, c[i].labels)) {
			cx->st->silenced++;
			c[i].tid = 0;
		} else {
			group_key(cx->conf, c[i].labels, c[i].group);
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t gn = 0;
		const char *oldest;
		if (!c[i].tid)
			continue;
		oldest = c[i].at;
		for (size_t j = i; j < n; j++)
			if (c[j].tid && !strcmp(c[j].group, c[i].group)) {
				grp[gn++] = &c[j];
				if (strcmp(c[j].at, oldest) < 0)
					oldest = c[j].at;
			}
		if ((rc = sql_text(cx, lw_alsql_group_last, sink->name, c[i].group, last,
				   sizeof last)) != 0)
			goto out;
		/* Hold the group: told too recently, or new and still waiting; a
		 * deadline group (an agency) is told at most once a Beijing day. */
		if ((last[0] && strcmp(last, interval_limit) > 0) ||
		    (!last[0] && strcmp(oldest, wait_limit) > 0) ||
		    (last[0] && lw_is_deadline_alert(c[i].labels) &&
		     lw_beijing_day(utc_of(last)) == lw_beijing_day(cx->now))) {
			for (size_t j = 0; j < gn; j++)
				grp[j]->tid = 0;
			continue;
		}
		if ((rc = queue_group(cx, sink, grp, gn)) != 0)
			goto out;
		for (size_t j = 0; j < gn; j++)
			grp[j]->tid = 0;
	}
out:
	free(grp);
	cands_free(c, n);
	return rc;
}

int lw_notify_queue(struct lw_eval_ctx *cx)
{
	struct silence *sil = NULL;
	size_t nsil = 0;
	int rc = load_silences(cx, &sil, &nsil);

	for (size_t i = 0; rc == 0 && i < cx->conf->nsinks; i++)
		rc = notify_sink(cx, &cx->conf->sinks[i], sil, nsil);
	silences_free(sil, nsil);
	return rc;
}
