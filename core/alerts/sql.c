/*
 * sql.c — every SQL statement of the alert engine, in one place (style.md
 * §5).  Named parameters only; nothing here is built from data.  The
 * tables are documented in docs/warehouse.md.
 *
 * Series queries return (key1, key2, day, count[, lost]) grouped by civil
 * day; series.c folds days into months, quarters or ISO weeks (SQLite has
 * no ISO week) and fills the gaps with zeros.
 */
#include "alerts/alerts_int.h"

const char *const lw_alsql_series[LW_SERIES_KIND_COUNT] = {
	[LW_SERIES_FILED_MONTHLY] =
		"SELECT NULL, NULL, filed_date, count(*) FROM cases\n"
		" WHERE filed_date IS NOT NULL AND filed_date <= :end\n"
		" GROUP BY filed_date ORDER BY filed_date",
	/* Co-defendants (共同被告) each count the case. */
	[LW_SERIES_FILED_MONTHLY_AGENCY] =
		"SELECT a.name, NULL, c.filed_date, count(*)\n"
		"  FROM case_defendants d JOIN cases c ON c.case_no = d.case_no\n"
		"  JOIN agencies a ON a.id = d.agency_id\n"
		" WHERE c.filed_date IS NOT NULL AND c.filed_date <= :end\n"
		" GROUP BY a.name, c.filed_date ORDER BY a.name, c.filed_date",
	[LW_SERIES_FILED_MONTHLY_DOMAIN] =
		"SELECT domain, NULL, filed_date, count(*) FROM cases\n"
		" WHERE domain IS NOT NULL AND filed_date IS NOT NULL AND filed_date <= :end\n"
		" GROUP BY domain, filed_date ORDER BY domain, filed_date",
	[LW_SERIES_FILED_MONTHLY_ACT_TYPE] =
		"SELECT act_type, NULL, filed_date, count(*) FROM cases\n"
		" WHERE act_type IS NOT NULL AND filed_date IS NOT NULL AND filed_date <= :end\n"
		" GROUP BY act_type, filed_date ORDER BY act_type, filed_date",
	/* Concluded cases and losses (败诉) per defendant agency.  loss NULL is
	 * "withdrawn after the agency changed its act": a loss when the setting
	 * says so. */
	[LW_SERIES_LOST_QUARTERLY_AGENCY] =
		"SELECT a.name, NULL, c.concluded_date, count(*),\n"
		"       sum(CASE WHEN o.loss = 1 OR (o.loss IS NULL AND :withdrawn_is_loss = 1)\n"
		"                THEN 1 ELSE 0 END)\n"
		"  FROM case_defendants d JOIN cases c ON c.case_no = d.case_no\n"
		"  JOIN agencies a ON a.id = d.agency_id JOIN outcomes o ON o.code = c.outcome\n"
		" WHERE o.concluded = 1 AND c.concluded_date IS NOT NULL AND c.concluded_date <= :end\n"
		" GROUP BY a.name, c.concluded_date ORDER BY a.name, c.concluded_date",
	[LW_SERIES_TICKETS_WEEKLY_CAT_AGENCY] =
		"SELECT t.category, a.name, substr(t.received_at, 1, 10) AS day, count(*)\n"
		"  FROM tickets t JOIN agencies a ON a.id = t.agency_id\n"
		" WHERE t.category IS NOT NULL AND t.received_at IS NOT NULL\n"
		"   AND substr(t.received_at, 1, 10) <= :end\n"
		" GROUP BY t.category, a.name, day ORDER BY t.category, a.name, day",
	[LW_SERIES_TICKETS_WEEKLY_TOPIC] =
		"SELECT topic, NULL, substr(received_at, 1, 10) AS day, count(*) FROM tickets\n"
		" WHERE topic IS NOT NULL AND received_at IS NOT NULL\n"
		"   AND substr(received_at, 1, 10) <= :end\n"
		" GROUP BY topic, day ORDER BY topic, day",
};

/* The same series of one agency (:agency, its name): the dashboard's agency
 * page draws them without reading every agency's rows. */
