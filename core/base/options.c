/*
 * options.c — table-driven validation of configuration objects (options.h).
 *
 * The same code checks the core's top-level keys and each plugin's keys, so
 * an operator gets the same kind of message for both: the key path, what
 * was expected, and what was found.
 */
#include "base/options.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/redact.h"
#include "base/units.h"

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

char *lw_path_join(const char *base, const char *p)
{
	char *out;
	size_t bl;

	if (p[0] == '/' || !base)
		return strdup(p);
	if (!strcmp(p, "."))
		return strdup(base);
	bl = strlen(base);
	out = malloc(bl + strlen(p) + 2);
	if (out)
		sprintf(out, "%s%s%s", base, (bl && base[bl - 1] == '/') ? "" : "/", p);
	return out;
}

/* Levenshtein distance, capped: enough for short configuration keys. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[65], cur[65];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof *prev);
	}
	return prev[lb];
}

const char *lw_options_suggest(const struct lw_option *table, const char *key)
{
	const char *best = NULL;
	size_t bestd = 3;

	for (const struct lw_option *o = table; o && o->key; o++) {
		size_t d = edit_distance(key, o->key);
		if (d < bestd) {
			bestd = d;
			best = o->key;
		}
	}
	return best;
}

static int in_skip(const char *const *skip, const char *key)
{
	/* JSON has no comments: keys starting with "//" serve as comments. */
	if (key[0] == '/' && key[1] == '/')
		return 1;
	for (; skip && *skip; skip++)
		if (!strcmp(*skip, key))
			return 1;
	return 0;
}

static int choice_ok(const char *choices, const char *v)
{
	size_t vl = strlen(v);
	const char *p = choices;

	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == vl && !strncmp(p, v, l))
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

/* Check a directory path; CREATE directories may be missing as long as
 * the closest existing ancestor is a directory. */
static int check_dir(const char *abs, unsigned flags, const char *kp, struct lw_diag *d)
{
	struct stat st;

	if (stat(abs, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			lw_diag_add(d, "%s: not a directory: %s", kp, abs);
			return 1;
		}
		return 0;
	}
	if (errno != ENOENT && errno != ENOTDIR) {
		lw_diag_add(d, "%s: %s: %s", kp, abs, strerror(errno));
		return 1;
	}
	if (!(flags & LW_OPT_CREATE)) {
		lw_diag_add(d, "%s: directory does not exist: %s", kp, abs);
		return 1;
	}
	{
		char up[PATH_MAX];
		char *slash;
		snprintf(up, sizeof up, "%s", abs);
		while ((slash = strrchr(up, '/')) && slash != up) {
			*slash = '\0';
			if (stat(up, &st) == 0) {
				if (!S_ISDIR(st.st_mode)) {
					lw_diag_add(d, "%s: cannot create %s: %s is not a directory", kp,
						    abs, up);
					return 1;
				}
				return 0;
			}
		}
	}
	return 0;
}

