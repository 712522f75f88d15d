/*
 * workdays.c — the official holiday calendar and working-day arithmetic
 * (see workdays.h).  Exception days are few (~35 a year), kept in a sorted
 * array of day numbers and binary-searched.
 */
#include "domain/workdays.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define YEAR_MIN 1900
#define YEAR_MAX 2199

struct exception_day {
	long day;    /* lw_date_to_days */
	int off_day; /* 1 holiday, 0 make-up working day */
};

struct lw_holidays {
	struct exception_day *days;
	size_t n, cap;
	unsigned char covered[YEAR_MAX - YEAR_MIN + 1];
};

struct lw_holidays *lw_holidays_new(void)
{
	return calloc(1, sizeof(struct lw_holidays));
}

void lw_holidays_free(struct lw_holidays *cal)
{
	if (!cal)
		return;
	free(cal->days);
	free(cal);
}

static const struct exception_day *find(const struct lw_holidays *cal, long day)
{
	size_t lo = 0, hi = cal->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->days[mid].day == day)
			return &cal->days[mid];
		if (cal->days[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cover(struct lw_holidays *cal, int y)
{
	if (y < YEAR_MIN || y > YEAR_MAX)
		return LW_EINVAL;
	cal->covered[y - YEAR_MIN] = 1;
	return 0;
}

/* Insert or replace, keeping the array sorted. */
static int put(struct lw_holidays *cal, long day, int off_day)
{
	size_t i = cal->n;
	struct exception_day *hit = (struct exception_day *)find(cal, day);

	if (hit) {
		hit->off_day = off_day;
		return 0;
	}
	if (cal->n == cal->cap) {
		size_t nc = cal->cap ? cal->cap * 2 : 64;
		struct exception_day *nd = realloc(cal->days, nc * sizeof *nd);
		if (!nd)
			return LW_ENOMEM;
		cal->days = nd;
		cal->cap = nc;
	}
	while (i > 0 && cal->days[i - 1].day > day) {
		cal->days[i] = cal->days[i - 1];
		i--;
	}
	cal->days[i].day = day;
	cal->days[i].off_day = off_day;
	cal->n++;
	return 0;
}

int lw_holidays_set(struct lw_holidays *cal, const struct lw_date *day, int off_day)
{
	if (!lw_date_valid(day->y, day->m, day->d) || cover(cal, day->y) != 0)
		return LW_EINVAL;
	return put(cal, lw_date_to_days(day), off_day != 0);
}

int lw_holidays_covers(const struct lw_holidays *cal, int y)
{
	return y >= YEAR_MIN && y <= YEAR_MAX && cal->covered[y - YEAR_MIN];
}

int lw_holidays_load_file(struct lw_holidays *cal, const char *path, struct lw_err *e)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *days, *it;
	json_int_t year;
	size_t i;
	int rc = 0;

	if (!root)
		return lw_err_set(e, LW_EFORMAT, "%s: line %d: %s", path, je.line, je.text);
	if (!json_is_integer(json_object_get(root, "year")) || !json_is_array(days = json_object_get(root, "days"))) {
		rc = lw_err_set(e, LW_EFORMAT, "%s: expected an object with \"year\" (integer) and \"days\" (array)",
				path);
		goto out;
	}
	year = json_integer_value(json_object_get(root, "year"));
	if (year < YEAR_MIN || year > YEAR_MAX) {
		rc = lw_err_set(e, LW_EFORMAT, "%s: year %lld out of range", path, (long long)year);
		goto out;
	}
	json_array_foreach(days, i, it) {
		json_t *date = json_object_get(it, "date"), *off = json_object_get(it, "isOffDay");
		struct lw_date d;
		if (!json_is_string(date) || !json_is_boolean(off) ||
		    lw_date_parse(json_string_value(date), LW_DATE_NO_SERIAL, &d, NULL) != 0 || d.has_time) {
			rc = lw_err_set(e, LW_EFORMAT,
					"%s: days[%zu]: expected {\"date\": \"YYYY-MM-DD\", \"isOffDay\": true|false}", path,
					i);
			goto out;
		}
		if (d.y < YEAR_MIN || d.y > YEAR_MAX) {
			rc = lw_err_set(e, LW_EFORMAT, "%s: days[%zu]: year out of range", path, i);
			goto out;
		}
		if ((rc = put(cal, lw_date_to_days(&d), json_is_true(off))) != 0) {
			lw_err_set(e, rc, "%s: out of memory", path);
			goto out;
		}
	}
	cover(cal, (int)year);
out:
	json_decref(root);
	return rc;
}

static int is_json_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0 && strcmp(name, "schema.json") != 0;
}

int lw_holidays_load_dir(struct lw_holidays *cal, const char *dir, struct lw_err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0, files = 0;

	if (!d)
		return lw_err_set(e, LW_ENOENT, "holiday calendar directory %s cannot be opened", dir);
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		if (!is_json_name(de->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path) {
			rc = lw_err_set(e, LW_ELIMIT, "%s: path too long", dir);
			break;
		}
		if ((rc = lw_holidays_load_file(cal, path, e)) != 0)
			break;
		files++;
	}
	closedir(d);
	if (rc == 0 && files == 0)
		rc = lw_err_set(e, LW_ENOENT, "holiday calendar directory %s holds no YYYY.json file", dir);
	return rc;
}

int lw_is_workday(const struct lw_holidays *cal, const struct lw_date *day, struct lw_err *e)
{
	const struct exception_day *x;

	if (!lw_holidays_covers(cal, day->y))
		return lw_err_set(e, LW_ENOENT,
				  "no holiday calendar for %d: add %d.json to the holidays directory", day->y, day->y);
	if ((x = find(cal, lw_date_to_days(day))) != NULL)
		return !x->off_day;
	return lw_date_weekday(day) <= 5;
}

int lw_workdays_add(const struct lw_holidays *cal, const struct lw_date *start, int n, struct lw_date *out,
		    struct lw_err *e)
{
	long day = lw_date_to_days(start);
	int step = n < 0 ? -1 : 1, left;

	if (n > 100000 || n < -100000)
		return lw_err_set(e, LW_EINVAL, "working days: %d is out of range (at most 100000)", n);
	left = n < 0 ? -n : n;
	lw_date_from_days(day, out);
	while (left > 0) {
		int w;
		day += step;
		lw_date_from_days(day, out);
		if ((w = lw_is_workday(cal, out, e)) < 0)
			return w;
		left -= w;
	}
	return 0;
}
