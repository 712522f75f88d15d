/*
 * make_v1_fixture.c — writes tests/fixtures/warehouse/v1.db: a warehouse
 * made by schema migration 1 only, holding a few rows in every v1 table.
 *
 * The committed file stands for "a warehouse an older litwatch left behind";
 * the upgrade test opens a copy with the current binary.  Regenerate only if
 * the fixture is lost — never after editing migration 1 (released steps are
 * immutable; the schema comparison test exists to catch that):
 *
 *   build/tests/unit/warehouse/make_v1_fixture tests/fixtures/warehouse/v1.db
 */
#include <stdio.h>
#include <unistd.h>

#include "warehouse/schema.h"

/* Fixed, made-up rows.  Hashes are HMAC-shaped hex, not of real people. */
static const char rows_sql[] =
	"UPDATE meta SET value = '2024-04-01T08:00:00Z' WHERE key = 'created_at';\n"
	"INSERT INTO meta VALUES ('fixture', 'v1 rows for the upgrade test');\n"
	"INSERT INTO imports (id, source, origin, content_hash, bytes, format, profile,\n"
	"  started_at, finished_at, status, rows_total, inserted, updated, unchanged, rejected, message)\n"
	"VALUES\n"
	"  (1, 'court', 'https://court.example/api/cases?updated_since=2024-01-01&page=1',\n"
	"   NULL, 2048, 'json', 'court-cases', '2024-04-01T08:00:00Z', '2024-04-01T08:00:01Z',\n"
	"   'ok', 3, 3, 0, 0, 0, NULL),\n"
	"  (2, 'hotline', '/srv/litwatch/inbox/hotline/12345-2024-03.csv',\n"
	"   '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 512, 'csv',\n"
	"   'hotline-12345', '2024-04-01T09:00:00Z', '2024-04-01T09:00:00Z', 'partial', 3, 2, 0, 0, 1,\n"
	"   '1 row rejected');\n"
	"INSERT INTO agencies (id, name, kind, created_at) VALUES\n"
	"  (1, '市自然资源和规划局', 'department', '2024-04-01T08:00:00Z'),\n"
	"  (2, '市市场监督管理局', 'department', '2024-04-01T08:00:00Z'),\n"
	"  (3, '某某镇人民政府', 'township', '2024-04-01T08:00:00Z');\n"
	"INSERT INTO agency_aliases (alias, agency_id, origin, import_id, created_at) VALUES\n"
	"  ('自然资源局', 1, 'config', NULL, '2024-04-01T08:00:00Z'),\n"
	"  ('市自然资源局', 1, 'learned', 1, '2024-04-01T08:00:00Z');\n"
	"INSERT INTO cases (case_no, case_no_raw, year, court_code, type_code, seq, court,\n"
	"  court_level, cause, act_type, domain, plaintiff_hash, plaintiff_mask, filed_date,\n"
	"  concluded_date, outcome, outcome_raw, agency_lost, hearing_held, head_appeared,\n"
	"  source, import_id, source_row, first_import_id, first_seen, updated_at) VALUES\n"
	"  ('(2024)鄂9004行初15号', '（2024）鄂9004行初１５号', 2024, '鄂9004', '行初', 15,\n"
	"   '潜江市人民法院', 'basic', '土地行政管理', '行政处罚', '自然资源',\n"
	"   'a3f5c1e2b4d6a8f0a3f5c1e2b4d6a8f0a3f5c1e2b4d6a8f0a3f5c1e2b4d6a8f0', '张*',\n"
	"   '2024-01-15', '2024-03-20', 'revoked', '撤销被告作出的行政处罚决定', 1, 1, 1,\n"
	"   'court', 1, 1, 1, '2024-04-01T08:00:00Z', '2024-04-01T08:00:00Z'),\n"
	"  ('(2024)鄂9004行初16号', '(2024)鄂9004行初16号', 2024, '鄂9004', '行初', 16,\n"
	"   '潜江市人民法院', 'basic', '工商行政管理', '行政许可', '市场监管', NULL, NULL,\n"
	"   '2024-02-02', NULL, 'pending', NULL, NULL, NULL, NULL,\n"
	"   'court', 1, 2, 1, '2024-04-01T08:00:00Z', '2024-04-01T08:00:00Z'),\n"
	"  ('(2023)鄂90行终7号', '〔2023〕鄂90行终7号', 2023, '鄂90', '行终', 7,\n"
	"   '汉江中级人民法院', 'intermediate', '房屋征收', '征收征用', '自然资源', NULL, NULL,\n"
	"   '2023-11-05', '2024-02-28', 'claims_rejected', '驳回上诉，维持原判', 0, 1, 0,\n"
	"   'court', 1, 3, 1, '2024-04-01T08:00:00Z', '2024-04-01T08:00:00Z');\n"
	"INSERT INTO case_defendants (case_no, agency_id, role, name_raw, source, import_id, source_row) VALUES\n"
	"  ('(2024)鄂9004行初15号', 1, 'principal', '市自然资源局', 'court', 1, 1),\n"
	"  ('(2024)鄂9004行初16号', 2, 'principal', '市市场监督管理局', 'court', 1, 2),\n"
	"  ('(2023)鄂90行终7号', 1, 'principal', '自然资源局', 'court', 1, 3),\n"
	"  ('(2023)鄂90行终7号', 3, 'co-defendant', '某某镇人民政府', 'court', 1, 3);\n"
	"INSERT INTO tickets (ticket_no, received_at, channel, category, topic, title, content, place,\n"
	"  agency_id, agency_raw, deadline, closed_at, status, resolved, satisfaction, caller_hash,\n"
	"  caller_mask, law_enforcement, source, import_id, source_row, first_import_id,\n"
	"  first_seen, updated_at) VALUES\n"
	"  ('GD20240301000123', '2024-03-01 09:15:00', '电话', 'complaint', '违法建设',\n"
	"   '小区违建无人处理', '反映某小区有违法建设。', '某某镇', 1, '自然资源局',\n"
	"   '2024-03-08 18:00:00', '2024-03-05 10:00:00', '已办结', 1, '满意',\n"
	"   'b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2', '138****5678', 1,\n"
	"   'hotline', 2, 2, 2, '2024-04-01T09:00:00Z', '2024-04-01T09:00:00Z'),\n"
	"  ('GD20240302000456', '2024-03-02 14:30:00', '网站', 'consult', '营业执照',\n"
	"   '个体户执照办理', '咨询个体户营业执照如何办理。', NULL, 2, '市场监管局',\n"
	"   '2024-03-09 18:00:00', NULL, '办理中', NULL, NULL, NULL, NULL, 0,\n"
	"   'hotline', 2, 3, 2, '2024-04-01T09:00:00Z', '2024-04-01T09:00:00Z');\n"
	"INSERT INTO rejects (import_id, source_row, source_column, field, reason, raw) VALUES\n"
	"  (2, 4, 'B', 'received_at', '来电时间 \"2024-02-30\" is not a valid date',\n"
	"   '{\"工单编号\":\"GD20240230000001\",\"来电时间\":\"2024-02-30\"}');\n"
	"INSERT INTO conflicts (table_name, row_key, field, value_kept, source_kept, value_other,\n"
	"  source_other, import_id, source_row, at) VALUES\n"
	"  ('cases', '(2024)鄂9004行初15号', 'filed_date', '2024-01-15', 'court', '2024-01-16',\n"
	"   'agency-report', 1, 1, '2024-04-01T08:00:00Z');\n"
	"INSERT INTO cursors (source, cursor, state, updated_at, import_id) VALUES\n"
	"  ('court', '2024-04-01T07:59:59Z', '{\"page\":1}', '2024-04-01T08:00:01Z', 1);\n"
	"INSERT INTO alerts (id, rule, labels, period, fingerprint, state, method, value, threshold,\n"
	"  expected, holds, summary, first_seen, last_eval, fired_at) VALUES\n"
	"  (1, 'cases_rising', '{\"agency\":\"市自然资源和规划局\"}', '2024-03',\n"
	"   'cases_rising|{\"agency\":\"市自然资源和规划局\"}|2024-03', 'firing', 'ears-c2', 6, 4.2,\n"
	"   1.5, 2, '市自然资源和规划局 2024-03 filed 6 cases (upper bound 4.2)',\n"
	"   '2024-04-01T08:00:02Z', '2024-04-01T08:05:00Z', '2024-04-01T08:05:00Z');\n";

int main(int argc, char **argv)
{
	struct lw_err e = {0};
	sqlite3 *db = NULL;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.db\n", argv[0]);
		return 2;
	}
	unlink(argv[1]);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (lw_wh_schema_apply(db, argv[1], 1, &e) != 0) {
		fprintf(stderr, "%s\n", e.msg);
		goto out;
	}
	if (sqlite3_exec(db, rows_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK ||
	    /* As a v1 daemon leaves it; closing folds the WAL back in. */
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}
