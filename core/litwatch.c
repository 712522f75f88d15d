/*
 * litwatch.c — entry point of the `litwatch` command-line tool: dispatches
 * to the subcommands declared in cli.h.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct lw_command commands[] = {
	{"check-config", lw_cmd_check_config, "[-q] FILE",
	 "validate a configuration as litwatchd would; prints OK or every error"},
	{"status", lw_cmd_status, "[--config FILE | --listen ADDR] [--json]",
	 "show a running litwatchd's sources, queues, imports and errors"},
	{"poll", lw_cmd_poll, "SOURCE [--config FILE | --listen ADDR]",
	 "make a running source do its work now (poll the feed, rescan the folder)"},
	{"import", lw_cmd_import, "--db FILE --profile NAME [--pii-key-file F] [--json] FILE...",
	 "import files once, through the same pipeline as the daemon"},
	{"stats", lw_cmd_stats, "--db FILE --period 2023|2023Q1|2023-01 [--by agency|domain|act|court]",
	 "the official figures: filed, concluded, lost, loss rate, 调撤率, head appearance"},
	{"detect", lw_cmd_detect, "--method ears-c1|ears-c2|ears-c3|farrington|cusum [FLAGS] < SERIES",
	 "run a detector over a count series, as R's surveillance package does"},
	{"read", lw_cmd_read, "FILE [--sheet NAME|N] [--encoding E] [--format csv|jsonl]",
	 "print a CSV/XLSX/XLS table as the readers see it"},
	{"version", NULL, "", "print the version"},
	{"evaluate", lw_cmd_evaluate, "--config FILE [--db FILE] [--now DATE] [--no-send]",
	 "run the alert rules once and send due notifications"},
	{"alerts", lw_cmd_alerts, "list|show ID|ack ID|silence|unsilence ID|silences --db FILE",
	 "list, acknowledge and silence alerts"},
	{"deadlines", lw_cmd_deadlines,
	 "--db FILE [--config FILE] [--as-of DATE] [--agency A] [--state S] [--format table|csv|json]",
	 "every case's time limits (时限): due, overdue, late, met"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

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
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run ? commands[i].run(argc - 1, argv + 1)
					       : (printf("litwatch %s\n", LW_VERSION), 0);
	fprintf(stderr, "litwatch: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
