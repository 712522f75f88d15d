/*
 * style.c — the one stylesheet of every page (/ui/style.css), served from
 * memory on the loop thread without a login (it holds nothing secret), so
 * pages stay small and no page needs an inline style.  Old-browser-safe
 * CSS 2.1 only; system fonts only: nothing is fetched from outside the
 * intranet.  It is also the benchmark's floor (bench/web/): the cheapest
 * file this daemon serves.
 */
#include <stdlib.h>
#include <string.h>

#include "web/web_int.h"

static const char css[] =
	"body{font-family:\"WenQuanYi Micro Hei\",\"Microsoft YaHei\",sans-serif;margin:1em}\n"
	"table{border-collapse:collapse}\n"
	"td,th{border:1px solid #999;padding:2px 6px}\n"
	"td.n{text-align:right}\n"
	".red{background:#f4b6b6}.orange{background:#f9d3a5}.yellow{background:#f7f0a8}\n"
	"nav a{margin-right:1em}\n"
	".err{color:#a00}.note{color:#555;font-size:90%}\n"
	"form{margin:0}form.inline{display:inline}\n"
	"h2{margin-top:1.2em}a.current{font-weight:bold}\n"
	"tr.ob-overdue td.state{color:#a00}\n"
	"div.chart{margin:0.5em 0 1em 0}\n"
	"svg{max-width:100%;height:auto}\n";

int lw_web_style(const char *url, struct lw_http_reply *reply)
{
	if (strcmp(url, "/ui/style.css"))
		return 0;
	reply->status = 200;
	reply->content_type = "text/css; charset=utf-8";
	reply->body = strdup(css);
	reply->len = reply->body ? sizeof css - 1 : 0;
	if (!reply->body)
		reply->status = 503;
	reply->headers = strdup("X-Content-Type-Options: nosniff\r\n");
	return 1;
}
