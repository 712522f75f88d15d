/*
 * matcher.c — label matchers ("agency=市自然资源局", "severity!=info") as
 * operators type them on the command line (`litwatch alerts silence
 * --match`) and write them in a sink's `match` list.  Outside input: a fuzz
 * target covers lw_matcher_parse (tests/fuzz/fuzz_matcher.c).
 */
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts_int.h"
#include "base/text.h"

void lw_matcher_clear(struct lw_matcher *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->value);
	memset(m, 0, sizeof *m);
}

int lw_matcher_parse(const char *text, struct lw_matcher *m, struct lw_err *e)
{
	const char *eq, *p;
	size_t nlen;

	memset(m, 0, sizeof *m);
	if (!text || !(eq = strchr(text, '=')))
		return lw_err_set(e, LW_EINVAL, "matcher \"%s\": expected name=value or "
				  "name!=value (标签匹配应写作 名称=值)", text ? text : "");
	nlen = (size_t)(eq - text);
	if (nlen > 0 && text[nlen - 1] == '!') {
		m->negate = 1;
		nlen--;
	}
	if (nlen == 0 || nlen > 64)
		return lw_err_set(e, LW_EINVAL, "matcher \"%s\": the label name must have 1..64 "
				  "characters", text);
	for (p = text; p < text + nlen; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return lw_err_set(e, LW_EINVAL, "matcher \"%s\": label names use letters, "
					  "digits and '_' only", text);
	if (strlen(eq + 1) > 1024 || !lw_utf8_valid(eq + 1, strlen(eq + 1), NULL))
		return lw_err_set(e, LW_EINVAL, "matcher \"%s\": the value must be valid UTF-8 "
				  "of at most 1024 bytes", text);
	m->name = strndup(text, nlen);
	m->value = strdup(eq + 1);
	if (!m->name || !m->value) {
		lw_matcher_clear(m);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	return 0;
}

int lw_matchers_match(const struct lw_matcher *m, size_t n, json_t *labels)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = json_string_value(json_object_get(labels, m[i].name));
		int eq = !strcmp(v ? v : "", m[i].value); /* absent label = "" */
		if (eq == m[i].negate)
			return 0;
	}
	return 1;
}
