/*
 * cmd_agencies.c — `litwatch agencies`: the agencies of the warehouse, the
 * names held because nobody has confirmed them, and the operator's alias
 * that resolves them (see ingest/agencies.h, docs/import.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/paths.h"
#include "base/settings.h"
#include "base/text.h"
#include "cli.h"
#include "domain/agency.h"
#include "ingest/ingest.h"
#include "warehouse/warehouse.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: litwatch agencies COMMAND (--db FILE | --config FILE) [--json]\n"
		   "  list                 every agency, with its aliases, cases and work orders\n"
		   "  unresolved           names held because no agency or alias matches them,\n"
		   "                       with the rows waiting for them\n"
		   "  alias NAME ALIAS     ALIAS is agency NAME (ALIAS = NAME confirms a held name as\n"
		   "                       an agency); held rows that now match get their agency\n");
}

static int fail(const char *what, const struct lw_err *e)
{
	fprintf(stderr, "litwatch agencies: %s: %s\n", what, e->msg);
	return 1;
}

static int list(struct lw_wh *wh, int as_json)
{
	static const char sql[] =
		"SELECT g.name, "
		"  (SELECT group_concat(alias, '、') FROM agency_aliases a WHERE a.agency_id = g.id), "
		"  (SELECT count(*) FROM case_defendants d WHERE d.agency_id = g.id), "
		"  (SELECT count(*) FROM tickets t WHERE t.agency_id = g.id) "
		"FROM agencies g ORDER BY g.name";
	struct lw_err e = {0};
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc;

	if ((rc = lw_wh_stmt(wh, sql, &st, &e)) != 0)
		return fail("list", &e);
	if (!as_json)
		printf("%-30s %6s %8s  %s\n", "AGENCY 机关", "CASES", "TICKETS", "ALIASES 别名");
	while ((rc = lw_wh_step(wh, st, &e)) == 1) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *al = (const char *)sqlite3_column_text(st, 1);
		if (as_json) {
			json_t *o = json_pack("{s:s, s:s?, s:I, s:I}", "name", name, "aliases", al, "cases",
					      (json_int_t)sqlite3_column_int64(st, 2), "tickets",
					      (json_int_t)sqlite3_column_int64(st, 3));
			json_array_append_new(arr, o);
			continue;
		}
		lw_print_padded(name, 30);
		printf(" %6lld %8lld  %s\n", (long long)sqlite3_column_int64(st, 2),
		       (long long)sqlite3_column_int64(st, 3), al ? al : "");
	}
	if (rc < 0) {
		json_decref(arr);
		return fail("list", &e);
	}
	if (as_json) {
		json_dumpf(arr, stdout, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		putchar('\n');
	}
	json_decref(arr);
	return 0;
}

/* Work orders waiting, per held name: their 承办单位 normalised here, as
 * the mapper does (the warehouse keeps what the export said). */
static int waiting_tickets(struct lw_wh *wh, json_t *by_name, struct lw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = lw_wh_stmt(wh, "SELECT agency_raw, count(*) FROM tickets WHERE agency_id IS NULL "
			     "AND agency_raw IS NOT NULL GROUP BY agency_raw", &st, e)) != 0)
		return rc;
	while ((rc = lw_wh_step(wh, st, e)) == 1) {
		char norm[LW_AGENCY_NAME_MAX + 8];
		json_t *o;
		if (lw_agency_normalize((const char *)sqlite3_column_text(st, 0), norm, sizeof norm,
					NULL) != 0 || !(o = json_object_get(by_name, norm)))
			continue;
		json_object_set_new(o, "tickets",
				    json_integer(json_integer_value(json_object_get(o, "tickets")) +
						 sqlite3_column_int64(st, 1)));
	}
	return rc < 0 ? rc : 0;
}

