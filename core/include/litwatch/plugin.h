/*
 * litwatch/plugin.h — the binary interface between litwatchd and its
 * importer plugins.
 *
 * A plugin is a shared object named lw-<name>.so in the plugin directory.  It
 * exports exactly one symbol, `const struct lw_plugin lw_plugin`, whose first
 * two fields are the ABI version it was built against and the size of the
 * structure.  The daemon refuses a plugin whose ABI it does not speak.
 *
 * A plugin is code; a *source* is one configured instance of it (the same
 * plugin can run as several sources).  For each source the host calls
 * start() with a table of host functions (struct lw_host_api) and an opaque
 * struct lw_source handle.  Every host function and every plugin callback
 * runs on the daemon's single libuv loop thread unless said otherwise.
 *
 * Plugins do transport and source quirks only.  Mapping, normalisation, PII
 * hashing, validation, storage and provenance are host services.
 *
 * Compatibility rules (as SQLite's sqlite3_api_routines):
 *   - struct lw_host_api is append-only: new entries go at the end, each
 *     commented with the ABI version that added it.  A plugin built for ABI
 *     N runs on any host whose api->abi_version >= N.
 *   - struct lw_plugin is append-only too; the host reads only the fields
 *     that struct_size covers.
 *
 * Build a plugin out of tree with:
 *     cc -shared -fPIC $(pkg-config --cflags litwatch-plugin) -o lw-x.so x.c
 */
#ifndef LITWATCH_PLUGIN_H
#define LITWATCH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. */
#define LW_PLUGIN_ABI_VERSION 1

struct uv_loop_s;
struct lw_source; /* one configured source; owned by the host */

/* Log levels are syslog priorities, which journald understands. */
enum lw_log_level {
	LW_LOG_ERR = 3,
	LW_LOG_WARNING = 4,
	LW_LOG_NOTICE = 5,
	LW_LOG_INFO = 6,
	LW_LOG_DEBUG = 7,
};

/* Types of configuration values a plugin can declare. */
enum lw_opt_type {
	LW_OPT_STRING = 1, /* JSON string */
	LW_OPT_INT,        /* JSON integer, within [min, max] when max > min */
	LW_OPT_BOOL,       /* JSON true/false */
	LW_OPT_DURATION,   /* "500ms", "15s", "15m", "1h", "2d"; read as ms */
	LW_OPT_SIZE,       /* "64MiB", "10MB", "512KiB" or an integer; bytes */
	LW_OPT_DIR,        /* path of a directory (relative to data_dir) */
	LW_OPT_FILE,       /* path of an existing regular file */
	LW_OPT_URL,        /* http:// or https:// URL */
	LW_OPT_STRINGS,    /* JSON array of strings */
	LW_OPT_OBJECT,     /* JSON object, validated by the plugin itself */
};

/* Option flags. */
#define LW_OPT_REQUIRED 0x1u /* must be present (no default) */
#define LW_OPT_SECRET 0x2u   /* value is never logged or shown */
#define LW_OPT_CREATE 0x4u   /* LW_OPT_DIR: created at start if missing */
#define LW_OPT_PRIVATE 0x8u  /* LW_OPT_FILE: holds a secret (a token, a password):
				refused when its group or others may read it.  Every
				LW_OPT_FILE is refused when they may write it.  (Hosts
				before this flag ignore it.) */

/*
 * One configuration key a plugin accepts.  A plugin's table ends with an
 * entry whose key is NULL.  The host validates every source against the
 * table before anything starts (unknown keys are errors), fills defaults,
 * and `litwatch check-config` reports errors by key path.
 */
struct lw_option {
	const char *key;
	enum lw_opt_type type;
	unsigned flags;
	const char *def;  /* default, written as in the config ("15m", "true",
			     "10"); NULL: none */
	int64_t min, max; /* LW_OPT_INT bounds; ignored when max <= min */
	const char *choices; /* LW_OPT_STRING: allowed values separated by
				'|'; NULL: any string */
	const char *help; /* one line for operators */
};

/* Source states shown by `litwatch status` and /metrics. */
enum lw_source_state {
	LW_STATE_STARTING = 0,
	LW_STATE_IDLE,    /* running, nothing to do */
	LW_STATE_BUSY,    /* importing */
	LW_STATE_FAILING, /* repeated errors; still retrying */
	LW_STATE_STOPPED,
};

/* Counters a source reports; the host exposes them on /metrics. */
enum lw_counter {
	LW_CTR_FILES_IMPORTED = 0,
	LW_CTR_FILES_REJECTED,
	LW_CTR_ROWS_IMPORTED,
	LW_CTR_ROWS_REJECTED,
	LW_CTR_ERRORS,
	LW_CTR_REQUESTS,
	LW_CTR__COUNT
};

