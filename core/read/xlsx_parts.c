/*
 * xlsx_parts.c — the small parts of an .xlsx read whole before the sheet:
 * workbook.xml (sheet names, 1904 date system), its relationships (where each
 * sheet lives), styles.xml (which cell formats are dates) and
 * sharedStrings.xml (the one table we keep in memory, capped).  Also the
 * guarded zip-member reader and the DTD-refusing expat set-up shared with
 * xlsx.c.
 */
#include "read/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XML_CHUNK 65536

int lw_zmember_open(zip_t *z, const char *name, const struct lw_read_limits *lim,
		    struct lw_zmember *m, struct lw_err *e)
{
	zip_int64_t idx = zip_name_locate(z, name, ZIP_FL_NOCASE);
	zip_stat_t st;

	memset(m, 0, sizeof *m);
	snprintf(m->name, sizeof m->name, "%s", name);
	if (idx < 0)
		return LW_ENOENT;
	if (zip_stat_index(z, (zip_uint64_t)idx, 0, &st) != 0)
		return lw_err_set(e, LW_EFORMAT, "broken zip member %s", name);
	if ((st.valid & ZIP_STAT_SIZE) && st.size > lim->max_part_bytes)
		return lw_err_set(e, LW_ELIMIT,
				  "%s unpacks to %llu bytes, over the %llu-byte limit (zip bomb?)", name,
				  (unsigned long long)st.size, (unsigned long long)lim->max_part_bytes);
	if ((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) && st.size > (1u << 20) &&
	    st.size / (st.comp_size ? st.comp_size : 1) > lim->max_ratio)
		return lw_err_set(e, LW_ELIMIT,
				  "%s is compressed %llu:1, over the %u:1 limit (zip bomb?)", name,
				  (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)),
				  lim->max_ratio);
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return lw_err_set(e, LW_ECRYPT, "encrypted workbook: save it without a password");
	m->size = (st.valid & ZIP_STAT_SIZE) ? st.size : lim->max_part_bytes;
	m->cap = m->size < lim->max_part_bytes ? m->size : lim->max_part_bytes;
	m->f = zip_fopen_index(z, (zip_uint64_t)idx, 0);
	if (!m->f)
		return lw_err_set(e, LW_EFORMAT, "cannot open zip member %s: %s", name,
				  zip_error_strerror(zip_get_error(z)));
	return 0;
}

long long lw_zmember_read(struct lw_zmember *m, void *buf, size_t n, struct lw_err *e)
{
	zip_int64_t got = zip_fread(m->f, buf, n);

	if (got < 0)
		return lw_err_set(e, LW_EFORMAT, "%s is damaged (truncated or corrupt zip): %s", m->name,
				  zip_file_strerror(m->f));
	m->got += (uint64_t)got;
	if (m->got > m->cap) /* the directory lied about the size */
		return lw_err_set(e, LW_ELIMIT, "%s unpacks to more than its declared %llu bytes",
				  m->name, (unsigned long long)m->cap);
	return got;
}

void lw_zmember_close(struct lw_zmember *m)
{
	if (m->f)
		zip_fclose(m->f);
	m->f = NULL;
}

const char *lw_xml_lname(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

const char *lw_xml_attr(const char **atts, const char *key)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (!strcmp(lw_xml_lname(atts[i]), key))
			return atts[i + 1];
	return NULL;
}

/* Any DOCTYPE is refused: spreadsheet XML never has one, and refusing it
 * makes entity-expansion bombs and external entities impossible. */
static void XMLCALL on_doctype(void *user, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	XML_Parser p = *(XML_Parser *)user;
	XML_StopParser(p, XML_FALSE);
}

XML_Parser lw_xml_parser(void *user)
{
	XML_Parser p = XML_ParserCreate("UTF-8");

	if (!p)
		return NULL;
	/* Convention: `user` starts with the XML_Parser so on_doctype finds it. */
	XML_SetUserData(p, user);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	return p;
}

