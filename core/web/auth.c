/*
 * auth.c — who is asking: sessions (a random id in an HttpOnly,
 * SameSite=Strict cookie, Secure under TLS, expiring when idle), a CSRF
 * token per session for every POST, HTTP Basic for scripts, rate-limited
 * logins (design.md §12: the intranet is not trusted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/log.h"
#include "web/web_int.h"

#define FAIL_MAX LW_WEB_FAIL_MAX
#define FAIL_WINDOW_S LW_WEB_FAIL_WINDOW_S

static int64_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static int random_hex(char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];

	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return -1;
	for (size_t i = 0; i < sizeof raw; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[64] = '\0';
	explicit_bzero(raw, sizeof raw);
	return 0;
}

static int same_secret(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char diff = na != nb;

	for (size_t i = 0; i < na && i < nb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return !diff;
}

/* The lw_session cookie's value into out. */
static int cookie_session(const char *cookie, char out[65])
{
	const char *p = cookie;

	while (p && (p = strstr(p, "lw_session="))) {
		if (p == cookie || p[-1] == ' ' || p[-1] == ';') {
			size_t n = strcspn(p + 11, "; ");
			if (n != 64)
				return 0;
			memcpy(out, p + 11, 64);
			out[64] = '\0';
			return 1;
		}
		p += 11;
	}
	return 0;
}

