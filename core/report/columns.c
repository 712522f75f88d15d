/*
 * columns.c — what each table of the bulletin shows, in every format
 * (report_int.h).  Chinese first; English beside it for the analysts.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report_int.h"

#define N(a) (sizeof(a) / sizeof *(a))

static const struct lw_rcol ranking[] = {
	{"败诉率排名", "loss rate rank", "loss_rate_rank", LW_RCOL_RANK, 8},
	{"单位", "group", "group", LW_RCOL_TEXT, 28},
	{"新收案件", "filed", "filed", LW_RCOL_INT, 8},
	{"上年同期新收", "filed last year", "filed_prev_year", LW_RCOL_INT, 9},
	{"新收同比增长", "filed YoY", "yoy_filed_growth", LW_RCOL_RATE, 10},
	{"增长排名", "growth rank", "filed_growth_rank", LW_RCOL_RANK, 8},
	{"审结", "concluded", "concluded", LW_RCOL_INT, 7},
	{"败诉", "lost", "lost", LW_RCOL_INT, 7},
	{"败诉率", "loss rate", "loss_rate", LW_RCOL_RATE, 10},
	{"撤诉", "withdrawn", "withdrawn", LW_RCOL_INT, 7},
	{"调解", "mediated", "mediated", LW_RCOL_INT, 7},
	{"调撤", "withdrawn+mediated", "withdrawn_mediated", LW_RCOL_INT, 7},
	{"调撤率", "w+m rate", "withdrawn_mediated_rate", LW_RCOL_RATE, 9},
	{"开庭", "hearings", "hearings", LW_RCOL_INT, 7},
	{"负责人出庭", "head appeared", "head_appeared", LW_RCOL_INT, 9},
	{"负责人出庭应诉率", "head appearance", "head_appearance_rate", LW_RCOL_RATE, 11},
	{"本年累计新收", "YTD filed", "year_to_date.filed", LW_RCOL_INT, 9},
	{"本年累计新收同比", "YTD filed YoY", "year_to_date.yoy_filed_growth", LW_RCOL_RATE, 11},
	{"本年累计审结", "YTD concluded", "year_to_date.concluded", LW_RCOL_INT, 9},
	{"本年累计败诉", "YTD lost", "year_to_date.lost", LW_RCOL_INT, 9},
	{"本年累计败诉率", "YTD loss rate", "year_to_date.loss_rate", LW_RCOL_RATE, 10},
	{"本年累计败诉率排名", "YTD loss rate rank", "year_to_date.loss_rate_rank", LW_RCOL_RANK, 10},
	{"不得评为优秀", "not excellent (annual top)", "not_excellent", LW_RCOL_FLAG, 10},
	{"发案增长最高", "highest growth", "highest_growth", LW_RCOL_FLAG, 10},
};

static const struct lw_rcol lost[] = {
	{"案号", "case number", "case_no", LW_RCOL_TEXT, 26},
	{"被告单位", "agency", "agency", LW_RCOL_TEXT, 26},
	{"案由", "cause", "cause", LW_RCOL_TEXT, 18},
	{"行为类型", "type of act", "act_type", LW_RCOL_TEXT, 14},
	{"裁判结果", "outcome", "outcome_label", LW_RCOL_TEXT, 16},
	{"结果代码", "outcome code", "outcome", LW_RCOL_TEXT, 14},
	{"裁判日期", "judgment date", "concluded_date", LW_RCOL_TEXT, 12},
};

static const struct lw_rcol hotline[] = {
	{"单位", "agency", "agency", LW_RCOL_TEXT, 28},
	{"12345涉执法诉求", "enforcement work orders", "enforcement", LW_RCOL_INT, 14},
	{"其中投诉举报", "of which complaints/reports", "complaints", LW_RCOL_INT, 12},
	{"上年同期涉执法诉求", "last year", "enforcement_last_year", LW_RCOL_INT, 14},
	{"行政诉讼新收", "suits filed", "suits_filed", LW_RCOL_INT, 12},
};

static const struct lw_rcol sources[] = {
	{"数据来源", "source", "source", LW_RCOL_TEXT, 24},
	{"最近导入时间(UTC)", "last import (UTC)", "last_import", LW_RCOL_TEXT, 22},
	{"最近导入状态", "last status", "last_status", LW_RCOL_TEXT, 12},
	{"导入次数", "imports", "imports", LW_RCOL_INT, 10},
};

static const struct lw_rcol on_time[] = {
	{"单位", "agency", "agency", LW_RCOL_TEXT, 28},
	{"按时完成", "met", "met", LW_RCOL_INT, 9},
	{"逾期完成", "late", "late", LW_RCOL_INT, 9},
	{"逾期未完成", "overdue", "overdue", LW_RCOL_INT, 10},
	{"尚未到期", "not yet due", "open", LW_RCOL_INT, 9},
	{"按时报备率", "on-time rate", "on_time_rate", LW_RCOL_RATE, 11},
};

static const struct lw_rcol late_items[] = {
	{"案号", "case number", "case_no", LW_RCOL_TEXT, 26},
	{"单位", "agency", "agency", LW_RCOL_TEXT, 26},
	{"时限事项", "obligation", "rule", LW_RCOL_TEXT, 18},
	{"到期日", "due", "due", LW_RCOL_TEXT, 12},
	{"完成日", "done", "done", LW_RCOL_TEXT, 12},
	{"状态", "state", "state", LW_RCOL_TEXT, 9},
	{"逾期天数", "days late", "days_late", LW_RCOL_INT, 9},
};

const struct lw_rtable lw_rtable_on_time = {"时限", "时限监督：按时报备率", "deadlines: on-time rate",
					    on_time, N(on_time)};
const struct lw_rtable lw_rtable_late = {"逾期事项", "逾期报备与逾期未报备事项", "late or overdue obligations",
					 late_items, N(late_items)};

const struct lw_rtable lw_rtable_ranking = {"排名", "量化排名", "ranking", ranking, N(ranking)};
const struct lw_rtable lw_rtable_lost = {"败诉案件", "败诉案件（一案一复盘）", "lost cases", lost,
					 N(lost)};
const struct lw_rtable lw_rtable_hotline = {"12345与诉讼", "12345涉执法诉求与行政诉讼（诉源治理）",
					    "12345 beside the suits", hotline, N(hotline)};
const struct lw_rtable lw_rtable_sources = {"数据完整性", "各数据来源最近导入", "last import of each source",
					    sources, N(sources)};

const struct lw_rheadline lw_rheadlines[] = {
	{"新收案件", "filed", "filed", LW_RCOL_INT},
	{"审结案件", "concluded", "concluded", LW_RCOL_INT},
	{"败诉案件", "lost", "lost", LW_RCOL_INT},
	{"败诉率", "loss rate", "loss_rate", LW_RCOL_RATE},
	{"撤诉", "withdrawn", "withdrawn", LW_RCOL_INT},
	{"调解", "mediated", "mediated", LW_RCOL_INT},
	{"调撤案件", "withdrawn + mediated", "withdrawn_mediated", LW_RCOL_INT},
	{"调撤率", "withdrawal/mediation rate", "withdrawn_mediated_rate", LW_RCOL_RATE},
	{"开庭", "hearings", "hearings", LW_RCOL_INT},
	{"负责人出庭", "head appeared", "head_appeared", LW_RCOL_INT},
	{"负责人出庭应诉率", "head appearance rate", "head_appearance_rate", LW_RCOL_RATE},
	{"上年同期新收", "filed a year earlier", "filed_prev_year", LW_RCOL_INT},
	{"新收同比增长", "filed, year on year", "yoy_filed_growth", LW_RCOL_RATE},
};
const size_t lw_nrheadlines = N(lw_rheadlines);

const char *lw_rj_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

long long lw_rj_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

json_t *lw_rcol_value(json_t *row, const struct lw_rcol *c)
{
	const char *dot = strchr(c->key, '.');
	char head[64];

	if (!dot)
		return json_object_get(row, c->key);
	snprintf(head, sizeof head, "%.*s", (int)(dot - c->key), c->key);
	return json_object_get(json_object_get(row, head), dot + 1);
}

const char *lw_report_group_zh(json_t *doc)
{
	const char *by = lw_rj_str(doc, "by");

	if (by && !strcmp(by, "domain"))
		return "执法领域";
	if (by && !strcmp(by, "act"))
		return "行为类型";
	if (by && !strcmp(by, "court"))
		return "法院";
	return "单位";
}

char *lw_report_rate_text(json_t *v, int points, char *buf, size_t cap)
{
	long long h;

	if (!json_is_number(v)) {
		snprintf(buf, cap, "—");
		return buf;
	}
	/* The document holds hundredths exactly (x.yy); round back to them. */
	h = llround(json_number_value(v) * 100.0);
	snprintf(buf, cap, "%s%s%lld.%02lld%s", h < 0 ? "-" : points && h > 0 ? "+" : "", "",
		 (h < 0 ? -h : h) / 100, (h < 0 ? -h : h) % 100, points ? "个百分点" : "%");
	return buf;
}

