/*
 * core/daemon/: litwatchd itself: lifecycle, sources and the host table
 * plugins call, the import queue, the status API and its CLI clients.
 *
 * daemon.h — litwatchd's lifecycle: configuration, warehouse, sources,
 * signals, systemd notification and the status API, on one libuv loop.
 */
#ifndef LW_DAEMON_H
#define LW_DAEMON_H

/* Run the daemon with the configuration file at config_path until SIGTERM
 * or SIGINT.  Returns the process exit status: 0 after a clean stop, 1 when
 * the configuration is invalid or the warehouse cannot be opened. */
int lw_daemon_run(const char *config_path);

#endif
