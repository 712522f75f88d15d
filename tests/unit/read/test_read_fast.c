/* Unit tests for the readers' fast paths: the CSV whole-record path and
 * the GB18030 table decoder at every position of a 256 KiB chunk boundary,
 * the lazy xlsx merge scan, and the fast worksheet scanner, which must
 * give exactly what expat gives (including errors) on every input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <iconv.h>
#include <unistd.h>
#include <zip.h>

#include "cli.h"
#include "read/read_int.h"

#define CHUNK (256 * 1024) /* encoding.c RAW_CHUNK */

struct sbuf {
	char *s;
	size_t n, cap;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
	while (b->n + n + 1 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4096;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void puts_(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Header, then "num:cell|cell" per row, then "ERROR msg" if any. */
static char *dump_mem(const void *buf, size_t len, const char *name, const struct lw_table_opts *o)
{
	struct sbuf b = {0};
	struct lw_table *t = NULL;
	struct lw_err e = {0};
	struct lw_row r;
	int rc;

	if (lw_table_open_mem(buf, len, name, o, &t, &e)) {
		puts_(&b, "OPEN ");
		puts_(&b, e.msg);
		return b.s;
	}
	for (size_t i = 0; i < lw_table_ncols(t); i++) {
		if (i)
			puts_(&b, "|");
		puts_(&b, lw_table_colname(t, i));
	}
	puts_(&b, "\n");
	while ((rc = lw_table_next(t, &r, &e)) == 0) {
		char num[16];
		snprintf(num, sizeof num, "%u:", r.num);
		puts_(&b, num);
		for (size_t i = 0; i < r.ncols; i++) {
			if (i)
				puts_(&b, "|");
			assert_int_equal(strlen(r.cells[i]), r.lens[i]);
			put(&b, r.cells[i], r.lens[i]);
		}
		puts_(&b, "\n");
	}
	if (rc != LW_EEOF) {
		puts_(&b, "ERROR ");
		puts_(&b, e.msg);
	}
	lw_table_close(t);
	return b.s;
}

/* ---- CSV ---------------------------------------------------------------- */

/* Row i of the boundary test, as UTF-8 CSV text and as the dump line the
 * reader must give.  Mixes plain fields, a quoted delimiter, doubled quotes
 * (a quote may end up last in a chunk) and Chinese text (2- and 4-byte
 * GB18030 codes, cut at any byte). */
static void row_text(size_t i, struct sbuf *csv, struct sbuf *want, uint32_t num)
{
	char a[256], w[256];
	switch (i % 4) {
	case 0:
		snprintf(a, sizeof a, "%zu,案号%zu,\"含,逗号\",𠮷%zu\r\n", i, i, i);
		snprintf(w, sizeof w, "%u:%zu|案号%zu|含,逗号|𠮷%zu\n", num, i, i, i);
		break;
	case 1:
		snprintf(a, sizeof a, "%zu,\"say \"\"hi\"\"\",,x\r\n", i);
		snprintf(w, sizeof w, "%u:%zu|say \"hi\"||x\n", num, i);
		break;
	case 2:
		snprintf(a, sizeof a, "%zu,中文字段%zu,\"\"\"\",末\r\n", i, i);
		snprintf(w, sizeof w, "%u:%zu|中文字段%zu|\"|末\n", num, i, i);
		break;
	default:
		snprintf(a, sizeof a, "%zu,plain,ascii,%zu\n", i, i * 7);
		snprintf(w, sizeof w, "%u:%zu|plain|ascii|%zu\n", num, i, i * 7);
		break;
	}
	puts_(csv, a);
	puts_(want, w);
}

static char *to_gb18030(const char *s, size_t n, size_t *out_len)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	size_t cap = n * 2 + 16, ol = cap;
	char *out = malloc(cap), *o = out, *in = (char *)s;
	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &in, &n, &o, &ol) != (size_t)-1);
	iconv_close(cd);
	*out_len = cap - ol;
	return out;
}

/* A filler first row of every length 1..100 moves each byte of the rows
 * around offset 256 KiB onto the chunk boundary in turn. */
