/*
 * folder_req.h — the drop-folder description shared by the plugins that
 * serve one (spreadsheet, hotline): fills a struct lw_inbox_req from the
 * source's options.  Keys a plugin does not declare read as unset (NULL or
 * 0), so each plugin declares only the ones it offers.
 */
#ifndef LW_PLUGINS_FOLDER_REQ_H
#define LW_PLUGINS_FOLDER_REQ_H

#include "litwatch/plugin.h"

static inline struct lw_inbox_req folder_req(const struct lw_host_api *api,
					     const struct lw_source *src)
{
	struct lw_inbox_req req = {.struct_size = sizeof req};

	req.inbox = api->opt_str(src, "inbox");
	req.archive = api->opt_str(src, "archive");
	req.rejected = api->opt_str(src, "rejected");
	req.profile = api->opt_str(src, "profile");
	req.agency = api->opt_str(src, "agency");
	req.agency_from_folder = (int)api->opt_int(src, "agency_from_folder");
	req.settle_ms = api->opt_int(src, "settle");
	req.poll_ms = api->opt_int(src, "poll");
	req.max_outstanding = (unsigned)api->opt_int(src, "max_outstanding");
	req.receipts = api->opt_str(src, "receipts");
	return req;
}

#endif
