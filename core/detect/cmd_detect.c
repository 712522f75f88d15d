/*
 * cmd_detect.c — `litwatch detect`: run one detector over a series read on
 * stdin and print t,observed,expected,upperbound,alarm for the range, so
 * that anyone can check litwatch against R's surveillance package.  Flags
 * mirror R's control names in kebab-case; defaults are R's.
 * Exit status: 0 ok, 1 bad input (series or data too short), 2 usage.
 */
#include "cli.h"
#include "detect/detect_cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { M_EARS = 1, M_FARR = 2, M_CUSUM = 4 };

static const struct {
	const char *name;
	enum lw_detect_method m;
} methods[] = {
	{"ears-c1", LW_DM_EARS_C1}, {"ears-c2", LW_DM_EARS_C2}, {"ears-c3", LW_DM_EARS_C3},
	{"farrington", LW_DM_FARRINGTON}, {"cusum", LW_DM_CUSUM},
};

static int method_mask(enum lw_detect_method m)
{
	return m == LW_DM_FARRINGTON ? M_FARR : m == LW_DM_CUSUM ? M_CUSUM : M_EARS;
}

static int parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end != s && !*end && errno != ERANGE && isfinite(*v) ? 0 : -1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !*end && errno != ERANGE && *v <= max ? 0 : -1;
}

static int parse_bool(const char *s, int *v)
{
	if (!strcmp(s, "true") || !strcmp(s, "TRUE"))
		*v = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "FALSE"))
		*v = 0;
	else
		return -1;
	return 0;
}

/* Apply one flag with value val to cli; returns 0 or LW_EINVAL. */
static int apply_flag(struct lw_detect_cli *c, const char *f, const char *val, struct lw_err *err)
{
	int mm = method_mask(c->method);
	unsigned long u;
	double d;

#define NEEDS(mask)                                                                              \
	do {                                                                                     \
		if (!(mm & (mask)))                                                              \
			return lw_err_set(err, LW_EINVAL, "%s is not an option of this method", \
					  f);                                                    \
	} while (0)
#define BAD() return lw_err_set(err, LW_EINVAL, "%s: bad value '%s'", f, val)

	if (!strcmp(f, "--freq")) {
		if (parse_uint(val, 366, &u) || u < 1)
			BAD();
		c->freq = (unsigned)u;
		c->farr.freq = (unsigned)u;
	} else if (!strcmp(f, "--range")) {
		const char *colon = strchr(val, ':');
		char a[32];
		unsigned long lo, hi;
		if (!colon || (size_t)(colon - val) >= sizeof a)
			BAD();
		memcpy(a, val, (size_t)(colon - val));
		a[colon - val] = '\0';
		if (parse_uint(a, (unsigned long)-1, &lo) || parse_uint(colon + 1, (unsigned long)-1, &hi) ||
		    lo < 1 || hi < lo)
			BAD();
		c->has_range = 1;
		c->range_from = lo;
		c->range_to = hi;
	} else if (!strcmp(f, "--alpha")) {
		NEEDS(M_EARS | M_FARR | M_CUSUM);
		if (parse_double(val, &d) || !(d > 0 && d < 1))
			BAD();
		c->ears.alpha = c->farr.alpha = c->cusum.alpha = d;
	} else if (!strcmp(f, "--baseline")) {
		NEEDS(M_EARS);
		if (parse_uint(val, 100000, &u) || u < 3)
			BAD();
		c->ears.baseline = (unsigned)u;
	} else if (!strcmp(f, "--min-sigma")) {
		NEEDS(M_EARS);
		if (parse_double(val, &d) || d < 0)
			BAD();
		c->ears.min_sigma = d;
	} else if (!strcmp(f, "--b") || !strcmp(f, "--w") || !strcmp(f, "--no-periods")) {
		NEEDS(M_FARR);
		if (parse_uint(val, 10000, &u) || (f[2] != 'w' && u < 1))
			BAD();
		if (f[2] == 'b')
			c->farr.b = (unsigned)u;
		else if (f[2] == 'w')
			c->farr.w = (unsigned)u;
		else
			c->farr.no_periods = (unsigned)u;
	} else if (!strcmp(f, "--reweight") || !strcmp(f, "--trend")) {
		NEEDS(M_FARR);
		if (parse_bool(val, f[2] == 'r' ? &c->farr.reweight : &c->farr.trend))
			BAD();
	} else if (!strcmp(f, "--weights-threshold") || !strcmp(f, "--p-threshold-trend")) {
		NEEDS(M_FARR);
		if (parse_double(val, &d))
			BAD();
		*(f[2] == 'w' ? &c->farr.weights_threshold : &c->farr.p_threshold_trend) = d;
	} else if (!strcmp(f, "--limit54")) {
		const char *comma = strchr(val, ',');
		char a[64];
		NEEDS(M_FARR);
		if (!comma || (size_t)(comma - val) >= sizeof a)
			BAD();
		memcpy(a, val, (size_t)(comma - val));
		a[comma - val] = '\0';
		if (parse_double(a, &d) || d < 0 || parse_uint(comma + 1, 10000, &u) || u < 1)
			BAD();
		c->farr.limit54_cases = d;
		c->farr.limit54_periods = (unsigned)u;
	} else if (!strcmp(f, "--powertrans")) {
		NEEDS(M_FARR);
		if (!strcmp(val, "2/3"))
			c->farr.powertrans = LW_POW_2_3;
		else if (!strcmp(val, "1/2"))
			c->farr.powertrans = LW_POW_1_2;
		else if (!strcmp(val, "none"))
			c->farr.powertrans = LW_POW_NONE;
		else
			BAD();
	} else if (!strcmp(f, "--past-weeks-not-included")) {
		NEEDS(M_FARR);
		if (parse_uint(val, 10000, &u))
			BAD();
		c->farr.past_weeks_not_included = (int)u;
	} else if (!strcmp(f, "--threshold-method")) {
		NEEDS(M_FARR);
		if (!strcmp(val, "delta"))
			c->farr.threshold_method = LW_THR_DELTA;
		else if (!strcmp(val, "nbPlugin"))
			c->farr.threshold_method = LW_THR_NBPLUGIN;
		else if (!strcmp(val, "muan"))
			c->farr.threshold_method = LW_THR_MUAN;
		else
			BAD();
	} else if (!strcmp(f, "--k") || !strcmp(f, "--h")) {
		NEEDS(M_CUSUM);
		if (parse_double(val, &d))
			BAD();
		*(f[2] == 'k' ? &c->cusum.k : &c->cusum.h) = d;
	} else if (!strcmp(f, "--m")) {
		NEEDS(M_CUSUM);
		if (!strcmp(val, "NULL")) {
			c->cusum.m_given = 0;
		} else {
			if (parse_double(val, &d))
				BAD();
			c->cusum.m_given = 1;
			c->cusum.m = d;
		}
	} else if (!strcmp(f, "--trans")) {
		static const char *names[] = {"standard", "rossi", "anscombe", "anscombe2nd",
					      "pearsonNegBin", "none"};
		static const enum lw_cusum_trans vals[] = {
			LW_CUSUM_STANDARD, LW_CUSUM_ROSSI, LW_CUSUM_ANSCOMBE,
			LW_CUSUM_ANSCOMBE2ND, LW_CUSUM_PEARSON_NB, LW_CUSUM_NONE};
		size_t i;
		NEEDS(M_CUSUM);
		for (i = 0; i < sizeof names / sizeof names[0]; i++)
			if (!strcmp(val, names[i]))
				break;
		if (i == sizeof names / sizeof names[0])
			BAD();
		c->cusum.trans = vals[i];
	} else if (!strcmp(f, "--reset")) {
		NEEDS(M_CUSUM);
		if (parse_bool(val, &c->cusum.reset))
			BAD();
	} else {
		return lw_err_set(err, LW_EINVAL, "unknown flag %s", f);
	}
	return 0;
#undef NEEDS
#undef BAD
}

