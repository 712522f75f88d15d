/*
 * profile.c — loading and checking mapping profiles (see profile.h).
 */
#include "ingest/profile.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/paths.h"
#include "base/text.h"

static const struct {
	const char *name;
	enum lw_target target; /* -1: any */
	enum lw_ftype natural; /* the type the field is read as */
} fields[LW_F__COUNT] = {
	[LW_F_CASE_NO] = {"case_no", LW_TARGET_CASES, LW_T_CASENUM},
	[LW_F_DEFENDANT] = {"defendant", LW_TARGET_CASES, LW_T_AGENCIES},
	[LW_F_COURT] = {"court", LW_TARGET_CASES, LW_T_TEXT},
	[LW_F_CAUSE] = {"cause", LW_TARGET_CASES, LW_T_TEXT},
	[LW_F_ACT_TYPE] = {"act_type", LW_TARGET_CASES, LW_T_TEXT},
	[LW_F_DOMAIN] = {"domain", LW_TARGET_CASES, LW_T_TEXT},
	[LW_F_PLAINTIFF] = {"plaintiff", LW_TARGET_CASES, LW_T_PERSON},
	[LW_F_FILED_DATE] = {"filed_date", LW_TARGET_CASES, LW_T_DATE},
	[LW_F_CONCLUDED_DATE] = {"concluded_date", LW_TARGET_CASES, LW_T_DATE},
	[LW_F_OUTCOME] = {"outcome", LW_TARGET_CASES, LW_T_OUTCOME},
	[LW_F_HEARING_HELD] = {"hearing_held", LW_TARGET_CASES, LW_T_BOOL},
	[LW_F_HEAD_APPEARED] = {"head_appeared", LW_TARGET_CASES, LW_T_BOOL},
	[LW_F_PAPERS_RECEIVED_DATE] = {"papers_received_date", LW_TARGET_CASES, LW_T_DATE},
	[LW_F_REPORTED_DATE] = {"reported_date", LW_TARGET_CASES, LW_T_DATE},
	[LW_F_DEFENCE_FILED_DATE] = {"defence_filed_date", LW_TARGET_CASES, LW_T_DATE},
	[LW_F_JUDGMENT_RECEIVED_DATE] = {"judgment_received_date", LW_TARGET_CASES, LW_T_DATE},
	[LW_F_LOSS_REPORT_DATE] = {"loss_report_date", LW_TARGET_CASES, LW_T_DATE},
	[LW_F_RECTIFICATION_DATE] = {"rectification_date", LW_TARGET_CASES, LW_T_DATE},
	[LW_F_TICKET_NO] = {"ticket_no", LW_TARGET_TICKETS, LW_T_TEXT},
	[LW_F_RECEIVED_AT] = {"received_at", LW_TARGET_TICKETS, LW_T_DATETIME},
	[LW_F_CHANNEL] = {"channel", LW_TARGET_TICKETS, LW_T_TEXT},
	[LW_F_CATEGORY] = {"category", LW_TARGET_TICKETS, LW_T_CATEGORY},
	[LW_F_TOPIC] = {"topic", LW_TARGET_TICKETS, LW_T_TEXT},
	[LW_F_TITLE] = {"title", LW_TARGET_TICKETS, LW_T_TEXT},
	[LW_F_CONTENT] = {"content", LW_TARGET_TICKETS, LW_T_TEXT},
	[LW_F_PLACE] = {"place", LW_TARGET_TICKETS, LW_T_TEXT},
	[LW_F_AGENCY] = {"agency", LW_TARGET_TICKETS, LW_T_AGENCY},
	[LW_F_DEADLINE] = {"deadline", LW_TARGET_TICKETS, LW_T_DATETIME},
	[LW_F_CLOSED_AT] = {"closed_at", LW_TARGET_TICKETS, LW_T_DATETIME},
	[LW_F_STATUS] = {"status", LW_TARGET_TICKETS, LW_T_STATUS},
	[LW_F_RESOLVED] = {"resolved", LW_TARGET_TICKETS, LW_T_BOOL},
	[LW_F_SATISFACTION] = {"satisfaction", LW_TARGET_TICKETS, LW_T_SATISFACTION},
	[LW_F_CALLER_PHONE] = {"caller_phone", LW_TARGET_TICKETS, LW_T_PHONE},
	[LW_F_CALLER_NAME] = {"caller_name", LW_TARGET_TICKETS, LW_T_PERSON},
	[LW_F_IGNORE] = {"(ignored)", (enum lw_target)-1, LW_T_IGNORE},
};

