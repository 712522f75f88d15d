/*
 * litwatch.c — entry point of the `litwatch` command-line tool: dispatches
 * to the subcommands declared in cli.h.
 *
 * A command that reads the warehouse takes --config FILE as well as --db:
 * the configuration is loaded and validated here, once, and what the
 * commands need (the warehouse path, profiles, PII key, agencies, the
 * bureau's counting settings) is published through base/settings.h before
 * the command runs.  The commands live beside their subsystems, below
 * config/ in the layout, so this is the one place that knows the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/settings.h"
#include "cli.h"
#include "config/config.h"
#include "config/loader.h"

/* `stats --pg`: the same figures from the province (core/province/). */
static int cmd_stats(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--pg") || !strncmp(argv[i], "--pg=", 5))
			return lw_cmd_stats_pg(argc, argv);
	return lw_cmd_stats(argc, argv);
}

/* `report --pg`: a county's bulletin from the province (core/province/). */
static int cmd_report(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--pg") || !strncmp(argv[i], "--pg=", 5))
			return lw_cmd_report_pg(argc, argv);
	return lw_cmd_report(argc, argv);
}

static const struct lw_command commands[] = {
	{"check-config", lw_cmd_check_config, "[-q] FILE",
	 "validate a configuration as litwatchd would; prints OK or every error"},
	{"status", lw_cmd_status, "[--config FILE | --listen ADDR] [--json]",
	 "show a running litwatchd's sources, queues, imports and errors"},
	{"poll", lw_cmd_poll, "SOURCE [--config FILE | --listen ADDR]",
	 "make a running source do its work now (poll the feed, rescan the folder)"},
	{"import", lw_cmd_import, "--db FILE --profile NAME [--pii-key-file F] [--json] FILE...",
	 "import files once, through the same pipeline as the daemon"},
	{"stats", cmd_stats, "(--db FILE | --pg CONNINFO_FILE [--county C]) --period 2023|2023Q1|2023-01 [--by agency|domain|act|court]",
	 "the official figures: filed, concluded, lost, loss rate, 调撤率, head appearance"},
	{"report", cmd_report,
	 "--period 2024Q3 --format xlsx|html|csv|json -o OUT (--db FILE | --config FILE | --pg CONNINFO_FILE --county C)",
	 "the quarterly bulletin (季度通报): ranking, lost cases, 12345 beside suits, charts"},
	{"detect", lw_cmd_detect, "--method ears-c1|ears-c2|ears-c3|farrington|cusum [FLAGS] < SERIES",
	 "run a detector over a count series, as R's surveillance package does"},
	{"read", lw_cmd_read, "FILE [--sheet NAME|N] [--encoding E] [--format csv|jsonl]",
	 "print a CSV/XLSX/XLS table as the readers see it"},
	{"user", lw_cmd_user, "add|passwd|del|list NAME [--role viewer|analyst|admin] --config FILE",
	 "manage the dashboard's users (docs/dashboard.md)"},
	{"version", NULL, "", "print the version"},
	{"evaluate", lw_cmd_evaluate, "--config FILE [--db FILE] [--now DATE] [--no-send]",
	 "run the alert rules once and send due notifications"},
	{"alerts", lw_cmd_alerts, "list|show ID|ack ID|silence|unsilence ID|silences --db FILE",
	 "list, acknowledge and silence alerts"},
	{"agencies", lw_cmd_agencies, "list|unresolved|alias NAME ALIAS (--db FILE | --config FILE)",
	 "the agencies, the names nobody has confirmed yet, and mapping one to an agency"},
	{"deadlines", lw_cmd_deadlines,
	 "--db FILE [--config FILE] [--as-of DATE] [--agency A] [--state S] [--format table|csv|json]",
	 "every case's time limits (时限): due, overdue, late, met"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* Commands that read their defaults from --config (the others either take
 * no configuration or load it themselves: check-config, status, poll,
 * evaluate). */
static int takes_settings(const char *cmd)
{
	static const char *const names[] = {"import", "stats", "report", "alerts", "agencies"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(cmd, names[i]))
			return 1;
	return 0;
}

/* Find --config FILE / --config=FILE in argv; load and publish it. Returns
 * 0 (also when absent), or 2 after printing every problem. */
static int publish_settings(int argc, char **argv)
{
	static struct lw_config *cfg;
	static struct lw_plugins *plugins;
	struct lw_install_dirs defs;
	struct lw_diag diag = {0};
	struct lw_settings st;
	const char *path = NULL;

	for (int i = 1; i < argc && !path; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
	}
	if (!path)
		return 0;
	lw_install_dirs_from_exe(&defs);
	if (lw_config_load(path, &defs, &plugins, &cfg, &diag) != 0) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s: error: %s\n", path, diag.msg[i]);
		fprintf(stderr, "%s: %zu error(s); run litwatch check-config %s\n", path, diag.n, path);
		lw_diag_free(&diag);
		return 2;
	}
	/* cfg and plugins live as long as the process: the settings point
	 * into them. */
	lw_config_settings(cfg, &st);
	lw_settings_set(&st);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: litwatch COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-13s %s\n  %-13s   %s\n", commands[i].name,
			commands[i].usage, "", commands[i].help);
	fprintf(out, "\nlitwatch COMMAND --help prints the options of a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("litwatch %s\n", LW_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name)) {
			int rc;
			if (takes_settings(argv[1]) && (rc = publish_settings(argc - 1, argv + 1)) != 0)
				return rc;
			return commands[i].run ? commands[i].run(argc - 1, argv + 1)
					       : (printf("litwatch %s\n", LW_VERSION), 0);
		}
	fprintf(stderr, "litwatch: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
