/* Unit tests for the table readers (table.h) over files made by real
 * writers (openpyxl, libxlsxwriter, LibreOffice, Python codecs as Excel
 * writes CSV) and over hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "read/table.h"

#define FIX LW_TEST_FIXTURES "/read/"

/* Header names joined with '|' then each row "num:cell|cell", one per line. */
static char *dump(struct lw_table *t)
{
	size_t cap = 1 << 16, n = 0;
	char *s = malloc(cap);
	struct lw_row r;
	struct lw_err e = {0};
	int rc;

#define PUT(str, len)                                                        \
	do {                                                                 \
		size_t l_ = (len);                                           \
		while (n + l_ + 16 > cap)                                    \
			s = realloc(s, cap *= 2);                            \
		memcpy(s + n, (str), l_);                                    \
		n += l_;                                                     \
	} while (0)
	for (size_t i = 0; i < lw_table_ncols(t); i++) {
		if (i)
			PUT("|", 1);
		PUT(lw_table_colname(t, i), strlen(lw_table_colname(t, i)));
	}
	PUT("\n", 1);
	while ((rc = lw_table_next(t, &r, &e)) == 0) {
		char num[16];
		snprintf(num, sizeof num, "%u:", r.num);
		PUT(num, strlen(num));
		for (size_t i = 0; i < r.ncols; i++) {
			if (i)
				PUT("|", 1);
			assert_int_equal(strlen(r.cells[i]), r.lens[i]);
			PUT(r.cells[i], r.lens[i]);
		}
		PUT("\n", 1);
	}
	if (rc != LW_EEOF) {
		PUT("ERROR ", 6);
		PUT(e.msg, strlen(e.msg));
	}
	s[n] = '\0';
	return s;
}

static char *read_file(const char *path, const struct lw_table_opts *o, struct lw_err *e)
{
	struct lw_table *t;
	char *s;
	if (lw_table_open(path, o, &t, e) != 0)
		return NULL;
	s = dump(t);
	lw_table_close(t);
	return s;
}

static char *read_mem(const char *buf, size_t len, const struct lw_table_opts *o, struct lw_err *e)
{
	struct lw_table *t;
	char *s;
	if (lw_table_open_mem(buf, len, "mem.csv", o, &t, e) != 0)
		return NULL;
	s = dump(t);
	lw_table_close(t);
	return s;
}

static const char merged_expect[] =
	"序号|案号|原告|被告|审理情况/立案日期|审理情况/结案日期|联系电话|标的额\n"
	"4:1|（２０２４）鄂０１行初１号|张三|武汉市自然资源和规划局|2024-01-05|2024-03-01|13812345678|1500.5\n"
	"5:2|(2024)鄂01行初2号|李四|市人社局|2024-02-29||13900000000|15\n";

static void openpyxl_merged_title_and_two_row_header_are_joined(void **state)
{
	struct lw_err e = {0};
	struct lw_table *t;
	unsigned nl;
	char *s = read_file(FIX "openpyxl_merged.xlsx", NULL, &e);
	assert_non_null(s);
	assert_string_equal(s, merged_expect);
	free(s);
	assert_int_equal(lw_table_open(FIX "openpyxl_merged.xlsx", NULL, &t, &e), 0);
	assert_int_equal(lw_table_format(t), LW_TABLE_XLSX);
	assert_string_equal(lw_table_sheet(t), "2024一季度");
	assert_int_equal(lw_table_header_row(t, &nl), 2);
	assert_int_equal(nl, 2);
	lw_table_close(t);
}

static void workbook_in_1904_system_gives_the_same_dates(void **state)
{
	struct lw_err e = {0};
	char *s = read_file(FIX "openpyxl_1904.xlsx", NULL, &e);
	assert_non_null(s);
	assert_string_equal(s, merged_expect);
	free(s);
}

static void libreoffice_xls_reads_like_the_xlsx_it_came_from(void **state)
{
	struct lw_err e = {0};
	struct lw_table *t;
	char *s = read_file(FIX "lo_merged.xls", NULL, &e);
	assert_non_null(s);
	assert_string_equal(s, merged_expect);
	free(s);
	assert_int_equal(lw_table_open(FIX "lo_merged.xls", NULL, &t, &e), 0);
	assert_int_equal(lw_table_format(t), LW_TABLE_XLS);
	lw_table_close(t);
}

static void sheets_are_chosen_by_name_or_number_and_hidden_ones_skipped(void **state)
{
	struct lw_err e = {0};
	struct lw_table_opts o = {.sheet_name = "第二页"};
	char *s = read_file(FIX "openpyxl_merged.xlsx", &o, &e);
	assert_non_null(s);
	assert_string_equal(s, "名称|数量\n2:甲|3\n");
	free(s);
	o.sheet_name = NULL;
	o.sheet_index = 3;
	s = read_file(FIX "openpyxl_merged.xlsx", &o, &e);
	assert_string_equal(s, "名称|数量\n2:甲|3\n");
	free(s);
	o.sheet_index = 9;
	assert_null(read_file(FIX "openpyxl_merged.xlsx", &o, &e));
	assert_int_equal(e.code, LW_ENOENT);
	assert_non_null(strstr(e.msg, "no sheet 9"));
}

