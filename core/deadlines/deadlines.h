/*
 * core/deadlines/: time limits (时限监督) — every obligation of every case
 * (case × rule × defendant agency), on the right calendar.
 *
 * deadlines.h — the rules of the config's `deadlines` section and the pure
 * computation of one obligation (docs/deadlines.md for operators).
 *
 * Two calendars, never mixed up (design.md §10):
 *   - LW_DL_CALENDAR: litigation periods (行政诉讼法 arts. 67, 85, 101 with
 *     民事诉讼法's 期间 rules) run in calendar days; the start day is not
 *     counted; a last day that is a public holiday or a weekend rest day
 *     moves to the next working day; holidays inside are not deducted;
 *   - LW_DL_WORKING: the bureau's own rules run in working days (工作日) of
 *     the official calendar, make-up working days (调休) included.
 * A date the holiday calendar cannot decide (a year not in conf/holidays/)
 * gives LW_OB_UNKNOWN with "calendar missing for 2028", never a guess.
 *
 * Layering: this folder sits on base, domain and warehouse, below ingest
 * (which recomputes the obligations of the cases an import touched, in the
 * import's own transaction) and alerts (which reads them).
 */
#ifndef LW_DEADLINES_DEADLINES_H
#define LW_DEADLINES_DEADLINES_H

#include <jansson.h>
#include <stddef.h>

#include "base/diag.h"
#include "base/err.h"
#include "domain/date.h"
#include "domain/workdays.h"

/* The case dates a rule can start from or be done by (columns of `cases`). */
enum lw_dl_field {
	LW_DL_FILED = 0,          /* filed_date 立案日期 */
	LW_DL_CONCLUDED,          /* concluded_date 结案日期 */
	LW_DL_PAPERS_RECEIVED,    /* papers_received_date 收到应诉通知书/起诉状副本 */
	LW_DL_REPORTED,           /* reported_date 报备日期 */
	LW_DL_DEFENCE_FILED,      /* defence_filed_date 答辩日期 */
	LW_DL_JUDGMENT_RECEIVED,  /* judgment_received_date 收到裁判文书日期 */
	LW_DL_LOSS_REPORT,        /* loss_report_date 败诉分析报送日期 */
	LW_DL_RECTIFICATION,      /* rectification_date 整改报告报送日期 */
	LW_DL_FIELD_COUNT
};

/* Column name of a field ("papers_received_date"); -1 from parse when unknown. */
const char *lw_dl_field_name(enum lw_dl_field f);
int lw_dl_field_parse(const char *name);

enum lw_dl_calendar { LW_DL_CALENDAR = 0, LW_DL_WORKING };

struct lw_dl_rule {
	char *name;           /* "report-new-suit": letters, digits, '-', '_' */
	char *title;          /* for people: "新收案件报备 (report a new suit)" */
	char *basis;          /* legal or policy source, free text (may be NULL) */
	enum lw_dl_field start;
	int done;             /* enum lw_dl_field, or -1: informational (no done date) */
	int length;           /* days (calendar) or working days, 1..366 */
	int length_ruling;    /* when the outcome is a ruling (裁定): 0 = length */
	enum lw_dl_calendar calendar;
	int remind;           /* reminder this many working days before due; -1: section default */
	/* Conditions (all must hold): */
	int when_lost;        /* -1 any; 1 only cases the agency lost; 0 only not lost */
	char **type_codes;    /* case type codes ("行初"), or none = any */
	size_t ntype_codes;
	char **outcomes;      /* outcome codes ("revoked"), or none = any */
	size_t noutcomes;
};

/* The parsed `deadlines` section.  Immutable once built and shared by the
 * config, the import pipeline and the alert engine (which may run on other
 * threads): reference counted, freed by the last lw_dl_conf_unref. */
struct lw_dl_conf {
	struct lw_dl_rule *rules;
	size_t nrules;
	int remind;                /* default reminder lead, working days (0: none) */
	json_t *contacts;          /* {"canonical agency": "sink name"} (owned), may be empty */
	char *holidays_dir;        /* absolute */
	struct lw_holidays *cal;   /* loaded from holidays_dir */
	_Atomic int refs;          /* see lw_dl_conf_ref */
};

/* Check `deadlines` (a JSON object) as a whole; every problem goes to diag
 * with its key path ("deadlines.rules[1].calendar: ..."), and the holiday
 * directory (default_holidays_dir unless the section names one, relative
 * to base_dir) is loaded.  On success *out (refs = 1).  Returns 0 or
 * LW_EINVAL (problems in diag, *out NULL). */
int lw_dl_conf_parse(json_t *section, const char *base_dir, const char *default_holidays_dir,
		     struct lw_dl_conf **out, struct lw_diag *diag);
struct lw_dl_conf *lw_dl_conf_ref(struct lw_dl_conf *c);
void lw_dl_conf_unref(struct lw_dl_conf *c);

/* The rule called name, or NULL. */
const struct lw_dl_rule *lw_dl_rule_find(const struct lw_dl_conf *c, const char *name);

/* ---- periods ------------------------------------------------------------- */

/* Last day of a period of n days from *start (start not counted): n days on
 * for LW_DL_CALENDAR, moved on to the next working day when that is a
 * day off; the n-th working day for LW_DL_WORKING.  Returns 0, or
 * LW_ENOENT ("calendar missing for 2028" in e) when a year it needs is not
 * in cal. */
int lw_dl_period_end(const struct lw_holidays *cal, enum lw_dl_calendar kind,
		     const struct lw_date *start, int n, struct lw_date *out, struct lw_err *e);

/* Working days after *from up to and including *to (0 when to <= from).
 * LW_ENOENT when a year between is not covered. */
int lw_dl_workdays_between(const struct lw_holidays *cal, const struct lw_date *from,
			   const struct lw_date *to, int *out, struct lw_err *e);

/* First year of the days (today, today + days] cal does not cover, or 0. */
int lw_dl_calendar_gap(const struct lw_holidays *cal, const struct lw_date *today, int days);

/* ---- one obligation ------------------------------------------------------ */

/* Stored, time-independent states.  OPEN becomes `due` or `overdue` (or, for
 * an informational rule, `passed`) only when read at a date. */
enum lw_ob_status {
	LW_OB_WAITING = 0, /* the start date is unknown */
	LW_OB_OPEN,        /* started, not done */
	LW_OB_MET,         /* done on or before the due date */
	LW_OB_LATE,        /* done after it */
	LW_OB_UNKNOWN,     /* the calendar cannot decide the due date */
};
const char *lw_ob_status_name(enum lw_ob_status s);

/* What a rule needs of a case: ISO dates (or NULL) by field, and the
 * values its conditions look at. */
struct lw_dl_case {
	const char *date[LW_DL_FIELD_COUNT];
	const char *type_code, *outcome; /* NULL: unknown */
	int agency_lost;                 /* -1 unknown */
};

struct lw_obligation {
	enum lw_ob_status status;
	char start[11], due[11], done[11]; /* "" when none */
	int days_late;                     /* LATE: calendar days after due */
	char note[128];                    /* UNKNOWN: "calendar missing for 2028" */
};

/* Nonzero when rule applies to the case (its conditions hold). */
int lw_dl_applies(const struct lw_dl_rule *r, const struct lw_dl_case *c);

/* Compute the obligation of rule r for case c (r must apply).  Returns 0,
 * or LW_EINVAL when a date of c is not an ISO date (then UNKNOWN). */
int lw_dl_compute(const struct lw_dl_rule *r, const struct lw_holidays *cal,
		  const struct lw_dl_case *c, struct lw_obligation *out);

#endif
