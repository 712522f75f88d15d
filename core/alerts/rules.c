/*
 * rules.c — the `detect` and `alerts` sections of the configuration:
 * validation as a whole (every problem reported with its key path, e.g.
 * "detect.rules[2].method: expected one of ...") and the parsed form the
 * evaluator and the outbox use.  Keys follow R's control names in
 * snake_case (min_sigma, weights_threshold, past_weeks_not_included...).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "base/diag.h"
#include "base/options.h"
#include "base/text.h"

#define COMMON_RULE_OPTIONS                                                                  \
	{"name", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, NULL,                           \
	 "unique rule name; part of every alert's identity"},                                \
	{"series", LW_OPT_STRING, 0, NULL, 0, 0, NULL, "which series the rule watches"},     \
	{"method", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, METHODS, "detector or policy"}, \
	{"for", LW_OPT_INT, 0, "1", 1, 1000, NULL,                                          \
	 "evaluations the condition must hold before the alert fires"},                      \
	{"lookback", LW_OPT_INT, 0, "1", 1, 520, NULL, "latest periods evaluated each time"}, \
	{"severity", LW_OPT_STRING, 0, "warning", 0, 0, "info|warning|critical", NULL},      \
	{"labels", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL, "extra labels (strings)"}

#define METHODS "ears-c1|ears-c2|ears-c3|farrington|cusum|loss-rate|yoy-growth|loss-rate-top"
#define END {NULL, 0, 0, NULL, 0, 0, NULL, NULL}

static const struct lw_option ears_options[] = {
	COMMON_RULE_OPTIONS,
	{"baseline", LW_OPT_INT, 0, "7", 3, 10000, NULL, "reference periods"},
	END,
};
static const struct lw_option farrington_options[] = {
	COMMON_RULE_OPTIONS,
	{"b", LW_OPT_INT, 0, "5", 1, 100, NULL, "years back"},
	{"w", LW_OPT_INT, 0, "3", 0, 51, NULL, "half window"},
	{"reweight", LW_OPT_BOOL, 0, "true", 0, 0, NULL, NULL},
	{"trend", LW_OPT_BOOL, 0, "true", 0, 0, NULL, NULL},
	{"powertrans", LW_OPT_STRING, 0, "2/3", 0, 0, "2/3|1/2|none", NULL},
	{"no_periods", LW_OPT_INT, 0, "1", 1, 100, NULL, NULL},
	{"past_weeks_not_included", LW_OPT_INT, 0, "-1", -1, 520, NULL, "-1: R's NULL (= w)"},
	{"threshold_method", LW_OPT_STRING, 0, "delta", 0, 0, "delta|nbPlugin|muan", NULL},
	END,
};
static const struct lw_option cusum_options[] = {
	COMMON_RULE_OPTIONS,
	{"baseline", LW_OPT_INT, 0, "12", 1, 10000, NULL,
	 "first periods that give the in-control mean (R: range starts after them)"},
	{"trans", LW_OPT_STRING, 0, "standard", 0, 0,
	 "standard|rossi|anscombe|anscombe2nd|pearsonNegBin|none", NULL},
	{"reset", LW_OPT_BOOL, 0, "false", 0, 0, NULL, "restart the sum after an alarm"},
	END,
};
static const struct lw_option loss_rate_options[] = {
	COMMON_RULE_OPTIONS,
	{"min_concluded", LW_OPT_INT, 0, "1", 1, 1000000, NULL, "concluded cases needed"},
	END,
};
static const struct lw_option yoy_options[] = {
	COMMON_RULE_OPTIONS,
	{"min_cases", LW_OPT_INT, 0, "1", 1, 1000000, NULL, "filed cases needed this window"},
	{"window", LW_OPT_INT, 0, "12", 1, 60, NULL, "months per window"},
	END,
};
static const struct lw_option top_options[] = {
	COMMON_RULE_OPTIONS,
	{"top", LW_OPT_INT, LW_OPT_REQUIRED, NULL, 1, 1000, NULL, "how many agencies"},
	{"min_concluded", LW_OPT_INT, 0, "1", 1, 1000000, NULL, "concluded cases to be ranked"},
	END,
};
static const struct lw_option detect_options[] = {
	{"rules", LW_OPT_OBJECT /* array, by hand */, 0, NULL, 0, 0, NULL, NULL},
	{"withdrawn_after_change_is_loss", LW_OPT_BOOL, 0, "false", 0, 0, NULL,
	 "count 被告改变行政行为后撤诉 as a loss"},
	END,
};
static const struct lw_option alerts_options[] = {
	{"group_by", LW_OPT_STRINGS, 0, NULL, 0, 0, NULL, "labels that group alerts (rule)"},
	{"group_wait", LW_OPT_DURATION, 0, "0s", 0, 0, NULL, NULL},
	{"group_interval", LW_OPT_DURATION, 0, "5m", 0, 0, NULL, NULL},
	{"repeat_interval", LW_OPT_DURATION, 0, "24h", 0, 0, NULL, NULL},
	{"evaluate_every", LW_OPT_DURATION, 0, "1h", 0, 0, NULL, NULL},
	{"debounce", LW_OPT_DURATION, 0, "30s", 0, 0, NULL, NULL},
	{"retry", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL, NULL},
	{"sinks", LW_OPT_OBJECT /* array, by hand */, 0, NULL, 0, 0, NULL, NULL},
	END,
};
static const struct lw_option retry_options[] = {
	{"initial", LW_OPT_DURATION, 0, "30s", 0, 0, NULL, NULL},
	{"max", LW_OPT_DURATION, 0, "1h", 0, 0, NULL, NULL},
	{"max_attempts", LW_OPT_INT, 0, "10", 1, 1000, NULL, NULL},
	END,
};
static const struct lw_option sink_options[] = {
	{"name", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, NULL, NULL},
	{"type", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, "log|webhook|wecom|dingtalk|email",
	 NULL},
	{"url", LW_OPT_STRING, LW_OPT_SECRET, NULL, 0, 0, NULL, NULL},
	{"secret", LW_OPT_STRING, LW_OPT_SECRET, NULL, 0, 0, NULL, "DingTalk signing secret"},
	{"from", LW_OPT_STRING, 0, NULL, 0, 0, NULL, NULL},
	{"to", LW_OPT_STRINGS, 0, NULL, 0, 0, NULL, NULL},
	{"username", LW_OPT_STRING, 0, NULL, 0, 0, NULL, NULL},
	{"password_file", LW_OPT_FILE, LW_OPT_SECRET | LW_OPT_PRIVATE, NULL, 0, 0, NULL, NULL},
	{"ca_file", LW_OPT_FILE, 0, NULL, 0, 0, NULL, NULL},
	{"timeout", LW_OPT_DURATION, 0, "10s", 0, 0, NULL, NULL},
	{"send_resolved", LW_OPT_BOOL, 0, "true", 0, 0, NULL, NULL},
	{"match", LW_OPT_STRINGS, 0, NULL, 0, 0, NULL, "label matchers name=value / name!=value"},
	END,
};

