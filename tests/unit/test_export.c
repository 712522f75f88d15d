/* Cells exported for spreadsheets cannot become formulas (OWASP CSV
 * injection), and CSV quoting stays RFC 4180. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/export.h"

static char *csv_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	lw_csv_put_text(f, s);
	fclose(f);
	return buf;
}

static void formula_starts_are_prefixed_with_a_quote(void **state)
{
	static const char *const c[][2] = {
		{"=HYPERLINK(\"http://x\",\"点我\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\""},
		{"+1+1", "'+1+1"}, {"-2+3", "'-2+3"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"}, {"\r=1", "\"'\r=1\""}, {"＝1+1", "'＝1+1"},
		{"市自然资源局", "市自然资源局"}, {"a,b", "\"a,b\""}, {"", ""}, {"1=1", "1=1"},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char *got = csv_of(c[i][0]);
		if (strcmp(got, c[i][1]) != 0)
			fail_msg("%s: expected %s, got %s", c[i][0], c[i][1], got);
		free(got);
	}
	assert_false(lw_cell_is_formula_like(NULL));
	assert_false(lw_cell_is_formula_like("一=1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formula_starts_are_prefixed_with_a_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
