/*
 * chart.c — the agency page's charts: every series the alert engine keeps
 * for one agency (cases filed per month, losses per quarter, 12345 work
 * orders per week by category), with the band of the detector rule that
 * watches it and the periods where that detector alarmed.
 *
 * Nothing is recomputed here: the series come from core/alerts
 * (lw_series_load_agency, the same series an evaluation reads) and each
 * point's band from lw_alert_rule_point, the detector as the evaluation
 * runs it.  The SVG is written by core/report's svg_series.c, the HTML
 * bulletin's SVG writer, rather than by a chart library served from the
 * machine (libjs-dygraphs, libjs-d3): the pages carry no script at all
 * (their Content-Security-Policy forbids it), an inline SVG draws in the
 * old browsers offices use, and the bulletin and the dashboard then draw
 * alike from one piece of code.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts.h"
#include "report/svg_series.h"
#include "web/web_int.h"

static const struct {
	enum lw_series_kind kind;
	const char *zh, *en;
	size_t window; /* periods shown: five years of months, ten of quarters, two of weeks */
} kinds[] = {
	{LW_SERIES_FILED_MONTHLY_AGENCY, "每月新收案件", "cases filed per month", 60},
	{LW_SERIES_LOST_QUARTERLY_AGENCY, "每季度败诉案件", "cases lost per quarter", 40},
	{LW_SERIES_TICKETS_WEEKLY_CAT_AGENCY, "每周12345工单", "12345 work orders per week", 104},
};

static const char *category_zh(const char *code)
{
	static const char *const map[][2] = {{"consult", "咨询"}, {"help", "求助"},
					     {"complaint", "投诉"}, {"suggestion", "建议"},
					     {"report", "举报"}, {"thanks", "感谢"},
					     {"other", "其它"}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i][0], code))
			return map[i][1];
	return code;
}

/* The first detector rule (ears-*, farrington, cusum) watching kind. */
static const struct lw_alert_rule *rule_for(const struct lw_alerts_conf *c,
					    enum lw_series_kind kind)
{
	for (size_t i = 0; c && i < c->nrules; i++) {
		const struct lw_alert_rule *r = &c->rules[i];
		if (r->series == kind && (r->method == LW_METHOD_EARS ||
					  r->method == LW_METHOD_FARRINGTON ||
					  r->method == LW_METHOD_CUSUM))
			return r;
	}
	return NULL;
}

/* One chart: the last `window` periods of s, the band of r (may be NULL). */
static int chart(struct lw_web_req *rq, struct lw_strbuf *b, const struct lw_series_set *set,
		 const struct lw_series *s, const struct lw_alert_rule *r, const char *title,
		 size_t idx)
{
	size_t n = s->n, off, k;
	double *ex = NULL, *up = NULL;
	int *al = NULL, rc = 0;
	char **lab = NULL, *text = NULL, id[32];
	size_t tlen = 0;
	FILE *f;

	k = n;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == set->kind && n > kinds[i].window)
			k = kinds[i].window;
	off = n - k;
	ex = malloc(k * sizeof *ex);
	up = malloc(k * sizeof *up);
	al = calloc(k, sizeof *al);
	lab = calloc(k, sizeof *lab);
	if (!ex || !up || !al || !lab) {
		rc = LW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		int alarm = LW_ALARM_NA;
		ex[i] = up[i] = NAN;
		if (r && (rc = lw_alert_rule_point(r, s->v, off + i, &ex[i], &up[i], &alarm)) < 0)
			goto out;
		rc = 0;
		al[i] = alarm == LW_ALARM_YES;
		if (!(lab[i] = malloc(16))) {
			rc = LW_ENOMEM;
			goto out;
		}
		lw_period_label(set->freq, s->first + (int64_t)(off + i), lab[i], 16);
	}
	snprintf(id, sizeof id, "chart-%d-%zu", (int)set->kind, idx);
	if (!(f = open_memstream(&text, &tlen))) {
		rc = LW_ENOMEM;
		goto out;
	}
	lw_svg_series_band(f, &(struct lw_svg_series){title, id, k, s->v + off, ex, up, al,
						      (const char *const *)lab});
	fclose(f);
	lw_buf_put(b, "<div class=\"chart\">");
	lw_strbuf_printf(b, "%.*s", (int)tlen, text ? text : "");
	if (r) {
		lw_strbuf_printf(b, "<p class=\"note\">%s ", LW_T(rq, "检测规则", "Detector rule"));
		lw_buf_esc(b, r->name);
		lw_strbuf_printf(b, " (%s)</p>", lw_method_name(r));
	} else {
		lw_strbuf_printf(b, "<p class=\"note\">%s</p>",
				 LW_T(rq, "没有检测规则监测此序列（配置 detect.rules），故无上界。",
				      "No detector rule watches this series (detect.rules), so no band."));
	}
	lw_buf_put(b, "</div>\n");
out:
	for (size_t i = 0; lab && i < k; i++)
		free(lab[i]);
	free(lab);
	free(ex);
	free(up);
	free(al);
	free(text);
	return rc;
}

int lw_web_agency_charts(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b,
			 const char *agency)
{
	int64_t now = (int64_t)time(NULL);
	struct lw_err err = {0};
	int drawn = 0;

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		const struct lw_alert_rule *r = rule_for(rq->s->rules, kinds[k].kind);
		struct lw_series_set set;
		int rc = lw_series_load_agency(wh, kinds[k].kind, now, rq->s->withdrawn_is_loss,
					       agency, &set, &err);
		if (rc != 0) {
			lw_buf_put(b, "<p class=\"err\">");
			lw_buf_esc(b, err.msg);
			lw_buf_put(b, "</p>");
			continue;
		}
		for (size_t i = 0; i < set.n; i++) {
			const char *cat = json_string_value(json_object_get(set.s[i].labels, "category"));
			char title[200];
			if (cat)
				snprintf(title, sizeof title, "%s · %s", LW_T(rq, kinds[k].zh, kinds[k].en),
					 rq->en ? cat : category_zh(cat));
			else
				snprintf(title, sizeof title, "%s", LW_T(rq, kinds[k].zh, kinds[k].en));
			if (chart(rq, b, &set, &set.s[i], r, title, i) != 0) {
				lw_series_set_free(&set);
				return LW_ENOMEM;
			}
			drawn++;
		}
		lw_series_set_free(&set);
	}
	if (!drawn)
		lw_strbuf_printf(b, "<p>%s</p>", LW_T(rq, "没有数据。", "No data."));
	return 0;
}
