-- Staff: changes since a date, counted by bill, table and kind
--
-- How many records were added, changed or removed since a date (YYYY-MM-DD), for each bill and table.
select c.bill_id, b.short_title as bill, c.table_name, c.kind, count(*) as changes,
  min(c.detected_at) as first, max(c.detected_at) as last
from changes c left join bills b on b.bill_id = c.bill_id
where c.detected_at >= :since
group by c.bill_id, c.table_name, c.kind
order by c.bill_id, c.table_name, c.kind
