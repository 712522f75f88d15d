/*
 * cmd_user.c — `litwatch user add|passwd|del NAME [--role ROLE] --config
 * FILE`: the dashboard's users file (http.users_file; docs/dashboard.md).
 * The password is read from the terminal without echo, or from standard
 * input (its first line) when that is not a terminal.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/paths.h"
#include "cli.h"
#include "config/config.h"
#include "config/loader.h"
#include "web/users.h"

#define USAGE                                                                             \
	"usage: litwatch user add NAME --role viewer|analyst|admin --config FILE\n"        \
	"       litwatch user passwd NAME [--role ROLE] --config FILE\n"                   \
	"       litwatch user del NAME --config FILE\n"                                    \
	"       litwatch user list --config FILE\n"                                        \
	"The password is read from the terminal, or from standard input when it is not one.\n"

/* One line of password into buf: from the terminal (twice, no echo) or
 * stdin.  0, or -1 with a message printed. */
static int read_password(char *buf, size_t cap)
{
	int tty = isatty(STDIN_FILENO);
	struct termios old, quiet;
	char again[256];
	size_t n;

	for (int round = 0; round < (tty ? 2 : 1); round++) {
		char *dst = round ? again : buf;
		size_t dcap = round ? sizeof again : cap;
		if (tty) {
			fprintf(stderr, round ? "again: " : "password: ");
			tcgetattr(STDIN_FILENO, &old);
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		}
		if (!fgets(dst, (int)dcap, stdin))
			dst[0] = '\0';
		if (tty) {
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
			fputc('\n', stderr);
		}
		n = strcspn(dst, "\r\n");
		dst[n] = '\0';
	}
	if (tty && strcmp(buf, again)) {
		explicit_bzero(again, sizeof again);
		fprintf(stderr, "litwatch user: the passwords differ\n");
		return -1;
	}
	explicit_bzero(again, sizeof again);
	if (strlen(buf) < 8) {
		fprintf(stderr, "litwatch user: a password has at least 8 characters\n");
		return -1;
	}
	return 0;
}

int lw_cmd_user(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"role", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *role_name = NULL, *verb, *name = NULL;
	struct lw_install_dirs defs;
	struct lw_plugins *plugins = NULL;
	struct lw_config *cfg = NULL;
	struct lw_diag diag = {0};
	struct lw_users users = {0};
	struct lw_err err = {0};
	struct lw_user *u;
	char pw[256];
	int c, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'r': role_name = optarg; break;
		case 'h': printf("%s", USAGE); return 0;
		default: fprintf(stderr, "%s", USAGE); return 2;
		}
	}
	if (optind >= argc || !config)
		goto usage;
	verb = argv[optind];
	if (strcmp(verb, "list")) {
		if (optind + 2 != argc)
			goto usage;
		name = argv[optind + 1];
		if (!lw_user_name_ok(name)) {
			fprintf(stderr, "litwatch user: a name is 1..63 of A-Z a-z 0-9 . _ -\n");
			return 2;
		}
	}
	if (role_name && lw_role_parse(role_name) == LW_ROLE_NONE) {
		fprintf(stderr, "litwatch user: --role: expected viewer, analyst or admin\n");
		return 2;
	}
	lw_install_dirs_from_exe(&defs);
	if (lw_config_load(config, &defs, &plugins, &cfg, &diag) != 0) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "litwatch user: %s\n", diag.msg[i]);
		goto out;
	}
	if (!cfg->http_users_file) {
		fprintf(stderr, "litwatch user: %s sets no http.users_file (docs/dashboard.md)\n",
			config);
		goto out;
	}
	if (lw_users_load(cfg->http_users_file, 1, &users, &err) != 0) {
		fprintf(stderr, "litwatch user: %s\n", err.msg);
		goto out;
	}
	u = name ? lw_users_find(&users, name) : NULL;
	if (!strcmp(verb, "list")) {
		for (size_t i = 0; i < users.n; i++)
			printf("%s\t%s\n", users.v[i].name, lw_role_name(users.v[i].role));
		rc = 0;
		goto out;
	} else if (!strcmp(verb, "add")) {
		struct lw_user *nv;
		if (u) {
			fprintf(stderr, "litwatch user: %s exists; change it with `litwatch user "
				"passwd`\n", name);
			goto out;
		}
		if (!role_name) {
			fprintf(stderr, "litwatch user add: --role viewer|analyst|admin is required\n");
			goto out;
		}
		if (!(nv = realloc(users.v, (users.n + 1) * sizeof *nv)))
			goto out;
		users.v = nv;
		u = &users.v[users.n++];
		memset(u, 0, sizeof *u);
		snprintf(u->name, sizeof u->name, "%s", name);
	} else if (!strcmp(verb, "passwd")) {
		if (!u) {
			fprintf(stderr, "litwatch user: no user %s\n", name);
			goto out;
		}
	} else if (!strcmp(verb, "del")) {
		if (!u) {
			fprintf(stderr, "litwatch user: no user %s\n", name);
			goto out;
		}
		memmove(u, u + 1, (size_t)(users.v + users.n - (u + 1)) * sizeof *u);
		users.n--;
		u = NULL;
	} else {
		goto usage;
	}
	if (u) {
		if (role_name)
			u->role = lw_role_parse(role_name);
		if (read_password(pw, sizeof pw) != 0 ||
		    lw_password_hash(pw, u->hash, sizeof u->hash, &err) != 0) {
			if (err.msg[0])
				fprintf(stderr, "litwatch user: %s\n", err.msg);
			explicit_bzero(pw, sizeof pw);
			goto out;
		}
		explicit_bzero(pw, sizeof pw);
	}
	if (lw_users_save(&users, cfg->http_users_file, &err) != 0) {
		fprintf(stderr, "litwatch user: %s\n", err.msg);
		goto out;
	}
	fprintf(stderr, "litwatch user: %s %s in %s (a running litwatchd reads it on reload: "
		"systemctl reload litwatchd)\n", name, !strcmp(verb, "del") ? "removed" : "saved",
		cfg->http_users_file);
	rc = 0;
	goto out;
usage:
	fprintf(stderr, "%s", USAGE);
	rc = 2;
out:
	lw_users_free(&users);
	lw_diag_free(&diag);
	lw_config_free(cfg);
	lw_plugins_free(plugins);
	return rc;
}