/* ---- HTTP(S)/SMTP client (ABI 1) ----
 *
 * Requests run on the daemon's libcurl-multi driver, on the loop thread,
 * with no thread per request and connections reused.  See
 * lw_host_api.http_request for the contract.
 */

struct lw_http_call; /* one request in flight; owned by the host */

enum lw_http_method {
	LW_HTTP_GET = 0,
	LW_HTTP_POST,
	LW_HTTP_MAIL, /* SMTP(S): send body as one message (see mail_*) */
};

enum lw_http_tls {
	LW_TLS_REQUIRED = 0, /* default: https/smtps, or STARTTLS that must succeed */
	LW_TLS_NONE_LOOPBACK, /* SMTP without TLS; refused unless the URL's host
				 is 127.0.0.1, ::1 or localhost (tests only) */
};

/*
 * One request.  Zero-initialise, set struct_size = sizeof(struct
 * lw_http_req) and the fields you need; zero means "default".  Every
 * pointer is read (and copied where needed) during the http_request()
 * call only: nothing here needs to outlive it.
 */
struct lw_http_req {
	uint32_t struct_size;
	enum lw_http_method method;
	const char *url;             /* http://, https://, smtp:// or smtps:// */
	const char *const *headers;  /* "Name: value" strings, NULL-terminated;
					may be NULL */
	const void *body;            /* POST body / mail message (RFC 5322) */
	size_t body_len;
	const char *bearer_token;    /* sent as "Authorization: Bearer ...";
					never logged; wiped when done */
	const char *ca_file;         /* PEM bundle that replaces the system
					trust store; verification is always on */
	const char *proxy;           /* e.g. "http://proxy:3128"; NULL: none
					(the *_proxy environment is ignored) */
	int64_t connect_timeout_ms;  /* 0: 10 s */
	int64_t timeout_ms;          /* whole transfer; 0: 120 s */
	int64_t low_speed_limit;     /* bytes/s; abort when slower than this */
	int64_t low_speed_time_ms;   /* ... for this long (0: no check) */
	int64_t max_size;            /* response body limit; 0: 64 MiB */
	const char *if_none_match;   /* ETag of the copy we hold, or NULL */
	const char *if_modified_since; /* HTTP-date of the copy, or NULL */
	int follow_redirects;        /* follow up to 5 http(s) redirects */
	/* LW_HTTP_MAIL only */
	const char *mail_from;       /* envelope sender, "<a@b>" or "a@b" */
	const char *const *mail_rcpt; /* envelope recipients, NULL-terminated */
	const char *username;        /* SMTP AUTH; never logged; wiped */
	const char *password;
	enum lw_http_tls tls;
};

/*
 * The outcome of one request, passed to its callback.  Strings are owned
 * by the host and valid until the callback returns.  To keep the body,
 * take it: copy the pointer and set resp->body to NULL; free it later with
 * free().
 */
struct lw_http_resp {
	int result;          /* 0: a response arrived (any status); else a
				negative LW_E* code: -11 cancelled, -7 body
				over max_size, -2 transport/TLS/time-out */
	const char *error;   /* why, naming the URL without credentials or
				secret query values; "" when result == 0 */
	int curl_code;       /* libcurl's CURLcode, for detail; 0 on success */
	int retryable;       /* 1 when trying again later may help (time-out,
				connection failure, 408, 429, 5xx) */
	long status;         /* HTTP status, or the last SMTP reply code; 0
				when nothing arrived */
	char *body;          /* malloc'd, NUL-terminated (may hold NULs);
				never NULL when result == 0 */
	size_t body_len;
	const char *etag;          /* NULL when absent */
	const char *last_modified; /* NULL when absent */
	const char *content_type;  /* NULL when absent */
	int64_t retry_after_s;     /* Retry-After in seconds (an HTTP-date is
				      converted); -1 when absent/invalid */
	long num_connects;   /* new connections this request opened (0:
				an existing one was reused) */
	int64_t elapsed_ms;
};

/* Called exactly once per accepted request, on the loop thread, never
 * from inside http_request() or http_cancel() themselves. */
typedef void (*lw_http_done_cb)(void *ud, struct lw_http_resp *resp);

/* ---- Imports through the core pipeline (ABI 1) ----
 *
 * Plugins hand the host files or pages of records; the host reads, maps
 * (through a profile), normalises, hashes personal data and stores them in
 * one transaction per file or page, on a worker thread, one import at a
 * time.  The plugin learns the outcome in its callback.
 */

/* A file to import.  Zero-initialise and set struct_size; pointers are
 * copied during the call. */
struct lw_import_req {
	uint32_t struct_size;
	const char *path;     /* the file */
	const char *profile;  /* mapping profile name */
	const char *origin;   /* shown in imports.origin (e.g. the path relative
				 to the inbox); NULL: path */
	const char *agency;   /* the reporting agency (drop folder), or NULL */
	const char *sheet;    /* workbook sheet name, or NULL: the first visible */
	const char *encoding; /* CSV encoding, or NULL: detect */
};

