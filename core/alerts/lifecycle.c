/*
 * lifecycle.c — alert states in the warehouse, as Prometheus keeps them:
 *
 *   (none) --holds--> pending --holds `for` times--> firing --stops--> resolved
 *                        \--stops--> resolved (never fired: not notified)
 *   resolved --holds again--> pending (or firing when for = 1)
 *
 * One row per identity (fingerprint = rule + series labels + period) in
 * `alerts`; every state change appends an `alert_transitions` row.  "No
 * data" (the series has no value for the period, or the method no bound)
 * keeps the state and says so in the summary: it is not "resolved".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"

static const char *const NO_DATA_NOTE = "[无数据 no data]";

static int touch_add(struct lw_eval_ctx *cx, int64_t id)
{
	if (cx->ntouched == cx->captouched) {
		size_t nc = cx->captouched ? cx->captouched * 2 : 64;
		int64_t *t = realloc(cx->touched, nc * sizeof *t);
		if (!t)
			return lw_err_set(cx->e, LW_ENOMEM, "out of memory");
		cx->touched = t;
		cx->captouched = nc;
	}
	cx->touched[cx->ntouched++] = id;
	return 0;
}

static int touched(const struct lw_eval_ctx *cx, int64_t id)
{
	for (size_t i = 0; i < cx->ntouched; i++)
		if (cx->touched[i] == id)
			return 1;
	return 0;
}

static int bind_real(sqlite3_stmt *st, const char *name, double v, struct lw_err *e)
{
	return isfinite(v) ? lw_wh_bind_double(st, name, v, e) : lw_wh_bind_null(st, name, e);
}

static int transition(struct lw_eval_ctx *cx, int64_t id, const char *from, const char *to,
		      double value)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = lw_wh_stmt(cx->wh, lw_alsql_transition_insert, &st, cx->e)) != 0 ||
	    (rc = lw_wh_bind_int64(st, ":alert_id", id, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":from_state", from, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":to_state", to, cx->e)) != 0 ||
	    (rc = bind_real(st, ":value", value, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":now", cx->now_utc, cx->e)) != 0 ||
	    (rc = lw_wh_step(cx->wh, st, cx->e)) < 0)
		return rc;
	cx->st->transitions++;
	return 0;
}

static int simple_update(struct lw_eval_ctx *cx, const char *sql, int64_t id, const char *note)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = lw_wh_stmt(cx->wh, sql, &st, cx->e)) != 0 ||
	    (rc = lw_wh_bind_int64(st, ":id", id, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":now", cx->now_utc, cx->e)) != 0 ||
	    (note && (rc = lw_wh_bind_text(st, ":note", note, cx->e)) != 0) ||
	    (rc = lw_wh_step(cx->wh, st, cx->e)) < 0)
		return rc;
	return 0;
}

/* The alert's labels: series labels + the rule's labels + rule, severity. */
static char *alert_labels(const struct lw_alert_rule *r, json_t *series_labels)
{
	json_t *l = json_deep_copy(series_labels);
	char *out;
	if (!l)
		return NULL;
	json_object_update(l, r->labels);
	json_object_set_new(l, "rule", json_string(r->name));
	json_object_set_new(l, "severity", json_string(r->severity));
	out = lw_json_canon(l);
	json_decref(l);
	return out;
}

