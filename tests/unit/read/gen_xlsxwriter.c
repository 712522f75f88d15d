/*
 * gen_xlsxwriter.c — writes .xlsx files with libxlsxwriter, a real writer
 * whose output differs from openpyxl's (shared strings, constant-memory row
 * streaming, merged ranges written before the data).
 *
 *   gen_xlsxwriter fixture OUT.xlsx      the quirks fixture for test_read
 *   gen_xlsxwriter bench OUT.xlsx NROWS  NROWS x 10 columns for bench/read
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

static int fixture(const char *out)
{
	lxw_workbook *wb = workbook_new(out);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "案件");
	lxw_format *cn = workbook_add_format(wb), *dt = workbook_add_format(wb),
		   *tm = workbook_add_format(wb);
	lxw_datetime d1 = {2024, 1, 5, 0, 0, 0}, d2 = {2024, 3, 1, 14, 30, 0};

	format_set_num_format(cn, "yyyy\"年\"m\"月\"d\"日\"");
	format_set_num_format_index(dt, 22); /* m/d/yy h:mm */
	format_set_num_format(tm, "[$-804]yyyy\"年\"mm\"月\";@");
	worksheet_merge_range(ws, 0, 0, 0, 5, "2024年第一季度行政诉讼案件统计表", NULL);
	worksheet_write_string(ws, 1, 0, "填报单位：某某市中级人民法院", NULL);
	worksheet_merge_range(ws, 2, 0, 3, 0, "案号", NULL);
	worksheet_merge_range(ws, 2, 1, 3, 1, "原告", NULL);
	worksheet_merge_range(ws, 2, 2, 2, 4, "审理情况", NULL);
	worksheet_write_string(ws, 3, 2, "立案日期", NULL);
	worksheet_write_string(ws, 3, 3, "结案日期", NULL);
	worksheet_write_string(ws, 3, 4, "立案月份", NULL);
	worksheet_merge_range(ws, 2, 5, 3, 5, "电话（手机）", NULL);
	worksheet_write_string(ws, 4, 0, "(2024)鄂01行初1号", NULL);
	worksheet_write_string(ws, 4, 1, "张三", NULL);
	worksheet_write_datetime(ws, 4, 2, &d1, cn);
	worksheet_write_datetime(ws, 4, 3, &d2, dt);
	worksheet_write_datetime(ws, 4, 4, &d1, tm);
	worksheet_write_number(ws, 4, 5, 13812345678.0, NULL);
	worksheet_write_string(ws, 5, 0, "(2024)鄂01行初2号", NULL);
	worksheet_write_string(ws, 5, 1, "张三", NULL); /* shared string reused */
	worksheet_write_number(ws, 5, 2, 60, cn);        /* the fictitious 1900-02-29 */
	worksheet_write_number(ws, 5, 3, 61.75, dt);
	worksheet_write_boolean(ws, 5, 4, 1, NULL);
	worksheet_write_number(ws, 5, 5, 0.1 + 0.2, NULL);
	worksheet_write_string(ws, 7, 0, "总  计", NULL);
	worksheet_write_number(ws, 7, 5, 2, NULL);
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}

static int bench(const char *out, long n)
{
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
	lxw_workbook *wb = workbook_new_opt(out, &opt);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "data");
	lxw_format *df = workbook_add_format(wb);
	static const char *const head[10] = {"序号", "案号", "原告", "被告", "案由",
					     "立案日期", "标的额", "电话", "承办法官", "备注"};
	char buf[64];

	format_set_num_format(df, "yyyy-mm-dd");
	for (int c = 0; c < 10; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], NULL);
	for (long r = 1; r <= n; r++) {
		worksheet_write_number(ws, (lxw_row_t)r, 0, (double)r, NULL);
		snprintf(buf, sizeof buf, "(2024)鄂01行初%ld号", r);
		worksheet_write_string(ws, (lxw_row_t)r, 1, buf, NULL);
		snprintf(buf, sizeof buf, "原告%ld", r % 5000);
		worksheet_write_string(ws, (lxw_row_t)r, 2, buf, NULL);
		worksheet_write_string(ws, (lxw_row_t)r, 3, r % 2 ? "市人民政府" : "市自然资源和规划局", NULL);
		worksheet_write_string(ws, (lxw_row_t)r, 4, "行政处罚", NULL);
		worksheet_write_number(ws, (lxw_row_t)r, 5, 45000 + (double)(r % 700), df);
		worksheet_write_number(ws, (lxw_row_t)r, 6, (double)(r % 100000) / 100.0, NULL);
		worksheet_write_number(ws, (lxw_row_t)r, 7, 13800000000.0 + (double)r, NULL);
		worksheet_write_string(ws, (lxw_row_t)r, 8, "王法官", NULL);
		worksheet_write_string(ws, (lxw_row_t)r, 9, r % 3 ? "" : "已结", NULL);
	}
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "fixture"))
		return fixture(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "bench"))
		return bench(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: gen_xlsxwriter fixture OUT | bench OUT NROWS\n");
	return 2;
}
