/*
 * cases.c — 案件 Cases: the search (case number, agency, cause, outcome,
 * filing dates; a GET form, 50 a page) and the page of one case: every
 * field with where it came from (source, import, file, row — linked to the
 * import's page), its defendants, and the conflicts between sources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web_int.h"
#include "web/web_sql.h"

#define PAGE_ROWS 50
#define MAX_PAGE 200 /* 10 000 rows deep at most: narrow the search beyond */

static int iso_date_or_empty(const char *s)
{
	if (!*s)
		return 1;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

static void field(struct lw_strbuf *b, const char *zh, const char *en, const char *name,
		  const char *value)
{
	lw_strbuf_printf(b, "<label>%s / %s <input name=\"%s\" value=\"", zh, en, name);
	lw_buf_esc(b, value);
	lw_buf_put(b, "\"></label> ");
}

static void search_form(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b)
{
	struct lw_err err = {0};
	sqlite3_stmt *st;

	lw_buf_put(b, "<form method=\"get\" action=\"/ui/cases\" id=\"search\">");
	field(b, "案号", "case number", "case", rq->case_no);
	field(b, "机关", "agency", "agency", rq->agency);
	field(b, "案由", "cause", "cause", rq->cause);
	lw_strbuf_printf(b, "<label>%s <select name=\"outcome\"><option value=\"\">%s</option>",
			 LW_T(rq, "结果", "Outcome"), LW_T(rq, "全部", "any"));
	if (lw_wh_stmt(wh, lw_wsql_outcomes, &st, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1) {
			const char *code = (const char *)sqlite3_column_text(st, 0);
			lw_strbuf_printf(b, "<option value=\"%s\"%s>", code,
					 !strcmp(code, rq->outcome) ? " selected" : "");
			lw_buf_esc(b, rq->en ? code : (const char *)sqlite3_column_text(st, 1));
			lw_buf_put(b, "</option>");
		}
	lw_buf_put(b, "</select></label> ");
	field(b, "立案自", "filed from", "from", rq->from);
	field(b, "至", "to", "to", rq->to);
	if (rq->en)
		lw_buf_put(b, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
	lw_strbuf_printf(b, "<button id=\"search-submit\">%s</button></form>",
			 LW_T(rq, "查询", "Search"));
}

/* The link to page p of the same search. */
static void page_link(struct lw_web_req *rq, struct lw_strbuf *b, int p, const char *id,
		      const char *label)
{
	lw_strbuf_printf(b, "<a id=\"%s\" href=\"/ui/cases?page=%d", id, p);
	static const char *const keys[] = {"case", "agency", "cause", "outcome", "from", "to"};
	const char *vals[] = {rq->case_no, rq->agency, rq->cause, rq->outcome, rq->from, rq->to};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (*vals[i]) {
			lw_strbuf_printf(b, "&amp;%s=", keys[i]);
			lw_buf_url(b, vals[i]);
		}
	lw_strbuf_printf(b, "%s\">%s</a> ", LW_LANG_A(rq), label);
}

void lw_web_cases(struct lw_web_req *rq)
{
	struct lw_strbuf b = {0};
	struct lw_err err = {0};
	sqlite3_stmt *st;
	struct lw_wh *wh;
	int page = rq->page[0] ? atoi(rq->page) : 1, n = 0, rc;

	if (page < 1 || page > MAX_PAGE || !iso_date_or_empty(rq->from) ||
	    !iso_date_or_empty(rq->to)) {
		lw_web_message(rq, 400, "日期应为 YYYY-MM-DD，页码为 1 至 200。",
			       "Dates are YYYY-MM-DD and pages 1 to 200.");
		return;
	}
	if (!(wh = lw_web_open_ro(rq)))
		return;
	lw_page_begin(rq, &b, LW_T(rq, "案件", "Cases"));
	search_form(rq, wh, &b);
	lw_buf_put(&b, "<table id=\"case-results\">");
	lw_buf_head(rq, &b, "案号", "Case number", "立案日期", "Filed", "结案日期", "Concluded",
		    "案由", "Cause", "结果", "Outcome", "被告", "Defendants", NULL);
	if ((rc = lw_wh_stmt(wh, rq->agency[0] ? lw_wsql_cases_search_agency : lw_wsql_cases_search,
			     &st, &err)) == 0 &&
	    (!rq->agency[0] || (rc = lw_wh_bind_text(st, ":agency", rq->agency, &err)) == 0) &&
	    (rc = lw_wh_bind_text(st, ":no", rq->case_no, &err)) == 0 &&
	    (rc = lw_wh_bind_text(st, ":cause", rq->cause, &err)) == 0 &&
	    (rc = lw_wh_bind_text(st, ":outcome", rq->outcome, &err)) == 0 &&
	    (rc = lw_wh_bind_text(st, ":from", rq->from, &err)) == 0 &&
	    (rc = lw_wh_bind_text(st, ":to", rq->to, &err)) == 0 &&
	    (rc = lw_wh_bind_int64(st, ":limit", PAGE_ROWS + 1, &err)) == 0 &&
	    (rc = lw_wh_bind_int64(st, ":offset", (int64_t)(page - 1) * PAGE_ROWS, &err)) == 0)
		while ((rc = lw_wh_step(wh, st, &err)) == 1) {
			const char *defs = (const char *)sqlite3_column_text(st, 6);
			if (++n > PAGE_ROWS) {
				sqlite3_reset(st);
				break;
			}
			lw_buf_put(&b, "<tr><td>");
			lw_buf_case_link(rq, &b, (const char *)sqlite3_column_text(st, 0));
			for (int c = 1; c <= 3; c++) {
				lw_buf_put(&b, "</td><td>");
				lw_buf_esc(&b, (const char *)sqlite3_column_text(st, c));
			}
			lw_buf_put(&b, "</td><td>");
			lw_buf_esc(&b, (const char *)sqlite3_column_text(st, rq->en ? 5 : 4));
			lw_buf_put(&b, "</td><td>");
			lw_buf_esc(&b, defs ? defs : "");
			lw_buf_put(&b, "</td></tr>\n");
		}
	lw_buf_put(&b, "</table><p>");
	if (rc < 0) {
		lw_buf_put(&b, "<span class=\"err\">");
		lw_buf_esc(&b, err.msg);
		lw_buf_put(&b, "</span>");
	}
	if (page > 1)
		page_link(rq, &b, page - 1, "prev", LW_T(rq, "上一页", "previous"));
	lw_strbuf_printf(&b, "%s %d ", LW_T(rq, "第", "page"), page);
	if (n > PAGE_ROWS && page < MAX_PAGE)
		page_link(rq, &b, page + 1, "next", LW_T(rq, "下一页", "next"));
	lw_buf_put(&b, "</p>");
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
	lw_wh_close(wh);
}

/* The file an import read, without the server's folders. */
static void import_link(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b,
			sqlite3_stmt *row, int col)
{
	struct lw_err err = {0};
	sqlite3_stmt *st;
	int64_t id;

	if (sqlite3_column_type(row, col) == SQLITE_NULL)
		return;
	id = sqlite3_column_int64(row, col);
	lw_strbuf_printf(b, "<a href=\"/ui/import?id=%lld%s\">#%lld</a> ", (long long)id,
			 LW_LANG_A(rq), (long long)id);
	if (lw_wh_stmt(wh, lw_wsql_import_origin, &st, &err) == 0 &&
	    lw_wh_bind_int64(st, ":id", id, &err) == 0 && lw_wh_step(wh, st, &err) == 1) {
		lw_web_import_file(b, (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
}

void lw_web_import_file(struct lw_strbuf *b, const char *origin)
{
	const char *slash = strrchr(origin, '/');
	lw_buf_esc(b, slash ? slash + 1 : origin);
}

static void provenance_cells(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b,
			     sqlite3_stmt *st, int source, int import, int row)
{
	lw_buf_put(b, "<td>");
	lw_buf_esc(b, (const char *)sqlite3_column_text(st, source));
	lw_buf_put(b, "</td><td>");
	import_link(rq, wh, b, st, import);
	lw_buf_put(b, "</td><td class=\"n\">");
	if (sqlite3_column_type(st, row) != SQLITE_NULL)
		lw_strbuf_printf(b, "%lld", (long long)sqlite3_column_int64(st, row));
	lw_buf_put(b, "</td>");
}

void lw_web_case(struct lw_web_req *rq)
{
	struct lw_strbuf b = {0};
	struct lw_err err = {0};
	sqlite3_stmt *st, *pv;
	struct lw_wh *wh;
	int cols, c_source = -1, c_import = -1, c_row = -1;
	char title[160];

	if (!(wh = lw_web_open_ro(rq)))
		return;
	if (lw_wh_stmt(wh, lw_wsql_case, &st, &err) != 0 ||
	    lw_wh_bind_text(st, ":no", rq->case_no, &err) != 0 || lw_wh_step(wh, st, &err) != 1) {
		lw_wh_close(wh);
		lw_web_message(rq, 404, "没有这个案件。", "No such case.");
		return;
	}
	snprintf(title, sizeof title, "%s %s", LW_T(rq, "案件", "Case"), rq->case_no);
	lw_page_begin(rq, &b, title);
	cols = sqlite3_column_count(st);
	for (int c = 0; c < cols; c++) {
		const char *n = sqlite3_column_name(st, c);
		if (!strcmp(n, "source"))
			c_source = c;
		else if (!strcmp(n, "import_id"))
			c_import = c;
		else if (!strcmp(n, "source_row"))
			c_row = c;
	}
	lw_strbuf_printf(&b, "<table id=\"case-fields\">");
	lw_buf_head(rq, &b, "字段", "Field", "值", "Value", "来源", "Source", "导入及文件",
		    "Import and file", "行", "Row", NULL);
	for (int c = 0; c < cols; c++) {
		const char *n = sqlite3_column_name(st, c), *v = (const char *)sqlite3_column_text(st, c);
		int own = 1;
		lw_strbuf_printf(&b, "<tr id=\"f-%s\"><th>%s</th><td class=\"v\">", n, n);
		lw_buf_esc(&b, v ? v : "");
		lw_buf_put(&b, "</td>");
		/* A field another source wrote names that source; any other
		 * came with the row itself. */
		if (lw_wh_stmt(wh, lw_wsql_case_provenance, &pv, &err) == 0 &&
		    lw_wh_bind_text(pv, ":no", rq->case_no, &err) == 0)
			while (lw_wh_step(wh, pv, &err) == 1)
				if (own && !strcmp((const char *)sqlite3_column_text(pv, 0), n)) {
					provenance_cells(rq, wh, &b, pv, 1, 2, 3);
					own = 0;
				}
		if (own && c_source >= 0 && c_import >= 0 && c_row >= 0)
			provenance_cells(rq, wh, &b, st, c_source, c_import, c_row);
		lw_buf_put(&b, "</tr>\n");
	}
	sqlite3_reset(st);
	lw_strbuf_printf(&b, "</table><h2>%s</h2><table id=\"case-defendants\">",
			 LW_T(rq, "被告", "Defendants"));
	lw_buf_head(rq, &b, "机关", "Agency", "身份", "Role", "原文", "As written", "来源", "Source",
		    "导入及文件", "Import and file", "行", "Row", NULL);
	if (lw_wh_stmt(wh, lw_wsql_case_defendants, &st, &err) == 0 &&
	    lw_wh_bind_text(st, ":no", rq->case_no, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1) {
			lw_buf_put(&b, "<tr><td>");
			if (sqlite3_column_int(st, 6))
				lw_buf_agency_link(rq, &b, (const char *)sqlite3_column_text(st, 0));
			else {
				lw_buf_esc(&b, (const char *)sqlite3_column_text(st, 0));
				lw_strbuf_printf(&b, " (%s)", LW_T(rq, "待确认", "unresolved"));
			}
			lw_buf_put(&b, "</td><td>");
			lw_buf_esc(&b, (const char *)sqlite3_column_text(st, 1));
			lw_buf_put(&b, "</td><td>");
			lw_buf_esc(&b, (const char *)sqlite3_column_text(st, 2));
			lw_buf_put(&b, "</td>");
			provenance_cells(rq, wh, &b, st, 3, 4, 5);
			lw_buf_put(&b, "</tr>\n");
		}
	lw_strbuf_printf(&b, "</table><h2>%s</h2><table id=\"case-conflicts\">",
			 LW_T(rq, "来源之间的冲突", "Conflicts between sources"));
	lw_buf_head(rq, &b, "表", "Table", "字段", "Field", "保留的值", "Kept", "保留的来源",
		    "Kept from", "另一值", "Other value", "另一来源", "Other source", "导入及文件",
		    "Import and file", "行", "Row", "时间", "At", NULL);
	if (lw_wh_stmt(wh, lw_wsql_case_conflicts, &st, &err) == 0 &&
	    lw_wh_bind_text(st, ":no", rq->case_no, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1) {
			lw_buf_put(&b, "<tr>");
			for (int c = 0; c <= 5; c++) {
				lw_buf_put(&b, "<td>");
				lw_buf_esc(&b, (const char *)sqlite3_column_text(st, c));
				lw_buf_put(&b, "</td>");
			}
			lw_buf_put(&b, "<td>");
			import_link(rq, wh, &b, st, 6);
			lw_buf_put(&b, "</td><td class=\"n\">");
			lw_buf_esc(&b, (const char *)sqlite3_column_text(st, 7));
			lw_buf_put(&b, "</td><td>");
			lw_buf_esc(&b, (const char *)sqlite3_column_text(st, 8));
			lw_buf_put(&b, "</td></tr>\n");
		}
	lw_buf_put(&b, "</table>");
	lw_strbuf_printf(&b, "<h2>%s</h2>", LW_T(rq, "时限义务", "Obligations (time limits)"));
	lw_web_obligations_table(rq, wh, &b, "case-obligations", NULL, NULL, rq->case_no, NULL, NULL,
				 100);
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
	lw_wh_close(wh);
}
