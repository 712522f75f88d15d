/*
 * evaluate.c — one evaluation of every rule (lw_alerts_evaluate): load the
 * series a rule watches, compute its verdict for the latest `lookback`
 * periods and for the periods of its still-active alerts, hand each verdict
 * to the lifecycle, then group what changed into notifications.  All in one
 * write transaction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "base/log.h"

static const char *subject_of(json_t *labels, char *buf, size_t len)
{
	const char *a = json_string_value(json_object_get(labels, "agency"));
	const char *c = json_string_value(json_object_get(labels, "category"));
	const char *o = json_string_value(json_object_get(labels, "domain"));
	const char *t = json_string_value(json_object_get(labels, "act_type"));
	const char *p = json_string_value(json_object_get(labels, "topic"));

	if (a && c)
		snprintf(buf, len, "%s·%s", a, c);
	else
		snprintf(buf, len, "%s", a ? a : o ? o : t ? t : p ? p : "全市 (all)");
	return buf;
}

static const char *what_of(enum lw_series_kind k)
{
	switch (k) {
	case LW_SERIES_LOST_QUARTERLY_AGENCY: return "败诉 (losses)";
	case LW_SERIES_TICKETS_WEEKLY_CAT_AGENCY:
	case LW_SERIES_TICKETS_WEEKLY_TOPIC: return "12345 工单 (tickets)";
	default: return "立案 (filed cases)";
	}
}

/* Detector verdict at index i of s (uses s->v[0..i] only): band.c, the
 * same point the dashboard draws. */
static int detector_point(const struct lw_alert_rule *r, const struct lw_series *s, size_t i,
			  struct lw_point *pt)
{
	double expected, upper;
	int alarm, rc = lw_alert_rule_point(r, s->v, i, &expected, &upper, &alarm);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		pt->verdict = alarm == LW_ALARM_YES ? LW_HOLDING : LW_NOT_HOLDING;
		pt->threshold = upper;
		pt->expected = expected;
	}
	return 0;
}

/* Verdict of rule r for series k of set at period p. */
static int point_at(struct lw_eval_ctx *cx, const struct lw_alert_rule *r,
		    const struct lw_series_set *set, size_t k, int64_t p, struct lw_point *pt)
{
	const struct lw_series *s = &set->s[k];
	char who[256], per[16];
	size_t i;
	int rc;

	memset(pt, 0, sizeof *pt);
	pt->verdict = LW_NO_DATA;
	pt->value = pt->threshold = pt->expected = NAN;
	if (p < s->first || p > set->last)
		return 0; /* before the first data: no data */
	i = (size_t)(p - s->first);
	subject_of(s->labels, who, sizeof who);
	lw_period_label(set->freq, p, per, sizeof per);
	pt->value = s->v[i];
	switch (r->method) {
	case LW_METHOD_DEADLINE:
		return 0; /* not a series rule (deadline_alerts.c) */
	case LW_METHOD_EARS:
	case LW_METHOD_FARRINGTON:
	case LW_METHOD_CUSUM:
		if ((rc = detector_point(r, s, i, pt)) != 0)
			return lw_err_set(cx->e, rc, "out of memory");
		if (pt->verdict != LW_NO_DATA)
			snprintf(pt->summary, sizeof pt->summary,
				 "%s %s %s %.0f，%s上限 %.2f（%s）/ %s %s: %.0f %s the bound %.2f",
				 who, per, what_of(set->kind), s->v[i],
				 pt->verdict == LW_HOLDING ? "超过" : "未超过", pt->threshold,
				 lw_method_name(r), who, per, s->v[i],
				 pt->verdict == LW_HOLDING ? "above" : "within", pt->threshold);
		return 0;
	case LW_METHOD_LOSS_RATE:
	case LW_METHOD_LOSS_RATE_TOP:
	case LW_METHOD_YOY_GROWTH:
		return lw_policy_point(cx->policy, r,
				       json_string_value(json_object_get(s->labels, "agency")), who,
				       per, pt, cx->e);
	}
	return 0;
}

struct reeval {
	struct lw_eval_ctx *cx;
	const struct lw_alert_rule *r;
	const struct lw_series_set *set;
};

static int reeval(void *ud, const char *fp, const char *period, struct lw_point *pt,
		  json_t **labels)
{
	struct reeval *x = ud;
	int64_t p;
	char f[65];

	if (lw_period_parse(x->set->freq, period, &p) != 0)
		return LW_ENOENT;
	for (size_t k = 0; k < x->set->n; k++) {
		if (lw_alert_fingerprint(x->r->name, x->set->s[k].labels, period, f) != 0)
			return LW_ENOMEM;
		if (strcmp(f, fp))
			continue;
		*labels = x->set->s[k].labels;
		return point_at(x->cx, x->r, x->set, k, p, pt);
	}
	return LW_ENOENT;
}

