/*
 * detect_cli.h — the pieces of `litwatch detect` that tests and the fuzzer
 * reuse: the series reader, the flag parser and the dispatcher to a method.
 */
#ifndef LW_DETECT_CLI_H
#define LW_DETECT_CLI_H

#include <stddef.h>

#include "base/err.h"
#include "detect/detect.h"

/* Parse a series: one count per line, or `period,count` (the period label
 * is ignored: periods are taken as regularly spaced, in file order).  Blank
 * lines and `#` comments are skipped; `NA` is a missing count (NaN).  A
 * count must be a finite number >= 0.  On success *counts is malloc'ed (the
 * caller frees it) with *n entries; on error nothing is allocated and err
 * names the line ("line 7: ...").  Errors: LW_EFORMAT, LW_ENOMEM. */
int lw_detect_series_parse(const char *text, size_t len, double **counts, size_t *n,
			   struct lw_err *err);

enum lw_detect_method {
	LW_DM_EARS_C1, LW_DM_EARS_C2, LW_DM_EARS_C3, LW_DM_FARRINGTON, LW_DM_CUSUM,
};

struct lw_detect_cli {
	enum lw_detect_method method;
	unsigned freq;         /* --freq, default 12 */
	int has_range;         /* --range given */
	size_t range_from;     /* 1-based, inclusive, as typed */
	size_t range_to;
	struct lw_ears_opts ears;
	struct lw_farrington_opts farr;
	struct lw_cusum_opts cusum;
};

/* Parse the flags after `detect` (argv[0] is the subcommand name).  Returns
 * 0 or LW_EINVAL with err naming the flag. */
int lw_detect_cli_parse(int argc, char **argv, struct lw_detect_cli *cli, struct lw_err *err);

/* Run the chosen method over counts[0..n-1] for the --range (or the method's
 * default range).  *from receives the 0-based first period of *out. */
int lw_detect_cli_run(const struct lw_detect_cli *cli, const double *counts, size_t n,
		      size_t *from, struct lw_detect_result *out, struct lw_err *err);

#endif
