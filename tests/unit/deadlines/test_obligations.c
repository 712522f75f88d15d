/* Unit tests for core/deadlines/obligations.c through the real import
 * pipeline: an import stores the obligations of the cases it changed in
 * its own transaction; a later file that fills a date recomputes them;
 * the state as of a date (due / overdue) is decided when read; the
 * bulletin's on-time counts; a full recomputation after a rule change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadlines/obligations.h"
#include "ingest/ingest.h"

struct fx {
	char dir[64], db[96];
	struct lw_wh *wh;
	struct lw_dl_conf *conf;
	struct lw_ingest *ing;
	int files;
};

static const char RULES[] =
	"{\"remind_working_days\": 1, \"rules\": ["
	" {\"name\": \"report-new-suit\", \"start\": \"papers_received_date\","
	"  \"done\": \"reported_date\", \"length\": 3, \"calendar\": \"working\"},"
	" {\"name\": \"defence\", \"start\": \"papers_received_date\","
	"  \"done\": \"defence_filed_date\", \"length\": 15, \"calendar\": \"calendar\"},"
	" {\"name\": \"loss-analysis\", \"start\": \"judgment_received_date\","
	"  \"done\": \"loss_report_date\", \"length\": 5, \"calendar\": \"working\","
	"  \"when\": {\"agency_lost\": true}}]}";

static struct lw_dl_conf *conf_of(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	struct lw_dl_conf *c = NULL;
	struct lw_diag d = {0};
	if (lw_dl_conf_parse(j, NULL, LW_HOLIDAY_DIR, &c, &d) != 0)
		fail_msg("rules: %s", d.n ? d.msg[0] : "?");
	json_decref(j);
	lw_diag_free(&d);
	return c;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct lw_err e = {0};
	struct lw_ingest_settings s = {0};

	snprintf(f->dir, sizeof f->dir, "/tmp/lw_ob_XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/w.db", f->dir);
	if (lw_wh_open(f->db, LW_WH_WRITER | LW_WH_CREATE, &f->wh, &e) != 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	f->conf = conf_of(RULES);
	s.profile_dir = LW_PROFILE_DIR;
	s.deadlines = f->conf;
	if (lw_ingest_new(f->wh, &s, &f->ing, &e) != 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	lw_ingest_free(f->ing);
	lw_dl_conf_unref(f->conf);
	lw_wh_close(f->wh);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void import_csv(struct fx *f, const char *csv)
{
	char path[128];
	struct lw_ingest_file in = {0};
	struct lw_ingest_result res;
	struct lw_err e = {0};
	FILE *fp;

	snprintf(path, sizeof path, "%s/f%d.csv", f->dir, f->files++);
	assert_non_null(fp = fopen(path, "w"));
	fputs(csv, fp);
	fclose(fp);
	in.source = "agency-reports";
	in.profile = "agency-case-report";
	in.path = path;
	in.agency = "县自然资源局";
	assert_int_equal(lw_ingest_file(f->ing, &in, &res, &e), 0);
	if (strcmp(res.status, "ok"))
		fail_msg("import: %s: %s", res.status, res.message ? res.message : res.report);
	lw_ingest_result_clear(&res);
}

struct seen {
	char line[16][160];
	int n;
};

static int collect(void *ud, const struct lw_ob_row *r)
{
	struct seen *s = ud;
	if (s->n < 16)
		snprintf(s->line[s->n++], sizeof s->line[0], "%s %s %s due=%s done=%s %s left=%d late=%d",
			 r->case_no, r->agency, r->rule, r->due, r->done, r->state, r->days_left,
			 r->days_late);
	return 0;
}

static void expect_rows(struct fx *f, const char *as_of, const char *rule, const char *const *want)
{
	struct seen s = {0};
	struct lw_ob_filter flt = {.rule = rule};
	struct lw_err e = {0};
	int n = 0;
	assert_int_equal(lw_obligations_each(f->wh, f->conf, as_of, &flt, collect, &s, &e), 0);
	for (; want[n]; n++)
		if (n >= s.n || strcmp(s.line[n], want[n]))
			fail_msg("as of %s, row %d: expected \"%s\", got \"%s\"", as_of, n, want[n],
				 n < s.n ? s.line[n] : "(none)");
	if (s.n != n)
		fail_msg("as of %s: expected %d rows, got %d (first extra: %s)", as_of, n, s.n,
			 s.line[n]);
}

#define HDR "案号,收到应诉通知书日期,报备日期,答辩日期\n"
#define CASE "(2024)豫1121行初5号"

static void an_import_stores_obligations_and_a_later_date_makes_them_late(void **state)
{
	struct fx *f = *state;
	import_csv(f, HDR CASE ",2024-09-27,,\n");
	{
		const char *w1[] = {CASE " 县自然资源局 report-new-suit due=2024-10-08 done= due left=1 late=-1",
				    NULL};
		const char *w2[] = {CASE " 县自然资源局 report-new-suit due=2024-10-08 done= overdue left=-1 late=2",
				    NULL};
		/* As of 09-30, 10-08 is the next working day. */
		expect_rows(f, "2024-09-30", "report-new-suit", w1);
		expect_rows(f, "2024-10-10", "report-new-suit", w2);
	}
	{
		const char *w[] = {CASE " 县自然资源局 defence due=2024-10-12 done= due left=5 late=-1", NULL};
		/* 09-27 + 15 = Sat 10-12, a make-up working day: it stays. */
		expect_rows(f, "2024-10-01", "defence", w);
	}
	/* Not lost: no loss-analysis obligation at all. */
	expect_rows(f, "2024-10-10", "loss-analysis", (const char *[]){NULL});

	import_csv(f, HDR CASE ",2024-09-27,2024-10-11,2024-10-10\n");
	{
		const char *w[] = {CASE " 县自然资源局 report-new-suit due=2024-10-08 done=2024-10-11 late left=-1 late=3",
				   NULL};
		const char *d[] = {CASE " 县自然资源局 defence due=2024-10-12 done=2024-10-10 met left=-1 late=-1",
				   NULL};
		expect_rows(f, "2024-10-20", "report-new-suit", w);
		expect_rows(f, "2024-10-20", "defence", d);
	}
}

