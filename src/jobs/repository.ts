import type { Database } from '../db/database.ts';

/**
 * Takes the lease of a job until `until` when nobody holds it (or it lapsed). One statement, so two instances
 * racing for it cannot both win. Returns whether this owner holds it now.
 */
export async function tryAcquireJobLease(
  db: Database,
  lease: { name: string; owner: string; now: string; until: string },
): Promise<boolean> {
  await db
    .insertInto('job_leases')
    .values({ name: lease.name, owner: lease.owner, leased_until: lease.until, last_run_at: lease.now })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ owner: lease.owner, leased_until: lease.until, last_run_at: lease.now })
        .where('job_leases.leased_until', '<=', lease.now),
    )
    .execute();
  const row = await db
    .selectFrom('job_leases')
    .select(['owner', 'last_run_at'])
    .where('name', '=', lease.name)
    .executeTakeFirst();
  return row?.owner === lease.owner && row.last_run_at === lease.now;
}
