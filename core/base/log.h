/*
 * log.h — the daemon's log: one line per event on stderr.
 *
 * Under systemd (stderr is a journal stream, or not a terminal) each line
 * starts with a "<N>" syslog priority prefix that journald turns into the
 * entry's priority.  On a terminal the line starts with a timestamp and the
 * level's name instead.  Every line names its source ("core" for the
 * daemon itself), so that `journalctl -u litwatchd | grep courts` works.
 */
#ifndef LW_LOG_H
#define LW_LOG_H

#include <stdarg.h>

#include "litwatch/plugin.h"

/* Lines above this level are dropped.  Default LW_LOG_INFO. */
void lw_log_set_level(int level);
int lw_log_get_level(void);

/* Force the "<N>" prefix style on or off (tests; auto by default). */
void lw_log_set_journal(int on);

/* Parse "error", "warning", "notice", "info", "debug" into a level; returns
 * -1 when the name is unknown. */
int lw_log_level_parse(const char *name);

/* Log one line.  who: the source's name, or NULL for "core".  Newlines in
 * the message are replaced by spaces so one event stays one line.
 * Thread-safe: a line is written with a single write(2). */
void lw_log(int level, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void lw_vlog(int level, const char *who, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
