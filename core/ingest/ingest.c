/*
 * ingest.c — the import pipeline (see ingest.h): one transaction per file
 * or page, rows mapped through a profile, bad rows listed, good rows stored.
 */
#include "ingest/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/text.h"
#include "deadlines/deadlines.h"
#include "domain/agency.h"
#include "domain/pii.h"
#include "dropbox/dropbox.h"
#include "ingest/agencies.h"
#include "ingest/ingest_int.h"
#include "ingest/memo.h"
#include "ingest/pipe.h"
#include "read/table.h"
#include "warehouse/warehouse.h"

/* ---- setup ---- */

static int add_learned(const char *alias, const char *canonical, void *ud)
{
	lw_agency_aliases_add(ud, alias, canonical, LW_ALIAS_LEARNED, NULL);
	return 0;
}

int lw_ingest_new(struct lw_wh *wh, const struct lw_ingest_settings *s,
		  struct lw_ingest **out, struct lw_err *e)
{
	struct lw_ingest *ing = calloc(1, sizeof *ing);
	int rc;

	*out = NULL;
	if (!ing)
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	ing->wh = wh;
	ing->outcome_flags = s->outcome_flags;
	ing->max_errors = s->max_errors ? s->max_errors : 200;
	ing->one_shot = s->one_shot;
	ing->row_by_row = s->row_by_row;
	ing->deadlines = lw_dl_conf_ref(s->deadlines);
	ing->profile_dir = strdup(s->profile_dir ? s->profile_dir : ".");
	if (!ing->profile_dir || !(ing->aliases = lw_agency_aliases_new())) {
		rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		goto fail;
	}
	if (s->pii_key_file && (rc = lw_pii_key_load(s->pii_key_file, &ing->pii, e)) != 0)
		goto fail;
	if ((rc = lw_store_new(wh, s->precedence, s->nprecedence, &ing->store, e)) != 0)
		goto fail;
	if ((rc = lw_store_each_alias(ing->store, add_learned, ing->aliases, e)) != 0)
		goto fail;
	if (s->agencies) {
		const char *canon;
		json_t *list;
		json_object_foreach(s->agencies, canon, list) {
			size_t i;
			json_t *a;
			if ((rc = lw_agency_aliases_add(ing->aliases, canon, canon, LW_ALIAS_CONFIG, e)))
				goto fail;
			json_array_foreach(list, i, a) {
				if ((rc = lw_agency_aliases_add(ing->aliases, json_string_value(a), canon,
								LW_ALIAS_CONFIG, e)) != 0) {
					lw_err_prefix(e, "agencies.%s[%zu]", canon, i);
					goto fail;
				}
			}
		}
	}
	if ((rc = lw_resolver_new(wh, ing->aliases, s->hold_unknown_agencies, &ing->resolver, e)) != 0)
		goto fail;
	lw_store_set_resolver(ing->store, ing->resolver);
	/* Names held earlier may be known now (an alias added to the
	 * configuration), and work orders of older warehouses have none. */
	{
		int64_t moved = 0;
		if ((rc = lw_wh_begin_immediate(wh, e)) != 0)
			goto fail;
		if ((rc = lw_resolver_rerun(ing->resolver, &moved, e)) != 0) {
			lw_wh_rollback(wh);
			goto fail;
		}
		if ((rc = lw_wh_commit(wh, e)) != 0)
			goto fail;
	}
	*out = ing;
	return 0;
fail:
	lw_ingest_free(ing);
	return rc;
}

int lw_ingest_agency_alias(struct lw_ingest *ing, const char *name, const char *alias,
			   int64_t *moved, struct lw_err *e)
{
	int rc;

	*moved = 0;
	if ((rc = lw_wh_begin_immediate(ing->wh, e)) != 0)
		return rc;
	if ((rc = lw_resolver_add_alias(ing->resolver, name, alias, e)) != 0 ||
	    (rc = lw_resolver_rerun(ing->resolver, moved, e)) != 0) {
		lw_wh_rollback(ing->wh);
		return rc;
	}
	return lw_wh_commit(ing->wh, e);
}

void lw_ingest_free(struct lw_ingest *ing)
{
	if (!ing)
		return;
	for (size_t i = 0; i < ing->nprofiles; i++)
		lw_profile_free(ing->profiles[i]);
	free(ing->profiles);
	lw_store_free(ing->store);
	lw_resolver_free(ing->resolver);
	lw_pii_key_free(ing->pii);
	lw_agency_aliases_free(ing->aliases);
	lw_record_free(&ing->rec); /* the last row mapped is kept until the next one */
	free(ing->win_agency);
	free(ing->win_state);
	lw_dl_conf_unref(ing->deadlines);
	free(ing->profile_dir);
	free(ing);
}