/* Keys holding numbers (not integers): checked by hand per method. */
struct num_key {
	const char *key;
	double lo, hi;   /* allowed open/closed range, see incl */
	int lo_incl;     /* 1: lo allowed */
	int required;
};
static const struct num_key ears_nums[] = {{"alpha", 0, 1, 0, 0}, {"min_sigma", 0, 1e9, 1, 0},
					   {NULL, 0, 0, 0, 0}};
static const struct num_key farr_nums[] = {{"alpha", 0, 1, 0, 0},
					   {"weights_threshold", 0, 1e9, 0, 0},
					   {"p_threshold_trend", 0, 1, 0, 0},
					   {NULL, 0, 0, 0, 0}};
static const struct num_key cusum_nums[] = {{"k", 0, 1e9, 1, 0}, {"h", 0, 1e9, 0, 0},
					    {"m", 0, 1e9, 0, 0}, {"alpha", 0, 1e9, 0, 0},
					    {NULL, 0, 0, 0, 0}};
static const struct num_key pct_nums[] = {{"above_percent", 0, 1e9, 1, 1}, {NULL, 0, 0, 0, 0}};
static const struct num_key no_nums[] = {{NULL, 0, 0, 0, 0}};

static void free_rule(struct lw_alert_rule *r)
{
	free(r->name);
	free(r->severity);
	json_decref(r->labels);
}