const char *const lw_alsql_series_agency[LW_SERIES_KIND_COUNT] = {
	[LW_SERIES_FILED_MONTHLY_AGENCY] =
		"SELECT a.name, NULL, c.filed_date, count(*)\n"
		"  FROM agencies a JOIN case_defendants d ON d.agency_id = a.id\n"
		"  JOIN cases c ON c.case_no = d.case_no\n"
		" WHERE a.name = :agency AND c.filed_date IS NOT NULL AND c.filed_date <= :end\n"
		" GROUP BY a.name, c.filed_date ORDER BY a.name, c.filed_date",
	[LW_SERIES_LOST_QUARTERLY_AGENCY] =
		"SELECT a.name, NULL, c.concluded_date, count(*),\n"
		"       sum(CASE WHEN o.loss = 1 OR (o.loss IS NULL AND :withdrawn_is_loss = 1)\n"
		"                THEN 1 ELSE 0 END)\n"
		"  FROM agencies a JOIN case_defendants d ON d.agency_id = a.id\n"
		"  JOIN cases c ON c.case_no = d.case_no JOIN outcomes o ON o.code = c.outcome\n"
		" WHERE a.name = :agency AND o.concluded = 1 AND c.concluded_date IS NOT NULL\n"
		"   AND c.concluded_date <= :end\n"
		" GROUP BY a.name, c.concluded_date ORDER BY a.name, c.concluded_date",
	[LW_SERIES_TICKETS_WEEKLY_CAT_AGENCY] =
		"SELECT t.category, a.name, substr(t.received_at, 1, 10) AS day, count(*)\n"
		"  FROM agencies a JOIN tickets t ON t.agency_id = a.id\n"
		" WHERE a.name = :agency AND t.category IS NOT NULL AND t.received_at IS NOT NULL\n"
		"   AND substr(t.received_at, 1, 10) <= :end\n"
		" GROUP BY t.category, a.name, day ORDER BY t.category, a.name, day",
};

/* ---- alerts and transitions ---- */
const char lw_alsql_alert_get[] =
	"SELECT id, state, holds FROM alerts WHERE fingerprint = :fp";
const char lw_alsql_alert_insert[] =
	"INSERT INTO alerts (rule, labels, period, fingerprint, state, method, value, threshold,\n"
	"                    expected, holds, summary, first_seen, last_eval, fired_at)\n"
	"VALUES (:rule, :labels, :period, :fp, :state, :method, :value, :threshold, :expected,\n"
	"        :holds, :summary, :now, :now, :fired_at)";
const char lw_alsql_alert_update[] =
	"UPDATE alerts SET state = :state, value = :value, threshold = :threshold,\n"
	"       expected = :expected, holds = :holds, summary = :summary, last_eval = :now,\n"
	"       labels = :labels,\n"
	"       fired_at = CASE WHEN :state = 'firing' AND state <> 'firing' THEN :now\n"
	"                       WHEN :state = 'pending' THEN NULL ELSE fired_at END,\n"
	"       resolved_at = CASE WHEN :state = 'resolved' AND state <> 'resolved' THEN :now\n"
	"                          WHEN :state = 'resolved' THEN resolved_at ELSE NULL END\n"
	" WHERE id = :id";
const char lw_alsql_alert_touch[] =
	"UPDATE alerts SET last_eval = :now WHERE id = :id";
/* No data: keep the state, say so in the summary once. */
const char lw_alsql_alert_nodata[] =
	"UPDATE alerts SET last_eval = :now,\n"
	"       summary = CASE WHEN instr(coalesce(summary, ''), :note) > 0 THEN summary\n"
	"                      ELSE coalesce(summary || ' ', '') || :note END\n"
	" WHERE id = :id";
/* The labels of an alert, for a deadline alert whose obligation is gone. */
const char lw_alsql_alert_labels[] = "SELECT labels FROM alerts WHERE fingerprint = :fp";
const char lw_alsql_alerts_active[] =
	"SELECT id, fingerprint, period FROM alerts\n"
	" WHERE rule = :rule AND state IN ('pending', 'firing') ORDER BY id";
const char lw_alsql_transition_insert[] =
	"INSERT INTO alert_transitions (alert_id, from_state, to_state, value, at)\n"
	"VALUES (:alert_id, :from_state, :to_state, :value, :now)";

/* ---- notifications ---- */
const char lw_alsql_silences_active[] =
	"SELECT id, matchers FROM silences\n"
	" WHERE expired_at IS NULL AND starts_at <= :now AND ends_at > :now ORDER BY id";
/* The latest transition of each alert when it is still the alert's state,
 * is worth telling (to firing; firing to resolved) and this sink has not
 * been told about it.  A resolution is only told to a sink that was told
 * the alert fired. */
const char lw_alsql_notify_candidates[] =
	"SELECT t.id, t.to_state, t.at, a.id, a.labels, a.rule, a.period, a.value,\n"
	"       a.threshold, a.expected, a.summary, a.fingerprint, a.fired_at,\n"
	"       a.resolved_at, a.method\n"
	"  FROM alerts a JOIN alert_transitions t\n"
	"    ON t.id = (SELECT max(id) FROM alert_transitions WHERE alert_id = a.id)\n"
	" WHERE t.to_state = a.state\n"
	"   AND (t.to_state = 'firing' OR (t.to_state = 'resolved' AND t.from_state = 'firing'\n"
	"        AND :send_resolved = 1 AND EXISTS (\n"
	"          SELECT 1 FROM alert_transitions t2\n"
	"            JOIN notification_alerts n2 ON n2.transition_id = t2.id\n"
	"            JOIN notifications m2 ON m2.id = n2.notification_id\n"
	"           WHERE t2.alert_id = a.id AND t2.to_state = 'firing' AND m2.sink = :sink)))\n"
	"   AND NOT EXISTS (SELECT 1 FROM notification_alerts na\n"
	"                     JOIN notifications n ON n.id = na.notification_id\n"
	"                    WHERE na.transition_id = t.id AND n.sink = :sink)\n"
	" ORDER BY t.id";