static const char *const b64 =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_decode(const char *in, char *out, size_t cap)
{
	unsigned v = 0;
	int bits = 0;
	size_t o = 0;

	for (; *in && *in != '='; in++) {
		const char *c = strchr(b64, *in);
		if (!c || !*in)
			return 0;
		v = (v << 6) | (unsigned)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= cap)
				return 0;
			out[o++] = (char)((v >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return o;
}

/* Rate limit: 1 when key may try again; fail records a failure. */
static int fails_allow(struct lw_web *w, const char *key, int fail)
{
	int64_t now = mono_s();
	struct lw_login_fail *slot = NULL, *oldest = &w->fails[0];
	int ok = 1;

	for (size_t i = 0; i < sizeof w->fails / sizeof w->fails[0]; i++) {
		struct lw_login_fail *f = &w->fails[i];
		if (f->count && now - f->first > FAIL_WINDOW_S)
			f->count = 0;
		if (f->count && !strcmp(f->key, key))
			slot = f;
		if (f->first < oldest->first || !f->count)
			oldest = !oldest->count ? oldest : f;
	}
	if (slot && slot->count >= FAIL_MAX)
		ok = 0;
	if (fail) {
		if (!slot) {
			slot = oldest;
			snprintf(slot->key, sizeof slot->key, "%s", key);
			slot->first = now;
			slot->count = 0;
		}
		slot->count++;
	}
	return ok;
}

/* name and password against the users file: the role, or NONE. */
static enum lw_role check_user(struct lw_web *w, const char *name, const char *password)
{
	char hash[256] = "";
	enum lw_role role = LW_ROLE_NONE;
	struct lw_user *u;

	pthread_mutex_lock(&w->mu);
	if ((u = lw_users_find(&w->users, name))) {
		snprintf(hash, sizeof hash, "%s", u->hash);
		role = u->role;
	}
	pthread_mutex_unlock(&w->mu);
	/* An unknown name costs the same as a wrong password: it is checked
	 * against a hash made at start by the same code, with the same salt
	 * and cost parameters as `litwatch user add` (lw_web_new). */
	if (!lw_password_check(password, hash[0] ? hash : w->dummy_hash))
		role = LW_ROLE_NONE;
	explicit_bzero(hash, sizeof hash);
	return role;
}

int lw_web_auth(struct lw_web_req *rq)
{
	struct lw_web *w = rq->w;
	char sid[65];

	if (!w->users_file) {
		snprintf(rq->user, sizeof rq->user, "local");
		rq->role = LW_ROLE_VIEWER;
		return 0;
	}
	if (cookie_session(rq->cookie, sid)) {
		int64_t now = mono_s();
		int found = 0;
		pthread_mutex_lock(&w->mu);
		for (size_t i = 0; i < LW_WEB_MAX_SESSIONS; i++) {
			struct lw_session *s = &w->sessions[i];
			if (!s->last_used || !same_secret(s->id, sid))
				continue;
			if (now - s->last_used > w->idle_s) {
				memset(s, 0, sizeof *s); /* idle: expired */
				break;
			}
			s->last_used = now;
			rq->sess = *s;
			found = 1;
			break;
		}
		pthread_mutex_unlock(&w->mu);
		if (found) {
			snprintf(rq->user, sizeof rq->user, "%s", rq->sess.user);
			rq->role = rq->sess.role;
			return 0;
		}
	}
	if (rq->authorization && !strncasecmp(rq->authorization, "Basic ", 6)) {
		char dec[320], *colon, key[80];
		int allowed;
		if (!b64_decode(rq->authorization + 6, dec, sizeof dec) || !(colon = strchr(dec, ':')))
			return -1;
		*colon = '\0';
		if (strlen(dec) >= sizeof rq->user) {
			explicit_bzero(dec, sizeof dec);
			return -1;
		}
		snprintf(key, sizeof key, "u:%.63s", dec);
		pthread_mutex_lock(&w->mu);
		allowed = fails_allow(w, key, 0);
		pthread_mutex_unlock(&w->mu);
		if (!allowed) {
			explicit_bzero(dec, sizeof dec);
			return -2;
		}
		enum lw_role role = check_user(w, dec, colon + 1);
		if (role == LW_ROLE_NONE) {
			pthread_mutex_lock(&w->mu);
			fails_allow(w, key, 1);
			pthread_mutex_unlock(&w->mu);
			explicit_bzero(dec, sizeof dec);
			return -1;
		}
		snprintf(rq->user, sizeof rq->user, "%.63s", dec);
		rq->role = role;
		explicit_bzero(dec, sizeof dec);
		return 0;
	}
	return -1;
}

int lw_web_csrf_ok(struct lw_web_req *rq)
{
	char tok[80];

	if (!rq->sess.id[0] && rq->user[0] && rq->authorization)
		return 0; /* HTTP Basic: no cookie a browser could send for another site */
	if (!rq->sess.id[0] || !lw_form_get(rq->body, "csrf", tok, sizeof tok) ||
	    !same_secret(tok, rq->sess.csrf)) {
		lw_web_audit(rq, NULL, "csrf_refused", rq->url, NULL, 0);
		lw_web_text(rq, 403, "stale or missing form token (CSRF): reload the page and try "
			    "again\n");
		return -1;
	}
	return 0;
}

void lw_web_login_page(struct lw_web_req *rq, const char *error)
{
	struct lw_strbuf b = {0};

	lw_page_begin(rq, &b, LW_T(rq, "登录", "Log in"));
	if (!rq->w->users_file)
		lw_strbuf_printf(&b, "<p>%s</p>", LW_T(rq, "未配置用户文件：仅本机只读访问。",
						   "No users file: read-only, from this machine."));
	if (error) {
		lw_buf_put(&b, "<p class=\"err\">");
		lw_buf_esc(&b, error);
		lw_buf_put(&b, "</p>");
	}
	lw_buf_put(&b, "<form method=\"post\" action=\"/ui/login\" id=\"login\">");
	lw_strbuf_printf(&b, "<p><label>%s <input name=\"user\" id=\"user\" autocomplete=\"username\">"
		      "</label></p><p><label>%s <input type=\"password\" name=\"password\" "
		      "id=\"password\" autocomplete=\"current-password\"></label></p>",
		      LW_T(rq, "用户名", "User"), LW_T(rq, "密码", "Password"));
	lw_buf_put(&b, "<input type=\"hidden\" name=\"next\" value=\"");
	lw_buf_esc(&b, rq->next);
	lw_strbuf_printf(&b, "\"><p><button type=\"submit\" id=\"login-submit\">%s</button></p></form>",
		      LW_T(rq, "登录", "Log in"));
	lw_page_end(rq, &b);
	lw_page_reply(rq, &b, error ? 403 : 200);
}

void lw_web_login_post(struct lw_web_req *rq)
{
	struct lw_web *w = rq->w;
	char name[64], pw[256], next[200], ka[80], ku[80], cookie[200];
	struct lw_session *slot = NULL;
	enum lw_role role = LW_ROLE_NONE;
	int allowed;

	if (!w->users_file) {
		lw_web_redirect(rq, "/ui/", NULL);
		return;
	}
	lw_form_get(rq->body, "user", name, sizeof name);
	lw_form_get(rq->body, "password", pw, sizeof pw);
	lw_form_get(rq->body, "next", next, sizeof next);
	snprintf(rq->user, sizeof rq->user, "%s", name);
	snprintf(ka, sizeof ka, "a:%s", rq->remote);
	snprintf(ku, sizeof ku, "u:%s", name);
	pthread_mutex_lock(&w->mu);
	allowed = fails_allow(w, ka, 0) && fails_allow(w, ku, 0);
	pthread_mutex_unlock(&w->mu);
	if (!allowed) {
		explicit_bzero(pw, sizeof pw);
		lw_web_audit(rq, NULL, "login", name, "rate limited", 0);
		lw_web_text(rq, 429, "too many failed logins: wait 5 minutes\n");
		rq->reply.retry_after_s = FAIL_WINDOW_S;
		return;
	}
	role = check_user(w, name, pw);
	explicit_bzero(pw, sizeof pw);
	if (role == LW_ROLE_NONE) {
		pthread_mutex_lock(&w->mu);
		fails_allow(w, ka, 1);
		fails_allow(w, ku, 1);
		pthread_mutex_unlock(&w->mu);
		lw_web_audit(rq, NULL, "login", name, "wrong name or password", 0);
		lw_web_login_page(rq, LW_T(rq, "用户名或密码错误", "Wrong name or password"));
		return;
	}
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < LW_WEB_MAX_SESSIONS; i++) {
		struct lw_session *s = &w->sessions[i];
		if (s->last_used && mono_s() - s->last_used > w->idle_s)
			memset(s, 0, sizeof *s);
		if (!s->last_used && !slot)
			slot = s;
	}
	if (slot && random_hex(slot->id) == 0 && random_hex(slot->csrf) == 0) {
		snprintf(slot->user, sizeof slot->user, "%s", name);
		slot->role = role;
		slot->last_used = mono_s();
		rq->sess = *slot;
	} else {
		if (slot)
			memset(slot, 0, sizeof *slot);
		slot = NULL;
	}
	pthread_mutex_unlock(&w->mu);
	if (!slot) {
		lw_web_text(rq, 503, "too many sessions: try again later\n");
		return;
	}
	rq->role = role;
	lw_web_audit(rq, NULL, "login", name, NULL, 1);
	snprintf(cookie, sizeof cookie, "lw_session=%s; Path=/; HttpOnly; SameSite=Strict%s",
		 rq->sess.id, w->tls ? "; Secure" : "");
	/* Only a path of this site: never an open redirect. */
	lw_web_redirect(rq, !strncmp(next, "/ui/", 4) && !strpbrk(next, "\r\n\\") ? next : "/ui/",
			cookie);
}

void lw_web_logout_post(struct lw_web_req *rq)
{
	struct lw_web *w = rq->w;

	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < LW_WEB_MAX_SESSIONS; i++)
		if (w->sessions[i].last_used && !strcmp(w->sessions[i].id, rq->sess.id))
			memset(&w->sessions[i], 0, sizeof w->sessions[i]);
	pthread_mutex_unlock(&w->mu);
	lw_web_audit(rq, NULL, "logout", rq->user, NULL, 1);
	lw_web_redirect(rq, "/ui/login", "lw_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}