void lw_ingest_result_clear(struct lw_ingest_result *r)
{
	free(r->message);
	free(r->report);
	free(r->unknown_headers);
	free(r->footer_rows);
	json_decref(r->errors);
	json_decref(r->peer_notices);
	memset(r, 0, sizeof *r);
}

int lw_ingest_profile(struct lw_ingest *ing, const char *name, const struct lw_profile **out,
		      struct lw_err *e)
{
	struct lw_profile *p, **tmp;
	int rc;

	for (size_t i = 0; i < ing->nprofiles; i++)
		if (!strcmp(ing->profiles[i]->name, name)) {
			*out = ing->profiles[i];
			return 0;
		}
	if ((rc = lw_profile_load(ing->profile_dir, name, &p, e)) != 0)
		return rc;
	if (!(tmp = realloc(ing->profiles, (ing->nprofiles + 1) * sizeof *tmp))) {
		lw_profile_free(p);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	ing->profiles = tmp;
	ing->profiles[ing->nprofiles++] = p;
	*out = p;
	return 0;
}

int lw_ingest_cursor(struct lw_ingest *ing, const char *source, char **cursor,
		     struct lw_err *e)
{
	return lw_store_cursor_get(ing->store, source, cursor, e);
}

/* ---- one import ---- */

/* Record a rejected file in its own transaction, so the warehouse
 * remembers it (imports.status = 'rejected'). */
/* A file the readers refuse, in words a clerk acts on, with the reader's
 * own (English) reason beside: "中文 / English". */
static char *file_problem(const struct lw_err *err)
{
	static const struct {
		const char *needle, *zh;
	} kinds[] = {
		{"empty file", "文件是空的（没有任何内容），请重新导出或保存后再放入"},
		{"no rows", "文件里没有数据行，请确认导出了正确的表格后再放入"},
		{"not a spreadsheet (a PDF", "这是 PDF 文件，不是表格。请放入 Excel（.xlsx、.xls）或 CSV 格式的表格"},
		{"not a spreadsheet (a PNG", "这是图片，不是表格。请放入 Excel（.xlsx、.xls）或 CSV 格式的表格"},
		{"not a spreadsheet (a JPEG", "这是图片，不是表格。请放入 Excel（.xlsx、.xls）或 CSV 格式的表格"},
		{"not a spreadsheet (a GIF", "这是图片，不是表格。请放入 Excel（.xlsx、.xls）或 CSV 格式的表格"},
		{"not a spreadsheet (a compressed", "这是压缩包，不是表格。请解压后放入其中的表格文件"},
		{"HTML/XML page", "这是网页文件，不是真正的表格（网上系统导出的 .xls 常常如此）。请用 Excel 打开，"
				  "“另存为” Excel 工作簿（.xlsx）后再放入"},
		{"damaged", "文件已损坏（可能没有保存或传送完整），请重新保存或导出后再放入"},
		{"broken", "文件已损坏（可能没有保存或传送完整），请重新保存或导出后再放入"},
		{"no sheet", "找不到要读取的工作表，请检查文件中的工作表"},
		{"has no sheets", "工作簿里没有工作表，请重新保存后再放入"},
	};
	const char *zh = NULL;
	char *out;
	size_t n;

	if (err->code == LW_ECRYPT)
		zh = "工作簿设置了打开密码，无法读取。请在 Excel 中取消密码（文件 → 信息 → 保护工作簿），"
		     "另存后再放入";
	else if (err->code == LW_ELIMIT)
		zh = "文件太大或内容超出可读取的范围，请分成几个较小的文件后再放入";
	for (size_t i = 0; !zh && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strstr(err->msg, kinds[i].needle))
			zh = kinds[i].zh;
	if (!zh)
		zh = "文件无法读取，请确认它是 Excel（.xlsx、.xls）或 CSV 表格后再放入";
	n = strlen(zh) + strlen(err->msg) + 4;
	if ((out = malloc(n)))
		snprintf(out, n, "%s / %s", zh, err->msg);
	return out;
}

/* "7、8" for the footer lines the reader skipped, or NULL. */
static char *footer_list(const struct lw_table *tab)
{
	const uint32_t *rows;
	size_t n = lw_table_footer_rows(tab, &rows), len = 0;
	char *out;

	if (!n || !(out = malloc(LW_TABLE_FOOTER_MAX * 16 + 16)))
		return NULL;
	for (size_t i = 0; i < n && i < LW_TABLE_FOOTER_MAX; i++)
		len += (size_t)sprintf(out + len, "%s%u", i ? "、" : "", rows[i]);
	if (n > LW_TABLE_FOOTER_MAX)
		sprintf(out + len, " …");
	return out;
}

static int record_rejected_file(struct lw_ingest *ing, const char *source, const char *origin,
				const char *hash, int64_t bytes, const char *format,
				const char *profile, struct lw_ingest_result *res, struct lw_err *e)
{
	struct lw_import_counts c = {0};
	int rc;

	if ((rc = lw_wh_begin_immediate(ing->wh, e)) != 0)
		return rc;
	if ((rc = lw_store_import_begin(ing->store, source, origin, hash, bytes, format, profile,
					&res->import_id, e)) != 0 ||
	    (rc = lw_store_import_finish(ing->store, res->import_id, "rejected", &c, 0, res->message,
					 e)) != 0) {
		lw_wh_rollback(ing->wh);
		return rc;
	}
	return lw_wh_commit(ing->wh, e);
}

/* Open the file to import, once: everything after this (hash, readers)
 * goes through the one descriptor, so a clerk who swaps the name for a
 * symbolic link or another file mid-import changes nothing we read
 * (design.md §12).  O_NONBLOCK: a FIFO planted under the name cannot hang
 * the open.  Returns the descriptor, or -1 with res->status and
 * res->message set ("failed": the file may be taken again; "rejected": the
 * file itself is refused, *refused set). */
static int open_once(const char *path, struct stat *st, struct lw_ingest_result *res,
		     int *refused)
{
	char msg[1024];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	*refused = 0;
	if (fd < 0) {
		int err = errno;
		res->status = "failed";
		if (err == ELOOP)
			snprintf(msg, sizeof msg, "%s: 是符号链接（快捷方式），不予读取，请放入文件本身 / "
				 "symbolic link refused, not followed; drop the file itself", path);
		else
			snprintf(msg, sizeof msg, "%s: cannot open: %s", path, strerror(err));
		res->message = strdup(msg);
		return -1;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		res->status = "failed";
		snprintf(msg, sizeof msg, "%s: 不是普通文件，不予读取 / not a regular file (folder, "
			 "device or pipe): refused", path);
		res->message = strdup(msg);
		close(fd);
		return -1;
	}
	if (st->st_nlink > 1) {
		/* Another name of these bytes lives elsewhere (perhaps outside
		 * the inbox, where the clerk may not read it): never read it. */
		res->status = "rejected";
		res->message = strdup("文件有多个硬链接（同一文件在别处还有另一个名字），出于安全原因未读取；"
				      "请把文件本身复制进收件箱 / the file has more than one hard link "
				      "(the same file has another name elsewhere); refused unread for "
				      "safety: copy the file itself into the inbox");
		*refused = 1;
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* An entry of a file's problem list and its place in the list. */
struct listed {
	json_t *o;
	json_int_t row;
	size_t at;
};

static int by_row(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Put a file's problems back in row order (stable): a sorted pipe stores
 * rows in key order, so the warnings and refusals of the store come in
 * that order.  The list is capped (max_errors) as it fills, so past the
 * cap the rows listed are the first met, not always the lowest. */
static void problems_by_row(json_t *errors)
{
	size_t n = json_array_size(errors), i;
	struct listed *v;
	json_t *o;

	if (n < 2 || !(v = malloc(n * sizeof *v)))
		return;
	json_array_foreach(errors, i, o) {
		v[i].o = json_incref(o);
		v[i].row = json_integer_value(json_object_get(o, "row"));
		v[i].at = i;
	}
	qsort(v, n, sizeof *v, by_row);
	json_array_clear(errors);
	for (i = 0; i < n; i++)
		json_array_append_new(errors, v[i].o);
	free(v);
}

static int ingest_path(struct lw_ingest *ing, const struct lw_ingest_file *f,
		       const char *origin, const char *agency, struct lw_ingest_result *res,
		       struct lw_err *e);

/* Names (origin, the agency folder) are stored as UTF-8 whatever the
 * clerk's system wrote them in (base/text.h: lw_name_to_utf8). */
int lw_ingest_file(struct lw_ingest *ing, const struct lw_ingest_file *f,
		   struct lw_ingest_result *res, struct lw_err *e)
{
	char *origin_utf8 = lw_name_to_utf8(f->origin ? f->origin : f->path);
	char *agency_utf8 = f->agency ? lw_name_to_utf8(f->agency) : NULL;
	int rc = ingest_path(ing, f, origin_utf8 ? origin_utf8 : "?", agency_utf8, res, e);

	free(origin_utf8);
	free(agency_utf8);
	return rc;
}

static int ingest_fd(struct lw_ingest *ing, const struct lw_ingest_file *f, const char *origin,
		     const char *agency, int fd, struct lw_map_memo *memo,
		     struct lw_ingest_result *res, struct lw_err *e);

static int ingest_path(struct lw_ingest *ing, const struct lw_ingest_file *f,
		       const char *origin, const char *agency, struct lw_ingest_result *res,
		       struct lw_err *e)
{
	struct lw_map_memo *memo;
	struct stat st;
	int fd, refused, rc;

	memset(res, 0, sizeof *res);
	res->errors = json_array();
	res->peer_notices = json_array();
	if ((fd = open_once(f->path, &st, res, &refused)) < 0) {
		if (refused && (rc = record_rejected_file(ing, f->source, origin, NULL,
							  (int64_t)st.st_size, NULL, f->profile,
							  res, e)) != 0) {
			res->status = "failed";
			lw_ingest_report(ing, origin, res);
			return rc;
		}
		lw_ingest_report(ing, origin, res);
		return 0;
	}
	/* The mapper's answers for this file's cells (NULL: none, slower). */
	memo = lw_map_memo_new();
	rc = ingest_fd(ing, f, origin, agency, fd, memo, res, e);
	lw_map_memo_free(memo);
	lw_store_bulk_end(ing->store); /* committed or rolled back: checks on again */
	close(fd);
	return rc;
}

/* Record the file as a duplicate of import dup (same bytes, landed before),
 * in the transaction the caller opened.  Returns 0 or a warehouse error. */
static int record_duplicate(struct lw_ingest *ing, const struct lw_ingest_file *f,
			    const char *origin, const char *hash, int64_t bytes, int64_t dup,
			    struct lw_ingest_result *res, struct lw_err *e)
{
	struct lw_import_counts c = {0};
	int rc;

	if ((rc = lw_store_import_begin(ing->store, f->source, origin, hash, bytes, NULL, f->profile,
					&res->import_id, e)) != 0 ||
	    (rc = lw_store_import_finish(ing->store, res->import_id, "duplicate", &c, dup, NULL,
					 e)) != 0 ||
	    (rc = lw_wh_commit(ing->wh, e)) != 0)
		return rc;
	res->status = "duplicate";
	res->duplicate_of = dup;
	/* The same bytes imported before in part (a crash, or a full archive
	 * disk, kept them in the inbox after the commit): the clerk's report is
	 * rebuilt from what that import rejected, so the file is never archived
	 * without it. */
	if ((rc = lw_store_rejects_of(ing->store, dup, ing->max_errors, res->errors, &res->rejected,
				      e)) != 0)
		return rc;
	lw_ingest_report(ing, origin, res);
	return 0;
}

/* The file's hash, taken a piece at a time by whichever import thread
 * would otherwise wait (lw_pipe_idle). */
struct idle_hash {
	struct lw_filehash *h;
	int rc;
	struct lw_err err;
};

static int hash_piece(void *ud)
{
	struct idle_hash *ih = ud;
	int rc = lw_filehash_step(ih->h, (size_t)1 << 20, &ih->err);

	if (rc < 0)
		ih->rc = rc;
	return rc != 0;
}

/* The rest of the hash, on this thread, once the pipe does no more of it. */
static int hash_end(struct lw_pipe *pipe, struct idle_hash *ih, char hash[65], int64_t *bytes)
{
	lw_pipe_idle_stop(pipe);
	return ih->rc ? ih->rc : lw_filehash_end(ih->h, hash, bytes, &ih->err);
}

/* Forget what a file's rows did to res (they were rolled back). */
static void forget_rows(struct lw_ingest_result *res)
{
	res->rows = res->inserted = res->updated = res->unchanged = 0;
	res->rejected = res->unresolved = 0;
	json_array_clear(res->errors);
	json_array_clear(res->peer_notices);
}

static int ingest_fd(struct lw_ingest *ing, const struct lw_ingest_file *f, const char *origin,
		     const char *agency, int fd, struct lw_map_memo *memo,
		     struct lw_ingest_result *res, struct lw_err *e)
{
	const struct lw_profile *prof = NULL;
	struct lw_table *tab = NULL;
	struct lw_mapping *map = NULL;
	struct lw_pipe *pipe = NULL;
	/* The reader thread maps with ctx until lw_pipe_free, which every
	 * way out of this function reaches: ctx must live as long. */
	struct lw_map_ctx ctx = {ing->pii, ing->aliases, agency, ing->outcome_flags, 0, memo};
	struct lw_err err = {0};
	char hash[65] = "", *refusal = NULL; /* why the file is refused (NULL when out of memory) */
	struct idle_hash ih = {0};
	struct stat st;
	int64_t bytes = 0, dup = 0;
	int rc, in_txn = 0, refused = 0, hashed = 0, seen = 1;

	/* Profile problems are the operator's, not the file's: fail, keep the file. */
	if ((rc = lw_ingest_profile(ing, f->profile, &prof, &err)) != 0) {
		res->status = "failed";
		res->message = strdup(err.msg);
		lw_ingest_report(ing, origin, res);
		return 0;
	}
	if (lw_table_open_fd(fd, origin, f->table_opts, &tab, &err) != 0) {
		refused = 1; /* not a spreadsheet we can read */
		refusal = file_problem(&err);
	} else {
		size_t n = lw_table_ncols(tab);
		const char **hdr = calloc(n + 1, sizeof *hdr);
		snprintf(res->format, sizeof res->format, "%s",
			 lw_table_format_name(lw_table_format(tab)));
		if (lw_table_encoding(tab))
			snprintf(res->encoding, sizeof res->encoding, "%s", lw_table_encoding(tab));
		if (!hdr) {
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
			goto wh_fail;
		}
		for (size_t i = 0; i < n; i++)
			hdr[i] = lw_table_colname(tab, i);
		if (lw_mapping_build(prof, hdr, n, agency != NULL, &map, &err) != 0) {
			refused = 1;
			refusal = strdup(err.msg);
		}
		free(hdr);
	}
	/* A readable file: the reader thread starts on its rows (pipe.c) at
	 * once.  Its hash (SHA-256 of the bytes, through the same descriptor by
	 * pread) is needed before the rows only when the file may be a
	 * duplicate: a file of that size landed before.  Otherwise it is taken
	 * a piece at a time by whichever thread would wait for the other, and
	 * finished before the commit (0.03 s of 300 000 work orders no longer
	 * before the first row).  A refused file is hashed first: the same
	 * bytes imported before are a duplicate even when this binary or the
	 * profile would refuse them now. */
	if (!refused && (rc = lw_pipe_start(tab, map, &ctx, &pipe, e)) != 0)
		goto wh_fail;
	if (fstat(fd, &st) != 0 || lw_filehash_new(fd, origin, &ih.h, &err) != 0) {
		res->status = "failed";
		res->message = strdup(err.msg[0] ? err.msg : "cannot read the file");
		goto done;
	}
	/* A work-order file checks its references itself (store.h). */
	if (!refused && prof->target == LW_TARGET_TICKETS &&
	    (rc = lw_store_bulk_begin(ing->store, e)) != 0)
		goto wh_fail;
	if ((rc = lw_wh_begin_immediate(ing->wh, e)) != 0)
		goto wh_fail;
	in_txn = 1;
	if (!refused && (rc = lw_store_size_seen(ing->store, (int64_t)st.st_size, &seen, e)) != 0)
		goto wh_fail;
	if (seen) {
		if ((rc = lw_filehash_end(ih.h, hash, &bytes, &err)) != 0) {
			lw_wh_rollback(ing->wh);
			in_txn = 0;
			res->status = "failed";
			res->message = strdup(err.msg);
			goto done; /* the file could not be read: nothing to store */
		}
		hashed = 1;
		if ((rc = lw_store_find_duplicate(ing->store, hash, &dup, e)) != 0)
			goto wh_fail;
	}
	if (dup)
		goto duplicate;
	if (refused) {
		lw_wh_rollback(ing->wh);
		in_txn = 0;
		res->status = "rejected";
		res->message = refusal;
		refusal = NULL;
		if ((rc = record_rejected_file(ing, f->source, origin, hash, bytes,
					       res->format[0] ? res->format : NULL, f->profile, res,
					       e)) != 0)
			goto wh_fail;
		goto done;
	}
	if (map->unknown)
		res->unknown_headers = strdup(map->unknown);
	if ((rc = lw_store_import_begin(ing->store, f->source, origin, hashed ? hash : NULL,
					hashed ? bytes : (int64_t)st.st_size, res->format, f->profile,
					&res->import_id, e)) != 0)
		goto wh_fail;
	if (!hashed)
		lw_pipe_idle(pipe, hash_piece, &ih);
	{
		/* Rows are read and mapped on the second thread while this one
		 * stores them, a window at a time. */
		for (;;) {
			size_t n;
			rc = lw_pipe_window(pipe, &n, &err);
			if (rc == LW_EEOF)
				break;
			if (rc == LW_ENOMEM) {
				if (e)
					*e = err;
				goto wh_fail;
			}
			if (rc != 0) {
				/* A broken file part-way: nothing of it lands. */
				lw_wh_rollback(ing->wh);
				in_txn = 0;
				res->status = "rejected";
				res->message = file_problem(&err);
				forget_rows(res);
				if (!hashed && (rc = hash_end(pipe, &ih, hash, &bytes)) != 0) {
					res->status = "failed";
					free(res->message);
					res->message = strdup(ih.err.msg);
					goto done;
				}
				if ((rc = record_rejected_file(ing, f->source, origin, hash, bytes,
							       res->format, f->profile, res, e)) != 0)
					goto wh_fail;
				goto done;
			}
			if (f->cancel && *f->cancel) {
				lw_wh_rollback(ing->wh);
				in_txn = 0;
				res->status = "failed";
				res->message = strdup("cancelled: the daemon is stopping; the file stays "
						      "in the inbox and is imported at the next start");
				goto done;
			}
			if ((rc = lw_ingest_window(ing, map, f->source, res->import_id, pipe, n, res,
						   e)) != 0)
				goto wh_fail;
		}
		if (!hashed) {
			if ((rc = hash_end(pipe, &ih, hash, &bytes)) != 0) {
				lw_wh_rollback(ing->wh);
				in_txn = 0;
				forget_rows(res);
				res->status = "failed";
				res->message = strdup(ih.err.msg);
				goto done;
			}
			if ((rc = lw_store_find_duplicate(ing->store, hash, &dup, e)) != 0)
				goto wh_fail;
			if (dup) {
				/* A duplicate after all (an import whose size was
				 * not recorded): its rows go, the duplicate is
				 * recorded in a transaction of its own. */
				lw_wh_rollback(ing->wh);
				in_txn = 0;
				forget_rows(res);
				if ((rc = lw_wh_begin_immediate(ing->wh, e)) != 0)
					goto wh_fail;
				in_txn = 1;
				goto duplicate;
			}
			if ((rc = lw_store_import_hash(ing->store, res->import_id, hash, bytes, e)) != 0)
				goto wh_fail;
		}
		if (lw_pipe_sorted(pipe))
			problems_by_row(res->errors);
		lw_pipe_free(pipe); /* the reader thread has stopped: tab is ours again */
		pipe = NULL;
		res->footer_rows = footer_list(tab);
	}
	if ((rc = lw_ingest_finish(ing, res, e)) != 0)
		goto wh_fail;
	in_txn = 0;
done:
	/* The report reads res alone. */
	lw_ingest_report(ing, origin, res);
out:
	lw_pipe_free(pipe);
	lw_filehash_free(ih.h);
	lw_table_close(tab);
	lw_mapping_free(map);
	free(refusal);
	return 0;
duplicate:
	/* The same bytes landed before: recorded as such in the transaction
	 * open, nothing else (record_duplicate writes the report). */
	lw_pipe_free(pipe);
	pipe = NULL;
	if ((rc = record_duplicate(ing, f, origin, hash, bytes, dup, res, e)) != 0)
		goto wh_fail;
	goto out;
wh_fail:
	if (in_txn)
		lw_wh_rollback(ing->wh);
	lw_pipe_free(pipe);
	lw_filehash_free(ih.h);
	lw_table_close(tab);
	lw_mapping_free(map);
	free(refusal);
	res->status = "failed";
	free(res->message);
	res->message = strdup(e ? e->msg : "warehouse error");
	lw_ingest_report(ing, origin, res);
	return rc;
}