/* Firing alerts already told to this sink, last told at or before :due. */
const char lw_alsql_notify_repeats[] =
	"SELECT t.id, t.to_state, t.at, a.id, a.labels, a.rule, a.period, a.value,\n"
	"       a.threshold, a.expected, a.summary, a.fingerprint, a.fired_at,\n"
	"       a.resolved_at, a.method\n"
	"  FROM alerts a JOIN alert_transitions t\n"
	"    ON t.id = (SELECT max(id) FROM alert_transitions WHERE alert_id = a.id)\n"
	" WHERE a.state = 'firing' AND t.to_state = 'firing'\n"
	"   AND (SELECT max(n.created_at) FROM notification_alerts na\n"
	"          JOIN notifications n ON n.id = na.notification_id\n"
	"         WHERE na.transition_id = t.id AND n.sink = :sink) <= :due\n"
	" ORDER BY t.id";
/* Last notification of a group for a sink: dedup_key starts with the
 * group's hash. */
const char lw_alsql_group_last[] =
	"SELECT max(created_at) FROM notifications\n"
	" WHERE sink = :sink AND substr(dedup_key, 1, 64) = :group";
const char lw_alsql_notification_insert[] =
	"INSERT OR IGNORE INTO notifications (sink, dedup_key, payload, state, attempts,\n"
	"                                     next_attempt_at, created_at)\n"
	"VALUES (:sink, :dedup_key, :payload, 'queued', 0, :now, :now)";
const char lw_alsql_notification_link[] =
	"INSERT OR IGNORE INTO notification_alerts (notification_id, transition_id)\n"
	"VALUES (:notification_id, :transition_id)";
const char lw_alsql_alert_notified[] =
	"UPDATE alerts SET last_notified_at = :now WHERE id = :id";

/* ---- outbox ---- */
const char lw_alsql_outbox_due[] =
	"SELECT id, sink, payload, attempts FROM notifications\n"
	" WHERE state = 'queued' AND next_attempt_at <= :now ORDER BY id LIMIT :limit";
const char lw_alsql_outbox_sent[] =
	"UPDATE notifications SET state = 'sent', sent_at = :now, attempts = attempts + 1,\n"
	"       last_error = NULL\n"
	" WHERE id = :id AND state = 'queued'";
const char lw_alsql_outbox_retry[] =
	"UPDATE notifications SET attempts = attempts + 1, next_attempt_at = :next,\n"
	"       last_error = :error\n"
	" WHERE id = :id AND state = 'queued'";
const char lw_alsql_outbox_failed[] =
	"UPDATE notifications SET state = 'failed', attempts = attempts + 1, last_error = :error\n"
	" WHERE id = :id AND state = 'queued'";
const char lw_alsql_outbox_next[] =
	"SELECT min(next_attempt_at) FROM notifications WHERE state = 'queued'";

/* ---- operator writes and reads (litwatch alerts) ---- */
const char lw_alsql_silence_insert[] =
	"INSERT INTO silences (matchers, starts_at, ends_at, created_by, created_at, comment)\n"
	"VALUES (:matchers, :starts_at, :ends_at, :by, :now, :comment)";
const char lw_alsql_silence_expire[] =
	"UPDATE silences SET expired_at = :now\n"
	" WHERE id = :id AND expired_at IS NULL AND ends_at > :now";
const char lw_alsql_alert_ack[] =
	"UPDATE alerts SET acked_by = :by, acked_at = :now WHERE id = :id";
const char lw_alsql_alerts_list[] =
	"SELECT id, state, rule, period, labels, value, threshold, last_eval, acked_by, summary\n"
	"  FROM alerts WHERE (:all = 1 OR state IN ('pending', 'firing'))\n"
	" ORDER BY CASE state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, id";
const char lw_alsql_alert_show[] =
	"SELECT id, state, rule, period, labels, fingerprint, method, value, threshold,\n"
	"       expected, holds, summary, first_seen, last_eval, fired_at, resolved_at,\n"
	"       last_notified_at, acked_by, acked_at FROM alerts WHERE id = :id";
const char lw_alsql_alert_history[] =
	"SELECT t.at, coalesce(t.from_state, '-'), t.to_state, t.value,\n"
	"       (SELECT group_concat(n.sink || ':' || n.state || '#' || n.id, ' ')\n"
	"          FROM notification_alerts na JOIN notifications n ON n.id = na.notification_id\n"
	"         WHERE na.transition_id = t.id)\n"
	"  FROM alert_transitions t WHERE t.alert_id = :id ORDER BY t.id";
const char lw_alsql_silences_list[] =
	"SELECT id, matchers, starts_at, ends_at, created_by, comment FROM silences\n"
	" WHERE expired_at IS NULL AND ends_at > :now ORDER BY id";
