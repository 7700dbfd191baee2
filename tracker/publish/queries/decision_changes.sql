-- Staff: amendment decisions that changed
--
-- Every amendment whose decision changed (e.g. from NoDecision to Agreed), newest first, with the old
-- and new decision. Has an Atom feed.
select c.id, c.detected_at, c.bill_id, c.table_name, c.record_id, c.kind, c.changed_fields,
  a.amendment_id, a.number, json_extract(c.changed_fields, '$.decision[0]') as old_decision,
  json_extract(c.changed_fields, '$.decision[1]') as new_decision
from changes c join amendments a on c.table_name = 'amendments' and c.record_id = cast(a.amendment_id as text)
where json_extract(c.changed_fields, '$.decision') is not null
order by c.detected_at desc, c.id desc
