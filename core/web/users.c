/*
 * users.c — the users file and password hashing (see users.h).
 */
#include "web/users.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const role_names[] = {"", "viewer", "analyst", "admin"};

enum lw_role lw_role_parse(const char *name)
{
	for (int i = LW_ROLE_VIEWER; i <= LW_ROLE_ADMIN; i++)
		if (name && !strcmp(name, role_names[i]))
			return (enum lw_role)i;
	return LW_ROLE_NONE;
}

const char *lw_role_name(enum lw_role r)
{
	return r >= LW_ROLE_VIEWER && r <= LW_ROLE_ADMIN ? role_names[r] : "none";
}

int lw_user_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n < 64 &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

void lw_users_free(struct lw_users *u)
{
	if (!u)
		return;
	if (u->v)
		explicit_bzero(u->v, u->n * sizeof *u->v);
	free(u->v);
	u->v = NULL;
	u->n = 0;
}

struct lw_user *lw_users_find(const struct lw_users *u, const char *name)
{
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->v[i].name, name))
			return &u->v[i];
	return NULL;
}

int lw_users_load(const char *path, int missing_ok, struct lw_users *out, struct lw_err *e)
{
	FILE *f = fopen(path, "re");
	char line[512];
	unsigned lineno = 0;
	int rc = 0;

	out->v = NULL;
	out->n = 0;
	if (!f) {
		if (errno == ENOENT && missing_ok)
			return 0;
		return lw_err_set(e, errno == ENOENT ? LW_ENOENT : LW_EIO,
				  "http.users_file: cannot read %s: %s (create it with `litwatch "
				  "user add NAME --role ROLE --config FILE`)", path, strerror(errno));
	}
	while (fgets(line, sizeof line, f)) {
		char *name = line, *role, *hash, *nl;
		struct lw_user *nv;
		lineno++;
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if (!*line || *line == '#')
			continue;
		role = strchr(name, ':');
		hash = role ? strchr(role + 1, ':') : NULL;
		if (!hash) {
			rc = lw_err_set(e, LW_EFORMAT, "%s:%u: expected NAME:ROLE:HASH", path, lineno);
			break;
		}
		*role++ = '\0';
		*hash++ = '\0';
		if (!lw_user_name_ok(name) || lw_role_parse(role) == LW_ROLE_NONE ||
		    strlen(hash) >= sizeof out->v->hash || hash[0] != '$') {
			rc = lw_err_set(e, LW_EFORMAT, "%s:%u: bad user name, role (viewer, analyst, "
					"admin) or hash; manage the file with `litwatch user`", path,
					lineno);
			break;
		}
		if (!(nv = realloc(out->v, (out->n + 1) * sizeof *nv))) {
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
			break;
		}
		out->v = nv;
		/* lw_user_name_ok bounds the name; the precision says so to the
		 * compiler too. */
		snprintf(nv[out->n].name, sizeof nv->name, "%.*s", (int)sizeof nv->name - 1, name);
		nv[out->n].role = lw_role_parse(role);
		snprintf(nv[out->n].hash, sizeof nv->hash, "%.*s", (int)sizeof nv->hash - 1, hash);
		out->n++;
	}
	explicit_bzero(line, sizeof line);
	fclose(f);
	if (rc)
		lw_users_free(out);
	return rc;
}

int lw_users_save(const struct lw_users *u, const char *path, struct lw_err *e)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp)
		return lw_err_set(e, LW_EINVAL, "http.users_file: path too long");
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return lw_err_set(e, LW_EIO, "http.users_file: cannot create %s: %s", tmp,
				  strerror(errno));
	}
	fprintf(f, "# litwatch dashboard users: NAME:ROLE:HASH; edit with `litwatch user`\n");
	for (size_t i = 0; i < u->n; i++)
		fprintf(f, "%s:%s:%s\n", u->v[i].name, lw_role_name(u->v[i].role), u->v[i].hash);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		unlink(tmp);
		return lw_err_set(e, LW_EIO, "http.users_file: cannot write %s", tmp);
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return lw_err_set(e, LW_EIO, "http.users_file: cannot rename %s: %s", tmp,
				  strerror(errno));
	}
	return 0;
}

int lw_password_hash(const char *password, char *out, size_t cap, struct lw_err *e)
{
	struct crypt_data cd;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h;

	memset(&cd, 0, sizeof cd);
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt))
		return lw_err_set(e, LW_EIO, "cannot make a yescrypt salt: %s", strerror(errno));
	h = crypt_r(password, salt, &cd);
	if (!h || h[0] != '$' || strlen(h) >= cap) {
		explicit_bzero(&cd, sizeof cd);
		return lw_err_set(e, LW_EIO, "libcrypt cannot hash with yescrypt");
	}
	snprintf(out, cap, "%s", h);
	explicit_bzero(&cd, sizeof cd);
	return 0;
}

int lw_password_hash_like(const char *password, const char *like_hash, char *out, size_t cap,
			  struct lw_err *e)
{
	struct crypt_data cd;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE], setting[CRYPT_GENSALT_OUTPUT_SIZE + 64];
	const char *h, *params_end, *salt_start;

	if (!like_hash || strncmp(like_hash, "$y$", 3) ||
	    !(params_end = strchr(like_hash + 3, '$')) || params_end - like_hash > 60)
		return lw_password_hash(password, out, cap, e);
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) ||
	    !(salt_start = strchr(salt + 3, '$')))
		return lw_err_set(e, LW_EIO, "cannot make a yescrypt salt: %s", strerror(errno));
	/* "$y$" PARAMS of like_hash, then "$SALT" of the fresh setting. */
	snprintf(setting, sizeof setting, "%.*s%s", (int)(params_end - like_hash), like_hash,
		 salt_start);
	memset(&cd, 0, sizeof cd);
	h = crypt_r(password, setting, &cd);
	if (!h || h[0] != '$' || strlen(h) >= cap) {
		explicit_bzero(&cd, sizeof cd);
		return lw_password_hash(password, out, cap, e);
	}
	snprintf(out, cap, "%s", h);
	explicit_bzero(&cd, sizeof cd);
	return 0;
}

int lw_password_check(const char *password, const char *hash)
{
	struct crypt_data cd;
	const char *h;
	int ok;

	memset(&cd, 0, sizeof cd);
	h = crypt_r(password, hash, &cd);
	ok = h && h[0] == '$' && strlen(h) == strlen(hash);
	if (ok) {
		unsigned char diff = 0;
		for (size_t i = 0; hash[i]; i++)
			diff |= (unsigned char)(h[i] ^ hash[i]);
		ok = !diff;
	}
	explicit_bzero(&cd, sizeof cd);
	return ok;
}