/* A page of records from a feed: a JSON document and where its items are.
 * The cursor is stored in the same transaction as the page's rows, so it
 * never moves past data that is not stored. */
struct lw_records_req {
	uint32_t struct_size;
	const char *profile;
	const char *origin;       /* e.g. the page URL without secrets */
	const char *json;         /* the document (copied) */
	size_t json_len;
	const char *items_pointer; /* RFC 6901 pointer to the array, "" = the
				      document itself, e.g. "/items" */
	const char *cursor;       /* new cursor to store with the page, or NULL */
	const char *cursor_state; /* JSON text stored beside it, or NULL */
};

/* What an import did.  Strings valid during the callback only. */
struct lw_import_result {
	const char *status;  /* "ok", "partial", "rejected", "duplicate", "failed" */
	int64_t import_id;   /* the imports row, 0 when none was written */
	uint64_t rows, inserted, updated, unchanged, rejected;
	const char *message; /* file-level problem, or NULL */
	const char *report;  /* the clerk's report (Chinese and English) */
};

/* rc: 0 when *res holds the outcome; LW_ECANCELED when the daemon stopped
 * first; another negative code when the warehouse failed (res->message).
 * Called on the loop thread, never after the source's stopped(). */
typedef void (*lw_import_done_cb)(void *ud, int rc, const struct lw_import_result *res);

/* ---- Drop folders (ABI 1) ----
 *
 * The whole drop-folder protocol (design.md §4) is a host service: watch
 * the inbox (inotify, or polling for network shares), take a file when it
 * is complete, import it, then move it to archive/<date>/ or to rejected/
 * with a <name>.error.txt report for the clerk.  A plugin that serves a
 * folder only describes it.
 */
struct lw_inbox_req {
	uint32_t struct_size;
	const char *inbox;    /* absolute; must exist */
	const char *archive;  /* absolute; created on demand */
	const char *rejected; /* absolute; created on demand */
	const char *profile;  /* mapping profile for every file */
	int agency_from_folder; /* inbox/<agency>/file: the subfolder names the
				   reporting agency */
	const char *agency;   /* or one agency for every file; NULL: none */
	int64_t settle_ms;    /* a file is complete when unchanged this long */
	int64_t poll_ms;      /* > 0: poll instead of inotify (network shares) */
	unsigned max_outstanding; /* files imported or queued at once; 0: 4 */
	/* Appended in ABI 1 (the host reads it when struct_size covers it):
	 * the folder in each agency folder where a receipt of every file goes
	 * (inbox/<agency>/<receipts>/<file>.回执.txt), ignored by the watcher;
	 * NULL or "": no receipts. */
	const char *receipts;
};

/*
 * Functions the host offers to plugins.  Append-only; see the file comment.
 * Pointers to strings returned by the host stay valid until the source's
 * stop() returns, unless said otherwise.
 */
struct lw_host_api {
	uint32_t abi_version; /* the host's LW_PLUGIN_ABI_VERSION */
	uint32_t struct_size; /* sizeof(struct lw_host_api) in the host */

	/* ---- ABI 1 ---- */