int lw_detect_cli_parse(int argc, char **argv, struct lw_detect_cli *c, struct lw_err *err)
{
	const char *method = NULL;
	int rc;

	memset(c, 0, sizeof *c);
	c->freq = 12;
	/* first pass: the method and the frequency decide the defaults */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--method") && i + 1 < argc)
			method = argv[++i];
		else if (!strcmp(argv[i], "--freq") && i + 1 < argc &&
			 (rc = apply_flag(c, argv[i], argv[i + 1], err)))
			return rc;
	}
	if (!method)
		return lw_err_set(err, LW_EINVAL, "--method is required");
	size_t k;
	for (k = 0; k < sizeof methods / sizeof methods[0]; k++)
		if (!strcmp(method, methods[k].name))
			break;
	if (k == sizeof methods / sizeof methods[0])
		return lw_err_set(err, LW_EINVAL,
				  "unknown method '%s' (ears-c1, ears-c2, ears-c3, farrington, cusum)",
				  method);
	c->method = methods[k].m;
	lw_ears_opts_init(&c->ears, c->method == LW_DM_EARS_C2   ? LW_EARS_C2
				    : c->method == LW_DM_EARS_C3 ? LW_EARS_C3
								 : LW_EARS_C1);
	lw_farrington_opts_init(&c->farr, c->freq);
	lw_cusum_opts_init(&c->cusum);
	for (int i = 1; i < argc; i++) {
		const char *f = argv[i];
		if (strncmp(f, "--", 2))
			return lw_err_set(err, LW_EINVAL, "unexpected argument '%s'", f);
		if (!strcmp(f, "--reset") &&
		    (i + 1 >= argc || (strcmp(argv[i + 1], "true") && strcmp(argv[i + 1], "false")))) {
			c->cusum.reset = 1; /* bare --reset */
			if (c->method != LW_DM_CUSUM)
				return lw_err_set(err, LW_EINVAL, "--reset is an option of cusum");
			continue;
		}
		if (i + 1 >= argc)
			return lw_err_set(err, LW_EINVAL, "%s needs a value", f);
		if (!strcmp(f, "--method")) {
			i++;
			continue;
		}
		if ((rc = apply_flag(c, f, argv[++i], err)))
			return rc;
	}
	return 0;
}

