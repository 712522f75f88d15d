/* Unit tests for lw_json_pointer (jobs.c): RFC 6901 paths to a feed page's
 * records, including escapes, array indexes and paths that lead nowhere. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/jobs.h"

static void pointers_resolve_escapes_indexes_and_refuse_bad_paths(void **state)
{
	json_t *doc = json_loads("{\"items\":[1,2,3],\"a/b\":{\"m~n\":7},\"data\":{\"rows\":[{\"x\":1}]}}",
				 0, NULL);

	assert_non_null(doc);
	assert_ptr_equal(lw_json_pointer(doc, ""), doc);
	assert_ptr_equal(lw_json_pointer(doc, NULL), doc);
	assert_true(json_is_array(lw_json_pointer(doc, "/items")));
	assert_int_equal(json_integer_value(lw_json_pointer(doc, "/items/2")), 3);
	assert_int_equal(json_integer_value(lw_json_pointer(doc, "/a~1b/m~0n")), 7);
	assert_int_equal(json_integer_value(lw_json_pointer(doc, "/data/rows/0/x")), 1);
	assert_null(lw_json_pointer(doc, "/items/01"));  /* leading zero: not an index */
	assert_null(lw_json_pointer(doc, "/items/3"));   /* past the end */
	assert_null(lw_json_pointer(doc, "/items/-"));
	assert_null(lw_json_pointer(doc, "/nope"));
	assert_null(lw_json_pointer(doc, "items"));      /* must start with '/' */
	assert_null(lw_json_pointer(doc, "/items/0/x")); /* into a number */
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pointers_resolve_escapes_indexes_and_refuse_bad_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
