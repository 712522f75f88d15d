/*
 * units.h — durations ("500ms", "15m", "1h30m") and sizes ("64MiB") as
 * they are written in the configuration.
 */
#ifndef LW_UNITS_H
#define LW_UNITS_H

#include <stdint.h>

/* Parse a duration: one or more <integer><unit> groups, units ms, s, m, h,
 * d (e.g. "500ms", "15m", "1h30m").  Stores milliseconds in *ms.  Returns 0,
 * or LW_EINVAL for anything else (a bare number, a negative value, an
 * unknown unit, overflow). */
int lw_parse_duration(const char *text, int64_t *ms);

/* Parse a size: an integer with an optional unit B, KB, MB, GB, TB (powers
 * of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. "64MiB".  Stores
 * bytes in *bytes.  Returns 0 or LW_EINVAL. */
int lw_parse_size(const char *text, int64_t *bytes);

#endif
