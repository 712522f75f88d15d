/*
 * write.c — the entry of the writers (report.h): formats, the file written
 * under a temporary name and renamed into place, the title, and the
 * robots' markdown summary.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "report/report_int.h"

static const char *const formats[] = {"xlsx", "html", "csv", "json"};

int lw_report_format_parse(const char *name, enum lw_report_format *out, struct lw_err *e)
{
	for (size_t i = 0; i < 4; i++)
		if (name && !strcmp(name, formats[i])) {
			*out = (enum lw_report_format)i;
			return 0;
		}
	return lw_err_set(e, LW_EINVAL, "format \"%s\": expected xlsx, html, csv or json",
			  name ? name : "");
}

const char *lw_report_format_name(enum lw_report_format f)
{
	return (unsigned)f < 4 ? formats[f] : "?";
}

void lw_bulletin_title(json_t *doc, char *buf, size_t cap)
{
	char p[64];
	const char *who = lw_rj_str(doc, "title");

	lw_report_period_zh(json_object_get(doc, "period"), p, sizeof p);
	snprintf(buf, cap, "%s%s行政诉讼案件情况通报", who ? who : "", p);
}

int lw_bulletin_write(json_t *doc, enum lw_report_format f, const char *path, struct lw_err *e)
{
	size_t len = strlen(path) + 32;
	char *tmp = malloc(len);
	FILE *out = NULL;
	int rc = 0;

	if (!tmp)
		return lw_err_set(e, LW_ENOMEM, "%s: out of memory", path);
	snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
	if (f == LW_REPORT_XLSX) {
		rc = lw_report_write_xlsx(doc, tmp, e);
	} else if (!(out = fopen(tmp, "wx"))) {
		rc = lw_err_set(e, LW_EIO, "%s: %s", tmp, strerror(errno));
	} else {
		if (f == LW_REPORT_JSON) {
			if (json_dumpf(doc, out, JSON_INDENT(1) | JSON_REAL_PRECISION(15)) != 0)
				rc = lw_err_set(e, LW_EIO, "%s: cannot write", tmp);
			fputc('\n', out);
		} else if (f == LW_REPORT_CSV) {
			rc = lw_report_write_csv(doc, out, e);
		} else {
			rc = lw_report_write_html(doc, out, e);
		}
		if (fflush(out) != 0 || ferror(out))
			rc = rc ? rc : lw_err_set(e, LW_EIO, "%s: %s", tmp, strerror(errno));
		if (fclose(out) != 0 && !rc)
			rc = lw_err_set(e, LW_EIO, "%s: %s", tmp, strerror(errno));
	}
	if (!rc && rename(tmp, path) != 0)
		rc = lw_err_set(e, LW_EIO, "%s: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}



/* Markdown would read '*', '_', '`', '[' ... in an agency's name as markup:
 * names from outside are written with those characters escaped. */
static void md_text(struct lw_strbuf *b, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_[]()#<>|~!", *s))
			lw_strbuf_printf(b, "\\%c", *s);
		else if (*s == '\n' || *s == '\r')
			lw_strbuf_printf(b, " ");
		else
			lw_strbuf_printf(b, "%c", *s);
	}
}

char *lw_bulletin_summary_markdown(json_t *doc, char *title, size_t cap)
{
	json_t *h = json_object_get(json_object_get(doc, "headline"), "period");
	json_t *ch = json_object_get(json_object_get(doc, "headline"), "change_on_last_year");
	json_t *groups = json_object_get(doc, "groups"), *g;
	json_t *cpl = json_object_get(doc, "completeness");
	struct lw_strbuf b = {0};
	char r1[32], r2[32], r3[32];
	size_t i, shown = 0;

	lw_bulletin_title(doc, title, cap);
	lw_strbuf_printf(&b, "### %s\n", title);
	if (!json_is_true(json_object_get(cpl, "complete")))
		lw_strbuf_printf(&b, "\n> **数据不完整 / incomplete data**：%zu 个单位本期未报送数据\n",
		   json_array_size(json_object_get(cpl, "silent_agencies")));
	lw_strbuf_printf(&b, "\n新收 %lld 件（同比 %s），审结 %lld 件，败诉 %lld 件，败诉率 %s（同比 %s），"
	       "调撤率 %s，负责人出庭应诉率 %s\n",
	   lw_rj_int(h, "filed"), lw_report_rate_text(json_object_get(h, "yoy_filed_growth"), 0, r1, sizeof r1),
	   lw_rj_int(h, "concluded"), lw_rj_int(h, "lost"),
	   lw_report_rate_text(json_object_get(h, "loss_rate"), 0, r2, sizeof r2),
	   lw_report_rate_text(json_object_get(ch, "loss_rate_points"), 1, r3, sizeof r3),
	   lw_report_rate_text(json_object_get(h, "withdrawn_mediated_rate"), 0, r1, sizeof r1),
	   lw_report_rate_text(json_object_get(h, "head_appearance_rate"), 0, r2, sizeof r2));
	lw_strbuf_printf(&b, "\n**本年累计败诉率前 %lld 名（不得评为优秀）/ annual top %lld by loss rate**\n",
	   lw_rj_int(json_object_get(doc, "rules"), "flag_top"),
	   lw_rj_int(json_object_get(doc, "rules"), "flag_top"));
	for (long long rank = 1; rank <= lw_rj_int(json_object_get(doc, "rules"), "flag_top"); rank++)
		json_array_foreach(groups, i, g) {
			json_t *y = json_object_get(g, "year_to_date");
			if (lw_rj_int(y, "loss_rate_rank") != rank)
				continue;
			lw_strbuf_printf(&b, "%lld. ", rank);
			md_text(&b, lw_rj_str(g, "group"));
			lw_strbuf_printf(&b, "：败诉 %lld / 审结 %lld，败诉率 %s\n", lw_rj_int(y, "lost"),
			   lw_rj_int(y, "concluded"),
			   lw_report_rate_text(json_object_get(y, "loss_rate"), 0, r1, sizeof r1));
			shown++;
		}
	if (!shown)
		lw_strbuf_printf(&b, "（无达到最低审结数的单位 / no agency reached the minimum of concluded cases）\n");
	json_array_foreach(groups, i, g)
		if (json_is_true(json_object_get(g, "highest_growth"))) {
			json_t *y = json_object_get(g, "year_to_date");
			lw_strbuf_printf(&b, "\n发案增长最高 / highest growth：");
			md_text(&b, lw_rj_str(g, "group"));
			lw_strbuf_printf(&b, "（本年累计新收 %lld 件，同比 %s）\n", lw_rj_int(y, "filed"),
			   lw_report_rate_text(json_object_get(y, "yoy_filed_growth"), 0, r1, sizeof r1));
		}
	lw_strbuf_printf(&b, "\n详见附件通报 / full bulletin attached (litwatch report)\n");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
