/*
 * pii.h — personal data of 12345 callers (来电人 name, 来电号码 phone):
 * keyed hashing and masked display forms.
 *
 * Clear names and numbers never reach the warehouse or the log.  What is
 * stored is HMAC-SHA256(key, normalised value) in hex, so a repeat caller is
 * still counted as one person, and a masked form (138****5678, 张**) where
 * a clerk must recognise a record.  The key comes from a file only its owner
 * can read (config pii_key_file, CLI --pii-key-file).  No function here
 * logs, and no error message repeats the value it was given.
 */
#ifndef LW_DOMAIN_PII_H
#define LW_DOMAIN_PII_H

#include <stddef.h>

#include "base/err.h"

/* Minimum and maximum key length in bytes. */
#define LW_PII_KEY_MIN 32
#define LW_PII_KEY_MAX 4096
/* Size of the hex digest buffer: 64 hex digits + NUL. */
#define LW_PII_HASH_HEX 65
/* Size of a buffer that holds any masked form. */
#define LW_PII_MASK_MAX 256

/* A loaded key: a keyed HMAC state, read-only once loaded, so several
 * threads may hash with one key at once. */
struct lw_pii_key;

/*
 * Load the key from path.  The key is the file's bytes, exactly (a final
 * newline is part of it).  Refused: a file that is not a regular file, that
 * group or others may read or write (LW_EPERM: "chmod 600 FILE"), shorter
 * than LW_PII_KEY_MIN bytes or longer than LW_PII_KEY_MAX (LW_EINVAL).
 * On success *out is owned by the caller: lw_pii_key_free wipes and frees it.
 */
int lw_pii_key_load(const char *path, struct lw_pii_key **out, struct lw_err *e);

/* Key from bytes already in memory (copied); same length rules. */
int lw_pii_key_from_bytes(const void *bytes, size_t len, struct lw_pii_key **out, struct lw_err *e);

/* Wipe and free; NULL is allowed. */
void lw_pii_key_free(struct lw_pii_key *key);

enum lw_pii_kind {
	LW_PII_PHONE, /* digits only, +86/86/0086 stripped (landline trunk 0 kept) */
	LW_PII_NAME,  /* trimmed, full-width folded, spaces around Chinese dropped */
};

/*
 * Normalised form of value into out (cap bytes): the text that is hashed.
 * Phone: 138-1234-5678, +86 138 1234 5678, 0086 13812345678 → 13812345678;
 * (010) 1234-5678, +86 10 1234 5678 → 01012345678.  Name: " 张 三 " → 张三,
 * "John  Smith" → "John Smith".  Returns 0; LW_EFORMAT when nothing is left
 * (a phone without digits, an empty name); LW_ELIMIT when out is too small.
 */
int lw_pii_normalize(enum lw_pii_kind kind, const char *value, char *out, size_t cap, struct lw_err *e);

/* HMAC-SHA256 of the normalised value as 64 lowercase hex digits in out_hex
 * (LW_PII_HASH_HEX bytes).  Returns 0 or an lw_pii_normalize error. */
int lw_pii_hash(const struct lw_pii_key *key, enum lw_pii_kind kind, const char *value, char *out_hex,
		struct lw_err *e);

/* Masked phone into out (cap >= LW_PII_MASK_MAX is always enough):
 * mobile 13812345678 → 138****5678; landline 01012345678 → 010-****5678,
 * 075512345678 → 0755-****5678; 7-8 digit local number → ****5678; shorter
 * → all but the last 2 digits masked.  Returns 0 or LW_EFORMAT/LW_ELIMIT. */
int lw_pii_mask_phone(const char *value, char *out, size_t cap, struct lw_err *e);

/* Masked name: the first character kept, every other one '*' (张三丰 → 张**,
 * 欧阳娜娜 → 欧***, a one-character name → *).  Returns 0 or
 * LW_EFORMAT/LW_ELIMIT. */
int lw_pii_mask_name(const char *value, char *out, size_t cap, struct lw_err *e);

/*
 * Mask, in place, the personal numbers inside free text (诉求内容, a title,
 * a header line): mobile numbers (138****5678, also after +86/0086), resident
 * ID numbers with a valid check character (4201**********1234; also the
 * 15-digit first generation), bank card numbers that pass the Luhn check
 * (6222********1234) and landlines with an area code (0755-****5678).
 * Digits may be ASCII or full-width and separated by single spaces or '-'.
 * A number glued to letters or other digits (a case or ticket number) and
 * numbers of other lengths are left alone.  Masking never lengthens the
 * text.  Returns how many numbers were masked; text may be NULL.
 */
size_t lw_pii_mask_text(char *text);

#endif
