/*
 * export.h — cells that leave litwatch for a person's spreadsheet or page.
 *
 * A cell from a clerk's file or a feed may start with '=' and become a
 * formula when the export is opened in Excel or WPS (=HYPERLINK(...),
 * =cmd|...).  Every export of text that came from outside goes through
 * here: CSV now; the XLSX and HTML reports use the same test.
 */
#ifndef LW_EXPORT_H
#define LW_EXPORT_H

#include <stdio.h>

/* Nonzero when s would be read as a formula: it starts with '=', '+', '-',
 * '@', a tab or a carriage return (OWASP's list), or with their full-width
 * forms (＝ ＋ － ＠), which Chinese input methods produce and spreadsheet
 * software may fold. */
int lw_cell_is_formula_like(const char *s);

/* Write s as one CSV field (RFC 4180: quoted when it holds a comma, quote
 * or line break, quotes doubled), prefixed with a single quote when
 * lw_cell_is_formula_like, so that a spreadsheet shows it as text.  NULL
 * writes an empty field. */
void lw_csv_put_text(FILE *f, const char *s);

#endif
