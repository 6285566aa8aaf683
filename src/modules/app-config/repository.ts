import type { Database } from '../../db/database.ts';

export async function listStoredSettings(db: Database): Promise<Record<string, string>> {
  const rows = await db.selectFrom('app_config').select(['key', 'value']).execute();
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

export async function saveSettings(db: Database, values: Record<string, string>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const [key, value] of Object.entries(values)) {
      await trx
        .insertInto('app_config')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    }
  });
}