static int unresolved(struct lw_wh *wh, int as_json)
{
	static const char sql[] =
		"SELECT u.name, u.seen, u.first_seen, u.last_seen, "
		"  (SELECT count(*) FROM case_defendants_unresolved d WHERE d.name = u.name) "
		"FROM unresolved_agencies u ORDER BY u.seen DESC, u.name";
	struct lw_err e = {0};
	sqlite3_stmt *st;
	json_t *by_name = json_object(), *arr = json_array(), *o;
	int rc;

	if ((rc = lw_wh_stmt(wh, sql, &st, &e)) != 0)
		goto out;
	while ((rc = lw_wh_step(wh, st, &e)) == 1) {
		o = json_pack("{s:s, s:I, s:s, s:s, s:I, s:I}", "name", sqlite3_column_text(st, 0),
			      "seen", (json_int_t)sqlite3_column_int64(st, 1), "first_seen",
			      sqlite3_column_text(st, 2), "last_seen", sqlite3_column_text(st, 3),
			      "cases", (json_int_t)sqlite3_column_int64(st, 4), "tickets", (json_int_t)0);
		json_object_set(by_name, (const char *)sqlite3_column_text(st, 0), o);
		json_array_append_new(arr, o);
	}
	if (rc < 0 || (rc = waiting_tickets(wh, by_name, &e)) != 0)
		goto out;
	if (as_json) {
		json_dumpf(arr, stdout, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		putchar('\n');
	} else if (json_array_size(arr) == 0) {
		printf("没有待确认的机关名称 / no unresolved agency names\n");
	} else {
		size_t i;
		printf("%-30s %6s %6s %8s  %-20s  %s\n", "NAME 名称", "SEEN", "CASES", "TICKETS",
		       "LAST SEEN", "FIRST SEEN");
		json_array_foreach(arr, i, o) {
			lw_print_padded(json_string_value(json_object_get(o, "name")), 30);
			printf(" %6lld %6lld %8lld  %-20s  %s\n",
			       (long long)json_integer_value(json_object_get(o, "seen")),
			       (long long)json_integer_value(json_object_get(o, "cases")),
			       (long long)json_integer_value(json_object_get(o, "tickets")),
			       json_string_value(json_object_get(o, "last_seen")),
			       json_string_value(json_object_get(o, "first_seen")));
		}
		printf("\n用 litwatch agencies alias 机关名称 上面的名称 确认 / map one with: "
		       "litwatch agencies alias AGENCY NAME\n");
	}
	rc = 0;
out:
	json_decref(by_name);
	json_decref(arr);
	return rc ? fail("unresolved", &e) : 0;
}

static int alias(const char *db, const char *name, const char *al)
{
	const struct lw_settings *cfg = lw_settings();
	struct lw_ingest_settings set = {0};
	struct lw_install_dirs defs;
	struct lw_ingest *ing = NULL;
	struct lw_wh *wh = NULL;
	struct lw_err e = {0};
	int64_t moved = 0;
	int rc = 1;

	lw_install_dirs_from_exe(&defs);
	set.profile_dir = cfg->profile_dir ? cfg->profile_dir : defs.profile_dir;
	set.agencies = cfg->agencies;
	set.hold_unknown_agencies = 1; /* nothing new is accepted behind the operator's back */
	if (lw_wh_open(db, LW_WH_WRITER, &wh, &e) != 0 || lw_ingest_new(wh, &set, &ing, &e) != 0) {
		fail(db, &e);
		goto out;
	}
	if (lw_ingest_agency_alias(ing, name, al, &moved, &e) != 0) {
		if (e.code == LW_EEXIST)
			fprintf(stderr, "litwatch agencies alias: 「%s」已是另一个机关的别名 / %s\n", al,
				e.msg);
		else
			fail("alias", &e);
		goto out;
	}
	printf("「%s」→「%s」: %lld 行已归入该机关 / %lld rows now belong to this agency\n", al, name,
	       (long long)moved, (long long)moved);
	rc = 0;
out:
	lw_ingest_free(ing);
	lw_wh_close(wh);
	return rc;
}

int lw_cmd_agencies(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},	  {"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},	  {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = lw_settings()->warehouse, *sub;
	struct lw_wh *wh = NULL;
	struct lw_err e = {0};
	int c, as_json = 0, rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'c': break; /* loaded by litwatch.c (base/settings.h) */
		case 'j': as_json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!db) {
		fprintf(stderr, "litwatch agencies: --db FILE or --config FILE is required\n");
		return 2;
	}
	if (!strcmp(sub, "alias") && optind == argc - 2)
		return alias(db, argv[optind], argv[optind + 1]);
	if ((strcmp(sub, "list") && strcmp(sub, "unresolved")) || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (lw_wh_open(db, LW_WH_READONLY, &wh, &e) != 0)
		return fail(db, &e);
	rc = !strcmp(sub, "list") ? list(wh, as_json) : unresolved(wh, as_json);
	lw_wh_close(wh);
	return rc;
}
