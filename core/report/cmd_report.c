/*
 * cmd_report.c — `litwatch report`: the quarterly bulletin (季度通报) of a
 * period, on demand, as XLSX, HTML, CSV or JSON (docs/reports.md).
 *
 * With --config the warehouse, rounding, withdrawn_after_change_is_loss
 * and the `reports` section's ranking rules come from the configuration
 * (base/settings.h), as the daemon's schedule takes them: the same
 * warehouse gives the same data either way.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/settings.h"
#include "cli.h"
#include "report/report.h"

#define USAGE                                                                                      \
	"usage: litwatch report (--db FILE | --config FILE) --period P [--by agency|domain|act|court]\n" \
	"       --format xlsx|html|csv|json -o OUT\n"                                                \
	"       [--rounding half-up|truncate] [--withdrawn-after-change-is-loss]\n"                  \
	"       [--min-concluded N] [--flag-top N] [--title TEXT]\n"                                 \
	"P: 2024, 2024H1, 2024Q3, 2024-07, 2024-01..2024-09 or ytd\n"

static int parse_count(const char *s, long long max, long long *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (!*s || *end || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int lw_cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'},
		{"period", required_argument, NULL, 'p'},
		{"by", required_argument, NULL, 'b'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"rounding", required_argument, NULL, 'r'},
		{"withdrawn-after-change-is-loss", no_argument, NULL, 'w'},
		{"min-concluded", required_argument, NULL, 'm'},
		{"flag-top", required_argument, NULL, 't'},
		{"title", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct lw_settings *cfg = lw_settings();
	struct lw_bulletin_opts bo = {
		.by = LW_FIG_BY_AGENCY,
		.withdrawn_is_loss = cfg->withdrawn_after_change_is_loss,
		.min_concluded = cfg->report_min_concluded >= 0 && cfg->config
					 ? cfg->report_min_concluded
					 : LW_REPORT_MIN_CONCLUDED_DEFAULT,
		.flag_top = cfg->report_flag_top > 0 ? (unsigned)cfg->report_flag_top
						     : LW_REPORT_FLAG_TOP_DEFAULT,
		.title = cfg->report_title,
		.known_agencies = cfg->known_agencies,
	};
	const char *db = cfg->warehouse, *period = NULL, *format = NULL, *out = NULL;
	enum lw_report_format fmt;
	struct lw_err err = {0};
	struct lw_wh *wh = NULL;
	json_t *doc = NULL;
	char today[11];
	long long n;
	int c, rc = 1;

	if (cfg->rounding && lw_rounding_parse(cfg->rounding, &bo.rounding, &err) != 0) {
		fprintf(stderr, "report: %s: rounding: %s\n", cfg->config, err.msg);
		return 1;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'c': break; /* loaded by litwatch.c (base/settings.h) */
		case 'p': period = optarg; break;
		case 'f': format = optarg; break;
		case 'o': out = optarg; break;
		case 'w': bo.withdrawn_is_loss = 1; break;
		case 'T': bo.title = optarg; break;
		case 'b':
			if (lw_fig_by_parse(optarg, &bo.by, &err) != 0)
				goto bad;
			break;
		case 'r':
			if (lw_rounding_parse(optarg, &bo.rounding, &err) != 0)
				goto bad;
			break;
		case 'm':
			if (parse_count(optarg, 1000000, &n) != 0) {
				fprintf(stderr, "report: --min-concluded: expected 0..1000000\n");
				return 2;
			}
			bo.min_concluded = n;
			break;
		case 't':
			if (parse_count(optarg, 1000, &n) != 0) {
				fprintf(stderr, "report: --flag-top: expected 0..1000\n");
				return 2;
			}
			bo.flag_top = (unsigned)n;
			break;
		case 'h': printf("%s", USAGE); return 0;
		default: goto usage;
		}
	}
	if (!db || !period || !format || !out || optind != argc)
		goto usage;
	lw_fig_today(today);
	if (lw_report_format_parse(format, &fmt, &err) != 0 ||
	    lw_fig_period_parse(period, today, &bo.period, &err) != 0)
		goto bad;
	if (lw_wh_open(db, LW_WH_READONLY, &wh, &err) != 0 ||
	    lw_bulletin_build(wh, &bo, &doc, &err) != 0 || lw_bulletin_write(doc, fmt, out, &err) != 0) {
		fprintf(stderr, "report: %s\n", err.msg);
		goto done;
	}
	rc = 0;
	goto done;
bad:
	fprintf(stderr, "report: %s\n", err.msg);
	return 2;
usage:
	fprintf(stderr, "%s", USAGE);
	return 2;
done:
	json_decref(doc);
	lw_wh_close(wh);
	return rc;
}
