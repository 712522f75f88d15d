/*
 * Unit tests for config.c and options.c: every bad configuration produces
 * exactly the message an operator must see, all errors are reported at
 * once, and a good configuration comes back typed with defaults applied.
 *
 * In the tables, "@D" stands for a fresh temporary data directory and "@P"
 * for the directory of the test plugins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/loader.h"
#include "alerts/alerts.h"

static char tmpdir[256];

/* Replace @D and @P in s; returns a static buffer. */
static const char *expand(const char *s)
{
	static char out[4][4096];
	static int k;
	char *o = out[k = (k + 1) % 4];
	size_t n = 0;

	for (; *s && n < sizeof out[0] - 300; s++) {
		if (s[0] == '@' && s[1] == 'D') {
			n += (size_t)sprintf(o + n, "%s", tmpdir);
			s++;
		} else if (s[0] == '@' && s[1] == 'P') {
			n += (size_t)sprintf(o + n, "%s", LW_TEST_PLUGIN_DIR);
			s++;
		} else {
			o[n++] = *s;
		}
	}
	o[n] = '\0';
	return o;
}

static int load(const char *json, struct lw_config **cfg, struct lw_diag *d)
{
	struct lw_plugins *plugins = NULL;
	struct lw_install_dirs defs = {LW_TEST_PLUGIN_DIR, NULL, NULL};
	const char *text = expand(json);
	int rc = lw_config_load_text(text, strlen(text), "test.json", &defs, &plugins, cfg, d);
	/* Descriptors stay valid only while the registry lives; tests that
	 * keep the config use their own registry (see good_config...). */
	if (rc == 0) {
		lw_config_free(*cfg);
		*cfg = NULL;
	}
	lw_plugins_free(plugins);
	return rc;
}

struct bad_case {
	const char *json;
	const char *error;
};

/* A valid testsrc source prefix: sources[0] is fine unless a case says. */
#define SRC "{\"name\":\"s1\",\"plugin\":\"testsrc\",\"required_key\":\"x\""

