/*
 * broken.c — deliberately wrong plugins for the loader's refusal tests.
 * Built several times with a different BROKEN_KIND each.
 */
#include "litwatch/plugin.h"

static int start(const struct lw_host_api *api, struct lw_source *src, void **state)
{
	return 0;
}

static void stop(void *state)
{
}

#if BROKEN_KIND == 1 /* built for a future ABI */
LW_PLUGIN_EXPORT const struct lw_plugin lw_plugin = {
	.abi_version = 99, .struct_size = sizeof(struct lw_plugin),
	.name = "futureabi", .start = start, .stop = stop,
};
#elif BROKEN_KIND == 2 /* descriptor too small for its ABI */
LW_PLUGIN_EXPORT const struct lw_plugin lw_plugin = {
	.abi_version = 1, .struct_size = 8, .name = "smallstruct", .start = start, .stop = stop,
};
#elif BROKEN_KIND == 3 /* name differs from the file name */
LW_PLUGIN_EXPORT const struct lw_plugin lw_plugin = {
	.abi_version = 1, .struct_size = sizeof(struct lw_plugin),
	.name = "someoneelse", .start = start, .stop = stop,
};
#elif BROKEN_KIND == 4 /* no lw_plugin symbol at all */
LW_PLUGIN_EXPORT int not_a_plugin = 1;
LW_PLUGIN_EXPORT void unused(void);
LW_PLUGIN_EXPORT void unused(void)
{
	(void)start;
	(void)stop;
}
#endif
