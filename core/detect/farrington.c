#include "detect.h"
void lw_farrington_opts_init(struct lw_farrington_opts *o, unsigned freq) { (void)o; (void)freq; }
int lw_farrington_default_range(size_t n, const struct lw_farrington_opts *o, size_t *from, size_t *to, struct lw_err *err) { return lw_err_set(err, LW_EINVAL, "todo"); }
int lw_farrington(const double *counts, size_t n, size_t from, size_t to, const struct lw_farrington_opts *o, struct lw_detect_result *out, struct lw_err *err) { return lw_err_set(err, LW_EINVAL, "todo"); }
