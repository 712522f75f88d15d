/*
 * conf.c — the `province` section (docs/configure.md, docs/province.md).
 */
#include <stdlib.h>
#include <string.h>

#include "base/options.h"
#include "province/province.h"

static const struct lw_option province_options[] = {
	{"conninfo_file", LW_OPT_FILE, LW_OPT_REQUIRED | LW_OPT_PRIVATE, NULL, 0, 0, NULL,
	 "file holding the libpq conninfo of the province's PostgreSQL (may hold the password: "
	 "mode 0600)"},
	{"county", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, NULL,
	 "this county's 6-digit administrative division code (GB/T 2260), e.g. 411121"},
	{"interval", LW_OPT_DURATION, 0, "30s", 0, 0, NULL, "how often changes are pushed"},
	{"batch_rows", LW_OPT_INT, 0, "5000", 1, 1000000, NULL,
	 "changed rows per PostgreSQL transaction"},
	{"sslmode", LW_OPT_STRING, 0, NULL, 0, 0,
	 "disable|allow|prefer|require|verify-ca|verify-full",
	 "libpq sslmode, over the conninfo's (verify-full recommended)"},
	{"sslrootcert", LW_OPT_FILE, 0, NULL, 0, 0, NULL,
	 "CA certificate that signed the server's (with verify-ca / verify-full)"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

void lw_province_conf_free(struct lw_province_conf *c)
{
	if (!c)
		return;
	free(c->conninfo_file);
	free(c->county);
	free(c->sslmode);
	free(c->sslrootcert);
	free(c);
}

static char *dup_of(json_t *v, const char *key)
{
	const char *s = json_string_value(json_object_get(v, key));
	return s ? strdup(s) : NULL;
}

static int county_ok(const char *s)
{
	if (!s || strlen(s) != 6)
		return 0;
	for (int i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	/* GB/T 2260: the first two digits are a province, 11..82. */
	return !(s[0] == '0' || (s[0] == '1' && s[1] == '0'));
}

int lw_province_conf_parse(json_t *obj, const char *data_dir, struct lw_province_conf **out,
			   struct lw_diag *d)
{
	size_t before = d->n;
	struct lw_province_conf *c;
	json_t *v;

	*out = NULL;
	if (!obj)
		return 0;
	if (!json_is_object(obj)) {
		lw_diag_add(d, "province: expected an object");
		return 1;
	}
	c = calloc(1, sizeof *c);
	v = json_object();
	if (!c || !v) {
		lw_diag_add(d, "province: out of memory");
		free(c);
		json_decref(v);
		return 1;
	}
	lw_options_validate(obj, province_options, "province", data_dir, NULL, NULL, v, d);
	c->conninfo_file = dup_of(v, "conninfo_file");
	c->county = dup_of(v, "county");
	c->sslmode = dup_of(v, "sslmode");
	c->sslrootcert = dup_of(v, "sslrootcert");
	c->interval_ms = json_integer_value(json_object_get(v, "interval"));
	c->batch_rows = json_integer_value(json_object_get(v, "batch_rows"));
	if (c->county && !county_ok(c->county))
		lw_diag_add(d, "province.county: \"%s\" is not a 6-digit administrative division "
			       "code (GB/T 2260), e.g. \"411121\"", c->county);
	if (json_object_get(v, "interval") && c->interval_ms < 100)
		lw_diag_add(d, "province.interval: at least 100ms");
	json_decref(v);
	if (d->n > before) {
		lw_province_conf_free(c);
		return 1;
	}
	*out = c;
	return 0;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int lw_province_conf_same(const struct lw_province_conf *a, const struct lw_province_conf *b)
{
	if (!a || !b)
		return a == b;
	return same_str(a->conninfo_file, b->conninfo_file) && same_str(a->county, b->county) &&
	       same_str(a->sslmode, b->sslmode) && same_str(a->sslrootcert, b->sslrootcert) &&
	       a->interval_ms == b->interval_ms && a->batch_rows == b->batch_rows;
}
