/*
 * mapper.c — header → field mapping and cell → canonical value (record.h).
 *
 * Every problem with a cell becomes a field error with a reason in Chinese
 * for the clerk who typed it and in English for the operator, plus the value
 * as given (masked when it is personal data: a clear phone number or name
 * never leaves this file except as a keyed hash or a masked form).
 */
#include "ingest/record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "domain/agency.h"
#include "domain/casenum.h"
#include "domain/date.h"
#include "domain/outcome.h"
#include "domain/pii.h"
#include "domain/vocab.h"
#include "ingest/memo.h"

static const char *const case_cols[LW_CC__COUNT] = {
	"case_no_raw", "year", "court_code", "special_code", "type_code", "seq", "court",
	"court_level", "cause", "act_type", "domain", "plaintiff_hash", "plaintiff_mask",
	"filed_date", "concluded_date", "outcome", "outcome_raw", "agency_lost", "hearing_held",
	"head_appeared", "papers_received_date", "reported_date", "defence_filed_date",
	"judgment_received_date", "loss_report_date", "rectification_date",
};

static const char *const ticket_cols[LW_TC__COUNT] = {
	"received_at", "channel", "category", "topic", "title", "content", "place", "agency_raw",
	"deadline", "closed_at", "status", "resolved", "satisfaction", "caller_hash", "caller_mask",
	"caller_name_hash", "law_enforcement", "agency_id",
};

const char *lw_case_col_name(enum lw_case_col c)
{
	return (unsigned)c < LW_CC__COUNT ? case_cols[c] : "?";
}

const char *lw_ticket_col_name(enum lw_ticket_col c)
{
	return (unsigned)c < LW_TC__COUNT ? ticket_cols[c] : "?";
}

int lw_rec_col_is_int(enum lw_target t, int col)
{
	if (t == LW_TARGET_CASES)
		return col == LW_CC_YEAR || col == LW_CC_SEQ || col == LW_CC_AGENCY_LOST ||
		       col == LW_CC_HEARING_HELD || col == LW_CC_HEAD_APPEARED;
	return col == LW_TC_RESOLVED || col == LW_TC_LAW_ENFORCEMENT || col == LW_TC_AGENCY_ID;
}

/* The record's arena: blocks of memory that values are carved from and
 * that are emptied, not freed, between rows.  A row's ~20 values each
 * malloc'd and freed cost a tenth of a 12345 import's CPU (measured:
 * lw_record_clear's frees alone 6% with the rows of the reader thread
 * in flight). */
struct lw_rec_block {
	struct lw_rec_block *next; /* older block */
	size_t cap, used;
	char data[];
};

#define BLOCK_SIZE 4096
#define BLOCK_KEEP (64 * 1024) /* a bigger block (a huge cell) is not kept */