	/* Log one line tagged with the source's name.  Never pass secrets. */
	void (*log)(struct lw_source *src, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* The source's configured name. */
	const char *(*source_name)(const struct lw_source *src);

	/* The daemon's loop; plugins may create uv handles on it and must
	 * close them all before calling stopped(). */
	struct uv_loop_s *(*loop)(struct lw_source *src);

	/* Configuration values, already validated against the plugin's
	 * option table and with defaults applied.  opt_str returns NULL for
	 * an unset key without default; paths (LW_OPT_DIR/FILE) come back
	 * absolute.  opt_int returns INT and BOOL values, durations in
	 * milliseconds and sizes in bytes; 0 when unset. */
	const char *(*opt_str)(const struct lw_source *src, const char *key);
	int64_t (*opt_int)(const struct lw_source *src, const char *key);
	/* LW_OPT_STRINGS: number of items, and item i (NULL past the end). */
	size_t (*opt_count)(const struct lw_source *src, const char *key);
	const char *(*opt_item)(const struct lw_source *src, const char *key, size_t i);

	/* Report the source's state; detail (may be NULL) is shown beside it,
	 * e.g. the last error.  The host copies detail. */
	void (*set_state)(struct lw_source *src, enum lw_source_state state,
			  const char *detail);

	/* Add delta to one of the source's counters. */
	void (*count)(struct lw_source *src, enum lw_counter ctr, uint64_t delta);

	/* Tell the host that the source finished stopping (all its handles
	 * are closed and its state freed).  Call exactly once after stop(),
	 * possibly from inside stop() itself. */
	void (*stopped)(struct lw_source *src);

	/* Report how many work items (files, pages) are waiting, shown as
	 * the source's queue length. */
	void (*set_queue)(struct lw_source *src, uint64_t waiting);

	/* ABI 1: start an HTTP(S) or SMTP request on the host's driver.
	 * Returns 0 and, when out is not NULL, the call in *out (valid until
	 * done() returns); done(ud, resp) then fires exactly once.  On a
	 * negative LW_E* return (bad request: logged with the reason, or the
	 * source is stopping) done() never fires.  Counts LW_CTR_REQUESTS.
	 * Calls still in flight when the source calls stopped() are aborted
	 * and their done() never fires. */
	int (*http_request)(struct lw_source *src, const struct lw_http_req *req,
			    lw_http_done_cb done, void *ud, struct lw_http_call **out);

	/* ABI 1: cancel a call whose done() has not fired yet.  done() then
	 * fires once, later on the loop, with result LW_ECANCELED (-11). */
	void (*http_cancel)(struct lw_source *src, struct lw_http_call *call);

	/* ABI 1: retry delay in ms for the given attempt (0 = first retry):
	 * exponential from base_ms, full jitter, at most cap_ms; then at least
	 * retry_after_s seconds when the server asked for more (-1: no
	 * Retry-After), but never more than max_ms.  *rng is the caller's
	 * random state (seed it once with any value). */
	uint64_t (*backoff)(unsigned attempt, uint64_t base_ms, uint64_t cap_ms,
			    int64_t retry_after_s, uint64_t max_ms, uint64_t *rng);

	/* ABI 1: queue a file import.  Returns 0 (done fires exactly once) or
	 * a negative code (done never fires). */
	int (*import_file)(struct lw_source *src, const struct lw_import_req *req,
			   lw_import_done_cb done, void *ud);

	/* ABI 1: queue a page of records (see struct lw_records_req). */
	int (*import_records)(struct lw_source *src, const struct lw_records_req *req,
			      lw_import_done_cb done, void *ud);

	/* ABI 1: read the source's stored cursor, after every import queued
	 * before; cursor is NULL when none is stored. */
	int (*read_cursor)(struct lw_source *src,
			   void (*done)(void *ud, int rc, const char *cursor), void *ud);

	/* ABI 1: serve a drop folder for the source (one per source).  Files
	 * already present are taken at once.  Returns 0 or a negative code
	 * after logging why. */
	int (*inbox_start)(struct lw_source *src, const struct lw_inbox_req *req);

	/* ABI 1: look at the whole folder again now (e.g. from poke()). */
	void (*inbox_rescan)(struct lw_source *src);

	/* ABI 1: stop serving the folder: files waiting stay in the inbox, an
	 * import running rolls back; done(ud) fires on the loop when nothing
	 * runs any more (possibly before inbox_stop returns).  Call it from
	 * stop() and call stopped() from done. */
	void (*inbox_stop)(struct lw_source *src, void (*done)(void *ud), void *ud);
};

/*
 * The descriptor a plugin exports as `const struct lw_plugin lw_plugin`.
 */
struct lw_plugin {
	uint32_t abi_version; /* LW_PLUGIN_ABI_VERSION at build time */
	uint32_t struct_size; /* sizeof(struct lw_plugin) at build time */

	const char *name;        /* must match lw-<name>.so */
	const char *version;     /* the plugin's own version */
	const char *description; /* one line */
	const struct lw_option *options; /* ends with a NULL key */

	/* Start one source.  On success return 0 and store the plugin's
	 * per-source state in *state.  On failure return a negative LW_E*
	 * code after logging why through api->log; stop() is then not
	 * called. */
	int (*start)(const struct lw_host_api *api, struct lw_source *src,
		     void **state);

	/* Stop the source: stop taking work, close handles, free state,
	 * then call api->stopped(src) (now or later from a close callback).
	 * Called on the loop thread, once. */
	void (*stop)(void *state);

	/* Optional (may be NULL): do the source's periodic work now, e.g.
	 * poll a feed at once when an operator asks for it.  Returns 0 when
	 * the work starts now, a negative code on error, or (ABI 1, hosts
	 * from 0.2) a positive value when the request is merged into work
	 * that happens anyway: LW_POKE_UNDER_WAY when it is running now,
	 * otherwise the milliseconds until the source's next attempt while
	 * it backs off (failures, Retry-After).  A poke must never cut a
	 * back-off short: repeated pokes cost the remote server nothing. */
	int (*poke)(void *state);
};

/* poke(): the work asked for is already running (see struct lw_plugin). */
#define LW_POKE_UNDER_WAY 1

/* Declare the descriptor with default visibility even under
 * -fvisibility=hidden. */
#define LW_PLUGIN_EXPORT __attribute__((visibility("default")))

#ifdef __cplusplus
}
#endif
#endif
