/*
 * band.c — one detector point of a rule (lw_alert_rule_point): which
 * detector, over which range of the series, exactly as an evaluation
 * decides a verdict for one period.  The dashboard's agency page calls it
 * at every period to draw the rule's upper bound as a band and its alarms.
 * Evaluations take their verdicts from it too (evaluate.c): the band on
 * the page is the bound the alert was decided by.
 */
#include <math.h>

#include "alerts/alerts_int.h"

int lw_alert_rule_point(const struct lw_alert_rule *r, const double *v, size_t i,
			double *expected, double *upper, int *alarm)
{
	struct lw_detect_result res = {0};
	size_t from = i, to = i;
	int rc;

	*expected = *upper = NAN;
	*alarm = LW_ALARM_NA;
	switch (r->method) {
	case LW_METHOD_EARS: {
		size_t need = r->ears.baseline + (r->ears.method - 1) * 2;
		if (i < need)
			return 0; /* too early for the baseline: no data */
		rc = lw_ears(v, i + 1, i, i, &r->ears, &res, NULL);
		break;
	}
	case LW_METHOD_FARRINGTON:
		if (lw_farrington_default_range(i + 1, &r->farrington, &from, &to, NULL) != 0 ||
		    from > i)
			return 0;
		rc = lw_farrington(v, i + 1, i, i, &r->farrington, &res, NULL);
		break;
	case LW_METHOD_CUSUM: /* sums from the end of the baseline up to i */
		if (i < r->cusum_baseline)
			return 0;
		rc = lw_cusum(v, i + 1, r->cusum_baseline, i, &r->cusum, &res, NULL);
		break;
	default:
		return 0;
	}
	if (rc == LW_ENOMEM)
		return rc;
	if (rc == 0 && res.n > 0 && res.alarm[res.n - 1] != LW_ALARM_NA) {
		*alarm = res.alarm[res.n - 1];
		*upper = res.upperbound[res.n - 1];
		*expected = res.expected[res.n - 1];
		lw_detect_result_free(&res);
		return 1;
	}
	lw_detect_result_free(&res);
	return 0;
}
