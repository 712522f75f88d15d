/*
 * report.c — the import report a clerk reads next to a file
 * (<name>.error.txt) and `litwatch import` prints: what happened, which row
 * and column, what was expected, and what to do — in Chinese and English.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strbuf.h"
#include "ingest/ingest_int.h"



static const char *status_text(const char *status, int one_shot)
{
	if (!strcmp(status, "ok"))
		return "已全部导入 / imported";
	if (!strcmp(status, "partial"))
		return "部分导入：有误的行未导入 / partly imported: rows with problems were left out";
	if (!strcmp(status, "rejected"))
		return "未导入 / rejected: nothing from this file was imported";
	if (!strcmp(status, "duplicate"))
		return "重复文件：此前已导入过完全相同的文件，本次未重复导入 / duplicate: the same file "
		       "was imported before; nothing imported again";
	if (one_shot)
		return "导入失败（系统原因，不是文件的问题），没有导入任何数据，请联系系统管理员 / failed "
		       "(not the file's fault): nothing was imported; tell the operator";
	return "导入失败（系统原因，不是文件的问题），文件仍在原文件夹中，系统会自动重试 / failed (not "
	       "the file's fault): the file stays in the folder and is tried again";
}

void lw_ingest_report(struct lw_ingest *ing, const char *origin, struct lw_ingest_result *res)
{
	struct lw_strbuf b = {0};
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i, shown = 0, nerr = 0;
	json_t *o;

	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	lw_strbuf_printf(&b, "litwatch 导入报告 / import report\n");
	lw_strbuf_printf(&b, "文件 / file: %s\n", origin ? origin : "?");
	lw_strbuf_printf(&b, "时间 / time: %s\n", when);
	lw_strbuf_printf(&b, "结果 / result: %s\n",
		  status_text(res->status ? res->status : "failed", ing->one_shot));
	if (res->rows)
		lw_strbuf_printf(&b, "数据行 / rows: %llu（新增 / new %llu，更新 / updated %llu，无变化 / "
			  "unchanged %llu，有误 / rejected %llu）\n",
			  (unsigned long long)res->rows, (unsigned long long)res->inserted,
			  (unsigned long long)res->updated, (unsigned long long)res->unchanged,
			  (unsigned long long)res->rejected);
	/* A failure is the system's: its detail (paths, SQL) is for the
	 * operator's log and imports.message, never for the clerk. */
	if (res->message && res->status && strcmp(res->status, "failed"))
		lw_strbuf_printf(&b, "\n问题 / problem:\n  %s\n", res->message);
	if (res->status && !strcmp(res->status, "duplicate") && res->rejected)
		lw_strbuf_printf(&b, "\n此文件此前已部分导入（导入编号 %lld），当时有 %llu 行有误未导入，见下 / "
			      "this file was partly imported before (import %lld): %llu row(s) with "
			      "problems were left out then, listed below\n",
			  (long long)res->duplicate_of, (unsigned long long)res->rejected,
			  (long long)res->duplicate_of, (unsigned long long)res->rejected);
	json_array_foreach(res->errors, i, o)
		if (json_object_get(o, "reason"))
			nerr++;
	if (nerr) {
		lw_strbuf_printf(&b, "\n有误的行 / rows with problems:\n");
		json_array_foreach(res->errors, i, o) {
			const char *col = json_string_value(json_object_get(o, "column"));
			const char *val = json_string_value(json_object_get(o, "value"));
			if (!json_object_get(o, "reason"))
				continue;
			lw_strbuf_printf(&b, "  第 %lld 行%s%s%s：%s / row %lld%s%s: %s",
				  (long long)json_integer_value(json_object_get(o, "row")),
				  col ? "，" : "", col ? col : "", col ? " 列" : "",
				  json_string_value(json_object_get(o, "reason_zh")),
				  (long long)json_integer_value(json_object_get(o, "row")),
				  col ? ", column " : "", col ? col : "",
				  json_string_value(json_object_get(o, "reason")));
			if (val && *val)
				lw_strbuf_printf(&b, "（原值 / value: \"%s\"）", val);
			lw_strbuf_printf(&b, "\n");
			shown++;
		}
		if (res->rejected > 0 && shown < res->rejected)
			lw_strbuf_printf(&b, "  ……仅列出前 %zu 处 / only the first %zu problems are listed\n",
				  shown, shown);
	}
	json_array_foreach(res->errors, i, o)
		if (json_object_get(o, "warning"))
			lw_strbuf_printf(&b, "\n提示 / note: %s\n",
				  json_string_value(json_object_get(o, "warning")));
	if (res->unknown_headers)
		lw_strbuf_printf(&b, "\n未识别的列（已忽略）/ columns not recognised (ignored): %s\n",
			  res->unknown_headers);
	if (res->footer_rows)
		lw_strbuf_printf(&b, "\n已跳过表格下方的签名栏（填表人、审核人等），不是数据：第 %s 行 / skipped the "
			      "form's signature lines under the table (not data): rows %s\n",
			  res->footer_rows, res->footer_rows);
	if (res->unresolved)
		lw_strbuf_printf(&b, "\n%llu 行的机关名称（被告或承办单位）尚未登记，已导入，待司法局确认后计入该机关 / "
			      "%llu rows name an agency that is not registered yet: they are imported and "
			      "count for that agency once the justice bureau confirms the name\n",
			  (unsigned long long)res->unresolved, (unsigned long long)res->unresolved);
	if (res->status && (!strcmp(res->status, "partial") || !strcmp(res->status, "rejected") ||
			    (!strcmp(res->status, "duplicate") && res->rejected)))
		lw_strbuf_printf(&b, "\n怎么办 / what to do:\n"
			      "  请按上面的说明更正，然后把更正后的文件重新放入原文件夹。已导入的行不会重复计算。\n"
			      "  Correct the problems above and drop the corrected file into the same "
			      "folder again. Rows already imported are not counted twice.\n");
	free(res->report);
	res->report = b.p;
}
