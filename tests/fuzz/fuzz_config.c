/*
 * fuzz_config.c — the configuration parser and validator on arbitrary
 * bytes.  Plugins are confined to an empty directory so that no input can
 * make the fuzzer dlopen anything.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "config/config.h"
#include "config/loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[] = "/tmp/lw-fuzz-config-XXXXXX";
	static int ready;
	struct lw_plugins *plugins = NULL;
	struct lw_install_dirs defs = {dir, NULL, NULL};
	struct lw_config *cfg = NULL;
	struct lw_diag d = {0};
	struct lw_err err = {0};

	if (!ready) {
		if (!mkdtemp(dir))
			abort();
		ready = 1;
	}
	if (lw_plugins_new(dir, &plugins, &err) != 0)
		abort();
	if (lw_config_load_text((const char *)data, size, "fuzz.json", &defs, &plugins, &cfg,
				&d) == 0)
		lw_config_free(cfg);
	lw_diag_free(&d);
	lw_plugins_free(plugins);
	return 0;
}
