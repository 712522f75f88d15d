/*
 * core/report/: the quarterly bulletin (季度通报) and its outputs.
 *
 * report.h — the bulletin as one JSON document built from the figures
 * module (figures/figures.h), and its writers: XLSX (libxlsxwriter, native
 * charts), HTML (one self-contained file, inline SVG), CSV (UTF-8 BOM,
 * Chinese headers, formula-safe) and JSON (the document itself).
 *
 * Every writer renders the same document, so `litwatch report` and the
 * daemon's schedule give the same data for the same warehouse, whatever
 * the format.  The document holds no clock: building it twice on the same
 * warehouse gives the same bytes.  docs/reports.md says what each part
 * means.
 */
#ifndef LW_REPORT_H
#define LW_REPORT_H

#include <jansson.h>

#include "base/err.h"
#include "domain/rates.h"
#include "figures/figures.h"
#include "warehouse/warehouse.h"

/* Defaults of the ranking rules (docs/reports.md). */
#define LW_REPORT_MIN_CONCLUDED_DEFAULT 5
#define LW_REPORT_FLAG_TOP_DEFAULT 3

struct lw_bulletin_opts {
	struct lw_fig_period period;
	enum lw_fig_by by;
	enum lw_rounding rounding;
	int withdrawn_is_loss;
	long long min_concluded; /* concluded cases before a group is ranked on loss rate */
	unsigned flag_top;       /* annual top N by loss rate flagged 不得评为优秀 (3) */
	const char *title;       /* bureau or county name for the title, or NULL */
	json_t *known_agencies;  /* the configuration's "agencies" (listed even without a
				    case; silent when nothing names them), or NULL */
};

/* Build the bulletin of o->period from wh, in one read transaction, into
 * *doc (caller owns; json_decref).  Errors: LW_EDB, LW_ENOMEM, LW_EINVAL. */
int lw_bulletin_build(struct lw_wh *wh, const struct lw_bulletin_opts *o, json_t **doc,
		      struct lw_err *e);

enum lw_report_format { LW_REPORT_XLSX = 0, LW_REPORT_HTML, LW_REPORT_CSV, LW_REPORT_JSON };

/* "xlsx" | "html" | "csv" | "json" -> *out; LW_EINVAL otherwise. */
int lw_report_format_parse(const char *name, enum lw_report_format *out, struct lw_err *e);
/* "xlsx", "html", ...: also the file name extension. */
const char *lw_report_format_name(enum lw_report_format f);

/* Write doc as format f to path: written beside it under a temporary name
 * and renamed into place, so a reader never sees half a file; an existing
 * path is replaced.  Errors: LW_EIO, LW_ENOMEM. */
int lw_bulletin_write(json_t *doc, enum lw_report_format f, const char *path, struct lw_err *e);

/* The writers (one file each); path is the final file.  lw_bulletin_write
 * is the entry. */
int lw_report_write_xlsx(json_t *doc, const char *path, struct lw_err *e);
int lw_report_write_html(json_t *doc, FILE *out, struct lw_err *e);
int lw_report_write_csv(json_t *doc, FILE *out, struct lw_err *e);

/* A short markdown summary for the WeCom / DingTalk robots: the headline
 * and the top 3, Chinese first.  malloc'd (NULL on ENOMEM).  The title
 * ("2024Q3 行政诉讼季度通报") into title (cap bytes). */
char *lw_bulletin_summary_markdown(json_t *doc, char *title, size_t cap);

/* Title line of a bulletin, Chinese ("2024年第三季度行政应诉工作通报"),
 * into buf. */
void lw_bulletin_title(json_t *doc, char *buf, size_t cap);

#endif
