-- Campaigners: who supports and who opposes a proposal, by party, at which stage, with the votes
--
-- One row per member with a position on the topic: an amendment family (family:a10001285, one proposal across
-- stages and Houses), a provision or a supplier. :topic is a topic key (see the topics table) or words of its
-- name ("surveillance equipment"). Each row has the stages where the member took a side, their votes on
-- divisions about it, and how much evidence stands behind the stance (the rows are in position_evidence).
select
  t.name AS topic_name,
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
  p.summary,
  p.topic
FROM member_positions p
JOIN members m ON m.member_id = p.member_id
JOIN topics t ON t.topic = p.topic
WHERE p.topic = trim(:topic) OR (
  NOT EXISTS (SELECT 1 FROM topics WHERE topic = trim(:topic)) AND t.name LIKE '%' || trim(:topic) || '%')
ORDER BY t.kind = 'family' DESC, t.name,
         CASE p.stance WHEN 'supports' THEN 0 WHEN 'opposes' THEN 1 WHEN 'mixed' THEN 2 ELSE 3 END, m.party, m.name
