/*
 * stats.c — the official figures (design.md §6) per agency, domain, type of
 * act or court for a month, quarter or year, and `litwatch stats`.
 *
 * Filed counts go by filing date, concluded/lost/withdrawn/mediated by
 * conclusion date.  Co-defendants (共同被告) each count a case; the "all"
 * line counts each case once.  Rates come from domain/rates.c (exact integer
 * arithmetic, half-up or truncated to 2 decimals).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/export.h"
#include "base/settings.h"
#include "base/text.h"
#include "cli.h"
#include "domain/rates.h"
#include "warehouse/warehouse.h"

/* One aggregation for every grouping; only the row source differs.  The
 * CTE yields (grp, case columns) rows. */
#define AGG_SQL(cte)                                                                               \
	"WITH g AS (" cte ")\n"                                                                    \
	"SELECT grp,\n"                                                                            \
	" SUM(g.filed_date >= :s AND g.filed_date < :e),\n"                                        \
	" SUM(g.filed_date >= :ps AND g.filed_date < :pe),\n"                                      \
	" SUM(o.concluded = 1 AND g.concluded_date >= :s AND g.concluded_date < :e),\n"            \
	" SUM(o.concluded = 1 AND g.concluded_date >= :s AND g.concluded_date < :e\n"              \
	"     AND (o.loss = 1 OR (o.loss IS NULL AND :wcl))),\n"                                   \
	" SUM(o.concluded = 1 AND g.concluded_date >= :s AND g.concluded_date < :e\n"              \
	"     AND g.outcome IN ('withdrawn', 'withdrawn_after_change')),\n"                        \
	" SUM(o.concluded = 1 AND g.concluded_date >= :s AND g.concluded_date < :e\n"              \
	"     AND g.outcome = 'mediated'),\n"                                                      \
	" SUM(g.concluded_date >= :s AND g.concluded_date < :e\n"                                  \
	"     AND (g.hearing_held = 1 OR (g.hearing_held IS NULL AND g.head_appeared IS NOT NULL))),\n" \
	" SUM(g.concluded_date >= :s AND g.concluded_date < :e AND g.head_appeared = 1\n"          \
	"     AND (g.hearing_held = 1 OR g.hearing_held IS NULL))\n"                               \
	"FROM g JOIN outcomes o ON o.code = g.outcome\n"                                           \
	"GROUP BY grp ORDER BY grp"

#define CASE_COLS "c.filed_date, c.concluded_date, c.outcome, c.hearing_held, c.head_appeared"

static const struct {
	const char *by;
	const char *sql;
} groupings[] = {
	{"agency", AGG_SQL("SELECT a.name AS grp, " CASE_COLS " FROM cases c JOIN case_defendants d "
			   "ON d.case_no = c.case_no JOIN agencies a ON a.id = d.agency_id")},
	{"domain", AGG_SQL("SELECT COALESCE(c.domain, '(未填 unspecified)') AS grp, " CASE_COLS
			   " FROM cases c")},
	{"act", AGG_SQL("SELECT COALESCE(c.act_type, '(未填 unspecified)') AS grp, " CASE_COLS
			" FROM cases c")},
	{"court", AGG_SQL("SELECT COALESCE(c.court, c.court_code, '(未填 unspecified)') AS grp, "
			  CASE_COLS " FROM cases c")},
	{"all", AGG_SQL("SELECT '(全部 all)' AS grp, " CASE_COLS " FROM cases c")},
};

/* "2023", "2023Q1", "2023-01" → [start, end) as ISO dates, and the same
 * span a year earlier. */
static void ym_text(char out[16], int y, int m)
{
	if (m > 12) {
		y++;
		m -= 12;
	}
	snprintf(out, 16, "%04u-%02u-01", (unsigned)y % 10000u, (unsigned)m % 100u);
}

static int parse_period(const char *p, char s[16], char e[16], char ps[16], char pe[16])
{
	int y, q, m, n = 0, sm, months;

	if (sscanf(p, "%4dQ%1d%n", &y, &q, &n) == 2 && !p[n] && q >= 1 && q <= 4) {
		sm = 3 * (q - 1) + 1;
		months = 3;
	} else if (sscanf(p, "%4d-%2d%n", &y, &m, &n) == 2 && !p[n] && m >= 1 && m <= 12) {
		sm = m;
		months = 1;
	} else if (sscanf(p, "%4d%n", &y, &n) == 1 && !p[n] && n == 4) {
		sm = 1;
		months = 12;
	} else {
		return LW_EINVAL;
	}
	if (y < 1949 || y > 2999)
		return LW_EINVAL;
	ym_text(s, y, sm);
	ym_text(e, y, sm + months);
	ym_text(ps, y - 1, sm);
	ym_text(pe, y - 1, sm + months);
	return 0;
}

