-- Who supports and who opposes a topic, by party, at which stage, with the votes.
-- :topic is a topic key: family:a10001285 (an amendment family), provision:surveillance-equipment-removal,
-- supplier:hikvision (see the topics table). One row per member; every stance has its evidence in position_evidence.
SELECT
  m.party,
  p.stance,
  m.name AS member,
  m.house,
  p.member_id,
  (SELECT group_concat(DISTINCT s.house || ' ' || s.description)
     FROM position_evidence e JOIN bill_stages s ON s.bill_stage_id = e.bill_stage_id
    WHERE e.member_id = p.member_id AND e.topic = p.topic AND e.stance != 'neutral') AS stages,
  (SELECT group_concat(e.detail || ' (' || e.stance || ')', '; ')
     FROM position_evidence e
    WHERE e.member_id = p.member_id AND e.topic = p.topic AND e.kind = 'voted') AS votes,
  p.evidence_count,
  p.last_date,
  p.summary
FROM member_positions p
JOIN members m ON m.member_id = p.member_id
WHERE p.topic = :topic
ORDER BY CASE p.stance WHEN 'supports' THEN 0 WHEN 'opposes' THEN 1 WHEN 'mixed' THEN 2 ELSE 3 END, m.party, m.name
