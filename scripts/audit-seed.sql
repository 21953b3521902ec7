-- audit-seed.sql fills a migrated, empty PostgreSQL database with a
-- consistent store for timing `tally audit` (README, Auditing a store):
-- :n orgs (default 5000), each with a FREE grant of 10000 and a PURCHASED
-- grant of 5000, 22 ledger entries (the two GRANTs, then 20 spends of 10)
-- and an idempotency record per spend pointing at its entry.
--
--   createdb tally_auditbench && DATABASE_URL=postgres://…/tally_auditbench tally migrate
--   psql -d tally_auditbench -v n=5000 -f scripts/audit-seed.sql
--   DATABASE_URL=postgres://…/tally_auditbench tally audit
\if :{?n}
\else
\set n 5000
\endif
INSERT INTO orgs (id,name,country,currency,status,seats,created_at,updated_at)
  SELECT md5('org'||i)::uuid::text, 'Org '||i, 'DE','EUR','ACTIVE',5,now(),now() FROM generate_series(1,:n) i;
INSERT INTO grants (id,org_id,kind,amount,remaining,reason,created_at)
  SELECT md5('g1'||i)::uuid::text, md5('org'||i)::uuid::text, 'FREE', 10000, 9800, '', now() FROM generate_series(1,:n) i
  UNION ALL
  SELECT md5('g2'||i)::uuid::text, md5('org'||i)::uuid::text, 'PURCHASED', 5000, 5000, '', now() FROM generate_series(1,:n) i;
INSERT INTO org_balances (org_id,total,free,paid,version,updated_at)
  SELECT md5('org'||i)::uuid::text, 14800, 9800, 5000, 22, now() FROM generate_series(1,:n) i;
INSERT INTO ledger_entries (id,org_id,seq,kind,amount,balance_after,allocations,actor_kind,created_at)
  SELECT md5('e'||i||'-'||s)::uuid::text, md5('org'||i)::uuid::text, s,
    CASE WHEN s <= 2 THEN 'GRANT' ELSE 'CONSUME' END,
    CASE s WHEN 1 THEN 10000 WHEN 2 THEN 5000 ELSE -10 END,
    CASE s WHEN 1 THEN 10000 WHEN 2 THEN 15000 ELSE 15000 - 10*(s-2) END,
    json_build_array(json_build_object('grantId', CASE WHEN s = 2 THEN md5('g2'||i)::uuid::text ELSE md5('g1'||i)::uuid::text END,
                                       'amount', CASE s WHEN 1 THEN 10000 WHEN 2 THEN 5000 ELSE -10 END)),
    'SYSTEM', now()
  FROM generate_series(1,:n) i, generate_series(1,22) s;
INSERT INTO idempotency_keys (org_id,idem_key,operation,request_hash,response,created_at)
  SELECT md5('org'||i)::uuid::text, 'k'||s, 'consumeCredits', 'x',
    convert_to('{"Entry":{"ID":"'||md5('e'||i||'-'||s)::uuid::text||'"}}', 'UTF8'), now()
  FROM generate_series(1,:n) i, generate_series(3,22) s;
ANALYZE;
