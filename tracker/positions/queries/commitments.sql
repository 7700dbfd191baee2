-- The Government's commitments: who made them, when, the deadline, the status and how many follow-ups.
SELECT
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
