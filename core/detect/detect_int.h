/*
 * detect_int.h — helpers shared by the detector files (not public API).
 */
#ifndef LW_DETECT_INT_H
#define LW_DETECT_INT_H

#include "detect/detect.h"

/* Allocate n entries (expected/upperbound NaN, alarm NA). */
int lw_detect_result_alloc(struct lw_detect_result *r, size_t n, struct lw_err *err);

/* 0 when from..to (0-based, inclusive) lies inside a series of n. */
int lw_detect_check_range(size_t n, size_t from, size_t to, struct lw_err *err);

/* R's `x > bound` as an alarm: NA if either is NA. */
signed char lw_detect_r_gt(double x, double bound);

#endif
