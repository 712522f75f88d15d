/*
 * log.c — one-line log records on stderr, journald-friendly (see log.h).
 */
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_level = LW_LOG_INFO;
static int journal_mode = -1; /* -1: decide at first use */

static const char *const level_names[] = {
	[LW_LOG_ERR] = "error",   [LW_LOG_WARNING] = "warning",
	[LW_LOG_NOTICE] = "notice", [LW_LOG_INFO] = "info",
	[LW_LOG_DEBUG] = "debug",
};

void lw_log_set_level(int level)
{
	log_level = level;
}

int lw_log_get_level(void)
{
	return log_level;
}

void lw_log_set_journal(int on)
{
	journal_mode = on;
}

int lw_log_level_parse(const char *name)
{
	for (int i = LW_LOG_ERR; i <= LW_LOG_DEBUG; i++)
		if (!strcmp(name, level_names[i]))
			return i;
	return -1;
}

void lw_vlog(int level, const char *who, const char *fmt, va_list ap)
{
	char line[2048];
	int n = 0, m;

	if (level > log_level)
		return;
	if (level < LW_LOG_ERR)
		level = LW_LOG_ERR;
	if (level > LW_LOG_DEBUG)
		level = LW_LOG_DEBUG;
	if (journal_mode < 0)
		journal_mode = getenv("JOURNAL_STREAM") != NULL || !isatty(STDERR_FILENO);

	if (journal_mode) {
		n = snprintf(line, sizeof line, "<%d>%s: ", level, who ? who : "core");
	} else {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		n = (int)strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S", &tm);
		n += snprintf(line + n, sizeof line - (size_t)n, " %-7s %s: ",
			      level_names[level], who ? who : "core");
	}
	m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) > sizeof line - 2)
		m = (int)(sizeof line - 2) - n;
	for (int i = n; i < n + m; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n + m] = '\n';
	/* One write per line so that concurrent writers never interleave. */
	if (write(STDERR_FILENO, line, (size_t)(n + m + 1)) < 0) {
		/* Nowhere left to report it. */
	}
}

void lw_log(int level, const char *who, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lw_vlog(level, who, fmt, ap);
	va_end(ap);
}
