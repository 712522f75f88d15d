/*
 * audit.c — every action through the dashboard, with who, from where and
 * when, into web_audit (docs/warehouse.md); and the page frame.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "web/web_int.h"

static const char insert_sql[] =
	"INSERT INTO web_audit (user, role, address, action, target, detail, ok) "
	"VALUES (:user, :role, :address, :action, :target, :detail, :ok)";

void lw_web_audit(struct lw_web_req *rq, struct lw_wh *wh, const char *action,
		  const char *target, const char *detail, int ok)
{
	struct lw_wh *own = NULL;
	struct lw_err err = {0};
	sqlite3_stmt *st = NULL;
	sqlite3 *db;

	if (!wh) {
		if (lw_wh_open(rq->w->warehouse, LW_WH_WRITER | LW_WH_CHECKED, &own, &err) != 0) {
			lw_log(LW_LOG_ERR, NULL, "dashboard audit: %s", err.msg);
			return;
		}
		wh = own;
	}
	db = lw_wh_db(wh);
	if (sqlite3_prepare_v2(db, insert_sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":user"),
				  rq->user[0] ? rq->user : "-", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":role"),
				  lw_role_name(rq->role), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":address"), rq->remote, -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":action"), action, -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":target"), target, -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":detail"), detail, -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":ok"), ok ? 1 : 0);
		if (sqlite3_step(st) != SQLITE_DONE)
			lw_log(LW_LOG_ERR, NULL, "dashboard audit: %s", sqlite3_errmsg(db));
	} else {
		lw_log(LW_LOG_ERR, NULL, "dashboard audit: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	lw_wh_close(own);
}

void lw_page_begin(struct lw_web_req *rq, struct lw_strbuf *b, const char *title)
{
	static const struct { const char *path, *zh, *en; } nav[] = {
		{"/ui/", "总览", "Overview"}, {"/ui/ranking", "排名", "Ranking"},
		{"/ui/alerts", "预警", "Alerts"}, {"/ui/cases", "案件", "Cases"},
		{"/ui/deadlines", "时限", "Deadlines"}, {"/ui/sources", "数据来源", "Sources"},
	};

	lw_strbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		      "<title>", rq->en ? "en" : "zh-CN");
	lw_buf_esc(b, title);
	/* One stylesheet for every page, from this daemon (lw_web_style). */
	lw_buf_put(b, " - litwatch</title><link rel=\"stylesheet\" href=\"/ui/style.css\"></head>"
		   "<body><nav>");
	for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++)
		lw_strbuf_printf(b, "<a href=\"%s%s\">%s</a>", nav[i].path, rq->en ? "?lang=en" : "",
			      rq->en ? nav[i].en : nav[i].zh);
	if (rq->sess.id[0]) {
		lw_buf_put(b, "<span id=\"who\">");
		lw_buf_esc(b, rq->user);
		lw_strbuf_printf(b, " (%s)</span> <form method=\"post\" action=\"/ui/logout\" "
			      "class=\"inline\"><input type=\"hidden\" name=\"csrf\" "
			      "value=\"%s\"><button id=\"logout\">%s</button></form>",
			      lw_role_name(rq->role), rq->sess.csrf, LW_T(rq, "退出", "Log out"));
	}
	lw_buf_put(b, "</nav><h1>");
	lw_buf_esc(b, title);
	lw_buf_put(b, "</h1>\n");
	/* What follows is the page's content (cache.c keeps it). */
	snprintf(rq->title, sizeof rq->title, "%s", title);
	rq->content_from = b->len;
}

void lw_page_end(struct lw_web_req *rq, struct lw_strbuf *b)
{
	rq->content_to = b->len;
	lw_buf_put(b, "</body></html>\n");
}
