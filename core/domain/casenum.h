/*
 * core/domain/: the domain rules, pure functions without I/O: case numbers
 * (this header), dates, workdays, outcomes, agencies, 12345 words, PII, rates.
 *
 * casenum.h — case numbers (案号) of Chinese courts, administrative cases.
 *
 * Since 2016-01-01 the Supreme People's Court (最高人民法院) numbers every case
 * as  (收案年度)法院代字[专门审判代字]类型代字案件编号号 ,
 * e.g. (2023)鄂9004行初15号 = year 2023, court 鄂9004 (a basic court in
 * Hubei), type 行初 (administrative first instance), sequence 15.
 * Before 2016 courts wrote a free abbreviation and 字第, e.g.
 * (2015)海行初字第5号.  This module turns every spelling seen in the wild
 * into one normalised text used as the warehouse key.  Pure functions.
 */
#ifndef LW_DOMAIN_CASENUM_H
#define LW_DOMAIN_CASENUM_H

#include "base/err.h"

/* Longest input accepted, in bytes; longer text is not a case number. */
#define LW_CASENUM_INPUT_MAX 256
/* Size of lw_casenum.norm; every normalised number fits. */
#define LW_CASENUM_NORM_MAX 160

/* Level of the court, read from the shape of the court code (法院代字). */
enum lw_court_level {
	LW_COURT_UNKNOWN = 0,  /* pre-2016 free abbreviation: not derivable */
	LW_COURT_SUPREME,      /* 最高法: 最高人民法院 */
	LW_COURT_HIGH,         /* province abbreviation alone, e.g. 鄂: 高级人民法院 */
	LW_COURT_INTERMEDIATE, /* abbreviation + 2 digits, e.g. 京01: 中级人民法院 */
	LW_COURT_BASIC,        /* abbreviation + 4 digits, e.g. 鄂9004: 基层人民法院 */
};

struct lw_casenum {
	int year;               /* 收案年度: year the court received the case */
	int pre2016;            /* 1 for the old 字第 form with a free court abbreviation */
	char court[64];         /* 法院代字: "最高法", "鄂", "京01", "鄂9004", or pre-2016 text ("海") */
	char special[16];       /* 专门审判代字 (specialised tribunal), e.g. "知"; "" if none */
	char type[16];          /* 类型代字 of today's standard, e.g. "行初", "行审复"; for a
				 * code written before 2016 today's equivalent (行非执 ->
				 * 行审), or type_raw when there is none */
	char type_raw[16];      /* the type code as written (simplified script): "行非执" */
	long sequence;          /* 案件编号 without leading zeros, >= 1 */
	enum lw_court_level level;
	int part;               /* N of a sub-number: 号之一, 4之一号, 4-1号 = 1 (a further
				 * document in the same case); 0 if none.  Not in
				 * norm: the case is the same. */
	char norm[LW_CASENUM_NORM_MAX]; /* e.g. "(2023)鄂9004行初15号" */
};

/*
 * Parse a case number.  text is NUL-terminated UTF-8 and is not modified or
 * kept.  Accepted: half-width (), full-width （）, 〔〕, 【】, [] and ［］
 * around the year; white space anywhere; full-width digits; traditional
 * characters (號, 終, 審, 蘇, 魯 …, folded to simplified); leading zeros in
 * the sequence; a missing final 号; the pre-2016 字第 form; type codes
 * written before 2016 (行非执, 行初重 …, see type) and any other code that
 * starts with 行 (kept as written); sub-numbers 之一, 4之一号, 4-1号 (a
 * further document of the same case, see part).  norm keeps type_raw.
 *
 * Returns 0 and fills *out; LW_EFORMAT when text is not a case number;
 * LW_EINVAL when it is a well-formed case number of a type that is not an
 * administrative case (e.g. 执 enforcement, 民初 civil) — *out is filled
 * then too, so the caller can log out->type.  The message in *e (may be
 * NULL) says what was expected.
 */
int lw_casenum_parse(const char *text, struct lw_casenum *out, struct lw_err *e);

/* Nonzero when type (a 类型代字 such as "行赔初") is one of the
 * administrative type codes this module knows. */
int lw_casenum_type_is_administrative(const char *type);

/* What kind of case a non-administrative type code is, in Chinese, for a
 * clerk's message ("民事" for 民初, "刑事", "执行", "国家赔偿"), or NULL. */
const char *lw_casenum_kind_zh(const char *type);

/* English token for a court level ("supreme", "high", "intermediate",
 * "basic", "unknown"); static, never NULL. */
const char *lw_court_level_name(enum lw_court_level level);

#endif
