-- Researchers: amendments matching a term or an entity, across all stages
--
-- Every amendment whose number, summary, text or explanatory statement matches the words you give (all
-- of them; variants such as camera/cameras count), ranked by relevance, then every amendment the
-- tagger linked to the supplier or provision those words name (by name, alias or id, with narrower
-- provisions) though worded differently, with its stage, House, decision and sponsors. Try:
-- surveillance equipment, or Hikvision.
with recursive wanted(label, id) as (
  select 'PROVISION', provision_id from provisions
  where lower(name) = lower(trim(:term)) or provision_id = lower(trim(:term))
  union
  select 'SUPPLIER', supplier_id from suppliers
  where lower(name) = lower(trim(:term)) or supplier_id = lower(trim(:term))
     or (json_valid(aliases) and exists (select 1 from json_each(aliases) where lower(value) = lower(trim(:term))))
  union
  select 'PROVISION', p.provision_id from provisions p join wanted w on w.label = 'PROVISION' and p.parent_id = w.id
),
matched as (
  select rowid as rid, rank, snippet(amendments_fts, -1, '[', ']', ' … ', 24) as matched
  from amendments_fts where fts_query(:term) <> '' and amendments_fts match fts_query(:term)
),
tagged as (
  select cast(mn.doc_id as integer) as amendment_id, 'tagged: ' || group_concat(distinct mn.text) as matched
  from mentions mn join wanted w on w.label = mn.label and w.id = mn.entity_id
  where mn.doc_table = 'amendments'
  group by cast(mn.doc_id as integer)
)
select a.amendment_id, a.number, s.description as stage, s.house, a.decision,
  coalesce((select group_concat(m.name, '; ') from amendment_sponsors sp join members m on m.member_id = sp.member_id
            where sp.amendment_id = a.amendment_id), a.sponsors) as sponsors,
  coalesce(x.matched, t.matched) as matched, a.summary
from amendments a
left join matched x on x.rid = a.rowid
left join tagged t on t.amendment_id = a.amendment_id
left join bill_stages s on s.bill_stage_id = a.bill_stage_id
where x.rid is not null or t.amendment_id is not null
order by x.rank is null, x.rank, s.sort_order, a.amendment_id
