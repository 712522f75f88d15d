/*
 * settings.c — the settings published to the CLI's commands (settings.h).
 */
#include "base/settings.h"

static struct lw_settings current;

const struct lw_settings *lw_settings(void)
{
	return &current;
}

void lw_settings_set(const struct lw_settings *s)
{
	current = *s;
}