static void csv_chunk_boundary(int gb)
{
	for (size_t k = 1; k <= 100; k++) {
		struct sbuf csv = {0}, want = {0};
		struct lw_table_opts o = {.encoding = gb ? "GB18030" : NULL, .delimiter = ','};
		char filler[128], *got, *data;
		size_t len;
		uint32_t num = 2;

		puts_(&csv, "id,name,note,tail\r\n");
		puts_(&want, "id|name|note|tail\n");
		memset(filler, 'f', k);
		filler[k] = '\0';
		puts_(&csv, filler);
		puts_(&csv, ",,,\r\n");
		puts_(&want, "2:");
		puts_(&want, filler);
		puts_(&want, "|||\n");
		for (size_t i = 0; csv.n < CHUNK + CHUNK / 4; i++)
			row_text(i, &csv, &want, ++num);
		if (gb) {
			data = to_gb18030(csv.s, csv.n, &len);
		} else {
			data = csv.s;
			len = csv.n;
		}
		got = dump_mem(data, len, "b.csv", &o);
		if (strcmp(got, want.s)) {
			size_t d = 0;
			while (got[d] == want.s[d])
				d++;
			fail_msg("k=%zu gb=%d: differs at %zu: got '%.60s' want '%.60s'", k, gb, d,
				 got + d, want.s + d);
		}
		free(got);
		if (gb)
			free(data);
		free(csv.s);
		free(want.s);
	}
}

static void csv_utf8_delimiter_and_quote_at_every_chunk_position(void **state)
{
	(void)state;
	csv_chunk_boundary(0);
}

static void csv_gb18030_char_split_at_every_chunk_position(void **state)
{
	(void)state;
	csv_chunk_boundary(1);
}

static void csv_fast_path_keeps_limits_and_odd_line_ends(void **state)
{
	struct lw_table_opts o = {.max_cols = 3, .delimiter = ','};
	struct lw_table_opts o2 = {.max_cell_bytes = 4, .delimiter = ','};
	char *got;
	(void)state;
	/* a lone CR ends a record; CRLF and LF mixed; an empty line */
	got = dump_mem("a,b\rc,d\r\ne,f\n\ng,h", 17, "x.csv", &(struct lw_table_opts){.delimiter = ','});
	assert_string_equal(got, "a|b\n2:c|d\n3:e|f\n5:g|h\n");
	free(got);
	got = dump_mem("a,b,c\n1,2,3,4\n", 14, "x.csv", &o);
	assert_non_null(strstr(got, "ERROR x.csv: row 2, column D: too many columns"));
	free(got);
	got = dump_mem("a,b\n1,12345\n", 12, "x.csv", &o2);
	assert_non_null(strstr(got, "ERROR x.csv: row 2, column B: cell too long"));
	free(got);
}

/* ---- xlsx: a workbook around a given sheet ------------------------------- */

