/*
 * report_int.h — inside core/report/: the columns every format shows
 * (columns.c), so XLSX, HTML and CSV cannot disagree on what a table
 * holds, and small readers of the bulletin document.
 */
#ifndef LW_REPORT_INT_H
#define LW_REPORT_INT_H

#include <stddef.h>

#include <jansson.h>

#include "report/report.h"

enum lw_rcol_kind {
	LW_RCOL_TEXT,  /* text that came from outside (names, causes): neutralised */
	LW_RCOL_INT,   /* a count */
	LW_RCOL_RATE,  /* percent with 2 decimals, null = n/a */
	LW_RCOL_RANK,  /* 1.., null = not ranked */
	LW_RCOL_FLAG,  /* true -> 是 */
	LW_RCOL_POINTS /* change of a rate, in percentage points */
};

struct lw_rcol {
	const char *zh, *en;
	const char *key;   /* member of the row; "year_to_date.x" one level down */
	enum lw_rcol_kind kind;
	double width;      /* XLSX column width, in characters */
};

struct lw_rtable {
	const char *sheet;  /* XLSX sheet name (Chinese, <= 31 characters) */
	const char *zh, *en;
	const struct lw_rcol *cols;
	size_t ncols;
};

/* The ranking (groups), lost cases, 12345 beside suits, sources. */
extern const struct lw_rtable lw_rtable_ranking, lw_rtable_lost, lw_rtable_hotline,
	lw_rtable_sources;
extern const struct lw_rtable lw_rtable_on_time, lw_rtable_late; /* 时限 (deadlines) */

/* The value of column c in row (NULL when absent). */
json_t *lw_rcol_value(json_t *row, const struct lw_rcol *c);
/* The column header of the group column for doc's grouping (单位, 执法领域,
 * 行为类型, 法院). */
const char *lw_report_group_zh(json_t *doc);

/* A rate/points value as text ("2.78%", "n/a" -> "—"): buf of cap. */
char *lw_report_rate_text(json_t *v, int points, char *buf, size_t cap);
/* Value of c as display text (rates with %, flags 是, ranks, counts). */
char *lw_report_cell_text(json_t *row, const struct lw_rcol *c, char *buf, size_t cap);

/* Headline rows: label and key in doc.headline, in order. */
struct lw_rheadline {
	const char *zh, *en, *key;
	enum lw_rcol_kind kind;
};
extern const struct lw_rheadline lw_rheadlines[];
extern const size_t lw_nrheadlines;

/* Period label in Chinese ("2024年第三季度", "2024年1-9月") into buf. */
char *lw_report_period_zh(json_t *period, char *buf, size_t cap);

const char *lw_rj_str(json_t *o, const char *key);
long long lw_rj_int(json_t *o, const char *key);

#endif