static void *rec_alloc(struct lw_record *r, size_t n)
{
	struct lw_rec_block *b = r->arena;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_SIZE - sizeof *b ? n : BLOCK_SIZE - sizeof *b;
		if (!(b = malloc(sizeof *b + cap)))
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = r->arena;
		r->arena = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

static char *rec_dupn(struct lw_record *r, const char *s, size_t n)
{
	char *d = rec_alloc(r, n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *rec_dup(struct lw_record *r, const char *s)
{
	return s ? rec_dupn(r, s, strlen(s)) : NULL;
}

void lw_record_clear(struct lw_record *r)
{
	struct lw_rec_block *keep = r->arena, *b;

	for (size_t i = 0; i < r->nerrors; i++) {
		free(r->errors[i].reason_zh);
		free(r->errors[i].reason_en);
		free(r->errors[i].value);
	}
	free(r->errors);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	if (keep && keep->cap > BLOCK_KEEP)
		keep = NULL;
	for (b = keep ? keep->next : r->arena; b;) {
		struct lw_rec_block *next = b->next;
		free(b);
		b = next;
	}
	{
		int64_t *ids = r->agency_ids; /* kept, as the arena is */
		size_t capids = r->capids;
		memset(r, 0, sizeof *r);
		r->agency_ids = ids;
		r->capids = capids;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
		r->arena = keep;
	}
}

void lw_record_free(struct lw_record *r)
{
	free(r->agency_ids);
	r->agency_ids = NULL;
	r->capids = 0;
	lw_record_clear(r);
	free(r->arena);
	r->arena = NULL;
}

void lw_record_measure(struct lw_record *r)
{
	r->keylen = r->key ? (uint32_t)strlen(r->key) : 0;
	for (int c = 0; c < LW_REC_MAX_COLS; c++)
		r->vlen[c] = r->val[c] ? (uint32_t)strlen(r->val[c]) : 0;
	r->measured = 1;
}

/* ---- mapping ---- */

void lw_mapping_free(struct lw_mapping *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ncols; i++)
		free(m->headers[i]);
	free(m->headers);
	free(m->role);
	free(m->unknown);
	free(m);
}

/* Does folded header h match alias a?  Exact, or h's last "/" part. */
static int header_matches(const char *h, const char *a)
{
	const char *slash = strrchr(h, '/');
	return !strcmp(h, a) || (slash && !strcmp(slash + 1, a));
}

static char *join_list(char *const *items, size_t n)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 2;
	if (!(out = malloc(len)))
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, ", ");
		strcat(out, items[i]);
	}
	return out;
}

/* Does a header cell look like data rather than a column name: a number
 * lw_pii_mask_text would hide, or a date?  Then a missing column means the
 * file has no header row, and the cells are callers' data. */
static int looks_like_data(const char *h)
{
	char tmp[256];
	struct lw_date d;

	if (!h || !*h)
		return 0;
	snprintf(tmp, sizeof tmp, "%s", h);
	if (lw_pii_mask_text(tmp) > 0)
		return 1;
	return strpbrk(h, "0123456789") && lw_date_parse(h, 0, &d, NULL) == 0;
}

/* Copy of s with personal numbers masked (NULL when out of memory). */
static char *masked_dup(const char *s)
{
	char *t = strdup(s ? s : "");
	lw_pii_mask_text(t);
	return t;
}

