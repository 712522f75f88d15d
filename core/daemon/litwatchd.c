/*
 * litwatchd.c — entry point of the daemon.  Runs in the foreground (as
 * systemd expects with Type=notify); see docs/operate.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"

#define DEFAULT_CONFIG "/etc/litwatch/litwatch.json"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: litwatchd [--config FILE]\n"
		"\n"
		"Runs in the foreground until SIGTERM/SIGINT; SIGHUP reloads the configuration.\n"
		"  -c, --config FILE   configuration file (default " DEFAULT_CONFIG ")\n"
		"      --version       print the version\n"
		"  -h, --help          this text\n"
		"Check a configuration without starting: litwatch check-config FILE\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = DEFAULT_CONFIG;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'V': printf("litwatchd %s\n", LW_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "litwatchd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return lw_daemon_run(config);
}