char *lw_report_cell_text(json_t *row, const struct lw_rcol *c, char *buf, size_t cap)
{
	json_t *v = lw_rcol_value(row, c);
	const char *s;

	buf[0] = '\0';
	switch (c->kind) {
	case LW_RCOL_TEXT:
		s = json_string_value(v);
		snprintf(buf, cap, "%s", s ? s : "");
		break;
	case LW_RCOL_INT:
		snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
		break;
	case LW_RCOL_RANK:
		if (json_is_integer(v))
			snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
		else
			snprintf(buf, cap, "—");
		break;
	case LW_RCOL_RATE:
	case LW_RCOL_POINTS:
		lw_report_rate_text(v, c->kind == LW_RCOL_POINTS, buf, cap);
		break;
	case LW_RCOL_FLAG:
		snprintf(buf, cap, "%s", json_is_true(v) ? "是" : "");
		break;
	}
	return buf;
}

char *lw_report_period_zh(json_t *p, char *buf, size_t cap)
{
	static const char *const q[] = {"一", "二", "三", "四"};
	const char *label = lw_rj_str(p, "label"), *start = lw_rj_str(p, "start"),
		   *last = lw_rj_str(p, "last");
	int y = 0, m = 0, y2 = 0, m2 = 0;
	long long months = lw_rj_int(p, "months");

	if (!label || !start || !last || sscanf(start, "%4d-%2d", &y, &m) != 2 ||
	    sscanf(last, "%4d-%2d", &y2, &m2) != 2) {
		snprintf(buf, cap, "%s", label ? label : "?");
		return buf;
	}
	if (months == 12 && m == 1)
		snprintf(buf, cap, "%d年", y);
	else if (months == 6 && (m == 1 || m == 7))
		snprintf(buf, cap, "%d年%s半年", y, m == 1 ? "上" : "下");
	else if (months == 3 && m % 3 == 1)
		snprintf(buf, cap, "%d年第%s季度", y, q[(m - 1) / 3 % 4]);
	else if (months == 1)
		snprintf(buf, cap, "%d年%d月", y, m);
	else if (y == y2)
		snprintf(buf, cap, "%d年%d-%d月", y, m, m2);
	else
		snprintf(buf, cap, "%d年%d月至%d年%d月", y, m, y2, m2);
	return buf;
}
