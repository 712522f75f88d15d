/*
 * cmd_import.c — `litwatch import`: import files once, without the daemon,
 * through exactly the pipeline the plugins use.
 *
 * Exit status: 0 every row went in; 1 some rows were rejected; 2 a file was
 * rejected (or could not be read); 3 usage or warehouse error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/paths.h"
#include "base/settings.h"
#include "cli.h"
#include "domain/outcome.h"
#include "ingest/ingest.h"
#include "read/table.h"
#include "warehouse/warehouse.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: litwatch import (--db FILE | --config FILE) --profile NAME [options] FILE...\n"
		"  --db FILE            the warehouse (created when missing)\n"
		"  --config FILE        take the warehouse, profile_dir, pii_key_file, agencies,\n"
		"                       source_precedence and counting settings from the daemon's\n"
		"                       configuration (options given here win)\n"
		"  --profile NAME       mapping profile (court-cases, agency-case-report, hotline-12345, ...)\n"
		"  --profile-dir DIR    where profiles are (default: PREFIX/share/litwatch/profiles)\n"
		"  --pii-key-file FILE  key for hashing personal data (needed for names and phone numbers)\n"
		"  --source NAME        source name recorded with every row (default: cli)\n"
		"  --agency NAME        the reporting agency (fills a missing defendant column)\n"
		"  --precedence A,B     source precedence, highest first\n"
		"  --withdrawn-after-change-is-loss\n"
		"                       count withdrawal after the agency changed its act as a loss\n"
		"  --sheet NAME|N       workbook sheet; --encoding E: CSV encoding\n"
		"  --json               one JSON object per file on stdout\n"
		"  --report             print the clerk's report for each file\n");
}

int lw_cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},        {"profile", required_argument, NULL, 'p'},
		{"profile-dir", required_argument, NULL, 'P'}, {"pii-key-file", required_argument, NULL, 'k'},
		{"source", required_argument, NULL, 's'},    {"agency", required_argument, NULL, 'a'},
		{"precedence", required_argument, NULL, 'r'}, {"sheet", required_argument, NULL, 'S'},
		{"encoding", required_argument, NULL, 'E'},  {"json", no_argument, NULL, 'j'},
		{"report", no_argument, NULL, 'R'},          {"help", no_argument, NULL, 'h'},
		{"withdrawn-after-change-is-loss", no_argument, NULL, 'w'},
		{"config", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const struct lw_settings *cfg = lw_settings();
	const char *db = cfg->warehouse, *profile = NULL, *source = "cli", *agency = NULL;
	char *prec_text = NULL;
	const char *prec[32];
	struct lw_ingest_settings set = {0};
	struct lw_table_opts topts = {0};
	struct lw_install_dirs defs;
	struct lw_wh *wh = NULL;
	struct lw_ingest *ing = NULL;
	struct lw_err err = {0};
	int c, json = 0, report = 0, worst = 0;

	lw_install_dirs_from_exe(&defs);
	set.profile_dir = cfg->profile_dir ? cfg->profile_dir : defs.profile_dir;
	set.pii_key_file = cfg->pii_key_file;
	set.precedence = cfg->precedence;
	set.nprecedence = cfg->nprecedence;
	set.agencies = cfg->agencies;
	set.hold_unknown_agencies = cfg->hold_unknown_agencies;
	set.one_shot = 1;
	if (cfg->withdrawn_after_change_is_loss)
		set.outcome_flags |= LW_LOSS_COUNT_WITHDRAWN_CHANGED;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'p': profile = optarg; break;
		case 'P': set.profile_dir = optarg; break;
		case 'k': set.pii_key_file = optarg; break;
		case 's': source = optarg; break;
		case 'a': agency = optarg; break;
		case 'r': prec_text = optarg; break;
		case 'S':
			if (strspn(optarg, "0123456789") == strlen(optarg))
				topts.sheet_index = atoi(optarg);
			else
				topts.sheet_name = optarg;
			break;
		case 'E': topts.encoding = optarg; break;
		case 'j': json = 1; break;
		case 'R': report = 1; break;
		case 'w': set.outcome_flags |= LW_LOSS_COUNT_WITHDRAWN_CHANGED; break;
		case 'c': break; /* loaded by litwatch.c (base/settings.h) */
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 3;
		}
	}
	if (!db || !profile || optind >= argc) {
		usage(stderr);
		return 3;
	}
	if (prec_text) {
		char *save = NULL;
		set.nprecedence = 0; /* --precedence replaces the configuration's */
		for (char *t = strtok_r(prec_text, ",", &save); t && set.nprecedence < 32;
		     t = strtok_r(NULL, ",", &save))
			prec[set.nprecedence++] = t;
		set.precedence = prec;
	}
	/* LW_WH_CHECKED: no PRAGMA quick_check before importing.  It reads the
	 * whole warehouse, every time: 2 s of a 3 M-row warehouse before each
	 * file, which made the 10th file of 300 000 rows cost 1.6x the first
	 * (bench/import).  The daemon checks once at start; SQLite still
	 * refuses every damaged page an import touches (SQLITE_CORRUPT, the
	 * transaction rolls back); docs/import.md says how to check by hand. */
	if (lw_wh_open(db, LW_WH_WRITER | LW_WH_CREATE | LW_WH_CHECKED, &wh, &err) != 0 ||
	    lw_wh_set_cache(wh, cfg->warehouse_cache, &err) != 0 ||
	    lw_ingest_new(wh, &set, &ing, &err) != 0) {
		fprintf(stderr, "import: %s\n", err.msg);
		lw_wh_close(wh);
		return 3;
	}
	for (int i = optind; i < argc; i++) {
		struct lw_ingest_file f = {source, profile, argv[i], NULL, agency, &topts, NULL};
		struct lw_ingest_result res;
		int rc = lw_ingest_file(ing, &f, &res, &err);
		int code = !strcmp(res.status, "ok") || !strcmp(res.status, "duplicate") ? 0
			   : !strcmp(res.status, "partial")				    ? 1
			   : !strcmp(res.status, "failed") && rc != 0			    ? 3
											    : 2;
		if (code > worst)
			worst = code;
		if (json) {
			json_t *o = json_object();
			json_object_set_new(o, "file", json_string(argv[i]));
			json_object_set_new(o, "status", json_string(res.status));
			json_object_set_new(o, "import_id", json_integer(res.import_id));
			json_object_set_new(o, "rows", json_integer((json_int_t)res.rows));
			json_object_set_new(o, "inserted", json_integer((json_int_t)res.inserted));
			json_object_set_new(o, "updated", json_integer((json_int_t)res.updated));
			json_object_set_new(o, "unchanged", json_integer((json_int_t)res.unchanged));
			json_object_set_new(o, "rejected", json_integer((json_int_t)res.rejected));
			json_object_set_new(o, "unresolved_agencies",
					    json_integer((json_int_t)res.unresolved));
			if (res.duplicate_of)
				json_object_set_new(o, "duplicate_of", json_integer(res.duplicate_of));
			json_object_set_new(o, "message", res.message ? json_string(res.message) : json_null());
			json_object_set(o, "errors", res.errors);
			json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
			fputc('\n', stdout);
			json_decref(o);
		} else if (report) {
			fputs(res.report ? res.report : "", stdout);
			fputc('\n', stdout);
		} else {
			printf("%s: %s: %llu rows, %llu inserted, %llu updated, %llu unchanged, "
			       "%llu rejected%s%s\n", argv[i], res.status, (unsigned long long)res.rows,
			       (unsigned long long)res.inserted, (unsigned long long)res.updated,
			       (unsigned long long)res.unchanged, (unsigned long long)res.rejected,
			       !strcmp(res.status, "duplicate") ? " (same bytes imported before: nothing "
								  "changed)" : "",
			       "");
			if (res.message)
				fprintf(stderr, "%s: %s\n", argv[i], res.message);
			if (res.rejected)
				fprintf(stderr, "%s: %llu row(s) rejected; --report lists them\n", argv[i],
					(unsigned long long)res.rejected);
		}
		lw_ingest_result_clear(&res);
		if (rc != 0) {
			fprintf(stderr, "import: %s\n", err.msg);
			break;
		}
	}
	lw_ingest_free(ing);
	lw_wh_close(wh);
	return worst;
}