static const struct bad_case bad_cases[] = {
	{"{\"log_level\": \"info\",", "test.json:1:21: invalid JSON: string or '}' expected near end of file"},
	{"[1,2]", "test.json: the configuration must be a JSON object ({ ... })"},
	{"{\"log_level\":\"info\",\"log_level\":\"debug\"}",
	 "test.json:1:31: invalid JSON: duplicate object key near '\"log_level\"'"},
	{"{\"data_dir\":\"@D\",\"logg_level\":\"info\"}",
	 "logg_level: unknown key (did you mean \"log_level\"?)"},
	{"{\"data_dir\":\"@D\",\"colour\":\"blue\"}", "colour: unknown key"},
	/* found by fuzz_config: a refused rounding crashed the loader */
	{"{\"data_dir\":\"@D\",\"rounding\":\"/tmp\"}",
	 "rounding: expected one of half-up,truncate; got \"/tmp\""},
	{"{\"data_dir\":\"@D\",\"log_level\":\"loud\"}",
	 "log_level: expected one of error,warning,notice,info,debug; got \"loud\""},
	{"{\"data_dir\":\"@D\",\"log_level\":3}", "log_level: expected a string, got an integer"},
	{"{\"data_dir\":\"@D\",\"warehouse_cache\":\"64KiB\"}",
	 "warehouse_cache: 65536 bytes is out of range: give 1MiB to 1GiB (default 24MiB)"},
	{"{\"data_dir\":\"@D\",\"warehouse_cache\":\"64GiB\"}",
	 "warehouse_cache: 68719476736 bytes is out of range: give 1MiB to 1GiB (default 24MiB)"},
	{"{\"data_dir\":\"@D\",\"sources\":{}}", "sources: expected an array, got an object"},
	{"{\"data_dir\":\"@D\",\"sources\":[\"s1\"]}",
	 "sources[0]: expected an object with \"name\" and \"plugin\""},
	{"{\"data_dir\":\"@D\",\"sources\":[{\"plugin\":\"testsrc\",\"required_key\":\"x\"}]}",
	 "sources[0].name: required key is missing (unique name of the source, used in logs and metrics)"},
	{"{\"data_dir\":\"@D\",\"sources\":[{\"name\":\"a\"}]}",
	 "sources[0].plugin: required key is missing (plugin that runs it (lw-<plugin>.so))"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC "}," SRC "}]}",
	 "sources[1].name: duplicate source name \"s1\" (also sources[0])"},
	{"{\"data_dir\":\"@D\",\"sources\":[{\"name\":\"a b\",\"plugin\":\"testsrc\",\"required_key\":\"x\"}]}",
	 "sources[0].name: \"a b\": use letters, digits, '-', '_' and '.' only (at most 64)"},
	{"{\"data_dir\":\"@D\",\"sources\":[{\"name\":\"a\",\"plugin\":\"nosuch\"}]}",
	 "sources[0].plugin: unknown plugin \"nosuch\": no file @P/lw-nosuch.so (plugins found: "
	 "badname, futureabi, garbage, nosymbol, smallstruct, testsrc)"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"inboxx\":\"in\"}]}",
	 "sources[0].inboxx: unknown key for plugin \"testsrc\" (did you mean \"inbox\"?)"},
	{"{\"data_dir\":\"@D\",\"sources\":[{\"name\":\"s1\",\"plugin\":\"testsrc\"}]}",
	 "sources[0].required_key: required key is missing (the test's required key)"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"interval\":\"5 minutes\"}]}",
	 "sources[0].interval: expected a duration such as \"500ms\", \"15m\" or \"1h\"; got \"5 minutes\""},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"interval\":300}]}",
	 "sources[0].interval: expected a duration such as \"500ms\", \"15m\" or \"1h\" (a string with a unit), got an integer"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"limit\":\"64 megs\"}]}",
	 "sources[0].limit: expected a size such as \"64MiB\" or \"10MB\"; got \"64 megs\""},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"count\":0}]}",
	 "sources[0].count: must be between 1 and 100; got 0"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"count\":\"5\"}]}",
	 "sources[0].count: expected an integer, got a string"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"flag\":\"yes\"}]}",
	 "sources[0].flag: expected true or false, got a string"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"existing\":\"nope\"}]}",
	 "sources[0].existing: directory does not exist: @D/nope"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"existing\":\"afile\"}]}",
	 "sources[0].existing: not a directory: @D/afile"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"inbox\":\"afile/sub\"}]}",
	 "sources[0].inbox: cannot create @D/afile/sub: @D/afile is not a directory"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"keyfile\":\"missing.key\"}]}",
	 "sources[0].keyfile: file does not exist: @D/missing.key"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"url\":\"ftp://court.example/feed\"}]}",
	 "sources[0].url: expected an http:// or https:// URL; got \"ftp://court.example/feed\""},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"tags\":[\"a\",2]}]}",
	 "sources[0].tags[1]: expected a string, got an integer"},
	{"{\"data_dir\":\"@D\",\"sources\":[" SRC ",\"mode\":\"medium\"}]}",
	 "sources[0].mode: expected one of fast,slow; got \"medium\""},
	{"{\"data_dir\":\"@D\",\"http\":{\"listen\":\"0.0.0.0:8080\"}}",
	 "http.listen: \"0.0.0.0:8080\" is not a loopback address: it is reachable from the network, "
	 "so litwatchd needs TLS (http.cert_file and http.key_file) and a users file "
	 "(http.users_file) to listen there; TLS is not configured; no users file is configured; or "
	 "listen on 127.0.0.1:PORT behind a reverse proxy (docs/dashboard.md)"},
	{"{\"data_dir\":\"@D\",\"http\":{\"listen\":\"10.1.2.3:8443\",\"users_file\":\"users\"}}",
	 "http.listen: \"10.1.2.3:8443\" is not a loopback address: it is reachable from the network, "
	 "so litwatchd needs TLS (http.cert_file and http.key_file) and a users file "
	 "(http.users_file) to listen there; TLS is not configured; or "
	 "listen on 127.0.0.1:PORT behind a reverse proxy (docs/dashboard.md)"},
	{"{\"data_dir\":\"@D\",\"http\":{\"listen\":\"example.org:8443\"}}",
	 "http.listen: \"example.org:8443\": expected a numeric IPv4 or [IPv6] address before the port"},
	{"{\"data_dir\":\"@D\",\"http\":{\"listen\":\"127.0.0.1:99999\"}}",
	 "http.listen: port must be 1..65535; got \"99999\""},
	{"{\"data_dir\":\"@D\",\"http\":{}}", "http.listen: required key is missing (\"127.0.0.1:PORT\", \"[::1]:PORT\" or \"unix:/path/to/socket\")"},
	{"{\"data_dir\":\"@D\",\"http\":{\"port\":8080,\"listen\":\"127.0.0.1:1\"}}",
	 "http.port: unknown key"},
	{"{\"data_dir\":\"@D\",\"warehouse\":\"nodir/w.db\"}",
	 "warehouse: directory does not exist: @D/nodir"},
	{"{\"data_dir\":\"@D/afile\"}", "data_dir: not a directory: @D/afile"},
	/* Found by fuzz_config: a non-string warehouse crashed the path join. */
	{"{\"data_dir\":\"@D\",\"warehouse\":[]}", "warehouse: expected a string, got an array"},
	{"{\"data_dir\":\"@D\",\"pii_key_file\":\"@D\"}", "pii_key_file: not a regular file: @D"},
	{"{\"data_dir\":\"@D\",\"shutdown_timeout\":\"soon\"}",
	 "shutdown_timeout: expected a duration such as \"500ms\", \"15m\" or \"1h\"; got \"soon\""},
	{"{\"data_dir\":\"@D\",\"plugin_dir\":\"@D/noplugins\"}",
	 "plugin_dir: directory does not exist: @D/noplugins"},
	/* The deadlines section is part of the whole (docs/deadlines.md). */
	{"{\"data_dir\":\"@D\",\"deadlines\":{\"rules\":[]}}",
	 "deadlines.holidays_dir: not set, and no default could be derived from the location of "
	 "this program"},
	{"{\"data_dir\":\"@D\",\"deadlines\":{\"holidays_dir\":\"" LW_HOLIDAY_DIR "\","
	 "\"contacts\":{\"县公安局\":\"robot\"}}}",
	 "deadlines.contacts.县公安局: no sink called \"robot\" in alerts.sinks"},
	{"{\"data_dir\":\"@D\",\"deadlines\":{\"holidays_dir\":\"" LW_HOLIDAY_DIR "\","
	 "\"rules\":[{\"name\":\"x\",\"start\":\"papers_received_date\",\"length\":3,"
	 "\"calendar\":\"lunar\"}]}}",
	 "deadlines.rules[0].calendar: expected \"calendar\" (litigation periods, calendar days) or "
	 "\"working\" (working days of the official calendar)"},
	{"{\"data_dir\":\"@D\",\"deadlines\":{\"holidays_dir\":\"@D\"}}",
	 "deadlines.holidays_dir: holiday calendar directory @D holds no YYYY.json file"},
	{"{\"data_dir\":\"@D\",\"detect\":{\"rules\":[{\"name\":\"deadline-x\","
	 "\"method\":\"loss-rate\",\"series\":\"cases.lost.quarterly.by_agency\","
	 "\"above_percent\":10}]}}",
	 "detect.rules[0].name: \"deadline-x\": names starting with \"deadline-\" are reserved for "
	 "the deadlines section's alerts"},	{"{\"data_dir\":\"@D\",\"withdrawn_after_change_is_loss\":false,"
	 "\"detect\":{\"withdrawn_after_change_is_loss\":true,\"rules\":[]}}",
	 "detect.withdrawn_after_change_is_loss: differs from the top-level "
	 "withdrawn_after_change_is_loss; the figures have one rule: set it once, at the top level"},
};