static json_t *rate_json(struct lw_rate r)
{
	return r.defined ? json_real((double)r.hundredths / 100.0) : json_null();
}

static void rate_text(struct lw_rate r, char *buf, size_t cap)
{
	lw_rate_format(r, buf, cap);
}

/* Run one grouping and append its groups to out. */
static int run(struct lw_wh *wh, const char *sql, const char *period, int wcl,
	       enum lw_rounding mode, json_t *out, struct lw_err *e)
{
	char s[16], en[16], ps[16], pe[16];
	sqlite3_stmt *st;
	int rc;

	if (parse_period(period, s, en, ps, pe) != 0)
		return lw_err_set(e, LW_EINVAL, "--period: expected 2023, 2023Q1 or 2023-01; got \"%s\"",
				  period);
	if ((rc = lw_wh_stmt(wh, sql, &st, e)) || (rc = lw_wh_bind_text(st, ":s", s, e)) ||
	    (rc = lw_wh_bind_text(st, ":e", en, e)) || (rc = lw_wh_bind_text(st, ":ps", ps, e)) ||
	    (rc = lw_wh_bind_text(st, ":pe", pe, e)) || (rc = lw_wh_bind_int64(st, ":wcl", wcl, e)))
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		struct lw_counts c = {
			.filed = sqlite3_column_int64(st, 1),
			.filed_prev_year = sqlite3_column_int64(st, 2),
			.concluded = sqlite3_column_int64(st, 3),
			.lost = sqlite3_column_int64(st, 4),
			.withdrawn = sqlite3_column_int64(st, 5),
			.mediated = sqlite3_column_int64(st, 6),
			.hearings = sqlite3_column_int64(st, 7),
			.head_attended = sqlite3_column_int64(st, 8),
		};
		struct lw_rates r;
		json_t *o;
		if (c.filed == 0 && c.concluded == 0 && c.filed_prev_year == 0)
			continue; /* nothing in this period */
		if ((rc = lw_rates_compute(&c, mode, &r, e)) != 0)
			break;
		o = json_object();
		json_object_set_new(o, "group", json_string((const char *)sqlite3_column_text(st, 0)));
		json_object_set_new(o, "filed", json_integer(c.filed));
		json_object_set_new(o, "concluded", json_integer(c.concluded));
		json_object_set_new(o, "lost", json_integer(c.lost));
		json_object_set_new(o, "loss_rate", rate_json(r.loss));
		json_object_set_new(o, "withdrawn_mediated", json_integer(c.withdrawn + c.mediated));
		json_object_set_new(o, "withdrawn_mediated_rate", rate_json(r.withdrawn_mediated));
		json_object_set_new(o, "hearings", json_integer(c.hearings));
		json_object_set_new(o, "head_appeared", json_integer(c.head_attended));
		json_object_set_new(o, "head_appearance_rate", rate_json(r.head_appearance));
		json_object_set_new(o, "filed_prev_year", json_integer(c.filed_prev_year));
		json_object_set_new(o, "yoy_filed_growth", rate_json(r.yoy_filed_growth));
		{
			char t[4][32];
			rate_text(r.loss, t[0], sizeof t[0]);
			rate_text(r.withdrawn_mediated, t[1], sizeof t[1]);
			rate_text(r.head_appearance, t[2], sizeof t[2]);
			rate_text(r.yoy_filed_growth, t[3], sizeof t[3]);
			json_object_set_new(o, "_loss", json_string(t[0]));
			json_object_set_new(o, "_wm", json_string(t[1]));
			json_object_set_new(o, "_head", json_string(t[2]));
			json_object_set_new(o, "_yoy", json_string(t[3]));
		}
		json_array_append_new(out, o);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int lw_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},       {"by", required_argument, NULL, 'b'},
		{"period", required_argument, NULL, 'p'},   {"rounding", required_argument, NULL, 'r'},
		{"format", required_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
		{"withdrawn-after-change-is-loss", no_argument, NULL, 'w'},
		{"config", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const struct lw_settings *cfg = lw_settings();
	const char *db = cfg->warehouse, *by = "agency", *period = NULL, *format = "table";
	enum lw_rounding mode = LW_ROUND_HALF_UP;
	struct lw_wh *wh = NULL;
	struct lw_err err = {0};
	json_t *rows = json_array(), *o;
	const char *sql = NULL;
	int c, wcl = cfg->withdrawn_after_change_is_loss, rc = 1;
	size_t i;

	if (cfg->rounding && lw_rounding_parse(cfg->rounding, &mode, &err) != 0) {
		fprintf(stderr, "stats: %s: rounding: %s\n", cfg->config, err.msg);
		goto out;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'b': by = optarg; break;
		case 'p': period = optarg; break;
		case 'f': format = optarg; break;
		case 'w': wcl = 1; break;
		case 'c': break; /* loaded by litwatch.c (base/settings.h) */
		case 'r':
			if (lw_rounding_parse(optarg, &mode, &err) != 0) {
				fprintf(stderr, "stats: --rounding: %s\n", err.msg);
				goto out;
			}
			break;
		case 'h':
			printf("usage: litwatch stats (--db FILE | --config FILE) --period 2023|2023Q1|2023-01 "
			       "[--by agency|domain|act|court] [--rounding half-up|truncate] "
			       "[--format table|csv|json] [--withdrawn-after-change-is-loss]\n");
			rc = 0;
			goto out;
		default: goto usage;
		}
	}
	for (i = 0; i < sizeof groupings / sizeof groupings[0]; i++)
		if (!strcmp(groupings[i].by, by))
			sql = groupings[i].sql;
	if (!db || !period || !sql || strcmp(by, "all") == 0 ||
	    (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")))
		goto usage;
	if (lw_wh_open(db, LW_WH_READONLY, &wh, &err) != 0 ||
	    run(wh, sql, period, wcl, mode, rows, &err) != 0 ||
	    run(wh, groupings[4].sql, period, wcl, mode, rows, &err) != 0) {
		fprintf(stderr, "stats: %s\n", err.msg);
		goto out;
	}
	if (!strcmp(format, "json")) {
		json_array_foreach(rows, i, o) {
			json_object_del(o, "_loss");
			json_object_del(o, "_wm");
			json_object_del(o, "_head");
			json_object_del(o, "_yoy");
		}
		json_dumpf(rows, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(15));
		putchar('\n');
	} else if (!strcmp(format, "csv")) {
		printf("group,filed,concluded,lost,loss_rate,withdrawn_mediated,"
		       "withdrawn_mediated_rate,head_appearance_rate,yoy_filed_growth\n");
		json_array_foreach(rows, i, o) {
			lw_csv_put_text(stdout, json_string_value(json_object_get(o, "group")));
			printf(",%lld,%lld,%lld,%s,%lld,%s,%s,%s\n",
			       (long long)json_integer_value(json_object_get(o, "filed")),
			       (long long)json_integer_value(json_object_get(o, "concluded")),
			       (long long)json_integer_value(json_object_get(o, "lost")),
			       json_string_value(json_object_get(o, "_loss")),
			       (long long)json_integer_value(json_object_get(o, "withdrawn_mediated")),
			       json_string_value(json_object_get(o, "_wm")),
			       json_string_value(json_object_get(o, "_head")),
			       json_string_value(json_object_get(o, "_yoy")));
		}
	} else {
		printf("%s %s (rounding %s; %s)\n%-30s %6s %6s %5s %8s %6s %8s %8s %8s\n", by, period,
		       lw_rounding_name(mode),
		       wcl ? "被告改变行政行为后撤诉计入败诉 / withdrawal after the agency changed its act "
			     "counts as a loss"
			   : "被告改变行政行为后撤诉不计入败诉 / withdrawal after the agency changed its "
			     "act is not a loss",
		       "GROUP", "FILED", "CONCL", "LOST", "LOSS%", "W+M",
		       "W+M%", "HEAD%", "YOY%");
		json_array_foreach(rows, i, o) {
			lw_print_padded(json_string_value(json_object_get(o, "group")), 30);
			printf(" %6lld %6lld %5lld %8s %6lld %8s %8s %8s\n",
			       (long long)json_integer_value(json_object_get(o, "filed")),
			       (long long)json_integer_value(json_object_get(o, "concluded")),
			       (long long)json_integer_value(json_object_get(o, "lost")),
			       json_string_value(json_object_get(o, "_loss")),
			       (long long)json_integer_value(json_object_get(o, "withdrawn_mediated")),
			       json_string_value(json_object_get(o, "_wm")),
			       json_string_value(json_object_get(o, "_head")),
			       json_string_value(json_object_get(o, "_yoy")));
		}
	}
	rc = 0;
	goto out;
usage:
	fprintf(stderr, "usage: litwatch stats (--db FILE | --config FILE) --period 2023|2023Q1|2023-01 "
		"[--by agency|domain|act|court] [--rounding half-up|truncate] [--format table|csv|json]\n");
	rc = 2;
out:
	json_decref(rows);
	lw_wh_close(wh);
	return rc;
}
