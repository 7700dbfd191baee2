-- Researchers: everything that happened to one clause
--
-- For a clause or schedule of the Bill (12, clause 12 or schedule 7): each version of its text, every
-- amendment tabled to it at every stage with its decision, the divisions on those amendments with
-- their result, the speeches that moved or spoke to them, and every later change to them, in order.
-- The enacted Act numbers its sections differently from the Bill's clauses: ask for 'section 62' to
-- see a section of the Act.
with target as (
  select case when lower(trim(:clause)) like 'schedule%' then 'schedule'
              when lower(trim(:clause)) like 'section%' then 'section'
              else 'clause' end as kind,
    trim(replace(replace(replace(lower(trim(:clause)), 'schedule', ''), 'section', ''), 'clause', '')) as number
),
amended as (
  select a.* from amendments a, target t
  where (t.kind = 'clause' and cast(a.clause as text) = t.number)
     or (t.kind = 'schedule' and cast(a.schedule as text) = t.number)
)
select * from (
  select coalesce(s.first_sitting, s.last_sitting) as date, s.sort_order, s.description as stage, s.house,
    'amendment ' || a.number as what, a.decision as outcome, a.amendment_id, a.summary as detail
  from amended a left join bill_stages s on s.bill_stage_id = a.bill_stage_id
  union all
  select d.date, s.sort_order, s.description, d.house,
    'division on amendment ' || a.number || ' (' || d.division_id || ')',
    coalesce(d.aye_count, '?') || ' to ' || coalesce(d.no_count, '?'), a.amendment_id, d.title
  from amended a join divisions d on d.amendment_id = a.amendment_id
  left join bill_stages s on s.bill_stage_id = a.bill_stage_id
  union all
  select db.date, s.sort_order, s.description, db.house,
    coalesce(c.attributed_to, 'a speaker') || ' ' || coalesce(ca.how, 'spoke to') || ' amendment ' || a.number,
    null, a.amendment_id, substr(c.text, 1, 300)
  from amended a join contribution_amendments ca on ca.amendment_id = a.amendment_id
  join contributions c on c.contribution_id = ca.contribution_id
  left join debates db on db.debate_id = c.debate_id
  left join bill_stages s on s.bill_stage_id = a.bill_stage_id
  union all
  select substr(c.detected_at, 1, 10), null, null, null, 'amendment ' || a.number || ' ' || c.kind,
    json_extract(c.changed_fields, '$.decision[1]'), a.amendment_id, c.changed_fields
  from changes c join amended a on c.table_name = 'amendments' and c.record_id = cast(a.amendment_id as text)
  where c.kind != 'added'
  union all
  select null, null, bc.version, null,
    'text of ' || coalesce(bc.kind, 'clause') || ' ' || bc.number || coalesce(': ' || bc.heading, ''),
    null, null, substr(bc.text, 1, 300)
  from bill_clauses bc, target t
  where bc.number = t.number and coalesce(bc.kind, 'clause') = t.kind
)
order by date is null, date, sort_order