static void cell_types_render_as_the_user_sees_them(void **state)
{
	struct lw_err e = {0};
	char *s = read_file(FIX "openpyxl_types.xlsx", NULL, &e);
	assert_non_null(s);
	assert_string_equal(s,
		"文本|整数|小数|布尔|错误|日期时间|时间|公式|大数|小数2\n"
		"2:a\nb|42|0.1|TRUE|#N/A|2024-05-06 07:08:09|13:45:30||123456789012345|0.0000001\n"
		"3:ｘ|-3|150000000000000000000|FALSE|#DIV/0!|1900-02-28|||9007199254740992|-0.25\n");
	free(s);
}

static void xlsxwriter_shared_strings_dates_and_merges(void **state)
{
	struct lw_err e = {0};
	struct lw_table *t;
	unsigned nl;
	char *s = read_file(LW_XLSXWRITER_FIXTURE, NULL, &e);
	assert_non_null(s);
	assert_string_equal(s,
		"案号|原告|审理情况/立案日期|审理情况/结案日期|审理情况/立案月份|电话(手机)\n"
		"5:(2024)鄂01行初1号|张三|2024-01-05|2024-03-01 14:30:00|2024-01-05|13812345678\n"
		"6:(2024)鄂01行初2号|张三|1900-02-29|1900-03-01 18:00:00|TRUE|0.3\n");
	free(s);
	assert_int_equal(lw_table_open(LW_XLSXWRITER_FIXTURE, NULL, &t, &e), 0);
	assert_int_equal(lw_table_header_row(t, &nl), 3);
	assert_int_equal(nl, 2);
	lw_table_close(t);
}

static const char csv_expect[] =
	"案号|原告|被告|备注\n"
	"3:（2024）鄂01行初1号|张三|市局|含,逗号\n"
	"4:(2024)鄂01行初2号|李四|县政府|说\"明\"\n第二行\n";

static void csv_variants_excel_gbk_bom_utf16_semicolon_pipe_cr(void **state)
{
	static const struct {
		const char *file, *enc;
		char delim;
	} cases[] = {
		{"gbk_excel.csv", "GB18030", ','},   {"utf8_bom.csv", "UTF-8", ','},
		{"utf16le_tab.txt", "UTF-16LE", '\t'}, {"semicolon.csv", "UTF-8", ';'},
		{"pipe_cr.csv", "UTF-8", '|'},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[512];
		struct lw_err e = {0};
		struct lw_table *t;
		snprintf(path, sizeof path, FIX "%s", cases[i].file);
		assert_int_equal(lw_table_open(path, NULL, &t, &e), 0);
		assert_string_equal(lw_table_encoding(t), cases[i].enc);
		assert_int_equal(lw_table_delimiter(t), cases[i].delim);
		assert_int_equal(lw_table_format(t), LW_TABLE_CSV);
		assert_null(lw_table_sheet(t));
		char *s = dump(t);
		if (strcmp(s, csv_expect))
			fail_msg("%s: got\n%s", cases[i].file, s);
		free(s);
		lw_table_close(t);
	}
}

static void invalid_gbk_byte_is_an_error_naming_the_row(void **state)
{
	struct lw_err e = {0};
	char *s = read_file(FIX "gbk_invalid.csv", NULL, &e);
	assert_non_null(s);
	assert_non_null(strstr(s, "ERROR gbk_invalid.csv: row 4: bytes invalid in GB18030"));
	free(s);
}

static void encoding_override_is_honoured(void **state)
{
	struct lw_err e = {0};
	struct lw_table_opts o = {.encoding = "GB18030"};
	const char gbk[] = "\xb0\xb8\xba\xc5,x\r\n1,2\r\n"; /* 案号 */
	char *s = read_mem(gbk, sizeof gbk - 1, &o, &e);
	assert_string_equal(s, "案号|x\n2:1|2\n");
	free(s);
	o.encoding = "NO-SUCH-CODE";
	assert_null(read_mem(gbk, sizeof gbk - 1, &o, &e));
	assert_non_null(strstr(e.msg, "unknown encoding 'NO-SUCH-CODE'"));
}

static void bad_inputs_give_clear_errors(void **state)
{
	static const struct {
		const char *file, *msg;
		int code;
	} cases[] = {
		{"empty.csv", "empty.csv: empty file", LW_EFORMAT},
		{"encrypted.xlsx", "encrypted workbook: save it without a password", LW_ECRYPT},
		{"entity_bomb.xlsx", "XML with a DTD is refused", LW_EFORMAT},
		{"zip_bomb.xlsx", "zip bomb", LW_ELIMIT},
		{"truncated.xlsx", "damaged .xlsx", LW_EFORMAT},
		{"not_workbook.xlsx", "not an Excel workbook", LW_EFORMAT},
		{"not_spreadsheet.pdf.xlsx", "not a spreadsheet (a PDF file)", LW_EFORMAT},
		{"html_table.xls", "HTML/XML page", LW_EFORMAT},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[512];
		struct lw_err e = {0};
		struct lw_table *t = (struct lw_table *)1;
		snprintf(path, sizeof path, FIX "%s", cases[i].file);
		int rc = lw_table_open(path, NULL, &t, &e);
		if (rc != cases[i].code || !strstr(e.msg, cases[i].msg))
			fail_msg("%s: expected %d '%s', got %d '%s'", cases[i].file, cases[i].code,
				 cases[i].msg, rc, e.msg);
		assert_null(t);
	}
}