static void free_sink(struct lw_alert_sink *s)
{
	free(s->name);
	free(s->url);
	free(s->secret);
	free(s->from);
	for (size_t i = 0; i < s->nto; i++)
		free(s->to[i]);
	free(s->to);
	free(s->username);
	if (s->password) {
		memset(s->password, 0, strlen(s->password));
		free(s->password);
	}
	free(s->ca_file);
	for (size_t i = 0; i < s->nmatch; i++)
		lw_matcher_clear(&s->match[i]);
	free(s->match);
}

const char *lw_method_name(const struct lw_alert_rule *r)
{
	switch (r->method) {
	case LW_METHOD_EARS:
		return r->ears.method == LW_EARS_C1 ? "ears-c1"
		       : r->ears.method == LW_EARS_C2 ? "ears-c2" : "ears-c3";
	case LW_METHOD_FARRINGTON: return "farrington";
	case LW_METHOD_CUSUM: return "cusum";
	case LW_METHOD_LOSS_RATE: return "loss-rate";
	case LW_METHOD_YOY_GROWTH: return "yoy-growth";
	case LW_METHOD_LOSS_RATE_TOP: return "loss-rate-top";
	case LW_METHOD_DEADLINE: return "deadline";
	}
	return "?";
}

void lw_alerts_conf_free(struct lw_alerts_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nrules; i++)
		free_rule(&c->rules[i]);
	free(c->rules);
	for (size_t i = 0; i < c->ngroup_by; i++)
		free(c->group_by[i]);
	free(c->group_by);
	for (size_t i = 0; i < c->nsinks; i++)
		free_sink(&c->sinks[i]);
	free(c->sinks);
	lw_dl_conf_unref(c->deadlines);
	free(c);
}

/* Check the number keys of table in obj; store values into out (object). */
static int check_nums(json_t *obj, const struct num_key *nk, const char *path, json_t *out,
		      struct lw_diag *d)
{
	int bad = 0;
	for (; nk->key; nk++) {
		json_t *v = json_object_get(obj, nk->key);
		double x;
		if (!v) {
			if (nk->required) {
				lw_diag_add(d, "%s.%s: required key is missing", path, nk->key);
				bad++;
			}
			continue;
		}
		if (!json_is_number(v)) {
			lw_diag_add(d, "%s.%s: expected a number", path, nk->key);
			bad++;
			continue;
		}
		x = json_number_value(v);
		if (!isfinite(x) || x > nk->hi || x < nk->lo || (!nk->lo_incl && x == nk->lo)) {
			lw_diag_add(d, "%s.%s: must be %s %g and at most %g; got %g", path, nk->key,
				    nk->lo_incl ? "at least" : "above", nk->lo, nk->hi, x);
			bad++;
			continue;
		}
		json_object_set_new(out, nk->key, json_real(x));
	}
	return bad;
}

static const char *const *num_skip(const struct num_key *nk, const char **buf)
{
	size_t i = 0;
	for (; nk->key; nk++)
		buf[i++] = nk->key;
	buf[i++] = "limit54";
	buf[i] = NULL;
	return buf;
}

static double num(json_t *o, const char *k, double def)
{
	json_t *v = json_object_get(o, k);
	return v ? json_number_value(v) : def;
}

