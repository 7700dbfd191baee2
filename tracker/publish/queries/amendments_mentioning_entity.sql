-- Researchers: amendments mentioning a supplier, member or provision
--
-- Amendments in which the tagger found a named entity: give its id (a supplier slug such as hikvision,
-- a member id, a provision id) or the words as written (e.g. Hikvision). With stage, decision and
-- sponsors.
select a.amendment_id, a.number, s.description as stage, s.house, a.decision,
  coalesce((select group_concat(m.name, '; ') from amendment_sponsors sp join members m on m.member_id = sp.member_id
            where sp.amendment_id = a.amendment_id), a.sponsors) as sponsors,
  group_concat(distinct mn.label || ' ' || coalesce(mn.entity_id, '?')) as entities,
  count(*) as mentions, a.summary
from mentions mn
join amendments a on cast(a.amendment_id as text) = cast(mn.doc_id as text)
left join bill_stages s on s.bill_stage_id = a.bill_stage_id
where mn.doc_table = 'amendments' and :entity != ''
  and (cast(mn.entity_id as text) = :entity or lower(mn.text) = lower(:entity))
group by a.amendment_id
order by s.sort_order, a.amendment_id