static const char *const type_names[LW_T__COUNT] = {
	[LW_T_TEXT] = "text", [LW_T_CASENUM] = "casenum", [LW_T_DATE] = "date",
	[LW_T_DATETIME] = "datetime", [LW_T_AGENCY] = "agency", [LW_T_AGENCIES] = "agencies",
	[LW_T_OUTCOME] = "outcome", [LW_T_BOOL] = "bool", [LW_T_PERSON] = "person",
	[LW_T_PHONE] = "phone", [LW_T_CATEGORY] = "category", [LW_T_STATUS] = "status",
	[LW_T_SATISFACTION] = "satisfaction", [LW_T_IGNORE] = "ignore",
};

const char *lw_field_name(enum lw_field f)
{
	return (unsigned)f < LW_F__COUNT ? fields[f].name : "?";
}

const char *lw_ftype_name(enum lw_ftype t)
{
	return (unsigned)t < LW_T__COUNT ? type_names[t] : "?";
}

void lw_header_fold(const char *name, char *out, size_t cap)
{
	if (!cap)
		return;
	lw_text_compact(name, out, cap, 0);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

void lw_profile_free(struct lw_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nfields; i++) {
		for (size_t j = 0; j < p->fields[i].naliases; j++)
			free(p->fields[i].aliases[j]);
		free(p->fields[i].aliases);
	}
	for (size_t i = 0; i < p->nignore; i++)
		free(p->ignore[i]);
	free(p->ignore);
	free(p->fields);
	free(p->name);
	free(p);
}

/* Copy a JSON array of strings into folded names. */
static int fold_list(json_t *arr, char ***out, size_t *n, const char *file, const char *path,
		     struct lw_err *e)
{
	size_t i;
	json_t *v;

	*out = NULL;
	*n = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return lw_err_set(e, LW_EINVAL, "%s: %s: expected an array of strings", file, path);
	*out = calloc(json_array_size(arr) + 1, sizeof **out);
	if (!*out)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		char buf[256];
		if (!json_is_string(v))
			return lw_err_set(e, LW_EINVAL, "%s: %s[%zu]: expected a string", file, path, i);
		lw_header_fold(json_string_value(v), buf, sizeof buf);
		if (!((*out)[(*n)++] = strdup(buf)))
			return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	return 0;
}

