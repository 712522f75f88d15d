/*
 * export.c — neutralising cells for spreadsheets (see export.h).
 */
#include "base/export.h"

#include <string.h>

int lw_cell_is_formula_like(const char *s)
{
	static const char *const wide[] = {"\xef\xbc\x9d", "\xef\xbc\x8b", "\xef\xbc\x8d",
					   "\xef\xbc\xa0"}; /* ＝ ＋ － ＠ */

	if (!s || !*s)
		return 0;
	if (strchr("=+-@\t\r", *s))
		return 1;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (!strncmp(s, wide[i], 3))
			return 1;
	return 0;
}

void lw_csv_put_text(FILE *f, const char *s)
{
	int quote;

	if (!s)
		return;
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', f);
	if (lw_cell_is_formula_like(s))
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}
