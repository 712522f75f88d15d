/*
 * users.h — the dashboard's users file (http.users_file): one user a line,
 * "NAME:ROLE:HASH", HASH a libcrypt yescrypt hash ("$y$...").  Managed by
 * `litwatch user`; the daemon reads it at start and on reload.
 *
 * Roles (docs/dashboard.md): viewers read; analysts also act on alerts and
 * agency aliases; admins also poll sources and reload.
 */
#ifndef LW_WEB_USERS_H
#define LW_WEB_USERS_H

#include <stddef.h>

#include "base/err.h"

enum lw_role { LW_ROLE_NONE = 0, LW_ROLE_VIEWER, LW_ROLE_ANALYST, LW_ROLE_ADMIN };

/* "viewer" | "analyst" | "admin" -> role; LW_ROLE_NONE otherwise. */
enum lw_role lw_role_parse(const char *name);
const char *lw_role_name(enum lw_role r);

struct lw_user {
	char name[64];
	enum lw_role role;
	char hash[256];
};

struct lw_users {
	struct lw_user *v;
	size_t n;
};

/* Read path into *out (free with lw_users_free).  A missing file is an
 * empty list when missing_ok, else LW_ENOENT.  A malformed line is
 * LW_EFORMAT naming the line. */
int lw_users_load(const char *path, int missing_ok, struct lw_users *out, struct lw_err *e);
/* Write the list to path, mode 0600, through a temporary file and rename. */
int lw_users_save(const struct lw_users *u, const char *path, struct lw_err *e);
void lw_users_free(struct lw_users *u);
struct lw_user *lw_users_find(const struct lw_users *u, const char *name);

/* A user name: 1..63 of [A-Za-z0-9._-]. */
int lw_user_name_ok(const char *name);

/* yescrypt hash of password into out (cap >= 256).  LW_EIO when libcrypt
 * cannot (no entropy, no yescrypt). */
int lw_password_hash(const char *password, char *out, size_t cap, struct lw_err *e);
/* A hash of password costing what like_hash costs: its method and cost
 * parameters ("$y$j9T$" of a yescrypt hash) with a fresh salt; the
 * default of lw_password_hash when like_hash is NULL or not yescrypt.
 * The dashboard checks an unknown name against one, so that it takes as
 * long as a wrong password for a known name. */
int lw_password_hash_like(const char *password, const char *like_hash, char *out, size_t cap,
			  struct lw_err *e);
/* 1 when password matches hash (constant time in libcrypt); 0 otherwise.
 * Takes tens of milliseconds: call it off the loop. */
int lw_password_check(const char *password, const char *hash);

#endif
