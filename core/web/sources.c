/*
 * sources.c — 数据来源 Sources and imports: each source's state (the
 * daemon's, read on the loop) and its last import; the recent imports with
 * their counts; every rejected or partly imported file with its report
 * (the import's message and each row left out, with the reason) readable
 * on its own page; and the names held because no agency matches them, with
 * the form that maps one to an agency through the same code as `litwatch
 * agencies alias` (lw_ingest_agency_alias: the alias is stored and every
 * held row that now resolves gets its agency, in one transaction).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "web/web_int.h"
#include "web/web_sql.h"

static const char *import_status(struct lw_web_req *rq, const char *s)
{
	static const char *const map[][3] = {
		{"running", "导入中", "running"},   {"ok", "已导入", "ok"},
		{"partial", "部分导入", "partial"}, {"rejected", "未导入", "rejected"},
		{"failed", "失败", "failed"},        {"duplicate", "重复文件", "duplicate"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i][0], s))
			return rq->en ? map[i][2] : map[i][1];
	return s;
}

/* One row of an imports table (IMPORT_COLS of sql.c). */
static void import_row(struct lw_web_req *rq, struct lw_strbuf *b, sqlite3_stmt *st)
{
	long long id = sqlite3_column_int64(st, 0);

	lw_strbuf_printf(b, "<tr id=\"import-%lld\"><td><a href=\"/ui/import?id=%lld%s\">%lld</a></td>"
			    "<td>", id, id, LW_LANG_A(rq), id);
	lw_buf_esc(b, (const char *)sqlite3_column_text(st, 1));
	lw_buf_put(b, "</td><td>");
	lw_web_import_file(b, (const char *)sqlite3_column_text(st, 2));
	lw_strbuf_printf(b, "</td><td class=\"status\">%s</td><td>",
			 import_status(rq, (const char *)sqlite3_column_text(st, 3)));
	lw_buf_esc(b, (const char *)sqlite3_column_text(st, 4));
	lw_buf_put(b, "</td>");
	for (int c = 6; c <= 10; c++)
		lw_strbuf_printf(b, "<td class=\"n\">%lld</td>", (long long)sqlite3_column_int64(st, c));
	lw_buf_put(b, "</tr>\n");
}

