/*
 * cmd_status.c — `litwatch status`: ask a running litwatchd for its state
 * through the local status API and print it for an operator.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config/config.h"
#include "config/loader.h"

struct body {
	char *p;
	size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct body *b = ud;
	size_t n = size * nmemb;
	char *np;

	if (b->len + n > (8u << 20))
		return 0; /* a status document is never this large */
	np = realloc(b->p, b->len + n + 1);
	if (!np)
		return 0;
	memcpy(np + b->len, ptr, n);
	b->len += n;
	np[b->len] = '\0';
	b->p = np;
	return n;
}

/* GET (or POST with an empty body) path from listen ("127.0.0.1:PORT" or
 * "unix:/path"); returns the body (malloc'd) and the HTTP status in
 * *status, or NULL after printing why it could not connect. */
static char *request(const char *listen, const char *path, int post, const char *token,
		     long *status_out)
{
	struct curl_slist *hdrs = NULL;
	struct body b = {NULL, 0};
	char url[512], errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	CURLcode rc;
	long status = 0;

	if (!c)
		return NULL;
	if (!strncmp(listen, "unix:", 5)) {
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, listen + 5);
		snprintf(url, sizeof url, "http://localhost%s", path);
	} else {
		snprintf(url, sizeof url, "http://%s%s", listen, path);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (post)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	if (token) {
		char auth[160];
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		hdrs = curl_slist_append(hdrs, auth);
		explicit_bzero(auth, sizeof auth);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	*status_out = status;
	if (rc == CURLE_OK && post)
		return b.p ? b.p : strdup("");
	if (rc != CURLE_OK || status != 200) {
		fprintf(stderr, "status: cannot reach litwatchd at %s: %s (is it running, and is "
			"\"http\" set in its configuration?)\n", listen,
			rc != CURLE_OK ? (errbuf[0] ? errbuf : curl_easy_strerror(rc)) : "bad HTTP status");
		free(b.p);
		return NULL;
	}
	return b.p;
}

static const char *str_or(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

/* s cut to at most cols display columns, with "…" when cut. */
static void print_cut(const char *s, size_t cols)
{
	size_t w = 0, i = 0, n = strlen(s);

	while (i < n) {
		size_t k = 1, cw;
		unsigned char c = (unsigned char)s[i];
		if (c >= 0xF0)
			k = 4;
		else if (c >= 0xE0)
			k = 3;
		else if (c >= 0xC0)
			k = 2;
		cw = k >= 3 ? 2 : 1; /* CJK takes two columns */
		if (w + cw > cols - 1 && i + k < n) {
			fputs("…", stdout);
			return;
		}
		fwrite(s + i, 1, k, stdout);
		w += cw;
		i += k;
	}
}

static void print_table(json_t *st)
{
	size_t i;
	json_t *s;

	printf("litwatchd %s, pid %lld, %s, up %llds; config %s\nwarehouse %s\n",
	       str_or(st, "version", "?"), (long long)json_integer_value(json_object_get(st, "pid")),
	       str_or(st, "state", "?"),
	       (long long)json_integer_value(json_object_get(st, "uptime_seconds")),
	       str_or(st, "config", "?"), str_or(st, "warehouse", "?"));
	if (json_is_string(json_object_get(st, "last_reload_error")))
		printf("last reload FAILED: %s\n", str_or(st, "last_reload_error", ""));
	printf("\n%-16s %-12s %-9s %5s %7s %9s %8s %8s %6s  %-20s %s\n", "SOURCE", "PLUGIN", "STATE",
	       "QUEUE", "FILES", "ROWS", "REJ.FILE", "REJ.ROWS", "ERRORS", "LAST IMPORT",
	       "LAST ERROR (current)");
	json_array_foreach(json_object_get(st, "sources"), i, s) {
		json_t *c = json_object_get(s, "counters");
		const char *err = json_is_true(json_object_get(s, "error_current"))
					  ? str_or(s, "last_error", "") : str_or(s, "detail", "");
		printf("%-16s %-12s %-9s %5lld %7lld %9lld %8lld %8lld %6lld  %-20s ",
		       str_or(s, "name", "?"), str_or(s, "plugin", "?"), str_or(s, "state", "?"),
		       (long long)json_integer_value(json_object_get(s, "queue")),
		       (long long)json_integer_value(json_object_get(c, "files_imported")),
		       (long long)json_integer_value(json_object_get(c, "rows_imported")),
		       (long long)json_integer_value(json_object_get(c, "files_rejected")),
		       (long long)json_integer_value(json_object_get(c, "rows_rejected")),
		       (long long)json_integer_value(json_object_get(c, "errors")),
		       str_or(s, "last_import", "-"));
		print_cut(err, 100);
		putchar('\n');
	}
	if (i == 0)
		printf("(no sources configured)\n");
	json_array_foreach(json_object_get(st, "sources"), i, s)
		if (json_is_string(json_object_get(s, "last_reject"))) {
			printf("%s: last rejection %s: ", str_or(s, "name", "?"),
			       str_or(s, "last_reject_at", "?"));
			print_cut(str_or(s, "last_reject", ""), 100);
			putchar('\n');
		}
}

/* The status API address from --listen or the configuration; *cfg is
 * set when the configuration was loaded (free it).  Prints why on failure. */
static const char *resolve_listen(const char *config, const char *listen, const char *cmd,
				  struct lw_config **cfg)
{
	struct lw_install_dirs defs;
	struct lw_plugins *plugins = NULL;
	struct lw_diag diag = {0};

	*cfg = NULL;
	if (listen)
		return listen;
	lw_install_dirs_from_exe(&defs);
	if (lw_config_load(config, &defs, &plugins, cfg, &diag) != 0) {
		/* The configuration's own messages name the file already. */
		const char *m = diag.n ? diag.msg[0] : "invalid";
		if (!strncmp(m, config, strlen(config)))
			fprintf(stderr, "%s: %s\n", cmd, m);
		else
			fprintf(stderr, "%s: %s: %s\n", cmd, config, m);
		lw_diag_free(&diag);
		lw_plugins_free(plugins);
		return NULL;
	}
	lw_plugins_free(plugins);
	if (!(*cfg)->http_listen) {
		fprintf(stderr, "%s: %s has no \"http\" section: the status API is off\n", cmd,
			config);
		return NULL;
	}
	return (*cfg)->http_listen;
}

/* The API token the daemon wrote at start (64 hex digits); 0, or -1 after
 * printing why, naming the file. */
static int read_token(const char *file, char tok[80])
{
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		fprintf(stderr, "poll: cannot read the API token %s: %s (litwatchd writes it at "
			"start; run this as the litwatch user or root)\n", file, strerror(errno));
		return -1;
	}
	n = read(fd, tok, 79);
	close(fd);
	if (n <= 0) {
		fprintf(stderr, "poll: the API token file %s is empty; is litwatchd running?\n",
			file);
		return -1;
	}
	tok[n] = '\0';
	tok[strcspn(tok, "\r\n")] = '\0';
	return 0;
}

int lw_cmd_poll(int argc, char **argv)
{
	const char *config = "/etc/litwatch/litwatch.json", *listen = NULL, *source = NULL;
	const char *token_file = NULL;
	struct lw_config *cfg = NULL;
	char path[160], *body, tok[80];
	long status = 0;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen = argv[++i];
		else if (!strcmp(argv[i], "--token-file") && i + 1 < argc)
			token_file = argv[++i];
		else if (!source && argv[i][0] != '-')
			source = argv[i];
		else
			source = NULL, i = argc;
	}
	if (!source || strlen(source) > 64 || strchr(source, '/')) {
		fprintf(stderr, "usage: litwatch poll SOURCE [--config FILE | --listen ADDR "
			"--token-file FILE]\n");
		return 2;
	}
	if (!(listen = resolve_listen(config, listen, "poll", &cfg)))
		goto out;
	if (!token_file && !(token_file = cfg ? cfg->http_token_file : NULL)) {
		fprintf(stderr, "poll: with --listen, say where the API token is: --token-file "
			"FILE (litwatchd writes it to data_dir/api.token by default)\n");
		goto out;
	}
	if (read_token(token_file, tok) != 0)
		goto out;
	snprintf(path, sizeof path, "/sources/%s/poll", source);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	body = request(listen, path, 1, tok, &status);
	explicit_bzero(tok, sizeof tok);
	curl_global_cleanup();
	if (body) {
		/* 202: polling, or merged into a poll under way; 429: backing
		 * off, the body says until when.  Neither is an error. */
		int ok = status == 202 || status == 429;
		fprintf(ok ? stdout : stderr, "%s: %s", source, body);
		rc = ok ? 0 : 1;
		free(body);
	}
out:
	lw_config_free(cfg);
	return rc;
}

int lw_cmd_status(int argc, char **argv)
{
	const char *config = "/etc/litwatch/litwatch.json", *listen = NULL;
	int json = 0, rc = 1;
	char *doc = NULL;
	struct lw_config *cfg = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen = argv[++i];
		else {
			fprintf(stderr, "usage: litwatch status [--config FILE | --listen ADDR] [--json]\n");
			return 2;
		}
	}
	if (!(listen = resolve_listen(config, listen, "status", &cfg)))
		goto out;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	{
		long st;
		doc = request(listen, "/status", 0, NULL, &st);
	}
	curl_global_cleanup();
	if (!doc)
		goto out;
	if (json) {
		fputs(doc, stdout);
	} else {
		json_t *st = json_loads(doc, 0, NULL);
		if (!st) {
			fprintf(stderr, "status: litwatchd sent an unreadable document\n");
			goto out;
		}
		print_table(st);
		json_decref(st);
	}
	rc = 0;
out:
	free(doc);
	lw_config_free(cfg);
	return rc;
}
