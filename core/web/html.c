/*
 * html.c — the pieces every page is written with: the growing buffer,
 * HTML escaping (every value from a spreadsheet or a feed goes through
 * lw_buf_esc), URL arguments, table headings, the CSRF field, a message
 * page.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "figures/period.h"
#include "web/web_int.h"

void lw_buf_put(struct lw_strbuf *b, const char *s)
{
	lw_strbuf_printf(b, "%s", s);
}

void lw_buf_esc(struct lw_strbuf *b, const char *s)
{
	const char *run = s;

	for (; s && *s; s++) {
		const char *rep;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		lw_strbuf_printf(b, "%.*s%s", (int)(s - run), run, rep);
		run = s + 1;
	}
	if (run && s > run)
		lw_strbuf_printf(b, "%.*s", (int)(s - run), run);
}

void lw_buf_url(struct lw_strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			lw_strbuf_printf(b, "%c", *p);
		else
			lw_strbuf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

void lw_buf_head(struct lw_web_req *rq, struct lw_strbuf *b, ...)
{
	va_list ap;
	const char *zh, *en;

	va_start(ap, b);
	lw_buf_put(b, "<tr>");
	while ((zh = va_arg(ap, const char *))) {
		en = va_arg(ap, const char *);
		lw_strbuf_printf(b, "<th>%s</th>", rq->en ? en : zh);
	}
	lw_buf_put(b, "</tr>");
	va_end(ap);
}

void lw_buf_csrf(struct lw_web_req *rq, struct lw_strbuf *b)
{
	lw_strbuf_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", rq->sess.csrf);
}

void lw_web_message(struct lw_web_req *rq, int status, const char *zh, const char *en)
{
	struct lw_strbuf b = {0};

	lw_page_begin(rq, &b, status < 400 ? LW_T(rq, "完成", "Done") : LW_T(rq, "出错", "Error"));
	lw_buf_put(&b, "<p class=\"err\" id=\"message\">");
	lw_buf_esc(&b, zh);
	lw_buf_put(&b, " / ");
	lw_buf_esc(&b, en);
	lw_buf_put(&b, "</p>");
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, status);
}

void lw_web_today(char out[11])
{
	lw_fig_today(out);
}

/* <a class=cls href="path?arg=VALUE">VALUE</a>, the language kept. */
static void link(struct lw_web_req *rq, struct lw_strbuf *b, const char *cls, const char *path,
		 const char *value)
{
	lw_strbuf_printf(b, "<a class=\"%s\" href=\"%s", cls, path);
	lw_buf_url(b, value);
	lw_buf_put(b, LW_LANG_A(rq));
	lw_buf_put(b, "\">");
	lw_buf_esc(b, value);
	lw_buf_put(b, "</a>");
}

void lw_buf_agency_link(struct lw_web_req *rq, struct lw_strbuf *b, const char *name)
{
	link(rq, b, "agency", "/ui/agency?name=", name);
}

void lw_buf_case_link(struct lw_web_req *rq, struct lw_strbuf *b, const char *case_no)
{
	link(rq, b, "case", "/ui/case?case=", case_no);
}
