/*
 * cli.h — subcommands of the `litwatch` command-line tool.
 *
 * Each subcommand is a function taking the arguments after `litwatch`
 * (argv[0] is the subcommand name) and returning the process exit status.
 * Subcommands print their results on stdout and diagnostics on stderr.
 * They live beside the subsystem they drive (core/read/cmd_read.c, ...).
 */
#ifndef LW_CLI_H
#define LW_CLI_H

struct lw_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage; /* one line: arguments after the subcommand name */
	const char *help;  /* one line: what it does */
};

/* core/detect/cmd_detect.c: litwatch detect (see docs/detectors.md). */
int lw_cmd_detect(int argc, char **argv);

/* core/alerts/cmd_alerts.c, cmd_evaluate.c (see docs/alerts.md). */
int lw_cmd_alerts(int argc, char **argv);
int lw_cmd_evaluate(int argc, char **argv);

/* core/daemon/cmd_deadlines.c: litwatch deadlines (docs/deadlines.md). */
int lw_cmd_deadlines(int argc, char **argv);

int lw_cmd_check_config(int argc, char **argv);
/* core/web/cmd_user.c */
int lw_cmd_user(int argc, char **argv);
int lw_cmd_status(int argc, char **argv);
int lw_cmd_poll(int argc, char **argv);

/* core/read/cmd_read.c: print a table as the readers see it. */
int lw_cmd_read(int argc, char **argv);

/* core/ingest/: litwatch import, litwatch agencies (docs/import.md). */
int lw_cmd_import(int argc, char **argv);
int lw_cmd_agencies(int argc, char **argv);

/* core/figures/cmd_stats.c: litwatch stats (docs/import.md). */
int lw_cmd_stats(int argc, char **argv);
/* core/province/cmd_stats_pg.c: litwatch stats --pg (docs/province.md). */
int lw_cmd_stats_pg(int argc, char **argv);
int lw_cmd_report_pg(int argc, char **argv);

/* core/report/cmd_report.c: litwatch report (docs/reports.md). */
int lw_cmd_report(int argc, char **argv);

#endif