struct tally {
	int64_t met, late, overdue, open;
	double rate;
	int n;
};

static int tally(void *ud, const struct lw_ob_on_time *t)
{
	struct tally *x = ud;
	x->met = t->met;
	x->late = t->late;
	x->overdue = t->overdue;
	x->open = t->open;
	x->rate = t->rate;
	x->n++;
	return 0;
}

static void on_time_counts_per_agency_for_the_bulletin(void **state)
{
	struct fx *f = *state;
	struct tally t = {0};
	struct lw_err e = {0};
	import_csv(f, HDR "(2024)豫1121行初6号,2024-09-27,2024-09-30,\n"
			  "(2024)豫1121行初7号,2024-09-27,2024-10-09,\n"
			  "(2024)豫1121行初8号,2024-09-27,,\n"
			  "(2024)豫1121行初9号,2024-12-02,,\n");
	assert_int_equal(lw_obligations_on_time(f->wh, "2024-10-01", "2025-01-01", "2024-10-20", tally,
						&t, &e), 0);
	assert_int_equal(t.n, 1);
	/* report-new-suit: 6 met, 7 late, 8 overdue, 9 not due yet (12-05);
	 * defence (10-12): 6, 7, 8 overdue, 9 open. */
	assert_int_equal(t.met, 1);
	assert_int_equal(t.late, 1);
	assert_int_equal(t.overdue, 4);
	assert_int_equal(t.open, 2);
	assert_true(fabs(t.rate - 1.0 / 6.0) < 1e-9);
}

static void a_rule_change_recomputes_every_case(void **state)
{
	struct fx *f = *state;
	struct lw_err e = {0};
	struct lw_dl_conf *c2 = conf_of(
		"{\"rules\": [{\"name\": \"report-new-suit\", \"start\": \"papers_received_date\","
		" \"done\": \"reported_date\", \"length\": 5, \"calendar\": \"working\"}]}");
	size_t n = 0;
	import_csv(f, HDR CASE ",2024-09-27,,\n");
	lw_dl_conf_unref(f->conf);
	f->conf = c2;
	assert_int_equal(lw_obligations_recompute_all(f->wh, f->conf, &n, &e), 0);
	assert_int_equal(n, 1);
	{
		const char *w[] = {CASE " 县自然资源局 report-new-suit due=2024-10-10 done= due left=1 late=-1",
				   NULL};
		expect_rows(f, "2024-10-09", NULL, w); /* the defence rule's rows are gone */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_import_stores_obligations_and_a_later_date_makes_them_late,
						setup, teardown),
		cmocka_unit_test_setup_teardown(on_time_counts_per_agency_for_the_bulletin, setup, teardown),
		cmocka_unit_test_setup_teardown(a_rule_change_recomputes_every_case, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
