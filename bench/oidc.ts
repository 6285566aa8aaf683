/**
 * OIDC throughput: discovery, JWKS, client-credentials token and userinfo, for Latch on SQLite and PostgreSQL
 * beside a bare oidc-provider with its memory adapter, in one run. Load comes from an in-process loop of
 * `fetch` calls with fixed concurrency against real listening servers; numbers are requests per second and
 * ratios to the bare engine (DESIGN §6: token and userinfo at least 1x).
 *
 *   npm run bench:oidc [-- seconds-per-endpoint concurrency]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { createSignedInUser } from '../test/helpers/sign-in.ts';
import { createTestApp, isPostgresAvailable, type TestApp } from '../test/helpers/test-app.ts';
import { authorize, createConfidentialClient, redirectUri, tokenRequest } from '../test/oidc/flow-helpers.ts';

const seconds = Number(process.argv[2] ?? 3);
const concurrency = Number(process.argv[3] ?? 32);

interface Target {
  readonly name: string;
  readonly url: string;
  readonly basic: string;
  readonly accessToken: string;
  close(): Promise<void>;
}

interface Endpoint {
  readonly name: string;
  request(target: Target): Promise<Response>;
}

const endpoints: Endpoint[] = [
  { name: 'discovery', request: (t) => fetch(`${t.url}/.well-known/openid-configuration`) },
  {
    name: 'jwks',
    request: (t) => fetch(`${t.url}${t.name === 'bare' ? '/jwks' : '/.well-known/jwks.json'}`),
  },
  {
    name: 'client_credentials',
    request: (t) =>
      fetch(`${t.url}${t.name === 'bare' ? '/token' : '/api/oidc/token'}`, {
        method: 'POST',
        headers: { authorization: t.basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
  },
  {
    name: 'userinfo',
    request: (t) =>
      fetch(`${t.url}${t.name === 'bare' ? '/me' : '/api/oidc/userinfo'}`, {
        headers: { authorization: `Bearer ${t.accessToken}` },
      }),
  },
];

async function measure(target: Target, endpoint: Endpoint): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const response = await endpoint.request(target);
      await response.arrayBuffer();
      if (response.ok) done += 1;
      else failed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failed > 0) {
    const sample = await endpoint.request(target);
    process.stderr.write(
      `${target.name} ${endpoint.name}: ${failed} failed (${sample.status} ${await sample.text()})\n`,
    );
  }
  return done / ((performance.now() - started) / 1000);
}

async function latchTarget(engine: 'sqlite' | 'postgres'): Promise<Target> {
  const testApp: TestApp = await createTestApp({ db: engine });
  const client = await createConfidentialClient(testApp, { skipConsent: true });
  const signedIn = await createSignedInUser(testApp);
  const { code } = await authorize(testApp, signedIn, {
    client_id: client.id,
    response_type: 'code',
    scope: 'openid profile email',
    redirect_uri: redirectUri,
  });
  const tokens = (
    await tokenRequest(
      testApp,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
      { authorization: client.basic },
    )
  ).json();
  await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = testApp.app.server.address() as AddressInfo;
  return {
    name: `latch-${engine}`,
    url: `http://127.0.0.1:${port}`,
    basic: client.basic,
    accessToken: tokens.access_token,
    close: () => testApp.close(),
  };
}

async function bareTarget(): Promise<Target> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const provider = new Provider(url, {
    clients: [
      {
        client_id: 'bench',
        client_secret: 'bench-secret-0123456789',
        grant_types: ['client_credentials', 'authorization_code'],
        redirect_uris: [redirectUri],
      },
    ],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    async findAccount(_ctx: unknown, sub: string) {
      return { accountId: sub, claims: async () => ({ sub, email: 'bench@example.com' }) };
    },
    claims: { openid: ['sub'], email: ['email'] },
    scopes: ['openid', 'email'],
  });
  server.on('request', provider.callback());
  const client = await provider.Client.find('bench');
  const grant = new provider.Grant({ accountId: 'bench-user', clientId: 'bench' });
  grant.addOIDCScope('openid email');
  const grantId = await grant.save();
  const accessToken = await new provider.AccessToken({
    accountId: 'bench-user',
    client,
    grantId,
    scope: 'openid email',
  }).save();
  return {
    name: 'bare',
    url,
    basic: `Basic ${Buffer.from('bench:bench-secret-0123456789').toString('base64')}`,
    accessToken,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const targets: Target[] = [await bareTarget(), await latchTarget('sqlite')];
if (await isPostgresAvailable()) targets.push(await latchTarget('postgres'));

const results = new Map<string, Map<string, number>>();
for (const endpoint of endpoints) {
  const row = new Map<string, number>();
  for (const target of targets) row.set(target.name, await measure(target, endpoint));
  results.set(endpoint.name, row);
}
for (const target of targets) await target.close();

process.stdout.write(
  `\nOIDC throughput, requests/s (${seconds}s per cell, concurrency ${concurrency}, one process)\n`,
);
const names = targets.map((target) => target.name);
process.stdout.write(
  `${'endpoint'.padEnd(20)}${names.map((name) => name.padStart(16)).join('')}  ratio vs bare\n`,
);
for (const [endpoint, row] of results) {
  const bare = row.get('bare') ?? 1;
  const cells = names.map((name) => (row.get(name) ?? 0).toFixed(0).padStart(16)).join('');
  const ratios = names
    .filter((name) => name !== 'bare')
    .map((name) => `${name} ${((row.get(name) ?? 0) / bare).toFixed(2)}x`)
    .join(', ');
  process.stdout.write(`${endpoint.padEnd(20)}${cells}  ${ratios}\n`);
}
