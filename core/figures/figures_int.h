/*
 * figures_int.h — inside core/figures/: the SQL (sql.c), one place.
 */
#ifndef LW_FIGURES_INT_H
#define LW_FIGURES_INT_H

#include "figures/figures.h"

/* Aggregations by grouping (enum lw_fig_by order), and the total.
 * Parameters :s :e (period), :ps :pe (same period last year), :wcl. */
extern const char *const lw_figsql_groups[4];
extern const char lw_figsql_total[];
extern const char lw_figsql_agency_names[];
extern const char lw_figsql_filed_monthly[];
extern const char lw_figsql_data_start[];
extern const char lw_figsql_lost_cases[];
extern const char lw_figsql_hotline[];
extern const char lw_figsql_hotline_unassigned[];
extern const char lw_figsql_first_import_since[];
extern const char lw_figsql_silent_agencies[];
extern const char lw_figsql_agency_count[];
extern const char lw_figsql_sources[];

#endif
