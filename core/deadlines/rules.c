/*
 * rules.c — the config's `deadlines` section: checked as a whole (every
 * problem named by its key path, none stops the scan) and built into an
 * immutable, reference-counted struct lw_dl_conf (deadlines.h).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadlines/deadlines.h"

static const char *const field_names[LW_DL_FIELD_COUNT] = {
	"filed_date", "concluded_date", "papers_received_date", "reported_date",
	"defence_filed_date", "judgment_received_date", "loss_report_date", "rectification_date",
};

const char *lw_dl_field_name(enum lw_dl_field f)
{
	return (unsigned)f < LW_DL_FIELD_COUNT ? field_names[f] : "?";
}

int lw_dl_field_parse(const char *name)
{
	for (int i = 0; name && i < LW_DL_FIELD_COUNT; i++)
		if (!strcmp(field_names[i], name))
			return i;
	return -1;
}

static const char *const section_keys[] = {"holidays_dir", "remind_working_days", "contacts",
					   "rules", NULL};
static const char *const rule_keys[] = {"name", "title", "basis", "start", "done", "length",
					"length_ruling", "calendar", "remind_working_days", "when",
					NULL};
static const char *const when_keys[] = {"agency_lost", "type_code", "outcome", NULL};

/* Keys starting with "//" are comments, as everywhere in the config. */
static void unknown_keys(json_t *obj, const char *const *known, const char *path,
			 struct lw_diag *d)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		size_t i;
		if (!strncmp(k, "//", 2))
			continue;
		for (i = 0; known[i] && strcmp(known[i], k); i++)
			;
		if (!known[i])
			lw_diag_add(d, "%s.%s: unknown key", path, k);
	}
}

static int name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static char *opt_str(json_t *o, const char *key, const char *path, struct lw_diag *d)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		lw_diag_add(d, "%s.%s: expected a string", path, key);
		return NULL;
	}
	return strdup(json_string_value(v));
}

/* An integer lo..hi; def when absent. */
static int opt_int(json_t *o, const char *key, int def, int lo, int hi, const char *path,
		   struct lw_diag *d)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return def;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		lw_diag_add(d, "%s.%s: expected a whole number %d..%d", path, key, lo, hi);
		return def;
	}
	return (int)json_integer_value(v);
}

static int date_field(json_t *o, const char *key, const char *path, struct lw_diag *d)
{
	json_t *v = json_object_get(o, key);
	int f = json_is_string(v) ? lw_dl_field_parse(json_string_value(v)) : -1;
	if (f < 0) {
		char list[256];
		size_t n = 0;
		for (int i = 0; i < LW_DL_FIELD_COUNT; i++)
			n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
					      field_names[i]);
		lw_diag_add(d, "%s.%s: expected one of %s", path, key, list);
	}
	return f;
}

/* An array of non-empty strings, or one string. */
static char **strings(json_t *v, size_t *n, const char *path, struct lw_diag *d)
{
	char **out;
	size_t i;
	json_t *x;

	*n = 0;
	if (json_is_string(v)) {
		if (!(out = calloc(2, sizeof *out)))
			return NULL;
		out[(*n)++] = strdup(json_string_value(v));
		return out;
	}
	if (!json_is_array(v) || json_array_size(v) == 0) {
		lw_diag_add(d, "%s: expected a string or a non-empty array of strings", path);
		return NULL;
	}
	if (!(out = calloc(json_array_size(v) + 1, sizeof *out)))
		return NULL;
	json_array_foreach(v, i, x) {
		if (!json_is_string(x) || !*json_string_value(x))
			lw_diag_add(d, "%s[%zu]: expected a non-empty string", path, i);
		else
			out[(*n)++] = strdup(json_string_value(x));
	}
	return out;
}

static void free_strings(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

static void rule_clear(struct lw_dl_rule *r)
{
	free(r->name);
	free(r->title);
	free(r->basis);
	free_strings(r->type_codes, r->ntype_codes);
	free_strings(r->outcomes, r->noutcomes);
}

static void parse_rule(json_t *o, const char *path, struct lw_dl_rule *r, struct lw_diag *d)
{
	json_t *v, *when;

	memset(r, 0, sizeof *r);
	r->done = -1;
	r->when_lost = -1;
	r->remind = -1;
	if (!json_is_object(o)) {
		lw_diag_add(d, "%s: expected an object", path);
		return;
	}
	unknown_keys(o, rule_keys, path, d);
	v = json_object_get(o, "name");
	if (!json_is_string(v) || !name_ok(json_string_value(v)))
		lw_diag_add(d, "%s.name: expected a name of letters, digits, '-' and '_'", path);
	else
		r->name = strdup(json_string_value(v));
	r->title = opt_str(o, "title", path, d);
	r->basis = opt_str(o, "basis", path, d);
	r->start = (enum lw_dl_field)date_field(o, "start", path, d);
	if ((int)r->start < 0)
		r->start = LW_DL_FILED;
	if (json_object_get(o, "done") && !json_is_null(json_object_get(o, "done")))
		r->done = date_field(o, "done", path, d);
	if (r->done >= 0 && r->done == (int)r->start)
		lw_diag_add(d, "%s.done: the same field as start", path);
	if (!json_object_get(o, "length"))
		lw_diag_add(d, "%s.length: required (days, or working days)", path);
	r->length = opt_int(o, "length", 1, 1, 366, path, d);
	r->length_ruling = opt_int(o, "length_ruling", 0, 1, 366, path, d);
	v = json_object_get(o, "calendar");
	if (json_is_string(v) && !strcmp(json_string_value(v), "calendar"))
		r->calendar = LW_DL_CALENDAR;
	else if (json_is_string(v) && !strcmp(json_string_value(v), "working"))
		r->calendar = LW_DL_WORKING;
	else
		lw_diag_add(d, "%s.calendar: expected \"calendar\" (litigation periods, calendar "
			       "days) or \"working\" (working days of the official calendar)", path);
	r->remind = opt_int(o, "remind_working_days", -1, 0, 60, path, d);
	when = json_object_get(o, "when");
	if (when && !json_is_object(when)) {
		lw_diag_add(d, "%s.when: expected an object", path);
	} else if (when) {
		char sub[160];
		snprintf(sub, sizeof sub, "%s.when", path);
		unknown_keys(when, when_keys, sub, d);
		if ((v = json_object_get(when, "agency_lost")) != NULL) {
			if (json_is_boolean(v))
				r->when_lost = json_is_true(v);
			else
				lw_diag_add(d, "%s.agency_lost: expected true or false", sub);
		}
		if ((v = json_object_get(when, "type_code")) != NULL) {
			char p[192];
			snprintf(p, sizeof p, "%s.type_code", sub);
			r->type_codes = strings(v, &r->ntype_codes, p, d);
		}
		if ((v = json_object_get(when, "outcome")) != NULL) {
			char p[192];
			snprintf(p, sizeof p, "%s.outcome", sub);
			r->outcomes = strings(v, &r->noutcomes, p, d);
		}
	}
}

static char *join(const char *base, const char *p)
{
	size_t n;
	char *out;
	if (p[0] == '/' || !base)
		return strdup(p);
	n = strlen(base) + strlen(p) + 2;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s/%s", base, p);
	return out;
}

static void conf_free(struct lw_dl_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nrules; i++)
		rule_clear(&c->rules[i]);
	free(c->rules);
	json_decref(c->contacts);
	free(c->holidays_dir);
	lw_holidays_free(c->cal);
	free(c);
}

