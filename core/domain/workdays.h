/*
 * workdays.h — working days (工作日) under the official Chinese holiday
 * calendar, for deadlines such as "report a new suit within 3 working days".
 *
 * Every year the State Council (国务院办公厅) publishes the public holidays
 * and the make-up working days (调休): weekend days that become working
 * days to bridge a holiday.  A day is a working day when it is Monday to
 * Friday and not a listed holiday, or when it is a listed make-up day.
 * The data ships in conf/holidays/ (holiday-cn, MIT, one JSON per year).
 */
#ifndef LW_DOMAIN_WORKDAYS_H
#define LW_DOMAIN_WORKDAYS_H

#include "base/err.h"
#include "domain/date.h"

/* Opaque holiday calendar.  Not thread-safe to modify; read-only use
 * (lw_is_workday, lw_workdays_add) from several threads is safe once loaded. */
struct lw_holidays;

/* New empty calendar; NULL when out of memory.  Free with lw_holidays_free. */
struct lw_holidays *lw_holidays_new(void);
void lw_holidays_free(struct lw_holidays *cal);

/* Load every *.json of dir (holiday-cn format: {year, days:[{date,
 * isOffDay}]}).  Each file marks its "year" as covered; a file may also list
 * days of the neighbouring year, which are recorded too.  Returns 0,
 * LW_EIO/LW_ENOENT when the directory cannot be read or holds no year,
 * LW_EFORMAT naming the file and entry when one is malformed. */
int lw_holidays_load_dir(struct lw_holidays *cal, const char *dir, struct lw_err *e);

/* Load one such file. */
int lw_holidays_load_file(struct lw_holidays *cal, const char *path, struct lw_err *e);

/* Record one exception day by hand: off_day = 1 for a holiday (节假日),
 * 0 for a make-up working day (调休上班).  Marks its year covered. */
int lw_holidays_set(struct lw_holidays *cal, const struct lw_date *day, int off_day);

/* Nonzero when the calendar has official data for year y. */
int lw_holidays_covers(const struct lw_holidays *cal, int y);

/* 1 when *day is a working day, 0 when not, LW_ENOENT when its year is not
 * covered (the answer would be a guess). */
int lw_is_workday(const struct lw_holidays *cal, const struct lw_date *day, struct lw_err *e);

/*
 * The n-th working day after *start (n > 0), or before it (n < 0); start
 * itself is never counted, so "within 3 working days of 2024-09-27" is
 * lw_workdays_add(cal, 2024-09-27, 3).  n = 0 gives *start.  *out has no
 * time.  Returns 0, or LW_ENOENT when the walk leaves the covered years.
 */
int lw_workdays_add(const struct lw_holidays *cal, const struct lw_date *start, int n, struct lw_date *out,
		    struct lw_err *e);

#endif