static int check_file(const char *abs, unsigned flags, const char *kp, struct lw_diag *d)
{
	struct stat st;

	if (stat(abs, &st) != 0) {
		if (errno == ENOENT)
			lw_diag_add(d, "%s: file does not exist: %s", kp, abs);
		else
			lw_diag_add(d, "%s: %s: %s", kp, abs, strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		lw_diag_add(d, "%s: not a regular file: %s", kp, abs);
		return 1;
	}
	if (access(abs, R_OK) != 0) {
		lw_diag_add(d, "%s: file is not readable by this user: %s", kp, abs);
		return 1;
	}
	/* Someone who may rewrite a file the daemon trusts (a CA bundle, a
	 * token) steers it; someone who may read a secret has it. */
	{
		struct lw_err e = {0};
		if (lw_path_trusted(abs, kp, (flags & LW_OPT_PRIVATE) ? LW_TRUST_PRIVATE : 0, &e)) {
			lw_diag_add(d, "%s", e.msg);
			return 1;
		}
	}
	return 0;
}

/* Validate one value v of option o; on success store the typed value in
 * out[o->key].  kp is the full key path for messages.  Returns problems. */
static int check_value(const struct lw_option *o, json_t *v, const char *kp,
		       const char *base_dir, json_t *out, struct lw_diag *d)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	int64_t n;

	switch (o->type) {
	case LW_OPT_STRING:
		if (!s) {
			lw_diag_add(d, "%s: expected a string, got %s", kp, json_type_name(v));
			return 1;
		}
		if (o->choices && !choice_ok(o->choices, s)) {
			char list[256];
			snprintf(list, sizeof list, "%s", o->choices);
			for (char *p = list; *p; p++)
				if (*p == '|')
					*p = ',';
			lw_diag_add(d, "%s: expected one of %s; got \"%s\"", kp, list, s);
			return 1;
		}
		json_object_set_new(out, o->key, json_string(s));
		return 0;
	case LW_OPT_INT:
		if (!json_is_integer(v)) {
			lw_diag_add(d, "%s: expected an integer, got %s", kp, json_type_name(v));
			return 1;
		}
		n = json_integer_value(v);
		if (o->max > o->min && (n < o->min || n > o->max)) {
			lw_diag_add(d, "%s: must be between %lld and %lld; got %lld", kp,
				    (long long)o->min, (long long)o->max, (long long)n);
			return 1;
		}
		json_object_set_new(out, o->key, json_integer(n));
		return 0;
	case LW_OPT_BOOL:
		if (!json_is_boolean(v)) {
			lw_diag_add(d, "%s: expected true or false, got %s", kp, json_type_name(v));
			return 1;
		}
		json_object_set_new(out, o->key, json_integer(json_is_true(v)));
		return 0;
	case LW_OPT_DURATION:
		if (!s || lw_parse_duration(s, &n) != 0) {
			if (s)
				lw_diag_add(d, "%s: expected a duration such as \"500ms\", \"15m\" or "
					       "\"1h\"; got \"%s\"", kp, s);
			else
				lw_diag_add(d, "%s: expected a duration such as \"500ms\", \"15m\" or "
					       "\"1h\" (a string with a unit), got %s", kp,
					    json_type_name(v));
			return 1;
		}
		json_object_set_new(out, o->key, json_integer(n));
		return 0;
	case LW_OPT_SIZE:
		if (json_is_integer(v) && json_integer_value(v) >= 0) {
			json_object_set_new(out, o->key, json_integer(json_integer_value(v)));
			return 0;
		}
		if (!s || lw_parse_size(s, &n) != 0) {
			lw_diag_add(d, "%s: expected a size such as \"64MiB\" or \"10MB\"; got %s%s%s",
				    kp, s ? "\"" : "", s ? s : json_type_name(v), s ? "\"" : "");
			return 1;
		}
		json_object_set_new(out, o->key, json_integer(n));
		return 0;
	case LW_OPT_DIR:
	case LW_OPT_FILE: {
		char *abs;
		int bad;
		if (!s || !*s) {
			lw_diag_add(d, "%s: expected a path (a non-empty string), got %s", kp,
				    s ? "an empty string" : json_type_name(v));
			return 1;
		}
		if (!(abs = lw_path_join(base_dir, s))) {
			lw_diag_add(d, "%s: out of memory", kp);
			return 1;
		}
		bad = o->type == LW_OPT_DIR ? check_dir(abs, o->flags, kp, d) : check_file(abs, o->flags, kp, d);
		if (!bad)
			json_object_set_new(out, o->key, json_string(abs));
		free(abs);
		return bad;
	}
	case LW_OPT_URL:
		if (!s || (strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) ||
		    strlen(s) < 10 || strpbrk(s, " \t\r\n")) {
			/* A mistyped URL may still carry an API key in its query:
			 * shown as the run-time log shows URLs. */
			char *shown = s ? lw_url_redact(s, NULL) : NULL;
			lw_diag_add(d, "%s: expected an http:// or https:// URL; got %s%s%s", kp,
				    s ? "\"" : "", shown ? shown : s ? "(a string)" : json_type_name(v),
				    s ? "\"" : "");
			free(shown);
			return 1;
		}
		json_object_set_new(out, o->key, json_string(s));
		return 0;
	case LW_OPT_STRINGS: {
		size_t i;
		json_t *item;
		if (!json_is_array(v)) {
			lw_diag_add(d, "%s: expected an array of strings, got %s", kp,
				    json_type_name(v));
			return 1;
		}
		json_array_foreach(v, i, item) {
			if (!json_is_string(item)) {
				lw_diag_add(d, "%s[%zu]: expected a string, got %s", kp, i,
					    json_type_name(item));
				return 1;
			}
		}
		json_object_set(out, o->key, v);
		return 0;
	}
	case LW_OPT_OBJECT:
		if (!json_is_object(v)) {
			lw_diag_add(d, "%s: expected an object, got %s", kp, json_type_name(v));
			return 1;
		}
		json_object_set(out, o->key, v);
		return 0;
	}
	lw_diag_add(d, "%s: option has an unknown type %d (plugin bug)", kp, (int)o->type);
	return 1;
}

/* Build "path.key" (or "key" at the root). */
static void key_path(char *buf, size_t len, const char *path, const char *key)
{
	if (path && *path)
		snprintf(buf, len, "%s.%s", path, key);
	else
		snprintf(buf, len, "%s", key);
}

int lw_options_validate(json_t *obj, const struct lw_option *table, const char *path,
			const char *base_dir, const char *const *skip, const char *owner,
			json_t *out, struct lw_diag *diag)
{
	const char *key;
	json_t *v;
	char kp[512];
	int bad = 0;

	/* Unknown keys first: a typo must never pass silently. */
	json_object_foreach(obj, key, v) {
		const struct lw_option *o;
		const char *hint;
		if (in_skip(skip, key))
			continue;
		for (o = table; o && o->key; o++)
			if (!strcmp(o->key, key))
				break;
		if (o && o->key)
			continue;
		key_path(kp, sizeof kp, path, key);
		hint = lw_options_suggest(table, key);
		if (hint)
			lw_diag_add(diag, "%s: unknown key%s%s (did you mean \"%s\"?)", kp,
				    owner ? " for " : "", owner ? owner : "", hint);
		else
			lw_diag_add(diag, "%s: unknown key%s%s", kp, owner ? " for " : "",
				    owner ? owner : "");
		bad++;
	}
	for (const struct lw_option *o = table; o && o->key; o++) {
		if (in_skip(skip, o->key))
			continue;
		key_path(kp, sizeof kp, path, o->key);
		v = json_object_get(obj, o->key);
		if (!v && o->def) {
			json_t *dv;
			/* Defaults are written as in the config: parse them the same way. */
			switch (o->type) {
			case LW_OPT_INT: dv = json_integer(strtoll(o->def, NULL, 10)); break;
			case LW_OPT_BOOL: dv = !strcmp(o->def, "true") ? json_true() : json_false(); break;
			default: dv = json_string(o->def); break;
			}
			bad += check_value(o, dv, kp, base_dir, out, diag);
			json_decref(dv);
			continue;
		}
		if (!v) {
			if (o->flags & LW_OPT_REQUIRED) {
				lw_diag_add(diag, "%s: required key is missing (%s)", kp,
					    o->help ? o->help : "no help");
				bad++;
			}
			continue;
		}
		bad += check_value(o, v, kp, base_dir, out, diag);
	}
	return bad;
}