int lw_profile_parse(const char *text, size_t len, const char *file, struct lw_profile **out,
		     struct lw_err *e)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *fobj, *v;
	struct lw_profile *p = NULL;
	const char *key, *s;
	int rc = LW_EINVAL;

	*out = NULL;
	if (!root)
		return lw_err_set(e, LW_EINVAL, "%s:%d:%d: invalid JSON: %s", file, jerr.line,
				  jerr.column, jerr.text);
	if (!json_is_object(root)) {
		rc = lw_err_set(e, LW_EINVAL, "%s: a profile must be a JSON object", file);
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (strncmp(key, "//", 2) && strcmp(key, "name") && strcmp(key, "target") &&
		    strcmp(key, "fields") && strcmp(key, "ignore") && strcmp(key, "mask_free_text")) {
			rc = lw_err_set(e, LW_EINVAL, "%s: %s: unknown key", file, key);
			goto out;
		}
	}
	if (!(p = calloc(1, sizeof *p))) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	s = json_string_value(json_object_get(root, "name"));
	if (!s) {
		rc = lw_err_set(e, LW_EINVAL, "%s: name: required string is missing", file);
		goto out;
	}
	p->name = strdup(s);
	s = json_string_value(json_object_get(root, "target"));
	if (!s || (strcmp(s, "cases") && strcmp(s, "tickets"))) {
		rc = lw_err_set(e, LW_EINVAL, "%s: target: expected \"cases\" or \"tickets\"", file);
		goto out;
	}
	p->target = strcmp(s, "cases") ? LW_TARGET_TICKETS : LW_TARGET_CASES;
	{
		/* Free text of 12345 work orders is written by callers and
		 * operators, and carries numbers: masked unless a profile says
		 * otherwise (docs/import.md). */
		json_t *mt = json_object_get(root, "mask_free_text");
		if (mt && !json_is_boolean(mt)) {
			rc = lw_err_set(e, LW_EINVAL, "%s: mask_free_text: expected true or false", file);
			goto out;
		}
		p->mask_free_text = mt ? json_is_true(mt) : p->target == LW_TARGET_TICKETS;
	}
	fobj = json_object_get(root, "fields");
	if (!json_is_object(fobj) || json_object_size(fobj) == 0) {
		rc = lw_err_set(e, LW_EINVAL, "%s: fields: expected a non-empty object", file);
		goto out;
	}
	p->fields = calloc(json_object_size(fobj), sizeof *p->fields);
	if (!p->fields) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	json_object_foreach(fobj, key, v) {
		struct lw_profile_field *pf = &p->fields[p->nfields];
		const char *fk, *ts;
		json_t *fv;
		int f, t;
		char path[128];

		for (f = 0; f < LW_F__COUNT; f++)
			if (!strcmp(fields[f].name, key))
				break;
		if (f == LW_F__COUNT || (fields[f].target != p->target && f != LW_F_IGNORE)) {
			rc = lw_err_set(e, LW_EINVAL, "%s: fields.%s: not a field of the %s table", file, key,
				   p->target == LW_TARGET_CASES ? "cases" : "tickets");
			goto out;
		}
		if (!json_is_object(v)) {
			rc = lw_err_set(e, LW_EINVAL, "%s: fields.%s: expected an object", file, key);
			goto out;
		}
		json_object_foreach(v, fk, fv) {
			if (strncmp(fk, "//", 2) && strcmp(fk, "type") && strcmp(fk, "required") &&
			    strcmp(fk, "aliases") && strcmp(fk, "default_from_source")) {
				rc = lw_err_set(e, LW_EINVAL, "%s: fields.%s.%s: unknown key", file, key, fk);
				goto out;
			}
		}
		pf->field = (enum lw_field)f;
		ts = json_string_value(json_object_get(v, "type"));
		t = ts ? -1 : (int)fields[f].natural;
		for (int i = 0; ts && i < LW_T__COUNT; i++)
			if (!strcmp(type_names[i], ts))
				t = i;
		if (t < 0) {
			rc = lw_err_set(e, LW_EINVAL, "%s: fields.%s.type: unknown type \"%s\"", file, key, ts);
			goto out;
		}
		pf->type = (enum lw_ftype)t;
		pf->required = json_is_true(json_object_get(v, "required"));
		pf->default_from_source = json_is_true(json_object_get(v, "default_from_source"));
		snprintf(path, sizeof path, "fields.%s.aliases", key);
		if ((rc = fold_list(json_object_get(v, "aliases"), &pf->aliases, &pf->naliases, file,
				    path, e)) != 0) {
			p->nfields++;
			goto out;
		}
		p->nfields++;
		if (pf->naliases == 0) {
			rc = lw_err_set(e, LW_EINVAL, "%s: fields.%s.aliases: at least one header name "
					"is needed", file, key);
			goto out;
		}
	}
	if ((rc = fold_list(json_object_get(root, "ignore"), &p->ignore, &p->nignore, file, "ignore",
			    e)) != 0)
		goto out;
	*out = p;
	p = NULL;
	rc = 0;
out:
	lw_profile_free(p);
	json_decref(root);
	return rc;
}

int lw_profile_load(const char *dir, const char *name, struct lw_profile **out,
		    struct lw_err *e)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n;
	int rc;

	*out = NULL;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			return lw_err_set(e, LW_EINVAL, "invalid profile name \"%s\"", name);
	if (!*name)
		return lw_err_set(e, LW_EINVAL, "empty profile name");
	snprintf(path, sizeof path, "%s/%s.json", dir ? dir : ".", name);
	if (!(f = fopen(path, "rb")))
		return lw_err_set(e, LW_ENOENT, "profile \"%s\": cannot open %s", name, path);
	/* A profile decides which columns are personal: nobody else may
	 * rewrite it, or the directory it is in. */
	if ((rc = lw_path_trusted(dir ? dir : ".", "profile directory", 0, e)) != 0 ||
	    (rc = lw_path_trusted(path, "profile file", 0, e)) != 0) {
		fclose(f);
		return rc;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1 << 20) ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return lw_err_set(e, LW_EINVAL, "%s: unreadable or larger than 1 MiB", path);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return lw_err_set(e, LW_EIO, "%s: read error", path);
	}
	fclose(f);
	rc = lw_profile_parse(buf, (size_t)n, path, out, e);
	free(buf);
	return rc;
}
