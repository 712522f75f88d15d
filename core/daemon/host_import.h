/*
 * host_import.h — the import entries of the plugin host table (ABI 1):
 * files and record pages go through the daemon's import queue (jobs.h);
 * completions are counted, logged and handed back to the plugin unless the
 * source has stopped meanwhile.  Loop thread only.
 */
#ifndef LW_HOST_IMPORT_H
#define LW_HOST_IMPORT_H

#include "daemon/source.h"
#include "ingest/ingest.h"

int lw_host_import_file(struct lw_source *src, const struct lw_import_req *req,
			lw_import_done_cb done, void *ud);
int lw_host_import_records(struct lw_source *src, const struct lw_records_req *req,
			   lw_import_done_cb done, void *ud);
int lw_host_read_cursor(struct lw_source *src,
			void (*done)(void *ud, int rc, const char *cursor), void *ud);

/* Count an import's outcome in the source's counters and log one line
 * ("<origin>: <status>, N rows (...)"); a failed import is only logged. */
void lw_host_import_account(struct lw_source *src, const char *origin,
			    const struct lw_ingest_result *res);

/* The source stopped: its pending imports finish without calling back. */
void lw_host_import_orphan_all(struct lw_source *src);

/* Called after every committed import of any source (alerts, ...). */
extern void (*lw_host_import_committed)(void *ud);
extern void *lw_host_import_committed_ud;

#endif
