/*
 * dashboard.c — the "dashboard" section (dashboard.h):
 *
 *   "dashboard": {
 *     "idle_timeout": "30m",
 *     "risk": {"loss_rate": [10, 20, 30], "min_concluded": 5,
 *              "overdue": [1, 3, 5], "firing": [1, 2, 3],
 *              "complaints_growth": [30, 50, 100], "min_complaints": 10}
 *   }
 *
 * Each list is the yellow, orange and red threshold, non-decreasing; null
 * turns a grade of that measure off.
 */
#include <string.h>

#include "base/units.h"
#include "config/dashboard.h"

void lw_dashboard_conf_default(struct lw_dashboard_conf *c)
{
	*c = (struct lw_dashboard_conf){
		.idle_timeout_s = 1800,
		.loss_rate = {{10, 20, 30}},
		.min_concluded = 5,
		.overdue = {{1, 3, 5}},
		.firing = {{1, 2, 3}},
		.complaints_growth = {{30, 50, 100}},
		.min_complaints = 10,
	};
}

static int measure(json_t *v, const char *key, struct lw_risk_measure *m, struct lw_diag *d)
{
	size_t i;
	json_t *x;
	double last = -1;

	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) != LW_RISK_GRADES) {
		lw_diag_add(d, "dashboard.risk.%s: expected three numbers, the yellow, orange and "
			       "red thresholds (null: off), e.g. [10, 20, 30]", key);
		return 1;
	}
	json_array_foreach(v, i, x) {
		if (json_is_null(x)) {
			m->at[i] = -1;
			continue;
		}
		if (!json_is_number(x) || json_number_value(x) < 0) {
			lw_diag_add(d, "dashboard.risk.%s[%zu]: expected a number >= 0 or null", key, i);
			return 1;
		}
		m->at[i] = json_number_value(x);
		if (m->at[i] < last) {
			lw_diag_add(d, "dashboard.risk.%s: the thresholds must not decrease (yellow <= "
				       "orange <= red)", key);
			return 1;
		}
		last = m->at[i];
	}
	return 0;
}

static int count(json_t *v, const char *key, long long *out, struct lw_diag *d)
{
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		lw_diag_add(d, "dashboard.risk.%s: expected a whole number >= 0", key);
		return 1;
	}
	*out = json_integer_value(v);
	return 0;
}

int lw_dashboard_conf_parse(json_t *section, struct lw_dashboard_conf *out, struct lw_diag *d)
{
	static const char *const keys[] = {"loss_rate", "min_concluded", "overdue", "firing",
					   "complaints_growth", "min_complaints", NULL};
	const char *k;
	json_t *v, *risk;
	int n = 0;

	lw_dashboard_conf_default(out);
	if (!section)
		return 0;
	if (!json_is_object(section)) {
		lw_diag_add(d, "dashboard: expected an object");
		return 1;
	}
	json_object_foreach(section, k, v) {
		if (strcmp(k, "idle_timeout") && strcmp(k, "risk")) {
			lw_diag_add(d, "dashboard.%s: unknown key (idle_timeout, risk)", k);
			n++;
		}
	}
	if ((v = json_object_get(section, "idle_timeout"))) {
		int64_t ms;
		if (!json_is_string(v) || lw_parse_duration(json_string_value(v), &ms) != 0 ||
		    ms < 60000 || ms > 86400000LL * 7) {
			lw_diag_add(d, "dashboard.idle_timeout: expected a duration from 1m to 7d, e.g. "
				       "\"30m\"");
			n++;
		} else {
			out->idle_timeout_s = (int)(ms / 1000);
		}
	}
	risk = json_object_get(section, "risk");
	if (!risk)
		return n;
	if (!json_is_object(risk)) {
		lw_diag_add(d, "dashboard.risk: expected an object");
		return n + 1;
	}
	json_object_foreach(risk, k, v) {
		size_t i;
		for (i = 0; keys[i] && strcmp(keys[i], k); i++)
			;
		if (!keys[i]) {
			lw_diag_add(d, "dashboard.risk.%s: unknown key (loss_rate, min_concluded, "
				       "overdue, firing, complaints_growth, min_complaints)", k);
			n++;
		}
	}
	n += measure(json_object_get(risk, "loss_rate"), "loss_rate", &out->loss_rate, d);
	n += measure(json_object_get(risk, "overdue"), "overdue", &out->overdue, d);
	n += measure(json_object_get(risk, "firing"), "firing", &out->firing, d);
	n += measure(json_object_get(risk, "complaints_growth"), "complaints_growth",
		     &out->complaints_growth, d);
	n += count(json_object_get(risk, "min_concluded"), "min_concluded", &out->min_concluded, d);
	n += count(json_object_get(risk, "min_complaints"), "min_complaints", &out->min_complaints,
		   d);
	return n;
}
