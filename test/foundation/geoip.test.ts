import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../../src/config/env.ts';
import { createGeoIp, internalNetwork } from '../../src/modules/geoip/service.ts';
import { createTestApp, describeEachEngine } from '../helpers/test-app.ts';

const testData = fileURLToPath(new URL('../fixtures/geoip/', import.meta.url));
const logger = pino({ level: 'silent' });

function geoIpWith(file: string | undefined, env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'latch-geoip-'));
  mkdirSync(join(cwd, 'data'));
  if (file) copyFileSync(join(testData, file), join(cwd, 'data/GeoLite2-City.mmdb'));
  return { cwd, geoIp: createGeoIp({ config: loadConfig(env, cwd), logger }) };
}

describe('GeoIP locations', () => {
  it('locates public addresses with the GeoLite2 database, private ones as the internal network', async () => {
    const { geoIp } = geoIpWith('GeoLite2-City-Test.mmdb', { LOCAL_IPV6_RANGES: '2001:db8:abcd::/48' });
    await geoIp.load();
    assert.deepEqual(geoIp.locate('81.2.69.142'), { country: 'United Kingdom', city: 'London' });
    assert.deepEqual(geoIp.locate('::ffff:81.2.69.142'), { country: 'United Kingdom', city: 'London' });
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '192.168.0.9',
      '172.20.0.1',
      '::1',
      'fd12::1',
      '2001:db8:abcd::5',
    ]) {
      assert.deepEqual(geoIp.locate(ip), { country: internalNetwork, city: null }, ip);
    }
    assert.deepEqual(geoIp.locate('203.0.113.1'), { country: null, city: null });
    assert.deepEqual(geoIp.locate('not-an-ip'), { country: null, city: null });
    assert.deepEqual(geoIp.locate(null), { country: null, city: null });
  });

  it('a damaged database never breaks a lookup', async () => {
    const { geoIp } = geoIpWith('GeoIP2-City-Test-Broken-Double-Format.mmdb');
    await geoIp.load();
    // Its coordinates are malformed: readable records still answer, and nothing throws.
    for (const ip of ['81.2.69.142', '2.125.160.216', '214.0.1.1', '2001:218::1']) {
      const location = geoIp.locate(ip);
      assert.ok(location.country === null || typeof location.country === 'string', ip);
    }
  });

  it('a file that is not a database is ignored, not fatal', async () => {
    const { cwd, geoIp } = geoIpWith(undefined);
    writeFileSync(join(cwd, 'data/GeoLite2-City.mmdb'), 'this is not an mmdb file');
    await geoIp.load();
    assert.deepEqual(geoIp.locate('81.2.69.142'), { country: null, city: null });
  });

  it('without a database every public address is unknown', async () => {
    const { geoIp } = geoIpWith(undefined);
    await geoIp.load();
    assert.deepEqual(geoIp.locate('81.2.69.142'), { country: null, city: null });
    assert.equal(await geoIp.refresh(), 'no-license-key');
  });

  it('downloads the database with MAXMIND_LICENSE_KEY from GEOLITE_DB_URL and uses it', async () => {
    const archiveDir = mkdtempSync(join(tmpdir(), 'latch-geoip-archive-'));
    mkdirSync(join(archiveDir, 'GeoLite2-City_20260101'));
    copyFileSync(
      join(testData, 'GeoLite2-City-Test.mmdb'),
      join(archiveDir, 'GeoLite2-City_20260101/GeoLite2-City.mmdb'),
    );
    execFileSync('tar', ['czf', join(archiveDir, 'db.tar.gz'), '-C', archiveDir, 'GeoLite2-City_20260101']);
    const archive = readFileSync(join(archiveDir, 'db.tar.gz'));
    const requestedKeys: string[] = [];
    const server = createServer((request, response) => {
      requestedKeys.push(new URL(request.url ?? '/', 'http://x').searchParams.get('license_key') ?? '');
      response.writeHead(200, { 'content-type': 'application/gzip' }).end(archive);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as { port: number };
      const { geoIp } = geoIpWith(undefined, {
        MAXMIND_LICENSE_KEY: 'test-license',
        GEOLITE_DB_URL: `http://127.0.0.1:${port}/download?license_key=%s&suffix=tar.gz`,
      });
      assert.equal(await geoIp.refresh(), 'downloaded');
      assert.deepEqual(requestedKeys, ['test-license']);
      assert.deepEqual(geoIp.locate('2.125.160.216'), { country: 'United Kingdom', city: 'Boxford' });
      assert.equal(await geoIp.refresh(), 'fresh', 'a recent database is not downloaded again');
    } finally {
      server.close();
    }
  });
});

describeEachEngine('audit rows with locations', (engine) => {
  it('the audit log stores the country and city of the address', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'latch-geoip-app-'));
    copyFileSync(join(testData, 'GeoLite2-City-Test.mmdb'), join(dataDir, 'city.mmdb'));
    const testApp = await createTestApp({ db: engine, env: { GEOLITE_DB_PATH: join(dataDir, 'city.mmdb') } });
    try {
      await testApp.services.audit.record({
        event: 'SIGN_IN',
        userId: null,
        ipAddress: '81.2.69.142',
        userAgent: 'x',
      });
      await testApp.services.audit.record({
        event: 'SIGN_IN',
        userId: null,
        ipAddress: '127.0.0.1',
        userAgent: 'x',
      });
      const rows = await testApp.db
        .selectFrom('audit_logs')
        .select(['ip_address', 'country', 'city'])
        .orderBy('ip_address')
        .execute();
      assert.deepEqual(rows, [
        { ip_address: '127.0.0.1', country: internalNetwork, city: null },
        { ip_address: '81.2.69.142', country: 'United Kingdom', city: 'London' },
      ]);
    } finally {
      await testApp.close();
    }
  });
});
