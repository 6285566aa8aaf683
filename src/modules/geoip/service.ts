import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import maxmind, { type CityResponse, type Reader } from 'maxmind';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.ts';
import { extractFileFromTar } from './tar.ts';

export interface Location {
  readonly country: string | null;
  readonly city: string | null;
}

export const internalNetwork = 'Internal Network';

export interface GeoIp {
  /** Country and city of an address: "Internal Network" for private ones, nulls when unknown. */
  locate(ip: string | null): Location;
  /** Opens the GeoLite2 database file if there is one. A corrupt file is logged and ignored. */
  load(): Promise<void>;
  /** Downloads a fresh database with MAXMIND_LICENSE_KEY when it is missing or older than `maxAgeMs`. */
  refresh(options?: { maxAgeMs?: number }): Promise<'downloaded' | 'fresh' | 'no-license-key'>;
}

function privateAddresses(localIpv6Ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['100.64.0.0', 10],
  ] as const) {
    list.addSubnet(network, prefix, 'ipv4');
  }
  list.addAddress('::1', 'ipv6');
  list.addSubnet('fc00::', 7, 'ipv6');
  list.addSubnet('fe80::', 10, 'ipv6');
  for (const range of localIpv6Ranges) {
    const [network, prefix] = range.split('/');
    if (isIP(network) === 6 && Number(prefix) >= 0 && Number(prefix) <= 128) {
      list.addSubnet(network, Number(prefix), 'ipv6');
    }
  }
  return list;
}

/** `::ffff:192.0.2.1` -> `192.0.2.1`, so IPv4 peers on dual-stack sockets are matched as IPv4. */
function normaliseAddress(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export function createGeoIp(deps: { config: Config; logger: Logger }): GeoIp {
  const { config, logger } = deps;
  const privateRanges = privateAddresses(config.localIpv6Ranges);
  let reader: Reader<CityResponse> | undefined;

  const load = async () => {
    try {
      statSync(config.geoliteDbPath);
    } catch {
      return;
    }
    try {
      reader = await maxmind.open<CityResponse>(config.geoliteDbPath, { watchForUpdates: false });
    } catch (error) {
      reader = undefined;
      logger.warn(
        { err: error, path: config.geoliteDbPath },
        'the GeoLite2 database cannot be read; locations stay unknown',
      );
    }
  };

  return {
    locate(ip) {
      if (!ip) return { country: null, city: null };
      const address = normaliseAddress(ip);
      const family = isIP(address);
      if (family === 0) return { country: null, city: null };
      if (privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6'))
        return { country: internalNetwork, city: null };
      try {
        const record = reader?.get(address);
        return { country: record?.country?.names.en ?? null, city: record?.city?.names.en ?? null };
      } catch {
        return { country: null, city: null };
      }
    },

    load,

    async refresh(options = {}) {
      if (!config.maxmindLicenseKey) return 'no-license-key';
      const maxAgeMs = options.maxAgeMs ?? 14 * 24 * 60 * 60 * 1000;
      try {
        if (Date.now() - statSync(config.geoliteDbPath).mtimeMs < maxAgeMs) return 'fresh';
      } catch {
        // missing: download it
      }
      const url = config.geoliteDbUrl.replace('%s', encodeURIComponent(config.maxmindLicenseKey));
      const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      if (!response.ok) throw new Error(`GeoLite2 download failed with HTTP ${response.status}`);
      const archive = Buffer.from(await response.arrayBuffer());
      const database = extractFileFromTar(gunzipSync(archive), (name) => name.endsWith('.mmdb'));
      if (!database) throw new Error('the GeoLite2 download holds no .mmdb file');
      mkdirSync(dirname(config.geoliteDbPath), { recursive: true });
      const temporary = `${config.geoliteDbPath}.download`;
      writeFileSync(temporary, database);
      renameSync(temporary, config.geoliteDbPath);
      await load();
      logger.info({ path: config.geoliteDbPath }, 'GeoLite2 database updated');
      return 'downloaded';
    },
  };
}
