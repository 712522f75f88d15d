/*
 * host_inbox.h — the drop-folder service of the plugin host table (ABI 1):
 * the folder watcher (dropbox.h) feeding the import queue (jobs.h), and the
 * moves to archive/ or rejected/ with the clerk's report.  Loop thread.
 */
#ifndef LW_HOST_INBOX_H
#define LW_HOST_INBOX_H

#include "daemon/source.h"

int lw_host_inbox_start(struct lw_source *src, const struct lw_inbox_req *req);
void lw_host_inbox_rescan(struct lw_source *src);
void lw_host_inbox_stop(struct lw_source *src, void (*done)(void *ud), void *ud);

#endif
