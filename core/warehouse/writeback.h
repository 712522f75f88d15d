/*
 * writeback.h — have the kernel write SQLite's files out as they grow, so
 * that a big transaction's fdatasync is not left with all of it
 * (writeback.c says why and how).  Internal to core/warehouse/.
 */
#ifndef LW_WAREHOUSE_WRITEBACK_H
#define LW_WAREHOUSE_WRITEBACK_H

/* Once per process, before its first SQLite connection opens a file. */
void lw_wh_writeback_install(void);

/* Nonzero when installed (Linux, and a SQLite that writes with pwrite). */
int lw_wh_writeback_installed(void);

#endif
