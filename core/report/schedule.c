/*
 * schedule.c — the `reports` section, due periods, and the bulletins'
 * warehouse rows (schedule.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/options.h"
#include "report/schedule.h"

static const char *const every_names[] = {"month", "quarter", "half", "year"};
static const int every_months[] = {1, 3, 6, 12};

static const struct lw_option reports_options[] = {
	{"dir", LW_OPT_DIR, LW_OPT_CREATE, "reports", 0, 0, NULL,
	 "folder the scheduled bulletins are written to (relative to data_dir)"},
	{"title", LW_OPT_STRING, 0, NULL, 0, 0, NULL,
	 "the bureau or county, shown before each bulletin's title"},
	{"min_concluded", LW_OPT_INT, 0, "5", 0, 1000000, NULL,
	 "concluded cases an agency needs in the period to be ranked on loss rate"},
	{"flag_top", LW_OPT_INT, 0, "3", 0, 1000, NULL,
	 "how many agencies with the highest annual loss rate are flagged 不得评为优秀"},
	{"bulletins", LW_OPT_STRINGS /* checked by hand */, 0, NULL, 0, 0, NULL,
	 "the bulletins to make on schedule"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const struct lw_option sched_options[] = {
	{"name", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, NULL,
	 "the bulletin's name (letters, digits, '-', '_'): file names and warehouse rows"},
	{"every", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, "month|quarter|half|year",
	 "the period each bulletin covers"},
	{"after_days", LW_OPT_INT, 0, "10", 0, 366, NULL,
	 "days after the period ends before it is made (late reports get in)"},
	{"formats", LW_OPT_STRINGS, 0, NULL, 0, 0, NULL, "xlsx, html, csv, json (default: xlsx, html)"},
	{"by", LW_OPT_STRING, 0, "agency", 0, 0, "agency|domain|act|court", "grouping of the ranking"},
	{"send_to", LW_OPT_STRINGS, 0, NULL, 0, 0, NULL,
	 "sinks of the alerts section: email gets the XLSX attached, wecom/dingtalk a summary"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

void lw_reports_conf_free(struct lw_reports_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsched; i++) {
		free(c->sched[i].name);
		for (size_t k = 0; k < c->sched[i].nsend_to; k++)
			free(c->sched[i].send_to[k]);
		free(c->sched[i].send_to);
	}
	free(c->sched);
	free(c->dir);
	free(c->title);
	free(c);
}

static int name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static void parse_sched(json_t *obj, size_t idx, const char *data_dir, struct lw_bulletin_sched *s,
			struct lw_diag *d)
{
	json_t *v = json_object(), *x;
	char path[64];
	const char *str;
	size_t i;

	snprintf(path, sizeof path, "reports.bulletins[%zu]", idx);
	if (!json_is_object(obj)) {
		lw_diag_add(d, "%s: expected an object", path);
		json_decref(v);
		return;
	}
	lw_options_validate(obj, sched_options, path, data_dir, NULL, NULL, v, d);
	str = json_string_value(json_object_get(v, "name"));
	if (str && !name_ok(str))
		lw_diag_add(d, "%s.name: \"%s\": use letters, digits, '-' and '_' (at most 64)", path, str);
	s->name = str ? strdup(str) : NULL;
	str = json_string_value(json_object_get(v, "every"));
	for (i = 0; str && i < 4; i++)
		if (!strcmp(str, every_names[i]))
			s->every = (enum lw_bulletin_every)i;
	s->after_days = (int)json_integer_value(json_object_get(v, "after_days"));
	lw_fig_by_parse(json_string_value(json_object_get(v, "by")), &s->by, NULL);
	x = json_object_get(v, "formats");
	if (!json_array_size(x))
		s->formats = 1u << LW_REPORT_XLSX | 1u << LW_REPORT_HTML;
	json_array_foreach(x, i, obj) {
		enum lw_report_format f;
		if (lw_report_format_parse(json_string_value(obj), &f, NULL) != 0)
			lw_diag_add(d, "%s.formats[%zu]: \"%s\": expected xlsx, html, csv or json", path, i,
				    json_string_value(obj) ? json_string_value(obj) : "");
		else
			s->formats |= 1u << f;
	}
	x = json_object_get(v, "send_to");
	s->send_to = calloc(json_array_size(x) + 1, sizeof *s->send_to);
	json_array_foreach(x, i, obj)
		if (s->send_to)
			s->send_to[s->nsend_to++] = strdup(json_string_value(obj));
	json_decref(v);
}

int lw_reports_conf_parse(json_t *obj, const char *data_dir, struct lw_reports_conf **out,
			  struct lw_diag *d)
{
	static const char *const skip[] = {"bulletins", NULL};
	size_t before = d->n, i;
	struct lw_reports_conf *c;
	json_t *v, *b, *item;

	*out = NULL;
	if (!obj)
		return 0;
	if (!json_is_object(obj)) {
		lw_diag_add(d, "reports: expected an object");
		return 1;
	}
	c = calloc(1, sizeof *c);
	v = json_object();
	if (!c || !v) {
		lw_diag_add(d, "reports: out of memory");
		free(c);
		json_decref(v);
		return 1;
	}
	lw_options_validate(obj, reports_options, "reports", data_dir, skip, NULL, v, d);
	c->dir = json_string_value(json_object_get(v, "dir")) ? strdup(json_string_value(json_object_get(v, "dir")))
							      : NULL;
	c->title = json_string_value(json_object_get(v, "title"))
			   ? strdup(json_string_value(json_object_get(v, "title")))
			   : NULL;
	c->min_concluded = json_integer_value(json_object_get(v, "min_concluded"));
	c->flag_top = (unsigned)json_integer_value(json_object_get(v, "flag_top"));
	b = json_object_get(obj, "bulletins");
	if (b && !json_is_array(b))
		lw_diag_add(d, "reports.bulletins: expected an array of bulletins");
	c->sched = calloc(json_array_size(b) + 1, sizeof *c->sched);
	json_array_foreach(b, i, item) {
		if (!c->sched)
			break;
		parse_sched(item, i, data_dir, &c->sched[c->nsched++], d);
		for (size_t k = 0; k + 1 < c->nsched; k++)
			if (c->sched[k].name && c->sched[i].name &&
			    !strcmp(c->sched[k].name, c->sched[i].name))
				lw_diag_add(d, "reports.bulletins[%zu].name: \"%s\" is used twice", i,
					    c->sched[i].name);
	}
	json_decref(v);
	if (d->n > before) {
		lw_reports_conf_free(c);
		return (int)(d->n - before);
	}
	*out = c;
	return 0;
}

void lw_bulletin_due_period(const struct lw_bulletin_sched *s, const char *today,
			    struct lw_fig_period *out)
{
	int y = 2000, m = 1, d = 1, len = every_months[s->every];
	int idx;

	sscanf(today, "%4d-%2d-%2d", &y, &m, &d);
	/* Step back after_days days (whole months of 28..31 days handled by
	 * walking day by day: at most 366 steps). */
	for (int k = 0; k < s->after_days; k++) {
		if (--d < 1) {
			static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
			if (--m < 1) {
				m = 12;
				y--;
			}
			d = dm[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
		}
	}
	/* (y, m, d) minus after_days: the last period that ended before it.
	 * Months since year 0 of the period containing it, minus one period. */
	idx = (y * 12 + m - 1) / len * len - len;
	lw_fig_period_make(idx / 12, idx % 12 + 1, len, out);
}

char *lw_bulletin_path(const char *dir, const char *name, const char *period,
		       enum lw_report_format f)
{
	size_t n = strlen(dir) + strlen(name) + strlen(period) + 16;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s-%s.%s", dir, name, period, lw_report_format_name(f));
	return p;
}