int lw_dl_conf_parse(json_t *section, const char *base_dir, const char *default_holidays_dir,
		     struct lw_dl_conf **out, struct lw_diag *d)
{
	size_t before = d->n, i;
	struct lw_dl_conf *c;
	json_t *rules, *v;
	const char *dir;

	*out = NULL;
	if (!json_is_object(section)) {
		lw_diag_add(d, "deadlines: expected an object");
		return LW_EINVAL;
	}
	if (!(c = calloc(1, sizeof *c))) {
		lw_diag_add(d, "deadlines: out of memory");
		return LW_EINVAL;
	}
	atomic_init(&c->refs, 1);
	unknown_keys(section, section_keys, "deadlines", d);
	c->remind = opt_int(section, "remind_working_days", 1, 0, 60, "deadlines", d);
	v = json_object_get(section, "contacts");
	if (v && !json_is_object(v)) {
		lw_diag_add(d, "deadlines.contacts: expected an object {\"agency\": \"sink name\"}");
	} else {
		const char *k;
		json_t *s;
		json_object_foreach(v, k, s)
			if (!json_is_string(s) || !*json_string_value(s))
				lw_diag_add(d, "deadlines.contacts.%s: expected the name of a sink in "
					       "alerts.sinks", k);
	}
	c->contacts = v && json_is_object(v) ? json_deep_copy(v) : json_object();
	rules = json_object_get(section, "rules");
	if (rules && !json_is_array(rules))
		lw_diag_add(d, "deadlines.rules: expected an array of rules");
	if (json_is_array(rules) && json_array_size(rules) > 0 &&
	    !(c->rules = calloc(json_array_size(rules), sizeof *c->rules)))
		lw_diag_add(d, "deadlines: out of memory");
	json_array_foreach(rules, i, v) {
		char path[64];
		if (!c->rules)
			break;
		snprintf(path, sizeof path, "deadlines.rules[%zu]", i);
		parse_rule(v, path, &c->rules[c->nrules], d);
		for (size_t j = 0; c->rules[c->nrules].name && j < c->nrules; j++)
			if (c->rules[j].name && !strcmp(c->rules[j].name, c->rules[c->nrules].name))
				lw_diag_add(d, "%s.name: \"%s\" is also the name of rules[%zu]", path,
					    c->rules[j].name, j);
		c->nrules++;
	}
	v = json_object_get(section, "holidays_dir");
	if (v && !json_is_string(v))
		lw_diag_add(d, "deadlines.holidays_dir: expected a directory");
	dir = json_is_string(v) ? json_string_value(v) : default_holidays_dir;
	if (!dir) {
		lw_diag_add(d, "deadlines.holidays_dir: not set, and no default could be derived from "
			       "the location of this program");
	} else if (!(c->holidays_dir = join(base_dir, dir)) || !(c->cal = lw_holidays_new())) {
		lw_diag_add(d, "deadlines: out of memory");
	} else {
		struct lw_err e = {0};
		if (lw_holidays_load_dir(c->cal, c->holidays_dir, &e) != 0)
			lw_diag_add(d, "deadlines.holidays_dir: %s", e.msg);
	}
	if (d->n > before) {
		conf_free(c);
		return LW_EINVAL;
	}
	*out = c;
	return 0;
}

struct lw_dl_conf *lw_dl_conf_ref(struct lw_dl_conf *c)
{
	if (c)
		atomic_fetch_add(&c->refs, 1);
	return c;
}

void lw_dl_conf_unref(struct lw_dl_conf *c)
{
	if (c && atomic_fetch_sub(&c->refs, 1) == 1)
		conf_free(c);
}

const struct lw_dl_rule *lw_dl_rule_find(const struct lw_dl_conf *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->nrules; i++)
		if (c->rules[i].name && !strcmp(c->rules[i].name, name))
			return &c->rules[i];
	return NULL;
}
