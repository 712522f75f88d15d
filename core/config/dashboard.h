/*
 * dashboard.h — the configuration's "dashboard" section: how long a
 * dashboard session may stay idle, and the thresholds of the overview's
 * three-colour risk grade (docs/dashboard.md).
 */
#ifndef LW_CONFIG_DASHBOARD_H
#define LW_CONFIG_DASHBOARD_H

#include <jansson.h>

#include "base/diag.h"

/* The grades, lowest first: yellow, orange, red. */
#define LW_RISK_GRADES 3

/* One measure's thresholds: an agency gets grade g when its value is at
 * least at[g] (the highest such g wins; every measure is checked and the
 * worst grade of all is the agency's).  A threshold < 0 is off. */
struct lw_risk_measure {
	double at[LW_RISK_GRADES];
};

struct lw_dashboard_conf {
	int idle_timeout_s;             /* a session ends after this long unused */
	struct lw_risk_measure loss_rate; /* percent, this quarter */
	long long min_concluded;        /* loss rate counts only from this many concluded */
	struct lw_risk_measure overdue; /* open obligations past their due date, today */
	struct lw_risk_measure firing;  /* firing alerts whose labels name the agency */
	struct lw_risk_measure complaints_growth; /* percent: 12345 enforcement work
						     orders, this quarter against the
						     same quarter last year */
	long long min_complaints;       /* growth counts only from this many this quarter */
};

/* The defaults (docs/dashboard.md). */
void lw_dashboard_conf_default(struct lw_dashboard_conf *c);

/* Check section (NULL: absent, defaults) and fill *out; every problem goes
 * to d naming its key ("dashboard.risk.loss_rate: ...").  Returns the
 * number of problems added. */
int lw_dashboard_conf_parse(json_t *section, struct lw_dashboard_conf *out, struct lw_diag *d);

#endif
