/*
 * cmd_alerts.c — `litwatch alerts list|show|ack|silence|unsilence|silences`.
 *
 * Reads open the warehouse read-only (safe beside a running daemon, WAL).
 * ack, silence and unsilence are small writes: they open a writer
 * connection with a 10 s busy timeout, so they wait for the daemon's
 * evaluation or import to commit rather than fail (docs/alerts.md).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts_int.h"
#include "base/settings.h"
#include "base/units.h"
#include "cli.h"

#define MAX_MATCHERS 16

static void usage(FILE *f)
{
	fprintf(f,
		"usage: litwatch alerts COMMAND (--db FILE | --config FILE) [ARGS]\n"
		"  list [--all] [--json]         active alerts (--all: resolved too)\n"
		"  show ID                       one alert with its transitions and notifications\n"
		"  ack ID [--by NAME]            acknowledge (notifications continue; silence them)\n"
		"  silence --match L=V... --for 2h --comment TEXT [--by NAME]\n"
		"                                silence notifications of matching alerts\n"
		"  unsilence ID                  end a silence now\n"
		"  silences                      active silences\n");
}

static const char *who(const char *by)
{
	const char *u = getenv("USER");
	return by ? by : u && *u ? u : "unknown";
}

static int open_wh(const char *db, int write, struct lw_wh **wh)
{
	struct lw_wh_options o = {write ? LW_WH_WRITER : LW_WH_READONLY, 10000};
	struct lw_err e = {0};
	if (lw_wh_open_opts(db, &o, wh, &e) != 0) {
		fprintf(stderr, "litwatch alerts: %s\n", e.msg);
		return 1;
	}
	return 0;
}

static void col_real(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.4g", sqlite3_column_double(st, i));
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "-";
}

static json_t *real_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null()
							 : json_real(sqlite3_column_double(st, i));
}

static json_t *text_or_null(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? json_string(s) : json_null();
}

static int list(struct lw_wh *wh, int all, int as_json)
{
	struct lw_err e = {0};
	sqlite3_stmt *st;
	json_t *arr = as_json ? json_array() : NULL;
	int rc;
	char v[32], t[32];

	if (lw_wh_stmt(wh, lw_alsql_alerts_list, &st, &e) != 0 ||
	    lw_wh_bind_int64(st, ":all", all, &e) != 0)
		goto fail;
	if (!as_json)
		printf("%-6s %-9s %-24s %-9s %-10s %-10s %-10s %s\n", "ID", "STATE", "RULE", "PERIOD",
		       "VALUE", "THRESHOLD", "ACKED", "LABELS");
	while ((rc = lw_wh_step(wh, st, &e)) == 1) {
		if (as_json) {
			json_t *o = json_object(), *labels = NULL;
			const char *lt = (const char *)sqlite3_column_text(st, 4);
			json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
			json_object_set_new(o, "state", text_or_null(st, 1));
			json_object_set_new(o, "rule", text_or_null(st, 2));
			json_object_set_new(o, "period", text_or_null(st, 3));
			if (lt)
				labels = json_loads(lt, 0, NULL);
			json_object_set_new(o, "labels", labels ? labels : json_object());
			json_object_set_new(o, "value", real_or_null(st, 5));
			json_object_set_new(o, "threshold", real_or_null(st, 6));
			json_object_set_new(o, "last_eval", text_or_null(st, 7));
			json_object_set_new(o, "acked_by", text_or_null(st, 8));
			json_object_set_new(o, "summary", text_or_null(st, 9));
			json_array_append_new(arr, o);
			continue;
		}
		col_real(st, 5, v, sizeof v);
		col_real(st, 6, t, sizeof t);
		printf("%-6lld %-9s %-24s %-9s %-10s %-10s %-10s %s\n",
		       (long long)sqlite3_column_int64(st, 0), col(st, 1), col(st, 2), col(st, 3), v,
		       t, col(st, 8), col(st, 4));
	}
	if (rc < 0)
		goto fail;
	if (arr) {
		json_dumpf(arr, stdout, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(arr);
	}
	return 0;
fail:
	json_decref(arr);
	fprintf(stderr, "litwatch alerts: %s\n", e.msg);
	return 1;
}

static int show(struct lw_wh *wh, int64_t id)
{
	static const char *const names[] = {
		"id", "state", "rule", "period", "labels", "fingerprint", "method", "value",
		"threshold", "expected", "holds", "summary", "first_seen", "last_eval", "fired_at",
		"resolved_at", "last_notified_at", "acked_by", "acked_at"};
	struct lw_err e = {0};
	sqlite3_stmt *st;
	int rc;

	if (lw_wh_stmt(wh, lw_alsql_alert_show, &st, &e) != 0 ||
	    lw_wh_bind_int64(st, ":id", id, &e) != 0 || (rc = lw_wh_step(wh, st, &e)) < 0)
		goto fail;
	if (rc == 0) {
		fprintf(stderr, "litwatch alerts: no alert %lld (没有这条预警)\n", (long long)id);
		return 1;
	}
	for (int i = 0; i < 19; i++)
		printf("%-17s %s\n", names[i], col(st, i));
	sqlite3_reset(st);
	printf("\ntransitions:\n");
	if (lw_wh_stmt(wh, lw_alsql_alert_history, &st, &e) != 0 ||
	    lw_wh_bind_int64(st, ":id", id, &e) != 0)
		goto fail;
	while ((rc = lw_wh_step(wh, st, &e)) == 1) {
		char v[32];
		col_real(st, 3, v, sizeof v);
		printf("  %s  %-8s -> %-8s value %-8s notified %s\n", col(st, 0), col(st, 1),
		       col(st, 2), v, col(st, 4));
	}
	if (rc < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "litwatch alerts: %s\n", e.msg);
	return 1;
}

static int silences(struct lw_wh *wh)
{
	struct lw_err e = {0};
	sqlite3_stmt *st;
	char now[24];
	int rc;

	lw_utc_format((int64_t)time(NULL), now, sizeof now);
	if (lw_wh_stmt(wh, lw_alsql_silences_list, &st, &e) != 0 ||
	    lw_wh_bind_text(st, ":now", now, &e) != 0)
		goto fail;
	printf("%-5s %-21s %-21s %-12s %-30s %s\n", "ID", "STARTS", "ENDS", "BY", "COMMENT",
	       "MATCHERS");
	while ((rc = lw_wh_step(wh, st, &e)) == 1)
		printf("%-5lld %-21s %-21s %-12s %-30s %s\n", (long long)sqlite3_column_int64(st, 0),
		       col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 1));
	if (rc < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "litwatch alerts: %s\n", e.msg);
	return 1;
}

static int parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || *end || v <= 0) {
		fprintf(stderr, "litwatch alerts: expected a positive id; got \"%s\"\n", s ? s : "");
		return 1;
	}
	*id = v;
	return 0;
}

int lw_cmd_alerts(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},	   {"all", no_argument, NULL, 'a'},
		{"by", required_argument, NULL, 'b'},	   {"match", required_argument, NULL, 'm'},
		{"for", required_argument, NULL, 'f'},	   {"comment", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},	   {"json", no_argument, NULL, 'j'},
		{"config", required_argument, NULL, 'C'},  {NULL, 0, NULL, 0},
	};
	struct lw_matcher m[MAX_MATCHERS];
	const char *db = lw_settings()->warehouse, *by = NULL, *comment = NULL, *sub;
	int as_json = 0;
	size_t nm = 0;
	int64_t dur_ms = 0, id = 0;
	struct lw_wh *wh = NULL;
	struct lw_err e = {0};
	int c, all = 0, status = 2;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "d:ab:m:f:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'C': break; /* loaded by litwatch.c (base/settings.h) */
		case 'j': as_json = 1; break;
		case 'a': all = 1; break;
		case 'b': by = optarg; break;
		case 'c': comment = optarg; break;
		case 'f':
			if (lw_parse_duration(optarg, &dur_ms) != 0 || dur_ms < 1000) {
				fprintf(stderr, "litwatch alerts: --for: expected a duration such as "
						"\"2h\" or \"3d\"; got \"%s\"\n", optarg);
				goto out;
			}
			break;
		case 'm':
			if (nm == MAX_MATCHERS) {
				fprintf(stderr, "litwatch alerts: at most %d --match\n", MAX_MATCHERS);
				goto out;
			}
			if (lw_matcher_parse(optarg, &m[nm], &e) != 0) {
				fprintf(stderr, "litwatch alerts: --match: %s\n", e.msg);
				goto out;
			}
			nm++;
			break;
		case 'h': usage(stdout); status = 0; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (!db) {
		fprintf(stderr, "litwatch alerts: --db FILE or --config FILE is required\n");
		goto out;
	}
	status = 1;
	if (!strcmp(sub, "list") && optind == argc) {
		if (!open_wh(db, 0, &wh))
			status = list(wh, all, as_json);
	} else if (!strcmp(sub, "silences") && optind == argc) {
		if (!open_wh(db, 0, &wh))
			status = silences(wh);
	} else if (!strcmp(sub, "show") && optind == argc - 1) {
		if (!parse_id(argv[optind], &id) && !open_wh(db, 0, &wh))
			status = show(wh, id);
	} else if (!strcmp(sub, "ack") && optind == argc - 1) {
		if (!parse_id(argv[optind], &id) && !open_wh(db, 1, &wh)) {
			if (lw_alert_ack(wh, id, who(by), (int64_t)time(NULL), &e) != 0)
				fprintf(stderr, "litwatch alerts: %s\n", e.msg);
			else
				printf("alert %lld acknowledged by %s (已确认)\n", (long long)id, who(by));
			status = e.code ? 1 : 0;
		}
	} else if (!strcmp(sub, "unsilence") && optind == argc - 1) {
		if (!parse_id(argv[optind], &id) && !open_wh(db, 1, &wh)) {
			if (lw_silence_expire(wh, id, (int64_t)time(NULL), &e) != 0)
				fprintf(stderr, "litwatch alerts: %s\n", e.msg);
			else
				printf("silence %lld ended (静默已解除)\n", (long long)id);
			status = e.code ? 1 : 0;
		}
	} else if (!strcmp(sub, "silence") && optind == argc) {
		int64_t now = (int64_t)time(NULL);
		if (!nm || !dur_ms || !comment) {
			fprintf(stderr, "litwatch alerts silence: --match, --for and --comment are "
					"required\n");
			status = 2;
		} else if (!open_wh(db, 1, &wh)) {
			if (lw_silence_add(wh, m, nm, now, now + dur_ms / 1000, who(by), comment, &id,
					   &e) != 0) {
				fprintf(stderr, "litwatch alerts: %s\n", e.msg);
			} else {
				char end[24];
				lw_utc_format(now + dur_ms / 1000, end, sizeof end);
				printf("silence %lld until %s (静默至该时间)\n", (long long)id, end);
				status = 0;
			}
		}
	} else {
		usage(stderr);
		status = 2;
	}
out:
	for (size_t i = 0; i < nm; i++)
		lw_matcher_clear(&m[i]);
	lw_wh_close(wh);
	return status;
}
