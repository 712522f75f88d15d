/*
 * xlsx.h — (internal) pieces of the .xlsx backend shared between xlsx.c
 * (the streaming sheet reader) and xlsx_parts.c (zip members, workbook,
 * relationships, styles and shared strings).
 */
#ifndef LW_READ_XLSX_H
#define LW_READ_XLSX_H

#include <expat.h>
#include <stdint.h>
#include <zip.h>

#include "read/read_int.h"

/* A zip member being read with the size and ratio caps enforced. */
struct lw_zmember {
	zip_file_t *f;
	uint64_t size;     /* declared uncompressed size */
	uint64_t got;      /* bytes delivered so far */
	uint64_t cap;
	char name[96];
};

/* Open member `name` (case-insensitive).  LW_ENOENT if absent (no message
 * set), LW_ELIMIT for a zip bomb, LW_EFORMAT for a broken archive. */
int lw_zmember_open(zip_t *z, const char *name, const struct lw_read_limits *lim,
		    struct lw_zmember *m, struct lw_err *e);
/* Read up to n bytes; returns bytes read (0 at the end) or a negative code. */
long long lw_zmember_read(struct lw_zmember *m, void *buf, size_t n, struct lw_err *e);
void lw_zmember_close(struct lw_zmember *m);

/* An expat parser that refuses DTDs (no entity can be declared, so no
 * billion-laughs expansion and no external entities).  `user` is passed to
 * handlers.  The caller sets the element handlers. */
XML_Parser lw_xml_parser(void *user);
/* Local part of a possibly prefixed element name ("x:row" -> "row"). */
const char *lw_xml_lname(const char *name);
/* Value of attribute `key` (local name match), or NULL. */
const char *lw_xml_attr(const char **atts, const char *key);
/* Feed a whole member through p; errors name the member. */
int lw_xml_parse_member(zip_t *z, const char *name, XML_Parser p, const struct lw_read_limits *lim,
			int *refused, struct lw_err *e);

/* The fast worksheet scanner (xlsx_scan.c): a strict subset of XML, the
 * same handler calls as expat.  lw_xscan_run() returns 0 when stop() said
 * so after an event, or LW_XSCAN_BAIL when the input leaves the subset (or
 * ends, or cannot be read): the caller then parses with expat from the
 * start.  See xlsx_scan.c for why and what the subset is. */
enum { LW_XSCAN_BAIL = 1, LW_XSCAN_DEPTH = 32, LW_XSCAN_NAME = 32, LW_XSCAN_ATTS = 32 };
struct lw_xscan {
	struct lw_zmember *m;
	char *buf;
	size_t pos, len;           /* buf[pos..len) unread */
	uint64_t consumed;         /* stream offset of buf[0] */
	int eof, root, decl;
	size_t bom;                /* 3 after a UTF-8 BOM */
	unsigned depth;
	char names[LW_XSCAN_DEPTH][LW_XSCAN_NAME]; /* open elements */
	const char *atts[2 * LW_XSCAN_ATTS + 1];
	char *aend[2 * LW_XSCAN_ATTS];
	void *user;
	void (*start)(void *user, const char *name, const char **atts);
	void (*end)(void *user, const char *name);
	void (*text)(void *user, const char *s, int len);
	int (*stop)(void *user);
};
int lw_xscan_init(struct lw_xscan *s, struct lw_zmember *m);
int lw_xscan_run(struct lw_xscan *s);
void lw_xscan_free(struct lw_xscan *s);

struct lw_sheetinfo {
	char *name;
	char *path;   /* member path, e.g. "xl/worksheets/sheet1.xml" */
	int hidden;
};

/* Workbook: the sheets in tab order, the date system, where parts live. */
struct lw_workbook {
	struct lw_sheetinfo *sheets;
	size_t nsheets;
	int date1904;
	char *sst_path, *styles_path;
	/* styles: the kind of each cell format (cellXfs index) */
	unsigned char *xf_kind;
	size_t nxf;
	/* shared strings: all texts back to back, each NUL-terminated */
	char *sst;
	size_t sst_used, sst_cap;
	uint32_t *sst_off;
	size_t nsst, sst_ocap;
};

int lw_workbook_load(zip_t *z, const struct lw_read_limits *lim, struct lw_workbook *wb,
		     struct lw_err *e);
void lw_workbook_free(struct lw_workbook *wb);

#endif