static void imports_table(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b,
			  const char *sql, const char *id)
{
	struct lw_err err = {0};
	sqlite3_stmt *st;

	lw_strbuf_printf(b, "<table id=\"%s\">", id);
	lw_buf_head(rq, b, "#", "#", "来源", "Source", "文件", "File", "结果", "Status", "开始",
		    "Started", "行数", "Rows", "新增", "Inserted", "更新", "Updated", "未变",
		    "Unchanged", "拒收", "Rejected", NULL);
	if (lw_wh_stmt(wh, sql, &st, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1)
			import_row(rq, b, st);
	lw_buf_put(b, "</table>");
}

/* The daemon's sources (rq->status_json) beside each one's last import. */
static void sources_table(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b)
{
	json_t *doc = rq->status_json ? json_loads(rq->status_json, 0, NULL) : NULL;
	json_t *srcs = json_object_get(doc, "sources"), *s, *last = json_object();
	struct lw_err err = {0};
	sqlite3_stmt *st;
	const char *name;
	size_t i;

	/* The warehouse's last import of every source it has seen. */
	if (lw_wh_stmt(wh, lw_wsql_source_last, &st, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1)
			json_object_set_new(last, (const char *)sqlite3_column_text(st, 0),
					    json_pack("{s:I, s:s, s:s, s:I}", "id",
						      (json_int_t)sqlite3_column_int64(st, 1), "status",
						      sqlite3_column_text(st, 2), "at",
						      sqlite3_column_text(st, 3), "imports",
						      (json_int_t)sqlite3_column_int64(st, 5)));
	lw_buf_put(b, "<table id=\"sources\">");
	lw_buf_head(rq, b, "来源", "Source", "插件", "Plugin", "状态", "State", "状态起始", "Since",
		    "排队", "Queued", "最近导入", "Last import", "导入次数", "Imports", "", "", NULL);
	json_array_foreach(srcs, i, s) {
		const char *n = json_string_value(json_object_get(s, "name"));
		json_t *l = json_object_get(last, n ? n : "");
		lw_strbuf_printf(b, "<tr id=\"source-%s\"><td>", n ? n : "");
		lw_buf_esc(b, n);
		lw_buf_put(b, "</td><td>");
		lw_buf_esc(b, json_string_value(json_object_get(s, "plugin")));
		lw_buf_put(b, "</td><td class=\"state\">");
		lw_buf_esc(b, json_string_value(json_object_get(s, "state")));
		if (json_is_true(json_object_get(s, "error_current")))
			lw_strbuf_printf(b, " <span class=\"err\">%s</span>",
					 LW_T(rq, "（有错误，见 litwatch status）",
					      "(failing: see litwatch status)"));
		lw_buf_put(b, "</td><td>");
		lw_buf_esc(b, json_string_value(json_object_get(s, "since")));
		lw_strbuf_printf(b, "</td><td class=\"n\">%lld</td><td>",
				 (long long)json_integer_value(json_object_get(s, "queue")));
		if (l) {
			lw_strbuf_printf(b, "<a href=\"/ui/import?id=%lld%s\">#%lld</a> %s ",
					 (long long)json_integer_value(json_object_get(l, "id")),
					 LW_LANG_A(rq),
					 (long long)json_integer_value(json_object_get(l, "id")),
					 import_status(rq, json_string_value(json_object_get(l, "status"))));
			lw_buf_esc(b, json_string_value(json_object_get(l, "at")));
		}
		lw_strbuf_printf(b, "</td><td class=\"n\">%lld</td><td>",
				 (long long)json_integer_value(json_object_get(l, "imports")));
		if (rq->role >= LW_ROLE_ADMIN && n && rq->w->host.poll) {
			lw_buf_put(b, "<form method=\"post\" action=\"/ui/admin/poll\">");
			lw_buf_csrf(rq, b);
			lw_buf_put(b, "<input type=\"hidden\" name=\"source\" value=\"");
			lw_buf_esc(b, n);
			lw_strbuf_printf(b, "\"><button id=\"poll-%s\">%s</button></form>", n,
					 LW_T(rq, "立即轮询", "Poll now"));
		}
		lw_buf_put(b, "</td></tr>\n");
		json_object_del(last, n ? n : "");
	}
	/* Sources the warehouse knows that are not configured (litwatch import). */
	json_object_foreach(last, name, s) {
		lw_buf_put(b, "<tr><td>");
		lw_buf_esc(b, name);
		lw_strbuf_printf(b, "</td><td></td><td>%s</td><td></td><td></td><td><a "
				    "href=\"/ui/import?id=%lld%s\">#%lld</a> %s ",
				 LW_T(rq, "未配置", "not configured"),
				 (long long)json_integer_value(json_object_get(s, "id")), LW_LANG_A(rq),
				 (long long)json_integer_value(json_object_get(s, "id")),
				 import_status(rq, json_string_value(json_object_get(s, "status"))));
		lw_buf_esc(b, json_string_value(json_object_get(s, "at")));
		lw_strbuf_printf(b, "</td><td class=\"n\">%lld</td><td></td></tr>\n",
				 (long long)json_integer_value(json_object_get(s, "imports")));
	}
	lw_buf_put(b, "</table>");
	if (!doc)
		lw_strbuf_printf(b, "<p class=\"note\">%s</p>",
				 LW_T(rq, "守护进程的来源状态不可用。", "The daemon's source states are "
								   "not available."));
	json_decref(last);
	json_decref(doc);
}

static void unresolved_table(struct lw_web_req *rq, struct lw_wh *wh, struct lw_strbuf *b)
{
	struct lw_err err = {0};
	sqlite3_stmt *st;
	int n = 0;

	lw_strbuf_printf(b, "<h2 id=\"unresolved\">%s</h2>",
			 LW_T(rq, "待确认的机关名称", "Unresolved agency names"));
	if (rq->role >= LW_ROLE_ANALYST) {
		lw_buf_put(b, "<datalist id=\"agency-names\">");
		if (lw_wh_stmt(wh, lw_wsql_agency_names, &st, &err) == 0)
			while (lw_wh_step(wh, st, &err) == 1) {
				lw_buf_put(b, "<option value=\"");
				lw_buf_esc(b, (const char *)sqlite3_column_text(st, 0));
				lw_buf_put(b, "\">");
			}
		lw_buf_put(b, "</datalist>");
	}
	lw_buf_put(b, "<table id=\"unresolved-names\">");
	lw_buf_head(rq, b, "名称", "Name", "出现行数", "Rows", "案件", "Cases", "工单", "Work orders",
		    "首次", "First seen", "最近", "Last seen", "归入机关", "Map to agency", NULL);
	if (lw_wh_stmt(wh, lw_wsql_unresolved, &st, &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			n++;
			lw_strbuf_printf(b, "<tr id=\"held-%d\"><td class=\"name\">", n);
			lw_buf_esc(b, name);
			lw_strbuf_printf(b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td "
					    "class=\"n\">%lld</td><td>",
					 (long long)sqlite3_column_int64(st, 1),
					 (long long)sqlite3_column_int64(st, 4),
					 (long long)sqlite3_column_int64(st, 5));
			lw_buf_esc(b, (const char *)sqlite3_column_text(st, 2));
			lw_buf_put(b, "</td><td>");
			lw_buf_esc(b, (const char *)sqlite3_column_text(st, 3));
			lw_buf_put(b, "</td><td>");
			lw_web_alias_form(rq, b, name, NULL);
			lw_buf_put(b, "</td></tr>\n");
		}
	lw_buf_put(b, "</table>");
	if (!n)
		lw_strbuf_printf(b, "<p class=\"note\">%s</p>", LW_T(rq, "没有。", "None."));
}

void lw_web_sources(struct lw_web_req *rq)
{
	struct lw_strbuf b = {0};
	struct lw_wh *wh;

	if (!(wh = lw_web_open_ro(rq)))
		return;
	lw_page_begin(rq, &b, LW_T(rq, "数据来源与导入", "Sources and imports"));
	if (rq->role >= LW_ROLE_ADMIN && rq->w->host.reload) {
		lw_buf_put(&b, "<form method=\"post\" action=\"/ui/admin/reload\">");
		lw_buf_csrf(rq, &b);
		lw_strbuf_printf(&b, "<button id=\"reload\">%s</button></form>",
				 LW_T(rq, "重新加载配置", "Reload the configuration"));
	}
	lw_strbuf_printf(&b, "<h2>%s</h2>", LW_T(rq, "来源", "Sources"));
	sources_table(rq, wh, &b);
	lw_strbuf_printf(&b, "<h2>%s</h2>", LW_T(rq, "未导入或部分导入的文件",
						 "Rejected or partly imported files"));
	imports_table(rq, wh, &b, lw_wsql_imports_rejected, "rejected-imports");
	lw_strbuf_printf(&b, "<h2>%s</h2>", LW_T(rq, "最近的导入", "Recent imports"));
	imports_table(rq, wh, &b, lw_wsql_imports_recent, "recent-imports");
	unresolved_table(rq, wh, &b);
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
	lw_wh_close(wh);
}

void lw_web_import(struct lw_web_req *rq)
{
	struct lw_strbuf b = {0};
	struct lw_err err = {0};
	sqlite3_stmt *st;
	struct lw_wh *wh;
	char title[64];
	int n = 0;

	if (!(wh = lw_web_open_ro(rq)))
		return;
	if (lw_wh_stmt(wh, lw_wsql_import, &st, &err) != 0 ||
	    lw_wh_bind_int64(st, ":id", atoll(rq->id), &err) != 0 || lw_wh_step(wh, st, &err) != 1) {
		lw_wh_close(wh);
		lw_web_message(rq, 404, "没有这次导入。", "No such import.");
		return;
	}
	snprintf(title, sizeof title, "%s #%lld", LW_T(rq, "导入", "Import"),
		 (long long)sqlite3_column_int64(st, 0));
	lw_page_begin(rq, &b, title);
	lw_buf_put(&b, "<table id=\"import\">");
	lw_buf_head(rq, &b, "#", "#", "来源", "Source", "文件", "File", "结果", "Status", "开始",
		    "Started", "行数", "Rows", "新增", "Inserted", "更新", "Updated", "未变",
		    "Unchanged", "拒收", "Rejected", NULL);
	import_row(rq, &b, st);
	lw_strbuf_printf(&b, "</table><h2>%s</h2><pre id=\"import-message\">",
			 LW_T(rq, "导入报告", "Import report"));
	lw_buf_esc(&b, (const char *)sqlite3_column_text(st, 11));
	lw_buf_put(&b, "</pre>");
	sqlite3_reset(st);
	lw_strbuf_printf(&b, "<h2>%s</h2><table id=\"rejects\">",
			 LW_T(rq, "未导入的行", "Rows left out"));
	lw_buf_head(rq, &b, "行", "Row", "列", "Column", "字段", "Field", "原因", "Reason", NULL);
	if (lw_wh_stmt(wh, lw_wsql_import_rejects, &st, &err) == 0 &&
	    lw_wh_bind_int64(st, ":id", atoll(rq->id), &err) == 0)
		while (lw_wh_step(wh, st, &err) == 1) {
			n++;
			lw_buf_put(&b, "<tr>");
			for (int c = 0; c <= 3; c++) {
				lw_buf_put(&b, c ? "<td>" : "<td class=\"n\">");
				lw_buf_esc(&b, (const char *)sqlite3_column_text(st, c));
				lw_buf_put(&b, "</td>");
			}
			lw_buf_put(&b, "</tr>\n");
		}
	lw_buf_put(&b, "</table>");
	if (n == 1000)
		lw_strbuf_printf(&b, "<p class=\"note\">%s</p>",
				 LW_T(rq, "仅显示前 1000 行", "Showing the first 1000 rows"));
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, 200);
	lw_wh_close(wh);
}

void lw_web_alias_post(struct lw_web_req *rq)
{
	struct lw_ingest_settings set = {0};
	struct lw_ingest *ing = NULL;
	struct lw_strbuf loc = {0};
	struct lw_err err = {0};
	struct lw_wh *wh;
	char name[200], agency[200], detail[512];
	int64_t moved = 0;
	int rc;

	lw_form_get(rq->body, "name", name, sizeof name);
	lw_form_get(rq->body, "agency", agency, sizeof agency);
	if (rq->role < LW_ROLE_ANALYST) {
		lw_web_audit(rq, NULL, "alias", name, "refused: role", 0);
		lw_web_text(rq, 403, "only analysts and admins map agency names\n");
		return;
	}
	if (!*name || !*agency) {
		lw_web_audit(rq, NULL, "alias", name, "refused: a name and an agency are needed", 0);
		lw_web_message(rq, 400, "需要待确认的名称和机关名称。",
			       "A held name and an agency are needed.");
		return;
	}
	if (!(wh = lw_web_open_rw(rq)))
		return;
	set.profile_dir = rq->s->profile_dir;
	set.agencies = rq->s->known_agencies;
	set.hold_unknown_agencies = 1; /* as the CLI: nothing new behind the analyst's back */
	if ((rc = lw_ingest_new(wh, &set, &ing, &err)) == 0)
		rc = lw_ingest_agency_alias(ing, agency, name, &moved, &err);
	lw_ingest_free(ing);
	snprintf(detail, sizeof detail, "%.190s -> %.190s: %lld rows", name, agency, (long long)moved);
	lw_web_audit(rq, wh, "alias", name, rc ? err.msg : detail, !rc);
	lw_wh_close(wh);
	if (rc) {
		if (rc == LW_EEXIST)
			lw_web_message(rq, 409, "该名称已是另一个机关的别名。",
				       "That name already means another agency.");
		else
			lw_web_text(rq, 400, err.msg);
		return;
	}
	lw_buf_put(&loc, "/ui/agency?name=");
	lw_buf_url(&loc, agency);
	if (rq->en)
		lw_buf_put(&loc, "&lang=en");
	lw_web_redirect(rq, loc.p ? loc.p : "/ui/sources", NULL);
	free(loc.p);
}