int lw_xml_parse_member(zip_t *z, const char *name, XML_Parser p, const struct lw_read_limits *lim,
			int *refused, struct lw_err *e)
{
	struct lw_zmember m;
	int rc = lw_zmember_open(z, name, lim, &m, e);

	if (rc)
		return rc;
	for (;;) {
		void *buf = XML_GetBuffer(p, XML_CHUNK);
		long long n;
		if (!buf) {
			rc = lw_err_set(e, LW_ENOMEM, "out of memory parsing %s", name);
			break;
		}
		n = lw_zmember_read(&m, buf, XML_CHUNK, e);
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
			if (refused && *refused)
				rc = lw_err_set(e, LW_EFORMAT, "%s: refused (%s)", name,
						*refused == 2 ? "a limit was hit"
							      : "XML with a DTD or entity declarations");
			else if (XML_GetErrorCode(p) == XML_ERROR_ABORTED)
				rc = lw_err_set(e, LW_EFORMAT, "%s: XML with a DTD is refused", name);
			else
				rc = lw_err_set(e, LW_EFORMAT, "%s: broken XML at line %lu: %s", name,
						(unsigned long)XML_GetCurrentLineNumber(p),
						XML_ErrorString(XML_GetErrorCode(p)));
			break;
		}
		if (n == 0)
			break;
	}
	lw_zmember_close(&m);
	return rc;
}

/* ---- relationships ------------------------------------------------------ */

struct rels {
	XML_Parser p;
	char **id, **target, **type;
	size_t n, cap;
	int oom;
};

static char *xstrdup(const char *s)
{
	return strdup(s ? s : "");
}

static void XMLCALL rels_start(void *u, const XML_Char *el, const XML_Char **atts)
{
	struct rels *r = u;
	if (strcmp(lw_xml_lname(el), "Relationship") || r->oom)
		return;
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		char **a = realloc(r->id, nc * sizeof *a), **b, **c;
		if (a)
			r->id = a;
		b = realloc(r->target, nc * sizeof *b);
		if (b)
			r->target = b;
		c = realloc(r->type, nc * sizeof *c);
		if (c)
			r->type = c;
		if (!a || !b || !c || nc > 100000) {
			r->oom = 1;
			return;
		}
		r->cap = nc;
	}
	r->id[r->n] = xstrdup(lw_xml_attr(atts, "Id"));
	r->target[r->n] = xstrdup(lw_xml_attr(atts, "Target"));
	r->type[r->n] = xstrdup(lw_xml_attr(atts, "Type"));
	r->n++;
}

static void rels_free(struct rels *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->id[i]);
		free(r->target[i]);
		free(r->type[i]);
	}
	free(r->id);
	free(r->target);
	free(r->type);
}

/* Target relative to xl/ (or absolute "/xl/...") -> member path. */
static char *part_path(const char *target)
{
	char *s;
	if (target[0] == '/')
		return strdup(target + 1);
	s = malloc(strlen(target) + 4);
	if (s)
		sprintf(s, "xl/%s", target);
	return s;
}

/* ---- workbook ----------------------------------------------------------- */

struct wbparse {
	XML_Parser p;
	struct lw_workbook *wb;
	char **rid;
	int oom;
};

static void XMLCALL wb_start(void *u, const XML_Char *el, const XML_Char **atts)
{
	struct wbparse *w = u;
	const char *ln = lw_xml_lname(el);

	if (!strcmp(ln, "workbookPr")) {
		const char *d = lw_xml_attr(atts, "date1904");
		w->wb->date1904 = d && (!strcmp(d, "1") || !strcasecmp(d, "true"));
	} else if (!strcmp(ln, "sheet") && !w->oom) {
		struct lw_workbook *wb = w->wb;
		const char *st = lw_xml_attr(atts, "state");
		struct lw_sheetinfo *ns;
		char **nr;
		if (wb->nsheets >= 4096) {
			w->oom = 1;
			return;
		}
		ns = realloc(wb->sheets, (wb->nsheets + 1) * sizeof *ns);
		if (ns)
			wb->sheets = ns;
		nr = realloc(w->rid, (wb->nsheets + 1) * sizeof *nr);
		if (nr)
			w->rid = nr;
		if (!ns || !nr) {
			w->oom = 1;
			return;
		}
		ns[wb->nsheets].name = xstrdup(lw_xml_attr(atts, "name"));
		ns[wb->nsheets].path = NULL;
		ns[wb->nsheets].hidden = st && strcmp(st, "visible");
		nr[wb->nsheets] = xstrdup(lw_xml_attr(atts, "id"));
		wb->nsheets++;
	}
}

/* ---- styles ------------------------------------------------------------- */

struct stparse {
	XML_Parser p;
	int *fmt_id;      /* custom numFmt ids */
	unsigned char *fmt_kind;
	size_t nfmt;
	int in_xfs;
	struct lw_workbook *wb;
	int oom;
};

