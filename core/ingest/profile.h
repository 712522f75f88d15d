/*
 * profile.h — mapping profiles: which source column or JSON key feeds which
 * canonical field, and how its text is read.
 *
 * A profile is a JSON file in the profile directory (conf/profiles/, installed
 * under share/litwatch/profiles/):
 *
 *   { "name": "court-cases", "target": "cases",
 *     "fields": { "case_no": {"type": "casenum", "required": true,
 *                             "aliases": ["案号", "案件编号", "case_no"]}, ... },
 *     "ignore": ["序号", "备注"],
 *     "mask_free_text": true }
 *
 * Header names are compared after folding full-width forms, trimming and
 * dropping spaces; a joined two-row header "审理情况/结案日期" also matches on
 * its last part ("结案日期").
 */
#ifndef LW_INGEST_PROFILE_H
#define LW_INGEST_PROFILE_H

#include <stddef.h>

#include "base/err.h"

/* Canonical fields.  The target table decides which are allowed. */
enum lw_field {
	/* cases */
	LW_F_CASE_NO = 0,
	LW_F_DEFENDANT,
	LW_F_COURT,
	LW_F_CAUSE,
	LW_F_ACT_TYPE,
	LW_F_DOMAIN,
	LW_F_PLAINTIFF,
	LW_F_FILED_DATE,
	LW_F_CONCLUDED_DATE,
	LW_F_OUTCOME,
	LW_F_HEARING_HELD,
	LW_F_HEAD_APPEARED,
	/* dates of the obligations (core/deadlines/) */
	LW_F_PAPERS_RECEIVED_DATE,
	LW_F_REPORTED_DATE,
	LW_F_DEFENCE_FILED_DATE,
	LW_F_JUDGMENT_RECEIVED_DATE,
	LW_F_LOSS_REPORT_DATE,
	LW_F_RECTIFICATION_DATE,
	/* tickets */
	LW_F_TICKET_NO,
	LW_F_RECEIVED_AT,
	LW_F_CHANNEL,
	LW_F_CATEGORY,
	LW_F_TOPIC,
	LW_F_TITLE,
	LW_F_CONTENT,
	LW_F_PLACE,
	LW_F_AGENCY,
	LW_F_DEADLINE,
	LW_F_CLOSED_AT,
	LW_F_STATUS,
	LW_F_RESOLVED,
	LW_F_SATISFACTION,
	LW_F_CALLER_PHONE,
	LW_F_CALLER_NAME,
	/* any table: a known column that is read and dropped */
	LW_F_IGNORE,
	LW_F__COUNT
};

/* How a field's text is read. */
enum lw_ftype {
	LW_T_TEXT = 0,
	LW_T_CASENUM,
	LW_T_DATE,
	LW_T_DATETIME,
	LW_T_AGENCY,   /* one agency */
	LW_T_AGENCIES, /* one or more, "、" "，" ";" separated (co-defendants) */
	LW_T_OUTCOME,
	LW_T_BOOL,     /* 是/否, Y/N, 1/0, 出庭/未出庭 ... */
	LW_T_PERSON,   /* a name: hashed and masked, never stored in clear */
	LW_T_PHONE,    /* a number: hashed and masked, never stored in clear */
	LW_T_CATEGORY,
	LW_T_STATUS,
	LW_T_SATISFACTION,
	LW_T_IGNORE,
	LW_T__COUNT
};

enum lw_target { LW_TARGET_CASES = 0, LW_TARGET_TICKETS };

struct lw_profile_field {
	enum lw_field field;
	enum lw_ftype type;
	int required;
	int default_from_source; /* take the source's agency when absent/empty */
	char **aliases;          /* header names, folded */
	size_t naliases;
};

struct lw_profile {
	char *name;
	enum lw_target target;
	struct lw_profile_field *fields;
	size_t nfields;
	char **ignore; /* folded header names that are known and dropped */
	size_t nignore;
	int mask_free_text; /* mask phone, ID and bank numbers in text fields
			       (lw_pii_mask_text); default: on for tickets */
};

/* Load dir/<name>.json (name: letters, digits, '-', '_').  Errors name the
 * file and key path ("court-cases.json: fields.case_no.type: unknown type
 * \"x\" (expected one of text, casenum, ...)").  *out is freed with
 * lw_profile_free. */
int lw_profile_load(const char *dir, const char *name, struct lw_profile **out,
		    struct lw_err *e);

/* Same from JSON text; file names the text in messages. */
int lw_profile_parse(const char *text, size_t len, const char *file, struct lw_profile **out,
		     struct lw_err *e);

void lw_profile_free(struct lw_profile *p);

/* Canonical name of a field ("case_no") and of a type ("casenum"). */
const char *lw_field_name(enum lw_field f);
const char *lw_ftype_name(enum lw_ftype t);

/* Fold a header name for comparison into out (cap bytes): full-width to
 * ASCII, trimmed, spaces and line breaks dropped, ASCII lower-cased. */
void lw_header_fold(const char *name, char *out, size_t cap);

#endif