static void setup_tmpdir(void)
{
	char p[300];
	FILE *f;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/lw-test-config-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(p, sizeof p, "%s/afile", tmpdir);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

static void each_bad_config_produces_its_exact_error(void **state)
{
	setup_tmpdir();
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		struct lw_config *cfg = NULL;
		struct lw_diag d = {0};
		const char *w = expand(bad_cases[i].error);
		int rc = load(bad_cases[i].json, &cfg, &d);
		if (rc == 0 || d.n != 1 || strcmp(d.msg[0], w)) {
			print_error("case %zu: %s\n  expected: %s\n  got (%zu): %s\n", i,
				    expand(bad_cases[i].json), w, d.n, d.n ? d.msg[0] : "(no error)");
			for (size_t j = 1; j < d.n; j++)
				print_error("  also: %s\n", d.msg[j]);
			fail();
		}
		lw_diag_free(&d);
	}
	assert_true(sizeof bad_cases / sizeof bad_cases[0] >= 20);
}

static void all_errors_are_reported_at_once(void **state)
{
	struct lw_config *cfg = NULL;
	struct lw_diag d = {0};

	setup_tmpdir();
	assert_int_not_equal(load("{\"data_dir\":\"@D\",\"log_level\":\"x\",\"bogus\":1,"
				  "\"sources\":[{\"name\":\"a\",\"plugin\":\"testsrc\",\"count\":0},"
				  "{\"name\":\"b\",\"plugin\":\"nosuch\"}]}", &cfg, &d), 0);
	assert_int_equal(d.n, 5); /* bogus, log_level, count, required_key, plugin */
	lw_diag_free(&d);
}

