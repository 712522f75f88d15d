/*
 * cmd_config.c — `litwatch check-config FILE`: validate a configuration
 * exactly as litwatchd does at start and on reload (plugins are loaded so
 * that each source's plugin keys are checked too).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config/config.h"
#include "config/loader.h"
#include "deadlines/deadlines.h"

int lw_cmd_check_config(int argc, char **argv)
{
	struct lw_install_dirs defs;
	struct lw_plugins *plugins = NULL;
	struct lw_config *cfg = NULL;
	struct lw_diag diag = {0};
	int quiet = 0;
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: litwatch check-config [-q] FILE\n"
			       "Validates FILE as litwatchd would; prints OK or every error.\n"
			       "Exit status 0 when valid, 1 when not.\n");
			return 0;
		} else if (!path)
			path = argv[i];
		else {
			fprintf(stderr, "check-config: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: litwatch check-config [-q] FILE\n");
		return 2;
	}
	lw_install_dirs_from_exe(&defs);
	if (lw_config_load(path, &defs, &plugins, &cfg, &diag) != 0) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s: error: %s\n", path, diag.msg[i]);
		fprintf(stderr, "%s: %zu error(s)\n", path, diag.n);
		lw_diag_free(&diag);
		lw_plugins_free(plugins);
		return 1;
	}
	if (!quiet) {
		printf("OK: %s: %zu source(s)", path, cfg->nsources);
		for (size_t i = 0; i < cfg->nsources; i++)
			printf("%s%s (%s%s)", i ? ", " : ": ", cfg->sources[i].name,
			       cfg->sources[i].plugin, cfg->sources[i].enabled ? "" : ", disabled");
		printf("\n");
		if (cfg->deadlines) {
			printf("deadlines: %zu rule(s)", cfg->deadlines->nrules);
			for (size_t i = 0; i < cfg->deadlines->nrules; i++)
				printf("%s%s", i ? ", " : ": ", cfg->deadlines->rules[i].name);
			printf("; holidays from %s\n", cfg->deadlines->holidays_dir);
		}
	}
	if (cfg->deadlines) {
		/* Not an error (the file is valid), but the operator must act. */
		struct lw_date today;
		int gap;
		lw_date_from_days((long)(time(NULL) + 8 * 3600) / 86400, &today);
		if ((gap = lw_dl_calendar_gap(cfg->deadlines->cal, &today, 90)) != 0)
			fprintf(stderr, "%s: warning: the holiday calendar does not cover %d, which "
					"starts within 90 days: add %d.json to %s (docs/deadlines.md)\n",
				path, gap, gap, cfg->deadlines->holidays_dir);
	}
	lw_config_free(cfg);
	lw_plugins_free(plugins);
	return 0;
}
