-- The quarterly bulletin's figures as an analyst writes them by hand in
-- sqlite3 (2025Q3 against 2024Q3, the year to date 2025-01..09): per
-- agency filed, concluded, lost, 调撤, head appearance; the lost cases;
-- 12345 enforcement work orders per agency.  Run by bench/report/run.sh
-- beside `litwatch report` on the same warehouse.
.mode list
SELECT a.name,
  SUM(c.filed_date BETWEEN '2025-07-01' AND '2025-09-30'),
  SUM(c.filed_date BETWEEN '2024-07-01' AND '2024-09-30'),
  SUM(c.concluded_date BETWEEN '2025-07-01' AND '2025-09-30' AND o.concluded = 1),
  SUM(c.concluded_date BETWEEN '2025-07-01' AND '2025-09-30' AND o.loss = 1),
  SUM(c.concluded_date BETWEEN '2025-07-01' AND '2025-09-30' AND o.withdrawn_mediated = 1),
  SUM(c.concluded_date BETWEEN '2025-07-01' AND '2025-09-30' AND c.hearing_held = 1),
  SUM(c.concluded_date BETWEEN '2025-07-01' AND '2025-09-30' AND c.head_appeared = 1)
FROM cases c JOIN case_defendants d ON d.case_no = c.case_no JOIN agencies a ON a.id = d.agency_id
JOIN outcomes o ON o.code = c.outcome
GROUP BY a.name;
-- the same for the year to date and the year before, for the annual ranking
SELECT a.name,
  SUM(c.filed_date BETWEEN '2025-01-01' AND '2025-09-30'),
  SUM(c.filed_date BETWEEN '2024-01-01' AND '2024-09-30'),
  SUM(c.concluded_date BETWEEN '2025-01-01' AND '2025-09-30' AND o.concluded = 1),
  SUM(c.concluded_date BETWEEN '2025-01-01' AND '2025-09-30' AND o.loss = 1)
FROM cases c JOIN case_defendants d ON d.case_no = c.case_no JOIN agencies a ON a.id = d.agency_id
JOIN outcomes o ON o.code = c.outcome
GROUP BY a.name;
SELECT c.case_no, a.name, c.cause, c.act_type, c.outcome, c.concluded_date
FROM cases c JOIN outcomes o ON o.code = c.outcome
JOIN case_defendants d ON d.case_no = c.case_no JOIN agencies a ON a.id = d.agency_id
WHERE c.concluded_date BETWEEN '2025-07-01' AND '2025-09-30' AND o.loss = 1
ORDER BY c.concluded_date;
SELECT a.name, count(t.ticket_no)
FROM agencies a LEFT JOIN tickets t ON t.agency_id = a.id AND t.law_enforcement = 1
 AND t.received_at >= '2025-07-01' AND t.received_at < '2025-10-01'
GROUP BY a.name;
SELECT substr(filed_date, 1, 7), count(*) FROM cases
WHERE filed_date BETWEEN '2024-01-01' AND '2025-12-31' GROUP BY 1;