int lw_mapping_build(const struct lw_profile *p, const char *const *headers, size_t n,
		     int have_agency, struct lw_mapping **out, struct lw_err *e)
{
	struct lw_mapping *m = calloc(1, sizeof *m);
	char **unknown = NULL;
	size_t nunknown = 0;
	int rc = 0, data_like = 0;

	*out = NULL;
	if (!m || !(m->headers = calloc(n + 1, sizeof *m->headers)) ||
	    !(m->role = calloc(n + 1, 1)) || !(unknown = calloc(n + 1, sizeof *unknown))) {
		if (m) {
			free(m->headers);
			free(m->role);
		}
		free(m);
		free(unknown);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	m->profile = p;
	m->ncols = n;
	for (int f = 0; f < LW_F__COUNT; f++)
		m->col[f] = m->alt[f] = -1;
	for (size_t c = 0; c < n; c++) {
		char h[256];
		int known = 0;
		m->headers[c] = strdup(headers[c] ? headers[c] : "");
		data_like |= looks_like_data(headers[c]);
		lw_header_fold(headers[c], h, sizeof h);
		if (!h[0])
			continue; /* an unnamed column: nothing to map, nothing to report */
		for (size_t i = 0; i < p->nfields && !known; i++) {
			const struct lw_profile_field *pf = &p->fields[i];
			for (size_t a = 0; a < pf->naliases; a++) {
				if (!header_matches(h, pf->aliases[a]))
					continue;
				known = 1;
				if (pf->field == LW_F_IGNORE)
					break;
				/* Every column under a personal field's aliases is
				 * personal, whichever one the field reads. */
				m->role[c] = (pf->type == LW_T_PERSON || pf->type == LW_T_PHONE)
						     ? LW_COL_PERSONAL : LW_COL_MAPPED;
				/* The first column wins when two carry the same
				 * field; the second fills in where it is empty. */
				if (m->col[pf->field] < 0) {
					m->col[pf->field] = (int)c;
					m->pf[pf->field] = pf;
				} else if (m->alt[pf->field] < 0) {
					m->alt[pf->field] = (int)c;
				}
				break;
			}
		}
		for (size_t i = 0; i < p->nignore && !known; i++)
			known = header_matches(h, p->ignore[i]);
		if (!known && m->headers[c])
			unknown[nunknown++] = m->headers[c];
	}
	if (nunknown && !data_like && (m->unknown = join_list(unknown, nunknown)))
		lw_pii_mask_text(m->unknown);
	for (size_t i = 0; i < p->nfields; i++) {
		const struct lw_profile_field *pf = &p->fields[i];
		char *found, *accepted;
		if (!pf->required || m->col[pf->field] >= 0)
			continue;
		if (pf->default_from_source && have_agency) {
			m->pf[pf->field] = pf;
			continue;
		}
		accepted = join_list(pf->aliases, pf->naliases);
		if (data_like) {
			/* An export without its header row: the first row is a
			 * caller's data and is never repeated. */
			rc = lw_err_set(e, LW_EFORMAT,
					"第一行不是表头（像是数据），缺少必填列「%s」；请保留导出文件的"
					"表头行 / the first row looks like data, not a header: missing "
					"required column for %s (accepted names: %s); keep the export's "
					"header row",
					pf->aliases[0], lw_field_name(pf->field), accepted ? accepted : "?");
			free(accepted);
			break;
		}
		found = join_list(m->headers, n);
		if (found)
			lw_pii_mask_text(found);
		rc = lw_err_set(e, LW_EFORMAT,
				"缺少必填列「%s」/ missing required column for %s: accepted names: %s; "
				"headers found: %s",
				pf->aliases[0], lw_field_name(pf->field), accepted ? accepted : "?",
				found && *found ? found : "(none)");
		free(found);
		free(accepted);
		break;
	}
	free(unknown);
	if (rc) {
		lw_mapping_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

/* ---- cell conversion ---- */

__attribute__((format(printf, 5, 6)))
static void add_error(struct lw_record *r, int col, enum lw_field f, const char *value,
		      const char *fmt_zh_en, ...)
{
	struct lw_field_error *tmp = realloc(r->errors, (r->nerrors + 1) * sizeof *tmp);
	char buf[1024];
	va_list ap;
	char *sep;

	if (!tmp)
		return;
	r->errors = tmp;
	va_start(ap, fmt_zh_en);
	vsnprintf(buf, sizeof buf, fmt_zh_en, ap);
	va_end(ap);
	/* The format is "中文|English". */
	sep = strchr(buf, '|');
	if (sep)
		*sep = '\0';
	/* The value and the reasons (a parser may quote the cell) go into
	 * reports and rejects: numbers masked, whatever the field (a phone
	 * number typed into a date column). */
	r->errors[r->nerrors] = (struct lw_field_error){
		col, f, masked_dup(buf), masked_dup(sep ? sep + 1 : buf), value ? masked_dup(value) : NULL,
	};
	r->nerrors++;
}

static void add_warning(struct lw_record *r, const char *msg)
{
	char **tmp = realloc(r->warnings, (r->nwarnings + 1) * sizeof *tmp);
	if (!tmp)
		return;
	r->warnings = tmp;
	r->warnings[r->nwarnings++] = strdup(msg);
}

/* Trimmed copy of a cell, or NULL when it is empty. */
static char *cell_text(struct lw_record *r, const char *s)
{
	size_t start, n;

	if (!s)
		return NULL;
	n = lw_trim_span(s, strlen(s), &start);
	return n ? rec_dupn(r, s + start, n) : NULL;
}

/* Yes/no in the ways Chinese forms write it.  Returns 1, 0 or -1. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = {"是", "有", "已出庭", "出庭", "y", "yes", "true", "1",
					  "√", "✓", "开庭", "已开庭"};
	static const char *const no[] = {"否", "无", "未出庭", "不出庭", "没有", "n", "no", "false",
					 "0", "×", "未开庭", "不开庭"};
	char f[64];

	lw_header_fold(s, f, sizeof f);
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!strcmp(f, yes[i]))
			return 1;
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (!strcmp(f, no[i]))
			return 0;
	return -1;
}

/* The warehouse's outcome codes (outcomes table) for the classifier's. */
static const char *outcome_code(enum lw_outcome o)
{
	switch (o) {
	case LW_OUTCOME_PENDING: return "pending";
	case LW_OUTCOME_REJECTED_CLAIMS: return "claims_rejected";
	case LW_OUTCOME_REVOKED: return "revoked";
	case LW_OUTCOME_CONFIRMED_ILLEGAL: return "confirmed_illegal";
	case LW_OUTCOME_CONFIRMED_VOID: return "confirmed_void";
	case LW_OUTCOME_ORDERED_PERFORM: return "ordered_perform";
	case LW_OUTCOME_MODIFIED: return "modified";
	case LW_OUTCOME_ORDERED_PAY: return "ordered_pay";
	case LW_OUTCOME_COMPENSATION: return "compensation";
	case LW_OUTCOME_DISMISSED: return "dismissed";
	case LW_OUTCOME_WITHDRAWN: return "withdrawn";
	case LW_OUTCOME_WITHDRAWN_CHANGED: return "withdrawn_after_change";
	case LW_OUTCOME_MEDIATED: return "mediated";
	case LW_OUTCOME_TRANSFERRED: return "transferred";
	case LW_OUTCOME_TERMINATED: return "terminated";
	case LW_OUTCOME_UPHELD: return "upheld";
	case LW_OUTCOME_REMANDED: return "remanded";
	case LW_OUTCOME_LOST_UNSPECIFIED: return "lost_unspecified";
	case LW_OUTCOME_WON_UNSPECIFIED: return "won_unspecified";
	case LW_OUTCOME_OTHER: return "other";
	default: return "unknown";
	}
}

static char *fmt_int(struct lw_record *r, long long v)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", v);
	return rec_dup(r, b);
}

/* Canonical agency name of a normalised one: through the alias table. */
static char *canonical_of(struct lw_record *r, const struct lw_map_ctx *ctx, const char *norm)
{
	const char *c = ctx->aliases ? lw_agency_aliases_lookup(ctx->aliases, norm) : NULL;
	return rec_dup(r, c ? c : norm);
}

/* Canonical agency name: normalised, then through the alias table. */
static char *canonical_agency(struct lw_record *r, const struct lw_map_ctx *ctx, const char *name)
{
	char norm[LW_AGENCY_NAME_MAX + 8];

	if (lw_agency_normalize(name, norm, sizeof norm, NULL) != 0)
		return NULL;
	return canonical_of(r, ctx, norm);
}

/* names[i] (as written) become the record's agencies; canon, when given,
 * is the one name's canonical form already known; norm, when given, the
 * one name already normalised. */
static int set_agencies(struct lw_record *r, const struct lw_map_ctx *ctx, char **names,
			size_t n, const char *norm, const char *canon)
{
	r->agencies = rec_alloc(r, n * sizeof *r->agencies);
	r->agencies_raw = rec_alloc(r, n * sizeof *r->agencies_raw);
	if (!r->agencies || !r->agencies_raw)
		return LW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r->agencies[i] = canon ? rec_dup(r, canon)
			       : norm ? canonical_of(r, ctx, norm) : canonical_agency(r, ctx, names[i]);
		r->agencies_raw[i] = rec_dup(r, names[i]);
		r->nagencies++;
		if (!r->agencies[i] || !r->agencies_raw[i])
			return LW_ENOMEM;
	}
	return 0;
}

/* Convert one field.  t: the column's text (trimmed, non-empty). */
static void map_field(struct lw_record *r, const struct lw_map_ctx *ctx,
		      const struct lw_profile_field *pf, int col, char *t)
{
	struct lw_err err;
	const int cases = r->target == LW_TARGET_CASES;
	struct lw_date d;
	int b;

	lw_err_clear(&err);

#define SET(idx, v) (r->val[idx] = (v))
	switch (pf->type) {
	case LW_T_IGNORE:
		break;
	case LW_T_TEXT:
		if (pf->field == LW_F_TICKET_NO) {
			r->key = lw_fold_fullwidth(t);
			break;
		}
		if (r->mask_text)
			lw_pii_mask_text(t);
		{
			static const struct { enum lw_field f; int cc, tc; } map[] = {
				{LW_F_COURT, LW_CC_COURT, -1}, {LW_F_CAUSE, LW_CC_CAUSE, -1},
				{LW_F_ACT_TYPE, LW_CC_ACT_TYPE, -1}, {LW_F_DOMAIN, LW_CC_DOMAIN, -1},
				{LW_F_CHANNEL, -1, LW_TC_CHANNEL}, {LW_F_TOPIC, -1, LW_TC_TOPIC},
				{LW_F_TITLE, -1, LW_TC_TITLE}, {LW_F_CONTENT, -1, LW_TC_CONTENT},
				{LW_F_PLACE, -1, LW_TC_PLACE},
			};
			for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
				if (map[i].f == pf->field) {
					int idx = cases ? map[i].cc : map[i].tc;
					if (idx >= 0)
						SET(idx, t);
				}
		}
		break;
	case LW_T_CASENUM: {
		struct lw_casenum cn;
		int crc = lw_casenum_parse(t, &cn, &err);
		if (crc == LW_EINVAL && lw_casenum_kind_zh(cn.type)) {
			/* Well formed, but another kind of case: say which. */
			add_error(r, col, pf->field, t, "这是%s案号（%s），不是行政案号|%s",
				  lw_casenum_kind_zh(cn.type), cn.type, err.msg);
			break;
		}
		if (crc != 0) {
			add_error(r, col, pf->field, t, "案号格式不正确，应如 (2023)鄂9004行初15号|%s",
				  err.msg);
			break;
		}
		r->key = rec_dup(r, cn.norm);
		SET(LW_CC_CASE_NO_RAW, t);
		SET(LW_CC_YEAR, fmt_int(r, cn.year));
		SET(LW_CC_COURT_CODE, rec_dup(r, cn.court));
		SET(LW_CC_SPECIAL_CODE, cn.special[0] ? rec_dup(r, cn.special) : NULL);
		SET(LW_CC_TYPE_CODE, rec_dup(r, cn.type));
		SET(LW_CC_SEQ, fmt_int(r, cn.sequence));
		SET(LW_CC_COURT_LEVEL, cn.level != LW_COURT_UNKNOWN ?
				       rec_dup(r, lw_court_level_name(cn.level)) : NULL);
		break;
	}
	case LW_T_DATE:
	case LW_T_DATETIME: {
		unsigned flags = ctx->date_1904 ? LW_DATE_EXCEL_1904 : 0;
		char iso[LW_DATE_ISO_MAX + 4];
		int idx = -1;
		if (lw_date_parse(t, flags, &d, &err) != 0) {
			add_error(r, col, pf->field, t, "%s|%s", lw_date_reason_zh(), err.msg);
			break;
		}
		if (pf->type == LW_T_DATE) {
			d.has_time = 0;
		} else if (!d.has_time) {
			d.has_time = 1; /* a date alone means its midnight */
			d.h = d.min = d.s = 0;
		}
		lw_date_format_iso(&d, iso);
		if (pf->type == LW_T_DATETIME && iso[10] == 'T')
			iso[10] = ' ';
		switch (pf->field) {
		case LW_F_FILED_DATE: idx = LW_CC_FILED_DATE; break;
		case LW_F_CONCLUDED_DATE: idx = LW_CC_CONCLUDED_DATE; break;
		case LW_F_PAPERS_RECEIVED_DATE: idx = LW_CC_PAPERS_RECEIVED_DATE; break;
		case LW_F_REPORTED_DATE: idx = LW_CC_REPORTED_DATE; break;
		case LW_F_DEFENCE_FILED_DATE: idx = LW_CC_DEFENCE_FILED_DATE; break;
		case LW_F_JUDGMENT_RECEIVED_DATE: idx = LW_CC_JUDGMENT_RECEIVED_DATE; break;
		case LW_F_LOSS_REPORT_DATE: idx = LW_CC_LOSS_REPORT_DATE; break;
		case LW_F_RECTIFICATION_DATE: idx = LW_CC_RECTIFICATION_DATE; break;
		case LW_F_RECEIVED_AT: idx = LW_TC_RECEIVED_AT; break;
		case LW_F_DEADLINE: idx = LW_TC_DEADLINE; break;
		case LW_F_CLOSED_AT: idx = LW_TC_CLOSED_AT; break;
		default: break;
		}
		if (idx >= 0)
			SET(idx, rec_dup(r, iso));
		break;
	}
	case LW_T_AGENCY:
	case LW_T_AGENCIES: {
		char **names = NULL;
		size_t n = 0;
		if (pf->type == LW_T_AGENCY) {
			const char *canon = lw_map_memo_get(ctx->memo, LW_MEMO_AGENCY, t);
			char norm[LW_AGENCY_NAME_MAX + 8];
			if (!canon && lw_agency_normalize(t, norm, sizeof norm, &err) != 0) {
				add_error(r, col, pf->field, t, "机关名称无法识别|%s", err.msg);
				break;
			}
			names = &t;
			n = 1;
			if (set_agencies(r, ctx, names, n, norm, canon) != 0)
				add_error(r, col, pf->field, NULL, "内存不足|out of memory");
			else if (!canon)
				lw_map_memo_put(ctx->memo, LW_MEMO_AGENCY, t, r->agencies[0]);
			if (!cases)
				SET(LW_TC_AGENCY_RAW, t);
			break;
		}
		if (lw_agency_split(t, &names, &n, &err) != 0) {
			add_error(r, col, pf->field, t, "被告机关名称无法识别|%s", err.msg);
			break;
		}
		if (set_agencies(r, ctx, names, n, NULL, NULL) != 0)
			add_error(r, col, pf->field, NULL, "内存不足|out of memory");
		lw_agency_names_free(names, n);
		break;
	}
	case LW_T_OUTCOME:
		/* Classified once the row's case number is known (its type
		 * decides what the words mean): see lw_record_map. */
		SET(LW_CC_OUTCOME_RAW, t);
		break;
	case LW_T_BOOL:
		b = parse_bool(t);
		if (b < 0) {
			add_error(r, col, pf->field, t, "应填「是」或「否」|expected yes or no (是/否)");
			break;
		}
		switch (pf->field) {
		case LW_F_HEARING_HELD: SET(LW_CC_HEARING_HELD, fmt_int(r, b)); break;
		case LW_F_HEAD_APPEARED: SET(LW_CC_HEAD_APPEARED, fmt_int(r, b)); break;
		case LW_F_RESOLVED: SET(LW_TC_RESOLVED, fmt_int(r, b)); break;
		default: break;
		}
		break;
	case LW_T_PERSON:
	case LW_T_PHONE: {
		enum lw_pii_kind kind = pf->type == LW_T_PHONE ? LW_PII_PHONE : LW_PII_NAME;
		char hash[LW_PII_HASH_HEX], mask[LW_PII_MASK_MAX];
		int hidx, midx;
		if (!ctx->pii) {
			/* Without a key personal data is dropped, never stored in
			 * clear (the configuration check requires a key for
			 * profiles that need it, such as hotline-12345). */
			if (r->nwarnings == 0)
				add_warning(r, "未配置 pii_key_file，个人信息列未保存 / no pii_key_file: "
					       "personal columns were not stored");
			break;
		}
		if (lw_pii_hash(ctx->pii, kind, t, hash, &err) != 0 ||
		    (kind == LW_PII_PHONE ? lw_pii_mask_phone(t, mask, sizeof mask, &err)
					  : lw_pii_mask_name(t, mask, sizeof mask, &err)) != 0) {
			char masked[LW_PII_MASK_MAX];
			snprintf(masked, sizeof masked, "%.2s…", t);
			add_error(r, col, pf->field, masked, "%s|%s",
				  kind == LW_PII_PHONE ? "电话号码无法识别" : "姓名无法识别", err.msg);
			break;
		}
		if (pf->field == LW_F_PLAINTIFF) {
			hidx = LW_CC_PLAINTIFF_HASH;
			midx = LW_CC_PLAINTIFF_MASK;
		} else if (pf->field == LW_F_CALLER_PHONE) {
			hidx = LW_TC_CALLER_HASH;
			midx = LW_TC_CALLER_MASK;
		} else {
			hidx = LW_TC_CALLER_NAME_HASH;
			midx = -1;
		}
		SET(hidx, rec_dup(r, hash));
		if (midx >= 0)
			SET(midx, rec_dup(r, mask));
		/* Wipe the clear value from the cell buffer we own. */
		memset(t, 0, strlen(t));
		break;
	}
	case LW_T_CATEGORY: {
		enum lw_ticket_category c = lw_ticket_category_parse(t);
		if (c == LW_CAT_UNKNOWN) {
			add_error(r, col, pf->field, t, "诉求类型应为 咨询/求助/投诉/建议/举报/感谢/其它 之一|"
				  "unknown category (expected one of 咨询 求助 投诉 建议 举报 感谢 其它)");
			break;
		}
		SET(LW_TC_CATEGORY, rec_dup(r, lw_ticket_category_name(c)));
		break;
	}
	case LW_T_STATUS: {
		const char *known = lw_map_memo_get(ctx->memo, LW_MEMO_STATUS, t);
		enum lw_ticket_status s;
		if (known) {
			SET(LW_TC_STATUS, rec_dup(r, known));
			break;
		}
		s = lw_ticket_status_parse(t);
		/* An unknown status is kept as written: platforms invent new ones. */
		SET(LW_TC_STATUS, s == LW_STATUS_UNKNOWN ? t : rec_dup(r, lw_ticket_status_name(s)));
		lw_map_memo_put(ctx->memo, LW_MEMO_STATUS, t, r->val[LW_TC_STATUS]);
		break;
	}
	case LW_T_SATISFACTION: {
		enum lw_satisfaction s = lw_satisfaction_parse(t, 0);
		if (s == LW_SAT_UNKNOWN) {
			add_error(r, col, pf->field, t, "满意度应为 满意/基本满意/不满意/未评价|"
				  "unknown satisfaction (expected 满意 基本满意 不满意 未评价)");
			break;
		}
		SET(LW_TC_SATISFACTION, rec_dup(r, lw_satisfaction_name(s)));
		break;
	}
	case LW_T__COUNT:
		break;
	}
#undef SET
}

/* The outcome of a case from its text and, when the row has one, the type
 * of its case number (a 行审 is not a lawsuit; in a 行终 按撤诉处理 is the
 * appeal's withdrawal). */
static void classify_outcome(struct lw_record *r, const struct lw_map_ctx *ctx)
{
	const char *t = r->val[LW_CC_OUTCOME_RAW];
	enum lw_outcome o = lw_outcome_classify_case(t, r->val[LW_CC_TYPE_CODE]);
	char buf[1024];

	if (o == LW_OUTCOME_PENDING && lw_outcome_agency_changed_act(t))
		o = LW_OUTCOME_WITHDRAWN_CHANGED;
	r->val[LW_CC_OUTCOME] = rec_dup(r, outcome_code(o));
	if (lw_outcome_is_concluded(o) && o != LW_OUTCOME_UPHELD)
		r->val[LW_CC_AGENCY_LOST] = fmt_int(r, lw_outcome_is_loss(o, ctx->outcome_flags));
	if (o == LW_OUTCOME_UNKNOWN) {
		snprintf(buf, sizeof buf, "第 %u 行裁判结果「%s」无法识别，已按原文保存 / row %u: "
			 "outcome \"%s\" not understood; kept as written", r->row, t, r->row, t);
		add_warning(r, buf);
	}
}

int lw_record_map(const struct lw_mapping *m, const struct lw_map_ctx *ctx, uint32_t row,
		  const char *const *cells, size_t ncells, struct lw_record *r)
{
	const struct lw_profile *p = m->profile;

	lw_record_clear(r);
	r->target = p->target;
	r->row = row;
	r->mask_text = p->mask_free_text;
	for (size_t i = 0; i < p->nfields; i++) {
		const struct lw_profile_field *pf = &p->fields[i];
		int col = m->col[pf->field];
		char *t = (col >= 0 && (size_t)col < ncells) ? cell_text(r, cells[col]) : NULL;
		int alt = m->alt[pf->field];

		if (!t && alt >= 0 && (size_t)alt < ncells && (t = cell_text(r, cells[alt])))
			col = alt;

		if (!t && pf->default_from_source && ctx->source_agency)
			t = rec_dup(r, ctx->source_agency);
		if (!t) {
			if (pf->required && pf->field != LW_F_IGNORE && (col >= 0 || !pf->default_from_source))
				add_error(r, col, pf->field, "", "必填项为空|required value is empty");
			continue;
		}
		map_field(r, ctx, pf, col, t);
	}
	if (r->target == LW_TARGET_CASES && r->val[LW_CC_OUTCOME_RAW])
		classify_outcome(r, ctx);
	/* The warehouse refuses it too (a CHECK), but only here can the clerk
	 * be told which column and why. */
	if (r->target == LW_TARGET_CASES && r->val[LW_CC_FILED_DATE] && r->val[LW_CC_CONCLUDED_DATE] &&
	    strcmp(r->val[LW_CC_CONCLUDED_DATE], r->val[LW_CC_FILED_DATE]) < 0)
		add_error(r, m->col[LW_F_CONCLUDED_DATE], LW_F_CONCLUDED_DATE, r->val[LW_CC_CONCLUDED_DATE],
			  "结案日期 %s 早于立案日期 %s|concluded %s is before filed %s",
			  r->val[LW_CC_CONCLUDED_DATE], r->val[LW_CC_FILED_DATE],
			  r->val[LW_CC_CONCLUDED_DATE], r->val[LW_CC_FILED_DATE]);
	if (r->target == LW_TARGET_TICKETS) {
		/* 涉及执法: does the work order concern law enforcement?  A keyword
		 * match on category/topic/title (documented in docs/domain-rules.md). */
		const char *kw = NULL;
		for (int c = LW_TC_TOPIC; c <= LW_TC_CONTENT && !kw; c++)
			if (r->val[c])
				kw = lw_enforcement_keyword(r->val[c]);
		r->val[LW_TC_LAW_ENFORCEMENT] = rec_dup(r, kw ? "1" : "0");
	}
	if (!r->key && r->nerrors == 0)
		add_error(r, -1, p->target == LW_TARGET_CASES ? LW_F_CASE_NO : LW_F_TICKET_NO, "",
			  "缺少编号|no key (case number or ticket number)");
	return 0;
}
