/*
 * deadline_alerts.c — the obligations (core/deadlines/) as alerts, inside
 * the evaluation's transaction, through the same lifecycle, silences,
 * grouping and sinks as every other rule.
 *
 * Two built-in rules, active when the config has a `deadlines` section:
 *   deadline-reminder  an open obligation within N working days of its due
 *                      date (the rule's remind_working_days, else the
 *                      section's; 0 = none), labelled with the agency's
 *                      `contact` sink when deadlines.contacts names one;
 *   deadline-overdue   an open obligation past its due date: from the day
 *                      after it, to the bureau.
 * Identity: rule + {agency, case_no, obligation} + the due date as period,
 * so a corrected start date is a new alert and the old one resolves.  An
 * alert whose obligation is done (met or late), or no longer in the window,
 * resolves.  Informational rules (no `done` field, e.g. appeal) never alert.
 * notify.c groups these per agency and sends at most one message per
 * agency, sink and day.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "deadlines/obligations.h"

static struct lw_alert_rule reminder_rule = {
	.name = "deadline-reminder", .method = LW_METHOD_DEADLINE, .for_n = 1, .lookback = 1,
	.severity = "info"};
static struct lw_alert_rule overdue_rule = {
	.name = "deadline-overdue", .method = LW_METHOD_DEADLINE, .for_n = 1, .lookback = 1,
	.severity = "warning"};

struct hit {
	int overdue;
	json_t *labels;
	char due[11];
	struct lw_point pt;
};

struct walk {
	struct lw_wh *wh;
	const struct lw_dl_conf *conf;
	struct hit *h;
	size_t n, cap;
	json_t *keep; /* labels handed to the lifecycle by reeval, freed at the end */
};

static const char *title_of(const struct lw_dl_rule *r)
{
	return r && r->title ? r->title : r ? r->name : "?";
}

static int collect(void *ud, const struct lw_ob_row *row)
{
	struct walk *w = ud;
	const struct lw_dl_rule *r = lw_dl_rule_find(w->conf, row->rule);
	int remind, overdue = !strcmp(row->state, "overdue");
	const char *contact;
	struct hit *x;

	if (!r || row->informational)
		return 0; /* a rule no longer configured: recomputed away soon */
	remind = r->remind >= 0 ? r->remind : w->conf->remind;
	if (!overdue && !(!strcmp(row->state, "due") && remind > 0 && row->days_left >= 0 &&
			  row->days_left <= remind))
		return 0;
	if (w->n == w->cap) {
		struct hit *t = realloc(w->h, (w->cap = w->cap ? w->cap * 2 : 16) * sizeof *t);
		if (!t)
			return LW_ENOMEM;
		w->h = t;
	}
	x = &w->h[w->n];
	memset(x, 0, sizeof *x);
	x->overdue = overdue;
	snprintf(x->due, sizeof x->due, "%s", row->due);
	x->labels = json_pack("{s:s, s:s, s:s}", "agency", *row->agency ? row->agency : "(未知 unknown)",
			      "case_no", row->case_no, "obligation", row->rule);
	if (!x->labels)
		return LW_ENOMEM;
	contact = json_string_value(json_object_get(w->conf->contacts, row->agency));
	if (!overdue && contact)
		json_object_set_new(x->labels, "contact", json_string(contact));
	x->pt.verdict = LW_HOLDING;
	x->pt.threshold = x->pt.expected = NAN;
	if (overdue) {
		x->pt.value = row->days_late;
		snprintf(x->pt.summary, sizeof x->pt.summary,
			 "【逾期未办】%s %s：%s 应于 %s 前完成，已逾期 %d 天 / overdue: %s of %s was due "
			 "%s, %d day(s) ago",
			 row->agency, row->case_no, title_of(r), row->due, row->days_late, row->rule,
			 row->case_no, row->due, row->days_late);
	} else {
		x->pt.value = row->days_left;
		snprintf(x->pt.summary, sizeof x->pt.summary,
			 "【时限提醒】%s %s：%s 将于 %s 到期，剩余 %d 个工作日 / reminder: %s of %s is due "
			 "%s, %d working day(s) left",
			 row->agency, row->case_no, title_of(r), row->due, row->days_left, row->rule,
			 row->case_no, row->due, row->days_left);
	}
	w->n++;
	return 0;
}

/* An active alert whose obligation is no longer in the list: done, or out
 * of the window.  Its series labels are the stored ones minus what the
 * lifecycle added (rule, severity). */
static int gone(void *ud, const char *fp, const char *period, struct lw_point *pt,
		json_t **labels)
{
	struct walk *w = ud;
	sqlite3_stmt *st;
	struct lw_wh *wh = w->wh;
	json_t *l;
	int rc;

	(void)period;
	if (lw_wh_stmt(wh, lw_alsql_alert_labels, &st, NULL) != 0 ||
	    lw_wh_bind_text(st, ":fp", fp, NULL) != 0 || (rc = lw_wh_step(wh, st, NULL)) != 1)
		return LW_ENOENT;
	l = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_reset(st);
	if (!l)
		return LW_ENOENT;
	json_object_del(l, "rule");
	json_object_del(l, "severity");
	json_array_append_new(w->keep, l);
	memset(pt, 0, sizeof *pt);
	pt->verdict = LW_NOT_HOLDING;
	pt->value = pt->threshold = pt->expected = NAN;
	snprintf(pt->summary, sizeof pt->summary,
		 "%s %s：%s 已完成或不在提醒期内 / %s of %s: done, or no longer in this state",
		 json_string_value(json_object_get(l, "agency")),
		 json_string_value(json_object_get(l, "case_no")),
		 json_string_value(json_object_get(l, "obligation")),
		 json_string_value(json_object_get(l, "obligation")),
		 json_string_value(json_object_get(l, "case_no")));
	*labels = l;
	return 0;
}

int lw_deadline_alerts(struct lw_eval_ctx *cx)
{
	const struct lw_dl_conf *conf = cx->conf->deadlines;
	struct walk w = {cx->wh, conf, NULL, 0, 0, NULL};
	char today[LW_DATE_ISO_MAX];
	struct lw_date d;
	int rc;

	if (!conf)
		return 0;
	lw_date_from_days((long)lw_beijing_day(cx->now), &d);
	lw_date_format_iso(&d, today);
	/* Collected first: the lifecycle writes through the same connection. */
	if ((rc = lw_obligations_each(cx->wh, conf, today, NULL, collect, &w, cx->e)) != 0) {
		if (rc == LW_ENOMEM)
			lw_err_set(cx->e, rc, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < w.n; i++) {
		cx->st->series++;
		cx->st->points++;
		cx->st->holding++;
		if ((rc = lw_lifecycle_apply(cx, w.h[i].overdue ? &overdue_rule : &reminder_rule,
					     w.h[i].labels, w.h[i].due, &w.h[i].pt)) != 0)
			goto out;
	}
	if (!(w.keep = json_array())) {
		rc = lw_err_set(cx->e, LW_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = lw_lifecycle_untouched(cx, &overdue_rule, gone, &w)) == 0)
		rc = lw_lifecycle_untouched(cx, &reminder_rule, gone, &w);
out:
	for (size_t i = 0; i < w.n; i++)
		json_decref(w.h[i].labels);
	free(w.h);
	json_decref(w.keep);
	return rc;
}

int lw_is_deadline_alert(json_t *labels)
{
	return json_object_get(labels, "obligation") != NULL;
}