static void header_only_and_blank_files_are_handled(void **state)
{
	struct lw_err e = {0};
	char *s = read_file(FIX "header_only.csv", NULL, &e);
	assert_string_equal(s, "案号|原告\n");
	free(s);
	assert_null(read_mem("\r\n , \r\n\r\n", 9, NULL, &e));
	assert_non_null(strstr(e.msg, "no rows"));
	s = read_mem("a,b\n1,2", 7, NULL, &e); /* no final newline */
	assert_string_equal(s, "a|b\n2:1|2\n");
	free(s);
}

static void unclosed_quote_is_reported_with_row_and_column(void **state)
{
	struct lw_err e = {0};
	char *s = read_file(FIX "unclosed_quote.csv", NULL, &e);
	assert_non_null(strstr(s, "row 2, column B: quoted field never closed"));
	free(s);
}

static void one_megabyte_cell_reads_and_oversized_cell_is_refused(void **state)
{
	size_t big = 1 << 20;
	char *buf = malloc(big + 64), *s;
	struct lw_err e = {0};
	struct lw_table_opts o = {.max_cell_bytes = 4 << 20};
	memcpy(buf, "k,v\n1,\"", 7);
	memset(buf + 7, 'x', big);
	memcpy(buf + 7 + big, "\"\n", 2);
	s = read_mem(buf, big + 9, &o, &e);
	assert_non_null(s);
	assert_int_equal(strlen(s), strlen("k|v\n2:1|\n") + big);
	free(s);
	o.max_cell_bytes = 1000;
	s = read_mem(buf, big + 9, &o, &e);
	assert_non_null(strstr(s, "row 2, column B: cell too long"));
	free(s);
	free(buf);
}

static void ten_thousand_columns_read_and_too_many_are_refused(void **state)
{
	struct lw_err e = {0};
	struct lw_table *t;
	struct lw_row r;
	struct lw_table_opts o = {.max_cols = 100};
	char L[8];
	assert_int_equal(lw_table_open(FIX "wide_10k.xlsx", NULL, &t, &e), 0);
	assert_int_equal(lw_table_ncols(t), 10000);
	assert_string_equal(lw_table_colname(t, 9999), "c9999");
	assert_int_equal(lw_table_next(t, &r, &e), 0);
	assert_int_equal(r.ncols, 10000);
	assert_string_equal(r.cells[9999], "9999");
	assert_int_equal(lw_table_next(t, &r, &e), LW_EEOF);
	lw_table_close(t);
	assert_int_not_equal(lw_table_open(FIX "wide_10k.xlsx", &o, &t, &e), 0);
	assert_int_equal(e.code, LW_ELIMIT);
	assert_non_null(strstr(e.msg, lw_col_letter(100, L)));
	assert_non_null(strstr(e.msg, "too many columns"));
}

static void total_and_blank_rows_are_skipped_and_fullwidth_header_folded(void **state)
{
	const char in[] = "\xef\xbb\xbf" "统计表,,\n\n"
			  "序号,（金额）,ＮＡＭＥ\n1,5,a\n,,\n2,6,b\n合　计,11,\n小计：,1,\n";
	struct lw_err e = {0};
	char *s = read_mem(in, sizeof in - 1, NULL, &e);
	assert_string_equal(s, "序号|(金额)|NAME\n4:1|5|a\n6:2|6|b\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(openpyxl_merged_title_and_two_row_header_are_joined),
		cmocka_unit_test(workbook_in_1904_system_gives_the_same_dates),
		cmocka_unit_test(libreoffice_xls_reads_like_the_xlsx_it_came_from),
		cmocka_unit_test(sheets_are_chosen_by_name_or_number_and_hidden_ones_skipped),
		cmocka_unit_test(cell_types_render_as_the_user_sees_them),
		cmocka_unit_test(xlsxwriter_shared_strings_dates_and_merges),
		cmocka_unit_test(csv_variants_excel_gbk_bom_utf16_semicolon_pipe_cr),
		cmocka_unit_test(invalid_gbk_byte_is_an_error_naming_the_row),
		cmocka_unit_test(encoding_override_is_honoured),
		cmocka_unit_test(bad_inputs_give_clear_errors),
		cmocka_unit_test(header_only_and_blank_files_are_handled),
		cmocka_unit_test(unclosed_quote_is_reported_with_row_and_column),
		cmocka_unit_test(one_megabyte_cell_reads_and_oversized_cell_is_refused),
		cmocka_unit_test(ten_thousand_columns_read_and_too_many_are_refused),
		cmocka_unit_test(total_and_blank_rows_are_skipped_and_fullwidth_header_folded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
