-- Researchers: all amendments by a member
--
-- Every amendment a member tabled or supported, at every stage, with its decision. Give a member id or
-- part of any name they have had (e.g. Alton, or Vernon Coaker for Lord Coaker).
select a.amendment_id, a.number, s.description as stage, s.house, a.decision,
  case when sp.is_lead then 'lead sponsor' else 'supporter' end as role, m.member_id, m.name as member, a.summary
from members m
join amendment_sponsors sp on sp.member_id = m.member_id
join amendments a on a.amendment_id = sp.amendment_id
left join bill_stages s on s.bill_stage_id = a.bill_stage_id
where :member != ''
  and (cast(m.member_id as text) = :member
       or m.name like '%' || :member || '%'
       or m.member_id in (select n.member_id from member_names n where n.name like '%' || :member || '%'))
order by m.name, s.sort_order, a.amendment_id
