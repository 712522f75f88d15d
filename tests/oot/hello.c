/*
 * hello.c — the smallest third-party plugin, built out of tree against the
 * installed header with pkg-config (see tests/e2e/test_install.py):
 *
 *   cc -shared $(pkg-config --cflags litwatch-plugin) -o lw-hello.so hello.c
 */
#include <litwatch/plugin.h>

static const struct lw_option options[] = {
	{"greeting", LW_OPT_STRING, 0, "hello", 0, 0, NULL, "what to log at start"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const struct lw_host_api *host;

static int start(const struct lw_host_api *api, struct lw_source *src, void **state)
{
	if (api->abi_version < 1)
		return -6;
	host = api;
	api->log(src, LW_LOG_NOTICE, "%s from an out-of-tree plugin", api->opt_str(src, "greeting"));
	*state = src;
	return 0;
}

static void stop(void *state)
{
	host->stopped(state);
}

LW_PLUGIN_EXPORT const struct lw_plugin lw_plugin = {
	.abi_version = LW_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(struct lw_plugin),
	.name = "hello",
	.version = "0.1",
	.description = "out-of-tree example",
	.options = options,
	.start = start,
	.stop = stop,
};