static void XMLCALL st_start(void *u, const XML_Char *el, const XML_Char **atts)
{
	struct stparse *s = u;
	const char *ln = lw_xml_lname(el);

	if (s->oom)
		return;
	if (!strcmp(ln, "numFmt")) {
		const char *id = lw_xml_attr(atts, "numFmtId"), *code = lw_xml_attr(atts, "formatCode");
		int *ni;
		unsigned char *nk;
		if (!id || s->nfmt >= 65536)
			return;
		ni = realloc(s->fmt_id, (s->nfmt + 1) * sizeof *ni);
		if (ni)
			s->fmt_id = ni;
		nk = realloc(s->fmt_kind, s->nfmt + 1);
		if (nk)
			s->fmt_kind = nk;
		if (!ni || !nk) {
			s->oom = 1;
			return;
		}
		ni[s->nfmt] = atoi(id);
		nk[s->nfmt] = (unsigned char)lw_numfmt_kind(atoi(id), code);
		s->nfmt++;
	} else if (!strcmp(ln, "cellXfs")) {
		s->in_xfs = 1;
	} else if (!strcmp(ln, "xf") && s->in_xfs) {
		struct lw_workbook *wb = s->wb;
		const char *id = lw_xml_attr(atts, "numFmtId");
		int fid = id ? atoi(id) : 0;
		unsigned char k = (unsigned char)lw_numfmt_kind(fid, NULL), *nk;
		if (wb->nxf >= 1000000)
			return;
		for (size_t i = 0; i < s->nfmt; i++)
			if (s->fmt_id[i] == fid)
				k = s->fmt_kind[i];
		nk = realloc(wb->xf_kind, wb->nxf + 1);
		if (!nk) {
			s->oom = 1;
			return;
		}
		wb->xf_kind = nk;
		nk[wb->nxf++] = k;
	}
}

static void XMLCALL st_end(void *u, const XML_Char *el)
{
	struct stparse *s = u;
	if (!strcmp(lw_xml_lname(el), "cellXfs"))
		s->in_xfs = 0;
}

/* ---- shared strings ----------------------------------------------------- */

struct sstparse {
	XML_Parser p;
	struct lw_workbook *wb;
	const struct lw_read_limits *lim;
	int in_si, in_t, in_rph;
	int stop; /* 2: limit hit */
};

static int sst_put(struct sstparse *s, const char *b, size_t n)
{
	struct lw_workbook *wb = s->wb;
	if (wb->sst_used + n + 1 > s->lim->max_sst_bytes) {
		s->stop = 2;
		XML_StopParser(s->p, XML_FALSE);
		return -1;
	}
	if (wb->sst_used + n + 1 > wb->sst_cap) {
		size_t nc = wb->sst_cap ? wb->sst_cap : 65536;
		char *ns;
		while (nc < wb->sst_used + n + 1)
			nc *= 2;
		if (!(ns = realloc(wb->sst, nc))) {
			s->stop = 2;
			XML_StopParser(s->p, XML_FALSE);
			return -1;
		}
		wb->sst = ns;
		wb->sst_cap = nc;
	}
	memcpy(wb->sst + wb->sst_used, b, n);
	wb->sst_used += n;
	return 0;
}

static void XMLCALL sst_start(void *u, const XML_Char *el, const XML_Char **atts)
{
	struct sstparse *s = u;
	struct lw_workbook *wb = s->wb;
	const char *ln = lw_xml_lname(el);

	if (!strcmp(ln, "si")) {
		if (wb->nsst == wb->sst_ocap) {
			size_t nc = wb->sst_ocap ? wb->sst_ocap * 2 : 1024;
			uint32_t *no;
			if (nc * sizeof *no > s->lim->max_sst_bytes ||
			    !(no = realloc(wb->sst_off, nc * sizeof *no))) {
				s->stop = 2;
				XML_StopParser(s->p, XML_FALSE);
				return;
			}
			wb->sst_off = no;
			wb->sst_ocap = nc;
		}
		wb->sst_off[wb->nsst] = (uint32_t)wb->sst_used;
		s->in_si = 1;
	} else if (!strcmp(ln, "t")) {
		s->in_t = 1;
	} else if (!strcmp(ln, "rPh")) {
		s->in_rph = 1; /* phonetic guide (ruby) text is not cell content */
	}
}

static void XMLCALL sst_end(void *u, const XML_Char *el)
{
	struct sstparse *s = u;
	const char *ln = lw_xml_lname(el);

	if (!strcmp(ln, "si") && s->in_si) {
		if (sst_put(s, "", 1) == 0)
			s->wb->nsst++;
		s->in_si = 0;
	} else if (!strcmp(ln, "t")) {
		s->in_t = 0;
	} else if (!strcmp(ln, "rPh")) {
		s->in_rph = 0;
	}
}

static void XMLCALL sst_text(void *u, const XML_Char *txt, int len)
{
	struct sstparse *s = u;
	if (s->in_si && s->in_t && !s->in_rph)
		sst_put(s, txt, (size_t)len);
}