static void loader_refuses_broken_plugins_naming_the_file(void **state)
{
	static const struct { const char *name, *error; } cases[] = {
		{"futureabi", "plugin @P/lw-futureabi.so was built for plugin ABI 99 but this "
			      "litwatchd speaks ABI 1..1; rebuild the plugin against this "
			      "litwatch's litwatch/plugin.h"},
		{"smallstruct", "plugin @P/lw-smallstruct.so: descriptor is 8 bytes, ABI 1 needs "},
		{"badname", "plugin @P/lw-badname.so calls itself \"someoneelse\"; the file must be "
			    "named lw-someoneelse.so"},
		{"nosymbol", "plugin @P/lw-nosymbol.so does not export the symbol lw_plugin; is it a "
			     "litwatch plugin? (it must define: const struct lw_plugin lw_plugin)"},
		{"garbage", "cannot load plugin @P/lw-garbage.so: "},
		{"Bad/Name", "invalid plugin name \"Bad/Name\": use lower-case letters, digits, '-' and '_'"},
	};
	struct lw_plugins *reg = NULL;
	struct lw_err err = {0};

	assert_int_equal(lw_plugins_new(LW_TEST_PLUGIN_DIR, &reg, &err), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct lw_plugin *p = NULL;
		const char *want = expand(cases[i].error);
		memset(&err, 0, sizeof err);
		assert_int_not_equal(lw_plugins_get(reg, cases[i].name, &p, &err), 0);
		assert_null(p);
		if (strncmp(err.msg, want, strlen(want))) {
			print_error("expected prefix: %s\ngot: %s\n", want, err.msg);
			fail();
		}
	}
	/* The dlopen failure carries the ldd hint. */
	memset(&err, 0, sizeof err);
	{
		const struct lw_plugin *p;
		lw_plugins_get(reg, "garbage", &p, &err);
		assert_non_null(strstr(err.msg, "(missing dependencies? check with: ldd "));
	}
	lw_plugins_free(reg);
}

