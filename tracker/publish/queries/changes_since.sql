-- Staff: what changed since a date
--
-- Every change detected since a date (YYYY-MM-DD), newest first; narrow it by bill id, by table (e.g.
-- amendments) and by kind (added, changed, removed, restored), or leave those empty. Subscribe to the
-- result: add .atom to this page's address (the atom link below).
select c.id, c.detected_at, c.bill_id, c.table_name, c.record_id, c.kind, c.changed_fields, c.sync_run_id
from changes c
where c.detected_at >= :since
  and (:bill = '' or c.bill_id = cast(:bill as integer))
  and (:table = '' or c.table_name = :table)
  and (:kind = '' or c.kind = :kind)
order by c.detected_at desc, c.id desc