/* ---- loading ------------------------------------------------------------ */

int lw_workbook_load(zip_t *z, const struct lw_read_limits *lim, struct lw_workbook *wb,
		     struct lw_err *e)
{
	struct wbparse w = {0};
	struct rels r = {0};
	struct stparse st = {0};
	struct sstparse ss = {0};
	int rc, refused = 0;

	memset(wb, 0, sizeof *wb);
	w.wb = wb;
	if (!(w.p = lw_xml_parser(&w)))
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	XML_SetStartElementHandler(w.p, wb_start);
	rc = lw_xml_parse_member(z, "xl/workbook.xml", w.p, lim, &refused, e);
	XML_ParserFree(w.p);
	if (rc == LW_ENOENT)
		rc = lw_err_set(e, LW_EFORMAT,
				"a zip file but not an Excel workbook (no xl/workbook.xml)");
	if (!rc && w.oom)
		rc = lw_err_set(e, LW_ELIMIT, "xl/workbook.xml: too many sheets or out of memory");
	if (rc)
		goto out;

	if (!(r.p = lw_xml_parser(&r))) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	XML_SetStartElementHandler(r.p, rels_start);
	rc = lw_xml_parse_member(z, "xl/_rels/workbook.xml.rels", r.p, lim, &refused, e);
	XML_ParserFree(r.p);
	if (rc == LW_ENOENT)
		rc = 0; /* fall back to the conventional names below */
	if (rc)
		goto out;
	for (size_t i = 0; i < wb->nsheets; i++) {
		for (size_t k = 0; k < r.n; k++)
			if (!strcmp(r.id[k], w.rid[i]))
				wb->sheets[i].path = part_path(r.target[k]);
		if (!wb->sheets[i].path) {
			char buf[64];
			snprintf(buf, sizeof buf, "xl/worksheets/sheet%zu.xml", i + 1);
			wb->sheets[i].path = strdup(buf);
		}
		if (!wb->sheets[i].path) {
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t k = 0; k < r.n; k++) {
		size_t tl = strlen(r.type[k]);
		if (tl >= 14 && !strcmp(r.type[k] + tl - 14, "/sharedStrings") && !wb->sst_path)
			wb->sst_path = part_path(r.target[k]);
		if (tl >= 7 && !strcmp(r.type[k] + tl - 7, "/styles") && !wb->styles_path)
			wb->styles_path = part_path(r.target[k]);
	}
	if (!wb->sst_path)
		wb->sst_path = strdup("xl/sharedStrings.xml");
	if (!wb->styles_path)
		wb->styles_path = strdup("xl/styles.xml");
	if (!wb->sst_path || !wb->styles_path) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}

	st.wb = wb;
	if (!(st.p = lw_xml_parser(&st))) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	XML_SetElementHandler(st.p, st_start, st_end);
	rc = lw_xml_parse_member(z, wb->styles_path, st.p, lim, &refused, e);
	XML_ParserFree(st.p);
	free(st.fmt_id);
	free(st.fmt_kind);
	if (rc == LW_ENOENT)
		rc = 0;
	if (!rc && st.oom)
		rc = lw_err_set(e, LW_ENOMEM, "%s: out of memory", wb->styles_path);
	if (rc)
		goto out;

	ss.wb = wb;
	ss.lim = lim;
	if (!(ss.p = lw_xml_parser(&ss))) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto out;
	}
	XML_SetElementHandler(ss.p, sst_start, sst_end);
	XML_SetCharacterDataHandler(ss.p, sst_text);
	rc = lw_xml_parse_member(z, wb->sst_path, ss.p, lim, &ss.stop, e);
	XML_ParserFree(ss.p);
	if (rc == LW_ENOENT)
		rc = 0;
	if (ss.stop == 2)
		rc = lw_err_set(e, LW_ELIMIT,
				"%s: shared strings exceed the %zu-byte limit", wb->sst_path,
				lim->max_sst_bytes);
out:
	for (size_t i = 0; w.rid && i < wb->nsheets; i++)
		free(w.rid[i]);
	free(w.rid);
	rels_free(&r);
	return rc;
}

void lw_workbook_free(struct lw_workbook *wb)
{
	for (size_t i = 0; i < wb->nsheets; i++) {
		free(wb->sheets[i].name);
		free(wb->sheets[i].path);
	}
	free(wb->sheets);
	free(wb->sst_path);
	free(wb->styles_path);
	free(wb->xf_kind);
	free(wb->sst);
	free(wb->sst_off);
	memset(wb, 0, sizeof *wb);
}