static int64_t integer(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static unsigned freq_of(enum lw_series_kind k)
{
	return k == LW_SERIES_LOST_QUARTERLY_AGENCY ? 4
	       : (k == LW_SERIES_TICKETS_WEEKLY_CAT_AGENCY || k == LW_SERIES_TICKETS_WEEKLY_TOPIC)
		       ? 52
		       : 12;
}

/* One rule: returns problems found; fills *r when none. */
static int parse_rule(json_t *src, const char *path, struct lw_alert_rule *r, struct lw_diag *d)
{
	static const char *const methods[] = {"ears-c1", "ears-c2", "ears-c3", "farrington",
					      "cusum", "loss-rate", "yoy-growth", "loss-rate-top"};
	const struct lw_option *table;
	const struct num_key *nk;
	const char *skip[8], *m, *name, *series;
	json_t *vals = json_object(), *labels, *v;
	int bad = 0, mi = -1, kind;
	size_t i;
	const char *k;

	if (!json_is_object(src)) {
		lw_diag_add(d, "%s: expected an object with \"name\" and \"method\"", path);
		json_decref(vals);
		return 1;
	}
	m = json_string_value(json_object_get(src, "method"));
	for (i = 0; m && i < sizeof methods / sizeof *methods; i++)
		if (!strcmp(m, methods[i]))
			mi = (int)i;
	switch (mi) {
	case 0: case 1: case 2: table = ears_options; nk = ears_nums; break;
	case 3: table = farrington_options; nk = farr_nums; break;
	case 4: table = cusum_options; nk = cusum_nums; break;
	case 5: table = loss_rate_options; nk = pct_nums; break;
	case 6: table = yoy_options; nk = pct_nums; break;
	case 7: table = top_options; nk = no_nums; break;
	default: table = ears_options; nk = no_nums; break; /* method error reported below */
	}
	bad += lw_options_validate(src, table, path, NULL, num_skip(nk, skip), "a rule", vals, d);
	bad += check_nums(src, nk, path, vals, d);
	name = str(vals, "name");
	if (name && !lw_name_ok(name)) {
		lw_diag_add(d, "%s.name: \"%s\": use letters, digits, '-', '_' and '.' only (at "
			       "most 64)", path, name);
		bad++;
	} else if (name && !strncmp(name, "deadline-", 9)) {
		/* deadline-reminder and deadline-overdue are the deadlines' own. */
		lw_diag_add(d, "%s.name: \"%s\": names starting with \"deadline-\" are reserved "
			       "for the deadlines section's alerts", path, name);
		bad++;
	}
	series = str(vals, "series");
	kind = series ? lw_series_kind_parse(series) : -1;
	if (mi >= 5) {
		/* Policy rules read the series they are defined on. */
		int want = mi == 6 ? LW_SERIES_FILED_MONTHLY_AGENCY : LW_SERIES_LOST_QUARTERLY_AGENCY;
		if (series && kind != want) {
			lw_diag_add(d, "%s.series: method %s reads \"%s\"; got \"%s\"", path, m,
				    lw_series_kind_name(want), series);
			bad++;
		}
		kind = want;
	} else if (!series) {
		if (mi >= 0) {
			lw_diag_add(d, "%s.series: required key is missing (one of "
				       "cases.filed.monthly.overall|by_agency|by_domain|by_act_type, "
				       "cases.lost.quarterly.by_agency, "
				       "tickets.weekly.by_category_agency|by_topic)", path);
			bad++;
		}
	} else if (kind < 0) {
		lw_diag_add(d, "%s.series: expected one of cases.filed.monthly.overall, "
			       "cases.filed.monthly.by_agency, cases.filed.monthly.by_domain, "
			       "cases.filed.monthly.by_act_type, cases.lost.quarterly.by_agency, "
			       "tickets.weekly.by_category_agency, tickets.weekly.by_topic; got \"%s\"",
			    path, series);
		bad++;
	}
	labels = json_object_get(src, "labels");
	json_object_foreach(labels, k, v) {
		if (!json_is_string(v)) {
			lw_diag_add(d, "%s.labels.%s: expected a string", path, k);
			bad++;
		} else if (!strcmp(k, "rule") || !strcmp(k, "severity")) {
			lw_diag_add(d, "%s.labels.%s: reserved label (set by litwatch)", path, k);
			bad++;
		}
	}
	/* limit54: [cases, periods] as R's c(5, 4). */
	if ((v = json_object_get(src, "limit54")) && mi == 3) {
		if (!json_is_array(v) || json_array_size(v) != 2 ||
		    !json_is_number(json_array_get(v, 0)) ||
		    !json_is_integer(json_array_get(v, 1)) ||
		    json_number_value(json_array_get(v, 0)) < 0 ||
		    json_integer_value(json_array_get(v, 1)) < 1) {
			lw_diag_add(d, "%s.limit54: expected [cases, periods], e.g. [5, 4]", path);
			bad++;
		}
	} else if (v) {
		lw_diag_add(d, "%s.limit54: unknown key for a rule of method %s", path,
			    m ? m : "?");
		bad++;
	}
	if (mi == 3 && kind >= 0 && !bad &&
	    integer(vals, "w") >= (int64_t)freq_of((enum lw_series_kind)kind)) {
		lw_diag_add(d, "%s.w: must be less than the periods per year (%u)", path,
			    freq_of((enum lw_series_kind)kind));
		bad++;
	}
	if (bad || !r)
		goto out;
	memset(r, 0, sizeof *r);
	r->name = strdup(name);
	r->severity = strdup(str(vals, "severity"));
	r->labels = labels ? json_deep_copy(labels) : json_object();
	r->series = (enum lw_series_kind)kind;
	r->for_n = (unsigned)integer(vals, "for");
	r->lookback = (unsigned)integer(vals, "lookback");
	if (mi <= 2) {
		r->method = LW_METHOD_EARS;
		lw_ears_opts_init(&r->ears, (enum lw_ears_method)(mi + 1));
		r->ears.baseline = (unsigned)integer(vals, "baseline");
		r->ears.alpha = num(vals, "alpha", r->ears.alpha);
		r->ears.min_sigma = num(vals, "min_sigma", r->ears.min_sigma);
	} else if (mi == 3) {
		struct lw_farrington_opts *f = &r->farrington;
		const char *pt = str(vals, "powertrans"), *tm = str(vals, "threshold_method");
		r->method = LW_METHOD_FARRINGTON;
		lw_farrington_opts_init(f, freq_of(r->series));
		f->b = (unsigned)integer(vals, "b");
		f->w = (unsigned)integer(vals, "w");
		f->reweight = (int)integer(vals, "reweight");
		f->trend = (int)integer(vals, "trend");
		f->weights_threshold = num(vals, "weights_threshold", f->weights_threshold);
		f->p_threshold_trend = num(vals, "p_threshold_trend", f->p_threshold_trend);
		f->alpha = num(vals, "alpha", f->alpha);
		f->no_periods = (unsigned)integer(vals, "no_periods");
		f->past_weeks_not_included = (int)integer(vals, "past_weeks_not_included");
		f->powertrans = !strcmp(pt, "2/3") ? LW_POW_2_3 : !strcmp(pt, "1/2") ? LW_POW_1_2
										      : LW_POW_NONE;
		f->threshold_method = !strcmp(tm, "delta")      ? LW_THR_DELTA
				      : !strcmp(tm, "nbPlugin") ? LW_THR_NBPLUGIN
								: LW_THR_MUAN;
		if ((v = json_object_get(src, "limit54"))) {
			f->limit54_cases = json_number_value(json_array_get(v, 0));
			f->limit54_periods = (unsigned)json_integer_value(json_array_get(v, 1));
		}
	} else if (mi == 4) {
		struct lw_cusum_opts *c = &r->cusum;
		const char *t = str(vals, "trans");
		r->method = LW_METHOD_CUSUM;
		lw_cusum_opts_init(c);
		c->k = num(vals, "k", c->k);
		c->h = num(vals, "h", c->h);
		c->alpha = num(vals, "alpha", c->alpha);
		if (json_object_get(vals, "m")) {
			c->m_given = 1;
			c->m = num(vals, "m", 0);
		}
		c->reset = (int)integer(vals, "reset");
		r->cusum_baseline = (unsigned)integer(vals, "baseline");
		c->trans = !strcmp(t, "standard")      ? LW_CUSUM_STANDARD
			   : !strcmp(t, "rossi")       ? LW_CUSUM_ROSSI
			   : !strcmp(t, "anscombe")    ? LW_CUSUM_ANSCOMBE
			   : !strcmp(t, "anscombe2nd") ? LW_CUSUM_ANSCOMBE2ND
			   : !strcmp(t, "none")        ? LW_CUSUM_NONE
						       : LW_CUSUM_PEARSON_NB;
	} else if (mi == 5) {
		r->method = LW_METHOD_LOSS_RATE;
		r->above_percent = num(vals, "above_percent", 0);
		r->min_count = integer(vals, "min_concluded");
	} else if (mi == 6) {
		r->method = LW_METHOD_YOY_GROWTH;
		r->above_percent = num(vals, "above_percent", 0);
		r->min_count = integer(vals, "min_cases");
		r->window = (unsigned)integer(vals, "window");
	} else {
		r->method = LW_METHOD_LOSS_RATE_TOP;
		r->top = (unsigned)integer(vals, "top");
		r->min_count = integer(vals, "min_concluded");
	}
	if (!r->name || !r->severity || !r->labels) {
		lw_diag_add(d, "%s: out of memory", path);
		free_rule(r);
		bad++;
	}
out:
	json_decref(vals);
	return bad;
}

/* Read a one-line secret file (trailing newline dropped). */
static char *read_secret(const char *path, const char *kp, struct lw_diag *d)
{
	char buf[1024];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		lw_diag_add(d, "%s: cannot read %s: %s", kp, path, strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return strdup(buf);
}

static int parse_sink(json_t *src, const char *path, const char *base_dir,
		      struct lw_alert_sink *s, struct lw_diag *d)
{
	json_t *vals = json_object(), *arr;
	const char *type, *url, *name;
	char kp[96];
	int bad = 0;
	size_t i;

	if (!json_is_object(src)) {
		lw_diag_add(d, "%s: expected an object with \"name\" and \"type\"", path);
		json_decref(vals);
		return 1;
	}
	bad += lw_options_validate(src, sink_options, path, base_dir, NULL, "a sink", vals, d);
	type = str(vals, "type");
	url = str(vals, "url");
	name = str(vals, "name");
	if (name && !lw_name_ok(name)) {
		lw_diag_add(d, "%s.name: \"%s\": use letters, digits, '-', '_' and '.' only", path,
			    name);
		bad++;
	}
	if (type && strcmp(type, "log")) {
		int smtp = !strcmp(type, "email");
		if (!url) {
			lw_diag_add(d, "%s.url: required for a %s sink", path, type);
			bad++;
		} else if (smtp ? strncmp(url, "smtp://", 7) && strncmp(url, "smtps://", 8)
				: strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
			lw_diag_add(d, "%s.url: expected %s URL", path,
				    smtp ? "an smtp:// (STARTTLS, required) or smtps:// (TLS)"
					 : "an http:// or https://");
			bad++;
		}
	} else if (type && url) {
		lw_diag_add(d, "%s.url: a log sink has no URL", path);
		bad++;
	}
	if (type && !strcmp(type, "email")) {
		if (!str(vals, "from")) {
			lw_diag_add(d, "%s.from: required for an email sink", path);
			bad++;
		}
		if (!json_array_size(json_object_get(vals, "to"))) {
			lw_diag_add(d, "%s.to: required for an email sink (one address or more)", path);
			bad++;
		}
	} else if (type) {
		static const char *const only_email[] = {"from", "to", "username", "password_file",
							 NULL};
		for (const char *const *k = only_email; *k; k++)
			if (json_object_get(src, *k)) {
				lw_diag_add(d, "%s.%s: only for email sinks", path, *k);
				bad++;
			}
	}
	if (type && strcmp(type, "dingtalk") && json_object_get(src, "secret")) {
		lw_diag_add(d, "%s.secret: only for dingtalk sinks", path);
		bad++;
	}
	arr = json_object_get(vals, "match");
	for (i = 0; i < json_array_size(arr); i++) {
		struct lw_matcher m;
		struct lw_err e = {0};
		if (lw_matcher_parse(json_string_value(json_array_get(arr, i)), &m, &e) != 0) {
			lw_diag_add(d, "%s.match[%zu]: %s", path, i, e.msg);
			bad++;
		}
		lw_matcher_clear(&m);
	}
	if (bad || !s)
		goto out;
	memset(s, 0, sizeof *s);
	s->name = strdup(name);
	s->type = !strcmp(type, "log")	       ? LW_SINK_LOG
		  : !strcmp(type, "webhook")  ? LW_SINK_WEBHOOK
		  : !strcmp(type, "wecom")    ? LW_SINK_WECOM
		  : !strcmp(type, "dingtalk") ? LW_SINK_DINGTALK
					      : LW_SINK_EMAIL;
	s->url = url ? strdup(url) : NULL;
	s->secret = str(vals, "secret") ? strdup(str(vals, "secret")) : NULL;
	s->from = str(vals, "from") ? strdup(str(vals, "from")) : NULL;
	s->username = str(vals, "username") ? strdup(str(vals, "username")) : NULL;
	s->ca_file = str(vals, "ca_file") ? strdup(str(vals, "ca_file")) : NULL;
	s->timeout_ms = integer(vals, "timeout");
	s->send_resolved = (int)integer(vals, "send_resolved");
	if (str(vals, "password_file")) {
		snprintf(kp, sizeof kp, "%s.password_file", path);
		if (!(s->password = read_secret(str(vals, "password_file"), kp, d)))
			bad++;
	}
	arr = json_object_get(vals, "to");
	s->nto = json_array_size(arr);
	s->to = calloc(s->nto + 1, sizeof *s->to);
	for (i = 0; s->to && i < s->nto; i++)
		s->to[i] = strdup(json_string_value(json_array_get(arr, i)));
	arr = json_object_get(vals, "match");
	s->nmatch = json_array_size(arr);
	s->match = calloc(s->nmatch + 1, sizeof *s->match);
	for (i = 0; s->match && i < s->nmatch; i++)
		lw_matcher_parse(json_string_value(json_array_get(arr, i)), &s->match[i], NULL);
	if (!bad && (!s->name || !s->to || !s->match)) {
		lw_diag_add(d, "%s: out of memory", path);
		bad++;
	}
	if (bad)
		free_sink(s);
out:
	json_decref(vals);
	return bad;
}

int lw_alerts_conf_parse(json_t *detect, json_t *alerts, const char *base_dir,
			 struct lw_alerts_conf **out, struct lw_diag *d)
{
	static const char *const dskip[] = {"rules", NULL};
	static const char *const askip[] = {"sinks", "retry", NULL};
	struct lw_alerts_conf *c = calloc(1, sizeof *c);
	json_t *dv = json_object(), *av = json_object(), *rv = json_object(), *arr, *x;
	size_t before = d->n, i;
	char path[64];

	if (out)
		*out = NULL;
	if (!c || !dv || !av || !rv) {
		lw_diag_add(d, "detect: out of memory");
		goto done;
	}
	if (detect && !json_is_object(detect))
		lw_diag_add(d, "detect: expected an object with \"rules\"");
	else
		lw_options_validate(detect ? detect : dv, detect_options, "detect", base_dir, dskip,
				    NULL, dv, d);
	c->withdrawn_is_loss = (int)integer(dv, "withdrawn_after_change_is_loss");
	arr = json_is_object(detect) ? json_object_get(detect, "rules") : NULL;
	if (arr && !json_is_array(arr))
		lw_diag_add(d, "detect.rules: expected an array of rules");
	else if (arr) {
		c->rules = calloc(json_array_size(arr) + 1, sizeof *c->rules);
		json_array_foreach(arr, i, x) {
			snprintf(path, sizeof path, "detect.rules[%zu]", i);
			if (c->rules && parse_rule(x, path, &c->rules[c->nrules], d) == 0) {
				for (size_t j = 0; j < c->nrules; j++)
					if (!strcmp(c->rules[j].name, c->rules[c->nrules].name)) {
						lw_diag_add(d, "%s.name: duplicate rule name \"%s\"",
							    path, c->rules[j].name);
						break;
					}
				c->nrules++;
			}
		}
	}

	if (alerts && !json_is_object(alerts))
		lw_diag_add(d, "alerts: expected an object");
	else
		lw_options_validate(alerts ? alerts : av, alerts_options, "alerts", base_dir, askip,
				    NULL, av, d);
	x = json_is_object(alerts) ? json_object_get(alerts, "retry") : NULL;
	if (x && !json_is_object(x))
		lw_diag_add(d, "alerts.retry: expected an object");
	else
		lw_options_validate(x ? x : rv, retry_options, "alerts.retry", base_dir, NULL, NULL,
				    rv, d);
	c->group_wait_ms = integer(av, "group_wait");
	c->group_interval_ms = integer(av, "group_interval");
	c->repeat_interval_ms = integer(av, "repeat_interval");
	c->evaluate_every_ms = integer(av, "evaluate_every");
	c->debounce_ms = integer(av, "debounce");
	c->retry_initial_ms = integer(rv, "initial");
	c->retry_max_ms = integer(rv, "max");
	c->max_attempts = (unsigned)integer(rv, "max_attempts");
	if (json_object_get(rv, "initial") && c->retry_initial_ms < 1000)
		lw_diag_add(d, "alerts.retry.initial: must be at least 1s");
	x = json_object_get(av, "group_by");
	c->ngroup_by = x ? json_array_size(x) : 1;
	c->group_by = calloc(c->ngroup_by + 1, sizeof *c->group_by);
	for (i = 0; c->group_by && i < c->ngroup_by; i++)
		c->group_by[i] = strdup(x ? json_string_value(json_array_get(x, i)) : "rule");
	arr = json_is_object(alerts) ? json_object_get(alerts, "sinks") : NULL;
	if (arr && !json_is_array(arr))
		lw_diag_add(d, "alerts.sinks: expected an array of sinks");
	else if (arr) {
		c->sinks = calloc(json_array_size(arr) + 1, sizeof *c->sinks);
		json_array_foreach(arr, i, x) {
			snprintf(path, sizeof path, "alerts.sinks[%zu]", i);
			if (c->sinks &&
			    parse_sink(x, path, base_dir, &c->sinks[c->nsinks], d) == 0) {
				for (size_t j = 0; j < c->nsinks; j++)
					if (!strcmp(c->sinks[j].name, c->sinks[c->nsinks].name)) {
						lw_diag_add(d, "%s.name: duplicate sink name \"%s\"",
							    path, c->sinks[j].name);
						break;
					}
				c->nsinks++;
			}
		}
	}
done:
	json_decref(dv);
	json_decref(av);
	json_decref(rv);
	if (d->n > before || !out) {
		lw_alerts_conf_free(c);
		return d->n > before ? LW_EINVAL : 0;
	}
	*out = c;
	return 0;
}

int lw_alerts_config_check(json_t *detect, json_t *alerts, struct lw_diag *diag)
{
	size_t before = diag->n;
	lw_alerts_conf_parse(detect, alerts, NULL, NULL, diag);
	return (int)(diag->n - before);
}