static void *make_xlsx(const char *sheet, size_t sheet_len, size_t *len)
{
	static const char wb[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook "
	    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
	    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	    "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
	static const char rels[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
	    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	    "<Relationship Id=\"rId1\" "
	    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
	    "Target=\"worksheets/sheet1.xml\"/></Relationships>";
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	zip_stat_t st;
	void *out;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	assert_true(zip_file_add(z, "xl/workbook.xml", zip_source_buffer(z, wb, sizeof wb - 1, 0),
				 0) >= 0);
	assert_true(zip_file_add(z, "xl/_rels/workbook.xml.rels",
				 zip_source_buffer(z, rels, sizeof rels - 1, 0), 0) >= 0);
	assert_true(zip_file_add(z, "xl/worksheets/sheet1.xml",
				 zip_source_buffer(z, sheet, sheet_len, 0), 0) >= 0);
	assert_int_equal(zip_close(z), 0);
	assert_int_equal(zip_source_stat(src, &st), 0);
	*len = (size_t)st.size;
	out = malloc(*len);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_read(src, out, *len), (zip_int64_t)*len);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	return out;
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""

/* Read a sheet with the fast scanner and with expat only: both must give
 * the same dump, which is returned. */
static char *both(const char *sheet, size_t n)
{
	size_t len;
	void *x = make_xlsx(sheet, n, &len);
	char *fast, *slow;

	lw_xlsx_expat_only = 0;
	fast = dump_mem(x, len, "t.xlsx", NULL);
	lw_xlsx_expat_only = 1;
	slow = dump_mem(x, len, "t.xlsx", NULL);
	lw_xlsx_expat_only = 0;
	if (strcmp(fast, slow))
		fail_msg("fast scanner and expat differ:\n--- fast\n%s\n--- expat\n%s", fast, slow);
	free(slow);
	free(x);
	return fast;
}

static char *both_s(const char *sheet)
{
	return both(sheet, strlen(sheet));
}

#define IS(v) "<c t=\"inlineStr\"><is><t>" v "</t></is></c>"

static void xlsx_scanner_matches_expat_on_xml_corners(void **state)
{
	static const char *const sheets[] = {
	    /* entities and character references */
	    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet " NS
	    "><sheetData><row r=\"1\">" IS("a&amp;b") IS("&lt;&gt;&quot;&apos;") "</row><row r=\"2\">" IS(
		"&#20013;&#x4E2D;&#10;x") IS("&#13;") "</row></sheetData></worksheet>",
	    /* prefixed names, single quotes, white space inside tags */
	    "\xEF\xBB\xBF<?xml version='1.0'?>\n<x:worksheet xmlns:x=\"u\">\n <x:sheetData >\n"
	    "  <x:row r = '1' ><x:c r='A1' t = 'inlineStr'><x:is><x:t>h1</x:t></x:is></x:c>"
	    "<x:c r='B1' t='inlineStr'><x:is><x:t>h2</x:t></x:is></x:c></x:row>\n"
	    "  <x:row r='2'><x:c r='A2'><x:v>1.5</x:v></x:c><x:c r='B2' t='b'><x:v>1</x:v></x:c>"
	    "</x:row>\n </x:sheetData>\n</x:worksheet>",
	    /* a literal CR (normalised by XML) makes the scanner hand over */
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">" IS(
		"x\r\ny") IS("z") "</row></sheetData></worksheet>",
	    /* a comment and CDATA after some rows: expat finishes, no row twice */
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">" IS(
		"1") IS("2") "</row><!-- c --><row r=\"3\">" IS("<![CDATA[<x>]]>") IS(
		"3") "</row></sheetData></worksheet>",
	    /* errors must be expat's */
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">" IS(
		"1") "</rowx></sheetData></worksheet>",
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">" IS(
		"&nbsp;") "</row></sheetData></worksheet>",
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">" IS(
		"x]]>y") "</row></sheetData></worksheet>",
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\" r=\"3\">" IS(
		"1") "</row></sheetData></worksheet>",
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">" IS(
		"bad \xC3\x28 utf8") "</row></sheetData></worksheet>",
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">" IS(
		"\xEF\xBF\xBE") "</row></sheetData></worksheet>",
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">" IS(
		"&#0;") "</row></sheetData></worksheet>",
	    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><worksheet " NS
	    "><sheetData><row r=\"1\">" IS("a") IS("b") "</row></sheetData></worksheet>",
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">" IS(
		"cut"),
	    "<worksheet " NS "><dimension ref=\"A1\"/></worksheet>",
	    /* found by fuzz_xlsx: an empty root element, then more elements */
	    "<worksheet " NS "/><sheetData><row r=\"1\">" IS("a") IS("b") "</row></sheetData>",
	    "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c>" IS(
		"b") "</row></sheetData></worksheet>",
	    "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\"><c r=\"A2\"t=\"n\"><v>1</v></c></row></sheetData></worksheet>",
	};
	static const char *const want[] = {
	    "a&b|<>\"'\n2:中中\nx|\r\n",
	    "h1|h2\n2:1.5|TRUE\n",
	    "a|b\n2:x\ny|z\n",
	    "a|b\n2:1|2\n3:<x>|3\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof sheets / sizeof sheets[0]; i++) {
		char *got = both_s(sheets[i]);
		if (i < sizeof want / sizeof want[0])
			assert_string_equal(got, want[i]);
		else
			assert_non_null(strstr(got, "ERROR") ? strstr(got, "ERROR") : strstr(got, "OPEN"));
		free(got);
	}
}

static void xlsx_scanner_hands_a_huge_cell_to_expat(void **state)
{
	struct sbuf s = {0};
	char *big = malloc(300001), *got;
	(void)state;
	memset(big, 'z', 300000);
	big[300000] = '\0';
	puts_(&s, "<worksheet " NS "><sheetData><row r=\"1\">" IS("a") IS("b") "</row><row r=\"2\">");
	puts_(&s, "<c t=\"inlineStr\"><is><t>");
	puts_(&s, big);
	puts_(&s, "</t></is></c>" IS("y") "</row><row r=\"3\">" IS("p") IS("q")
		  "</row></sheetData></worksheet>");
	got = both(s.s, s.n);
	assert_int_equal(strlen(got), strlen("a|b\n2:") + 300000 + strlen("|y\n3:p|q\n"));
	free(got);
	free(big);
	free(s.s);
}

/* Many rows, so that the scanner refills its buffer many times, and a
 * token straddles every refill. */
static void xlsx_scanner_long_sheet_matches_expat(void **state)
{
	struct sbuf s = {0};
	char row[512], *got;
	(void)state;
	puts_(&s, "<worksheet " NS "><sheetData><row r=\"1\">" IS("序号") IS("名称") IS("值") "</row>");
	for (int i = 2; i < 30000; i++) {
		snprintf(row, sizeof row,
			 "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c><c r=\"B%d\" t=\"inlineStr\"><is><t>"
			 "名称&amp;%d</t></is></c><c r=\"C%d\" s=\"0\"><v>%d.25</v></c></row>",
			 i, i, i, i, i, i, i);
		puts_(&s, row);
	}
	puts_(&s, "</sheetData></worksheet>");
	got = both(s.s, s.n);
	assert_non_null(strstr(got, "\n29999:29999|名称&29999|29999.25\n"));
	free(got);
	free(s.s);
}

/* ---- xlsx: merged ranges read only when they could change the header ---- */

static void xlsx_merges_used_when_present_and_needed(void **state)
{
	/* A2:A3 merged down: the only thing saying rows 2-3 are one header */
	static const char with[] =
	    "<worksheet " NS "><sheetData>"
	    "<row r=\"1\">" IS("标题") "</row>"
	    "<row r=\"2\">" IS("案号") IS("审理情况") IS("其他") "</row>"
	    "<row r=\"3\"><c r=\"A3\"/>" IS("立案") IS("结案") "</row>"
	    "<row r=\"4\"><c r=\"A4\"><v>1</v></c>" IS("x") IS("y") "</row>"
	    "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A2:A3\"/></mergeCells></worksheet>";
	static const char without[] =
	    "<worksheet " NS "><sheetData>"
	    "<row r=\"1\">" IS("标题") "</row>"
	    "<row r=\"2\">" IS("案号") IS("审理情况") IS("其他") "</row>"
	    "<row r=\"3\"><c r=\"A3\"/>" IS("立案") IS("结案") "</row>"
	    "<row r=\"4\"><c r=\"A4\"><v>1</v></c>" IS("x") IS("y") "</row>"
	    "</sheetData></worksheet>";
	/* B1 empty but covered by A1:B1: the merge names it */
	static const char empty_name[] =
	    "<worksheet " NS "><sheetData>"
	    "<row r=\"1\">" IS("金额") "<c r=\"B1\"/>" IS("备注") "</row>"
	    "<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"B2\"><v>2</v></c>" IS("z") "</row>"
	    "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>";
	/* every name filled, next row numeric: merges below cannot matter */
	static const char not_needed[] =
	    "<worksheet " NS "><sheetData>"
	    "<row r=\"1\">" IS("a") IS("b") "</row>"
	    "<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"B2\"/></row>"
	    "<row r=\"3\"><c r=\"A3\"><v>2</v></c>" IS("q") "</row>"
	    "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A2:B2\"/></mergeCells></worksheet>";
	char *got;
	(void)state;
	got = both_s(with);
	assert_string_equal(got, "案号|审理情况/立案|其他/结案\n4:1|x|y\n");
	free(got);
	got = both_s(without);
	assert_string_equal(got, "案号|审理情况|其他\n3:|立案|结案\n4:1|x|y\n");
	free(got);
	got = both_s(empty_name);
	assert_string_equal(got, "金额|金额|备注\n2:1|2|z\n");
	free(got);
	got = both_s(not_needed);
	assert_string_equal(got, "a|b\n2:1|\n3:2|q\n");
	free(got);
}

/* `litwatch read --format csv` writes a row whose cells need no quotes with
 * one copy (put_csv_span); rows that need quotes take the per-cell way. */
static void cli_csv_output_quotes_only_what_needs_it(void **state)
{
	static const char in[] = "a,b,c\n1,\"x,y\",3\n\"q\"\"r\",,\n4,5,6\n\"multi\nline\",z,\n7,,\n";
	static const char want[] = "a,b,c\r\n1,\"x,y\",3\r\n\"q\"\"r\",,\r\n4,5,6\r\n"
				   "\"multi\nline\",z,\r\n7,,\r\n";
	char src[] = "/tmp/lw_fast_cli_XXXXXX", dst[sizeof src + 4], got[256];
	char *argv[] = {"read", src, "--format", "csv", NULL};
	int fd = mkstemp(src), saved;
	FILE *f;
	size_t n;
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, in, sizeof in - 1), (ssize_t)(sizeof in - 1));
	close(fd);
	snprintf(dst, sizeof dst, "%s.out", src);
	fflush(stdout);
	saved = dup(1);
	assert_non_null(freopen(dst, "w", stdout));
	assert_int_equal(lw_cmd_read(4, argv), 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	f = fopen(dst, "rb");
	assert_non_null(f);
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	fclose(f);
	unlink(src);
	unlink(dst);
	assert_string_equal(got, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_utf8_delimiter_and_quote_at_every_chunk_position),
		cmocka_unit_test(csv_gb18030_char_split_at_every_chunk_position),
		cmocka_unit_test(csv_fast_path_keeps_limits_and_odd_line_ends),
		cmocka_unit_test(xlsx_scanner_matches_expat_on_xml_corners),
		cmocka_unit_test(xlsx_scanner_hands_a_huge_cell_to_expat),
		cmocka_unit_test(xlsx_scanner_long_sheet_matches_expat),
		cmocka_unit_test(xlsx_merges_used_when_present_and_needed),
		cmocka_unit_test(cli_csv_output_quotes_only_what_needs_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