int lw_lifecycle_apply(struct lw_eval_ctx *cx, const struct lw_alert_rule *r,
		       json_t *series_labels, const char *period, const struct lw_point *pt)
{
	char fp[65], state[16] = "";
	const char *to = NULL;
	char *labels = NULL;
	sqlite3_stmt *st;
	int64_t id = 0, holds = 0;
	int rc, found;

	if ((rc = lw_alert_fingerprint(r->name, series_labels, period, fp)) != 0)
		return lw_err_set(cx->e, rc, "out of memory");
	if ((rc = lw_wh_stmt(cx->wh, lw_alsql_alert_get, &st, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":fp", fp, cx->e)) != 0 ||
	    (found = rc = lw_wh_step(cx->wh, st, cx->e)) < 0)
		return rc;
	if (found) {
		id = sqlite3_column_int64(st, 0);
		snprintf(state, sizeof state, "%s", (const char *)sqlite3_column_text(st, 1));
		holds = sqlite3_column_int64(st, 2);
		sqlite3_reset(st);
		if (touched(cx, id))
			return 0; /* lookback and re-evaluation met the same alert */
		if ((rc = touch_add(cx, id)) != 0)
			return rc;
	}
	if (pt->verdict == LW_NO_DATA) {
		if (!found)
			return 0;
		if (strcmp(state, "resolved")) {
			cx->st->no_data++;
			return simple_update(cx, lw_alsql_alert_nodata, id, NO_DATA_NOTE);
		}
		return simple_update(cx, lw_alsql_alert_touch, id, NULL);
	}
	if (pt->verdict == LW_NOT_HOLDING) {
		if (!found)
			return 0;
		if (!strcmp(state, "resolved"))
			return simple_update(cx, lw_alsql_alert_touch, id, NULL);
		to = "resolved";
		holds = 0;
	} else if (!found || !strcmp(state, "resolved")) {
		holds = 1;
		to = holds >= r->for_n ? "firing" : "pending";
	} else {
		holds++;
		to = holds >= r->for_n ? "firing" : "pending";
	}
	if (!(labels = alert_labels(r, series_labels)))
		return lw_err_set(cx->e, LW_ENOMEM, "out of memory");
	if ((rc = lw_wh_stmt(cx->wh, found ? lw_alsql_alert_update : lw_alsql_alert_insert, &st,
			     cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":state", to, cx->e)) != 0 ||
	    (rc = bind_real(st, ":value", pt->value, cx->e)) != 0 ||
	    (rc = bind_real(st, ":threshold", pt->threshold, cx->e)) != 0 ||
	    (rc = bind_real(st, ":expected", pt->expected, cx->e)) != 0 ||
	    (rc = lw_wh_bind_int64(st, ":holds", holds, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":summary", pt->summary, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":now", cx->now_utc, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":labels", labels, cx->e)) != 0)
		goto out;
	if (found)
		rc = lw_wh_bind_int64(st, ":id", id, cx->e);
	else if ((rc = lw_wh_bind_text(st, ":rule", r->name, cx->e)) == 0 &&
		 (rc = lw_wh_bind_text(st, ":period", period, cx->e)) == 0 &&
		 (rc = lw_wh_bind_text(st, ":fp", fp, cx->e)) == 0 &&
		 (rc = lw_wh_bind_text(st, ":method", lw_method_name(r), cx->e)) == 0)
		rc = lw_wh_bind_text(st, ":fired_at", strcmp(to, "firing") ? NULL : cx->now_utc,
				     cx->e);
	if (rc != 0 || (rc = lw_wh_step(cx->wh, st, cx->e)) < 0)
		goto out;
	rc = 0;
	if (!found) {
		id = sqlite3_last_insert_rowid(lw_wh_db(cx->wh));
		if ((rc = touch_add(cx, id)) != 0)
			goto out;
	}
	if (!found || strcmp(state, to))
		rc = transition(cx, id, found ? state : NULL, to, pt->value);
out:
	free(labels);
	return rc;
}

int lw_lifecycle_untouched(struct lw_eval_ctx *cx, const struct lw_alert_rule *r,
			   lw_reeval_fn fn, void *ud)
{
	struct row {
		int64_t id;
		char fp[65], period[16];
	} *rows = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = lw_wh_stmt(cx->wh, lw_alsql_alerts_active, &st, cx->e)) != 0 ||
	    (rc = lw_wh_bind_text(st, ":rule", r->name, cx->e)) != 0)
		return rc;
	while ((rc = lw_wh_step(cx->wh, st, cx->e)) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (touched(cx, id))
			continue;
		if (n == cap) {
			struct row *t = realloc(rows, (cap = cap ? cap * 2 : 16) * sizeof *t);
			if (!t) {
				sqlite3_reset(st);
				free(rows);
				return lw_err_set(cx->e, LW_ENOMEM, "out of memory");
			}
			rows = t;
		}
		rows[n].id = id;
		snprintf(rows[n].fp, sizeof rows[n].fp, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		snprintf(rows[n].period, sizeof rows[n].period, "%s",
			 (const char *)sqlite3_column_text(st, 2));
		n++;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct lw_point pt;
		json_t *labels = NULL;
		rc = fn(ud, rows[i].fp, rows[i].period, &pt, &labels);
		if (rc == 0) {
			rc = lw_lifecycle_apply(cx, r, labels, rows[i].period, &pt);
		} else if (rc == LW_ENOENT) {
			/* The series is gone (e.g. an agency merged away): no data. */
			cx->st->no_data++;
			rc = touch_add(cx, rows[i].id);
			if (rc == 0)
				rc = simple_update(cx, lw_alsql_alert_nodata, rows[i].id,
						   NO_DATA_NOTE);
		} else {
			rc = lw_err_set(cx->e, rc, "out of memory");
		}
	}
	free(rows);
	return rc;
}
