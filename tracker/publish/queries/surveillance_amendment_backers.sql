-- Campaigners: who backed the surveillance-equipment amendments, and how they voted
--
-- The amendments about surveillance equipment (or the words you give) at each stage: those whose text
-- matches the words and those the tagger linked to the provision or supplier they name (surveillance
-- cameras, surveillance technology…). Each sponsor and supporter, how each of them voted in any
-- division on that amendment, and the division's result.
with recursive term(words, lowered) as (
  select coalesce(nullif(trim(:term), ''), 'surveillance equipment'),
         lower(trim(coalesce(nullif(trim(:term), ''), 'surveillance equipment')))
),
wanted(label, id) as (
  select 'PROVISION', provision_id from provisions, term
  where lower(name) = term.lowered or provision_id = term.lowered
  union
  select 'SUPPLIER', supplier_id from suppliers, term
  where lower(name) = term.lowered or supplier_id = term.lowered
     or (json_valid(aliases) and exists (select 1 from json_each(aliases) where lower(value) = term.lowered))
  union
  select 'PROVISION', p.provision_id from provisions p join wanted w on w.label = 'PROVISION' and p.parent_id = w.id
),
target as (
  select a.amendment_id, a.number, a.decision, a.bill_stage_id from amendments a
  where a.rowid in (select rowid from amendments_fts, term where amendments_fts match fts_query(term.words))
     or a.amendment_id in (select cast(mn.doc_id as integer)
                           from mentions mn join wanted w on w.label = mn.label and w.id = mn.entity_id
                           where mn.doc_table = 'amendments')
)
select s.description as stage, s.house, t.amendment_id, t.number, t.decision,
  m.member_id, m.name as member, m.party, case when sp.is_lead then 'lead sponsor' else 'supporter' end as role,
  (select group_concat(v.vote || ' in ' || d.division_id, '; ')
   from divisions d join division_votes v on v.division_id = d.division_id
   where d.amendment_id = t.amendment_id and v.member_id = m.member_id) as voted,
  (select group_concat(d.division_id || ': ' || coalesce(d.aye_count, '?') || ' to ' || coalesce(d.no_count, '?'), '; ')
   from divisions d
   where d.amendment_id = t.amendment_id) as divisions
from target t
join amendment_sponsors sp on sp.amendment_id = t.amendment_id
join members m on m.member_id = sp.member_id
left join bill_stages s on s.bill_stage_id = t.bill_stage_id
order by s.sort_order, t.number, sp.is_lead desc, m.name
