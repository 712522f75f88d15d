/*
 * web_sql.h — the dashboard's statements (sql.c).
 */
#ifndef LW_WEB_SQL_H
#define LW_WEB_SQL_H

extern const char lw_wsql_agency[], lw_wsql_agency_cases[], lw_wsql_agency_case_count[],
	lw_wsql_agency_alerts[], lw_wsql_agency_unresolved[], lw_wsql_firing_by_agency[];
extern const char lw_wsql_cases_search[], lw_wsql_cases_search_agency[], lw_wsql_outcomes[],
	lw_wsql_case[], lw_wsql_case_provenance[], lw_wsql_case_defendants[],
	lw_wsql_case_conflicts[], lw_wsql_import_origin[];
extern const char lw_wsql_alert_for_silence[], lw_wsql_silences[];
extern const char lw_wsql_source_last[], lw_wsql_imports_recent[], lw_wsql_imports_rejected[],
	lw_wsql_import[], lw_wsql_import_rejects[], lw_wsql_unresolved[], lw_wsql_agency_names[];

#endif
