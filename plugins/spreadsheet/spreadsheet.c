/*
 * spreadsheet.c — the `spreadsheet` importer: agencies drop .xlsx/.xls/.csv
 * reports into a folder (often one subfolder per agency); each complete
 * file is imported through the configured profile, then archived, or
 * rejected with a report the clerk can act on (design.md §4).
 *
 * The folder protocol, the readers, the mapping and the storage are host
 * services; this plugin only describes the folder.
 */
#include <stdlib.h>

#include "litwatch/plugin.h"
#include "../common/folder_req.h"

static const struct lw_option options[] = {
	{"inbox", LW_OPT_DIR, LW_OPT_CREATE, "inbox", 0, 0, NULL,
	 "folder agencies drop files into (subfolders included)"},
	{"archive", LW_OPT_DIR, LW_OPT_CREATE, "archive", 0, 0, NULL,
	 "imported files go to archive/<yyyy-mm-dd>/<path in the inbox>"},
	{"rejected", LW_OPT_DIR, LW_OPT_CREATE, "rejected", 0, 0, NULL,
	 "rejected files go here, with <name>.error.txt beside them"},
	{"profile", LW_OPT_STRING, 0, "agency-case-report", 0, 0, NULL,
	 "mapping profile for every file (share/litwatch/profiles/<name>.json)"},
	{"settle", LW_OPT_DURATION, 0, "2s", 0, 0, NULL,
	 "a file is taken when closed and unchanged for this long"},
	{"poll", LW_OPT_DURATION, 0, "0ms", 0, 0, NULL,
	 "scan the folder this often instead of using inotify (network shares); 0: inotify"},
	{"agency_from_folder", LW_OPT_BOOL, 0, "true", 0, 0, NULL,
	 "inbox/<agency>/file: the first subfolder names the reporting agency"},
	{"agency", LW_OPT_STRING, 0, NULL, 0, 0, NULL,
	 "the agency every file of this folder reports for (instead of the subfolder)"},
	{"max_outstanding", LW_OPT_INT, 0, "4", 1, 64, NULL, "files imported or queued at once"},
	{"receipts", LW_OPT_STRING, 0, "回执", 0, 0, NULL,
	 "folder in each agency folder that gets a receipt (the report) of every file; \"\": none"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

struct state {
	const struct lw_host_api *api;
	struct lw_source *src;
};

static int start(const struct lw_host_api *api, struct lw_source *src, void **state)
{
	struct lw_inbox_req req;
	struct state *st;
	int rc;

	if (api->abi_version < 1 || api->struct_size < sizeof *api)
		return -6;
	req = folder_req(api, src);
	if (!(st = calloc(1, sizeof *st)))
		return -1;
	st->api = api;
	st->src = src;
	if ((rc = api->inbox_start(src, &req)) != 0) {
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static void on_inbox_stopped(void *ud)
{
	struct state *st = ud;
	const struct lw_host_api *api = st->api;
	struct lw_source *src = st->src;

	free(st);
	api->stopped(src);
}

static void stop(void *state)
{
	struct state *st = state;

	st->api->inbox_stop(st->src, on_inbox_stopped, st);
}

static int poke(void *state)
{
	struct state *st = state;

	st->api->inbox_rescan(st->src);
	return 0;
}

LW_PLUGIN_EXPORT const struct lw_plugin lw_plugin = {
	.abi_version = LW_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(struct lw_plugin),
	.name = "spreadsheet",
	.version = "1.0",
	.description = "spreadsheets (.xlsx/.xls/.csv) agencies drop into a watched folder",
	.options = options,
	.start = start,
	.stop = stop,
	.poke = poke,
};