int lw_detect_cli_run(const struct lw_detect_cli *c, const double *x, size_t n, size_t *from,
		      struct lw_detect_result *out, struct lw_err *err)
{
	size_t f = 0, t = 0;
	int rc = 0;

	if (c->has_range) {
		if (c->range_to > n)
			return lw_err_set(err, LW_EINVAL, "--range %zu:%zu ends after the series (%zu periods)",
					  c->range_from, c->range_to, n);
		f = c->range_from - 1;
		t = c->range_to - 1;
	}
	switch (c->method) {
	case LW_DM_EARS_C1:
	case LW_DM_EARS_C2:
	case LW_DM_EARS_C3:
		if (!c->has_range && (rc = lw_ears_default_range(n, &c->ears, &f, &t, err)))
			return rc;
		rc = lw_ears(x, n, f, t, &c->ears, out, err);
		break;
	case LW_DM_FARRINGTON:
		if (!c->has_range && (rc = lw_farrington_default_range(n, &c->farr, &f, &t, err)))
			return rc;
		rc = lw_farrington(x, n, f, t, &c->farr, out, err);
		break;
	case LW_DM_CUSUM:
		if (!c->has_range) { /* litwatch default: one season of reference */
			if (n <= c->freq)
				return lw_err_set(err, LW_EINVAL,
						  "cusum: the series needs more than --freq (%u) periods "
						  "for the default range; give --range",
						  c->freq);
			f = c->freq;
			t = n - 1;
		}
		rc = lw_cusum(x, n, f, t, &c->cusum, out, err);
		break;
	}
	*from = f;
	return rc;
}

/* Shortest representation that reads back to the same double. */
static void print_num(FILE *out, double v)
{
	char buf[40];

	if (isnan(v)) {
		fputs("NA", out);
		return;
	}
	for (int prec = 10; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, out);
}

static const char usage[] =
	"usage: litwatch detect --method ears-c1|ears-c2|ears-c3|farrington|cusum\n"
	"         [--freq 12|52] [--range FROM:TO] [method flags] < series\n"
	"  series: one count per line, or period,count; # comments; NA = missing\n"
	"  EARS:       --baseline 7 --alpha 0.001 (C3: 0.025) --min-sigma 0\n"
	"  Farrington: --b 5 --w 3 --reweight true --weights-threshold 2.58 --trend true\n"
	"              --p-threshold-trend 0.05 --limit54 5,4 --powertrans 2/3|1/2|none\n"
	"              --no-periods 1 --past-weeks-not-included W\n"
	"              --threshold-method delta|nbPlugin|muan --alpha 0.05\n"
	"  CUSUM:      --k 1.04 --h 2.26 --m NULL|NUMBER --trans standard|rossi|anscombe|\n"
	"              anscombe2nd|pearsonNegBin|none --alpha 0.1 --reset [true|false]\n"
	"  default range: R's (EARS baseline+1.., +3.., +5..; Farrington freq*b+w+1..);\n"
	"  CUSUM freq+1.. (R has none).  Output: t,observed,expected,upperbound,alarm\n";

int lw_cmd_detect(int argc, char **argv)
{
	struct lw_detect_cli cli;
	struct lw_detect_result res = {0};
	struct lw_err err = {0};
	char *text = NULL;
	size_t len = 0, cap = 0, n, from;
	double *x = NULL;
	int status = 1;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
	if (lw_detect_cli_parse(argc, argv, &cli, &err)) {
		fprintf(stderr, "litwatch detect: %s\n%s", err.msg, usage);
		return 2;
	}
	for (;;) {
		if (len == cap) {
			char *nt = realloc(text, cap ? cap * 2 : 65536);
			if (!nt) {
				fprintf(stderr, "litwatch detect: out of memory\n");
				goto out;
			}
			text = nt;
			cap = cap ? cap * 2 : 65536;
		}
		size_t r = fread(text + len, 1, cap - len, stdin);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(stdin)) {
		fprintf(stderr, "litwatch detect: cannot read the series on stdin\n");
		goto out;
	}
	if (lw_detect_series_parse(text, len, &x, &n, &err)) {
		fprintf(stderr, "litwatch detect: stdin: %s\n", err.msg);
		goto out;
	}
	if (lw_detect_cli_run(&cli, x, n, &from, &res, &err)) {
		fprintf(stderr, "litwatch detect: %s\n", err.msg);
		goto out;
	}
	fputs("t,observed,expected,upperbound,alarm\n", stdout);
	for (size_t i = 0; i < res.n; i++) {
		printf("%zu,", from + i + 1);
		print_num(stdout, x[from + i]);
		putchar(',');
		print_num(stdout, res.expected[i]);
		putchar(',');
		print_num(stdout, res.upperbound[i]);
		printf(",%s\n", res.alarm[i] == LW_ALARM_NA ? "NA" : res.alarm[i] ? "1" : "0");
	}
	status = fflush(stdout) ? 1 : 0;
out:
	lw_detect_result_free(&res);
	free(x);
	free(text);
	return status;
}
