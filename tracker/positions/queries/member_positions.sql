-- A member's positions, amendment families first, each with how much evidence stands behind it
-- (the evidence rows: position_evidence?member_id=:member_id&topic=...). :member_id is a Members API id.
SELECT
  t.kind,
  p.stance,
  t.name AS topic_name,
  p.topic,
  p.evidence_count,
  p.supports,
  p.opposes,
  p.neutral,
  p.last_date,
  p.summary
FROM member_positions p
LEFT JOIN topics t ON t.topic = p.topic
WHERE p.member_id = :member_id
ORDER BY CASE t.kind WHEN 'family' THEN 0 WHEN 'provision' THEN 1 ELSE 2 END,
         CASE p.stance WHEN 'supports' THEN 0 WHEN 'opposes' THEN 1 WHEN 'mixed' THEN 2 ELSE 3 END,
         p.evidence_count DESC, p.topic
