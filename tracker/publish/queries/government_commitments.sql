-- Campaigners: the Government's commitments, their deadlines and status
--
-- Undertakings ministers gave in speeches, written statements and written answers ("we will publish a
-- timeline within six months of Royal Assent"): who made each and when, its deadline (stated or derived)
-- and status (overdue first, then due, open and fulfilled), and how many later documents followed it up.
-- Every commitment's evidence is its source record (source) and its follow-ups (commitment_followups).
select
  c.status,
  c.deadline,
  c.made_on,
  m.name AS minister,
  c.department,
  c.text,
  c.deadline_basis,
  c.source_table || '/' || c.source_id AS source,
  c.fulfilled_by,
  (SELECT count(*) FROM commitment_followups f WHERE f.commitment_id = c.commitment_id) AS followups,
  c.topic,
  c.commitment_id
FROM commitments c
LEFT JOIN members m ON m.member_id = c.member_id
WHERE c.removed_at IS NULL
ORDER BY CASE c.status WHEN 'overdue' THEN 0 WHEN 'due' THEN 1 WHEN 'open' THEN 2 ELSE 3 END, c.deadline, c.made_on