static void loader_refuses_group_or_world_writable_plugins(void **state)
{
	char dir[300], file[400], cmd[1024];
	struct lw_plugins *reg = NULL;
	struct lw_err err = {0};
	const struct lw_plugin *p;

	setup_tmpdir();
	snprintf(dir, sizeof dir, "%s/plugins", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(file, sizeof file, "%s/lw-testsrc.so", dir);
	snprintf(cmd, sizeof cmd, "cp %s/lw-testsrc.so %s", LW_TEST_PLUGIN_DIR, file);
	assert_int_equal(system(cmd), 0);

	chmod(file, 0666);
	assert_int_equal(lw_plugins_new(dir, &reg, &err), 0);
	assert_int_equal(lw_plugins_get(reg, "testsrc", &p, &err), LW_EPERM);
	assert_non_null(strstr(err.msg, "lw-testsrc.so is writable by others; refusing"));
	chmod(file, 0664);
	assert_int_equal(lw_plugins_get(reg, "testsrc", &p, &err), LW_EPERM);
	assert_non_null(strstr(err.msg, "is writable by its group"));
	chmod(file, 0755);
	assert_int_equal(lw_plugins_get(reg, "testsrc", &p, &err), 0);
	assert_string_equal(p->name, "testsrc");
	lw_plugins_free(reg);

	chmod(dir, 0777);
	reg = NULL;
	assert_int_equal(lw_plugins_new(dir, &reg, &err), LW_EPERM);
	assert_null(reg);
	assert_non_null(strstr(err.msg, "plugin directory"));
	assert_non_null(strstr(err.msg, "chmod go-w"));
	chmod(dir, 0755);
}

static void loader_checks_where_a_linked_plugin_really_is(void **state)
{
	char dir[300], loose[300], file[400], link[400], cmd[1024];
	struct lw_plugins *reg = NULL;
	struct lw_err err = {0};
	const struct lw_plugin *p;

	setup_tmpdir();
	snprintf(dir, sizeof dir, "%s/plugins", tmpdir);
	snprintf(loose, sizeof loose, "%s/anyone-writes-here", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(loose, 0755), 0);
	assert_int_equal(chmod(loose, 0777), 0);
	snprintf(file, sizeof file, "%s/lw-testsrc.so", loose);
	snprintf(cmd, sizeof cmd, "cp %s/lw-testsrc.so %s && chmod 755 %s", LW_TEST_PLUGIN_DIR,
		 file, file);
	assert_int_equal(system(cmd), 0);
	snprintf(link, sizeof link, "%s/lw-testsrc.so", dir);
	assert_int_equal(symlink(file, link), 0);

	/* The file itself is fine, but anyone could swap it for another. */
	assert_int_equal(lw_plugins_new(dir, &reg, &err), 0);
	assert_int_equal(lw_plugins_get(reg, "testsrc", &p, &err), LW_EPERM);
	assert_non_null(strstr(err.msg, "links to"));
	assert_non_null(strstr(err.msg, "anyone-writes-here is writable by others"));
	chmod(loose, 0755);
	assert_int_equal(lw_plugins_get(reg, "testsrc", &p, &err), 0);
	lw_plugins_free(reg);
}

static void good_config_is_typed_with_defaults_and_absolute_paths(void **state)
{
	struct lw_plugins *plugins = NULL;
	struct lw_install_dirs defs = {LW_TEST_PLUGIN_DIR, "/nonexistent/profiles", NULL};
	struct lw_config *cfg = NULL;
	struct lw_diag d = {0};
	const char *text;
	const struct lw_source_conf *s;

	setup_tmpdir();
	text = expand("{\"data_dir\":\"@D\",\"log_level\":\"debug\","
		      "\"http\":{\"listen\":\"127.0.0.1:8321\"},"
		      "\"sources\":[{\"name\":\"court.main\",\"plugin\":\"testsrc\","
		      "\"required_key\":\"x\",\"interval\":\"1h30m\",\"limit\":\"2KiB\","
		      "\"inbox\":\"inbox/a\",\"flag\":true,\"tags\":[\"p\",\"q\"]},"
		      "{\"name\":\"off\",\"plugin\":\"testsrc\",\"required_key\":\"y\",\"enabled\":false}]}");
	assert_int_equal(lw_config_load_text(text, strlen(text), "t.json", &defs, &plugins, &cfg, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg->data_dir, tmpdir);
	assert_string_equal(cfg->warehouse, expand("@D/litwatch.db"));
	assert_string_equal(cfg->plugin_dir, LW_TEST_PLUGIN_DIR);
	assert_int_equal(cfg->log_level, LW_LOG_DEBUG);
	assert_string_equal(cfg->http_listen, "127.0.0.1:8321");
	assert_int_equal(cfg->shutdown_timeout_ms, 10000);
	assert_int_equal(cfg->warehouse_cache, 24 << 20); /* default */
	assert_int_equal(cfg->nsources, 2);
	s = lw_config_source(cfg, "court.main");
	assert_non_null(s);
	assert_int_equal(s->enabled, 1);
	assert_int_equal(json_integer_value(json_object_get(s->values, "interval")), 5400000);
	assert_int_equal(json_integer_value(json_object_get(s->values, "limit")), 2048);
	assert_int_equal(json_integer_value(json_object_get(s->values, "count")), 10); /* default */
	assert_int_equal(json_integer_value(json_object_get(s->values, "flag")), 1);
	assert_string_equal(json_string_value(json_object_get(s->values, "inbox")),
			    expand("@D/inbox/a"));
	assert_string_equal(json_string_value(json_object_get(s->values, "marker")), "none");
	assert_int_equal(lw_config_source(cfg, "off")->enabled, 0);
	lw_config_free(cfg);
	lw_plugins_free(plugins);
}

/* The alert rules count losses and round rates as the bulletin does: one
 * rule, the top-level one; an older config's detect-only key still counts
 * everywhere. */
static void alert_rules_take_the_one_counting_rule(void **state)
{
	static const struct {
		const char *json;
		int withdrawn;
		enum lw_rounding rounding;
	} cases[] = {
		{"{\"data_dir\":\"@D\",\"withdrawn_after_change_is_loss\":true,\"rounding\":"
		 "\"truncate\",\"detect\":{\"rules\":[]}}", 1, LW_ROUND_TRUNCATE},
		{"{\"data_dir\":\"@D\",\"detect\":{\"withdrawn_after_change_is_loss\":true,"
		 "\"rules\":[]}}", 1, LW_ROUND_HALF_UP},
		{"{\"data_dir\":\"@D\",\"detect\":{\"rules\":[]}}", 0, LW_ROUND_HALF_UP},
	};
	(void)state;
	setup_tmpdir();
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct lw_plugins *plugins = NULL;
		struct lw_install_dirs defs = {LW_TEST_PLUGIN_DIR, NULL, NULL};
		struct lw_config *cfg = NULL;
		struct lw_diag d = {0};
		const char *text = expand(cases[i].json);

		assert_int_equal(lw_config_load_text(text, strlen(text), "t.json", &defs, &plugins,
						     &cfg, &d), 0);
		assert_non_null(cfg->alerts);
		assert_int_equal(cfg->withdrawn_after_change_is_loss, cases[i].withdrawn);
		assert_int_equal(cfg->alerts->withdrawn_is_loss, cases[i].withdrawn);
		assert_int_equal(cfg->alerts->rounding, cases[i].rounding);
		lw_config_free(cfg);
		lw_plugins_free(plugins);
	}
}

static void empty_sources_array_is_valid(void **state)
{
	struct lw_config *cfg = NULL;
	struct lw_diag d = {0};

	setup_tmpdir();
	assert_int_equal(load("{\"data_dir\":\"@D\",\"sources\":[]}", &cfg, &d), 0);
	assert_int_equal(d.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_bad_config_produces_its_exact_error),
		cmocka_unit_test(all_errors_are_reported_at_once),
		cmocka_unit_test(loader_refuses_broken_plugins_naming_the_file),
		cmocka_unit_test(loader_refuses_group_or_world_writable_plugins),
		cmocka_unit_test(loader_checks_where_a_linked_plugin_really_is),
		cmocka_unit_test(good_config_is_typed_with_defaults_and_absolute_paths),
		cmocka_unit_test(empty_sources_array_is_valid),
		cmocka_unit_test(alert_rules_take_the_one_counting_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
