/*
 * kinds.c — the series an alert rule can watch: names as written in the
 * configuration, their period, and the labels that tell series apart.
 */
#include <string.h>

#include "alerts/alerts_int.h"

const struct lw_series_kind_info lw_series_kinds[LW_SERIES_KIND_COUNT] = {
	[LW_SERIES_FILED_MONTHLY] = {"cases.filed.monthly.overall", LW_FREQ_MONTH, NULL, NULL},
	[LW_SERIES_FILED_MONTHLY_AGENCY] = {"cases.filed.monthly.by_agency", LW_FREQ_MONTH,
					    "agency", NULL},
	[LW_SERIES_FILED_MONTHLY_DOMAIN] = {"cases.filed.monthly.by_domain", LW_FREQ_MONTH,
					    "domain", NULL},
	[LW_SERIES_FILED_MONTHLY_ACT_TYPE] = {"cases.filed.monthly.by_act_type", LW_FREQ_MONTH,
					      "act_type", NULL},
	[LW_SERIES_LOST_QUARTERLY_AGENCY] = {"cases.lost.quarterly.by_agency", LW_FREQ_QUARTER,
					     "agency", NULL},
	[LW_SERIES_TICKETS_WEEKLY_CAT_AGENCY] = {"tickets.weekly.by_category_agency",
						 LW_FREQ_WEEK, "category", "agency"},
	[LW_SERIES_TICKETS_WEEKLY_TOPIC] = {"tickets.weekly.by_topic", LW_FREQ_WEEK, "topic",
					    NULL},
};

const char *lw_series_kind_name(enum lw_series_kind k)
{
	return (unsigned)k < LW_SERIES_KIND_COUNT ? lw_series_kinds[k].name : "?";
}

int lw_series_kind_parse(const char *name)
{
	for (int i = 0; i < LW_SERIES_KIND_COUNT; i++)
		if (name && !strcmp(lw_series_kinds[i].name, name))
			return i;
	return -1;
}

