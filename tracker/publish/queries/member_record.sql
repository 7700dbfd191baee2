-- Campaigners: one MP's or peer's record on the bill
--
-- For one member (an id or part of any name they have had): the amendments and ping-pong motions they
-- tabled or supported, their speeches naming watched suppliers or security provisions, and their votes
-- in divisions on amendments and motions. Each member's page (/-/member/ID) shows the same record.
with m as (
  select member_id, name from members
  where :member != ''
    and (cast(members.member_id as text) = :member
         or members.name like '%' || :member || '%'
         or members.member_id in (select n.member_id from member_names n where n.name like '%' || :member || '%'))
)
select * from (
  select m.name as member, m.member_id, 'amendment' as what, s.first_sitting as date, s.description as context,
    a.amendment_id, a.number as item,
    case when sp.is_lead then 'lead sponsor' else 'supporter' end || '; ' || coalesce(a.decision, '') as detail
  from m join amendment_sponsors sp on sp.member_id = m.member_id
  join amendments a on a.amendment_id = sp.amendment_id
  left join bill_stages s on s.bill_stage_id = a.bill_stage_id
  union all
  select m.name, m.member_id, 'ping-pong ' || lower(coalesce(p.type, 'motion')), s.first_sitting, s.description,
    null, coalesce(p.type, 'Motion') || ' ' || p.number,
    case when pp.is_lead then 'lead sponsor' else 'supporter' end || '; ' || coalesce(p.decision, '')
  from m join pingpong_sponsors pp on pp.member_id = m.member_id
  join pingpong_items p on p.pingpong_item_id = pp.pingpong_item_id
  left join bill_stages s on s.bill_stage_id = p.bill_stage_id
  union all
  select m.name, m.member_id, 'speech naming ' || group_concat(distinct coalesce(mn.name, mn.entity_id)), d.date, d.title,
    null, c.contribution_id, substr(c.text, 1, 200)
  from m join contributions c on c.member_id = m.member_id
  join mentions mn on mn.doc_table = 'contributions' and mn.doc_id = cast(c.contribution_id as text)
    and mn.label in ('SUPPLIER', 'PROVISION') and mn.entity_id is not null
  left join debates d on d.debate_id = c.debate_id
  group by m.member_id, c.contribution_id
  union all
  select m.name, m.member_id, 'vote: ' || v.vote, dv.date, dv.title, dv.amendment_id,
    coalesce(a.number, coalesce(p.type, 'Motion') || ' ' || p.number), dv.division_id
  from m join division_votes v on v.member_id = m.member_id
  join divisions dv on dv.division_id = v.division_id
  left join amendments a on a.amendment_id = dv.amendment_id
  left join pingpong_items p on p.pingpong_item_id = dv.pingpong_item_id
  where dv.amendment_id is not null or dv.pingpong_item_id is not null
)
order by member, date