static int eval_rule(struct lw_eval_ctx *cx, const struct lw_alert_rule *r,
		     struct lw_series_set *sets, int *loaded)
{
	struct lw_series_set *set = &sets[r->series];
	struct reeval x = {cx, r, set};
	struct lw_point pt;
	char per[16];
	int rc;

	if (!loaded[r->series]) {
		rc = lw_series_load(cx->wh, r->series, cx->now, cx->conf->withdrawn_is_loss, set,
				    cx->e);
		if (rc != 0)
			return rc;
		loaded[r->series] = 1;
	}
	for (size_t k = 0; k < set->n; k++) {
		cx->st->series++;
		for (unsigned b = r->lookback; b-- > 0;) {
			int64_t p = set->last - (int64_t)b;
			if (p < set->s[k].first)
				continue; /* no data and no alert to keep */
			if ((rc = point_at(cx, r, set, k, p, &pt)) != 0)
				return rc;
			cx->st->points++;
			if (pt.verdict == LW_HOLDING)
				cx->st->holding++;
			lw_period_label(set->freq, p, per, sizeof per);
			if ((rc = lw_lifecycle_apply(cx, r, set->s[k].labels, per, &pt)) != 0)
				return rc;
		}
	}
	return lw_lifecycle_untouched(cx, r, reeval, &x);
}

int lw_alerts_evaluate(struct lw_wh *wh, const struct lw_alerts_conf *conf, int64_t now,
		       struct lw_eval_stats *stats, struct lw_err *e)
{
	struct lw_series_set sets[LW_SERIES_KIND_COUNT];
	int loaded[LW_SERIES_KIND_COUNT] = {0};
	struct lw_eval_stats local;
	struct lw_eval_ctx cx = {0};
	struct lw_policy policy;
	int rc;

	memset(sets, 0, sizeof sets);
	cx.wh = wh;
	cx.conf = conf;
	cx.now = now;
	cx.st = stats ? stats : &local;
	cx.e = e;
	cx.policy = &policy;
	lw_policy_init(&policy, wh, conf);
	memset(cx.st, 0, sizeof *cx.st);
	lw_utc_format(now, cx.now_utc, sizeof cx.now_utc);
	/* Read every series the rules need first, in a read transaction: the
	 * aggregations over cases and tickets are the slow part, and an import
	 * must not wait for them behind our write lock. */
	if ((rc = lw_wh_begin_read(wh, e)) != 0)
		return rc;
	for (size_t i = 0; i < conf->nrules; i++) {
		const struct lw_alert_rule *r = &conf->rules[i];
		if (!loaded[r->series]) {
			rc = lw_series_load(wh, r->series, now, conf->withdrawn_is_loss,
					    &sets[r->series], e);
			loaded[r->series] = rc == 0;
		} else {
			rc = 0;
		}
		if (rc == 0)
			rc = lw_policy_prefetch(&policy, r, sets[r->series].freq, sets[r->series].last, e);
		if (rc != 0) {
			lw_err_prefix(e, "rule %s", r->name);
			lw_wh_rollback(wh);
			goto out;
		}
	}
	lw_wh_rollback(wh); /* nothing was written: just end the snapshot */
	if ((rc = lw_wh_begin_immediate(wh, e)) != 0)
		goto out;
	for (size_t i = 0; i < conf->nrules; i++)
		if ((rc = eval_rule(&cx, &conf->rules[i], sets, loaded)) != 0) {
			lw_err_prefix(e, "rule %s", conf->rules[i].name);
			goto fail;
		}
	if ((rc = lw_deadline_alerts(&cx)) != 0) {
		lw_err_prefix(e, "deadlines");
		goto fail;
	}
	if ((rc = lw_notify_queue(&cx)) != 0)
		goto fail;
	if ((rc = lw_wh_commit(wh, e)) != 0)
		goto out;
	lw_log(LW_LOG_INFO, "alerts",
	       "evaluated %zu rules at %s: %zu series, %zu holding, %zu transitions, %zu "
	       "notifications queued, %zu silenced, %zu without data",
	       conf->nrules, cx.now_utc, cx.st->series, cx.st->holding, cx.st->transitions,
	       cx.st->notifications, cx.st->silenced, cx.st->no_data);
	goto out;
fail:
	lw_wh_rollback(wh);
out:
	for (int k = 0; k < LW_SERIES_KIND_COUNT; k++)
		lw_series_set_free(&sets[k]);
	lw_policy_free(&policy);
	free(cx.touched);
	return rc;
}
