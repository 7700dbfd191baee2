-- Campaigners: where a member stands, with how much evidence
--
-- A member's positions (supports, opposes or mixed) on amendment families, provisions and suppliers, families
-- first, each with how much evidence stands behind it and a summary of it (sponsored, spoke, voted). :member is
-- a name or words of one (any name the member has had) or a Members API id; the evidence rows themselves are in
-- position_evidence (same member_id and topic).
select
  m.name AS member,
  t.kind,
  p.stance,
  t.name AS topic_name,
  p.topic,
  p.evidence_count,
  p.supports,
  p.opposes,
  p.neutral,
  p.last_date,
  p.summary,
  p.member_id
FROM member_positions p
JOIN members m ON m.member_id = p.member_id
LEFT JOIN topics t ON t.topic = p.topic
WHERE p.member_id IN (
  SELECT member_id FROM members WHERE CAST(member_id AS TEXT) = trim(:member) OR name LIKE '%' || trim(:member) || '%'
  UNION SELECT member_id FROM member_names WHERE name LIKE '%' || trim(:member) || '%'
)
ORDER BY m.name,
         CASE t.kind WHEN 'family' THEN 0 WHEN 'provision' THEN 1 ELSE 2 END,
         CASE p.stance WHEN 'supports' THEN 0 WHEN 'opposes' THEN 1 WHEN 'mixed' THEN 2 ELSE 3 END,
         p.evidence_count DESC, p.topic
