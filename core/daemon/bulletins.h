/*
 * bulletins.h — the daemon's scheduled bulletins (docs/reports.md): every
 * check it makes the bulletins that are due (core/report/schedule.h) into
 * the reports folder, records each as a warehouse row, and sends it
 * through the alert sinks it names (email with the XLSX attached, a
 * markdown summary with the top 3 to WeCom / DingTalk).  A bulletin made
 * is never made again, a send that was delivered never sent again, across
 * restarts: both are rows.  A failed send is tried again with the alert
 * notifications' back-off (alerts.retry: initial, doubling, max,
 * max_attempts), also between checks.
 *
 * Building runs on libuv's thread pool with the scheduler's own warehouse
 * connection; sends and timers on the loop thread.
 */
#ifndef LW_DAEMON_BULLETINS_H
#define LW_DAEMON_BULLETINS_H

#include <uv.h>

#include "base/err.h"
#include "config/config.h"
#include "net/http_client.h"

/* How often the schedule is looked at (the first look is at start). */
#define LW_BULLETIN_CHECK_MS (10 * 60 * 1000)

struct lw_bulletins;

/* A scheduler on loop for cfg (its reports section and sinks are taken
 * from cfg: cfg->reports and cfg->report_sinks become NULL).  NULL *out
 * and 0 when cfg has no reports section.  http is borrowed. */
int lw_bulletins_new(uv_loop_t *loop, struct lw_config *cfg, struct lw_http_driver *http,
		     struct lw_bulletins **out, struct lw_err *e);
/* Take the new configuration's schedule (reload). */
void lw_bulletins_set_conf(struct lw_bulletins *b, struct lw_config *cfg);
/* Stop: no new work; what runs finishes; then cb(ud) on the loop and b is
 * freed.  NULL b: cb is not called. */
void lw_bulletins_free(struct lw_bulletins *b, void (*cb)(void *), void *ud);

#endif
