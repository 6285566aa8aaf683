/**
 * One server for bench/oidc.ts, in its own process so the load generator does not share its CPU:
 *   node bench/oidc-target.ts hello | bare | latch-sqlite | latch-postgres
 * Prints one JSON line ({ url, basic, accessToken }) once it listens, and runs until killed.
 * `--cpu-prof` on this process profiles the server alone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import Provider from 'oidc-provider';
import { createSignedInUser } from '../test/helpers/sign-in.ts';
import { createTestApp, type TestApp } from '../test/helpers/test-app.ts';
import { authorize, createConfidentialClient, redirectUri, tokenRequest } from '../test/oidc/flow-helpers.ts';

export interface TargetInfo {
  readonly url: string;
  readonly basic: string;
  readonly accessToken: string;
}

async function helloTarget(): Promise<TargetInfo> {
  const app = Fastify();
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, basic: '', accessToken: '' };
}

/**
 * oidc-provider with its memory adapter. Client-credentials tokens are RFC 9068 JWTs here too (a resource server
 * with `accessTokenFormat: 'jwt'`), so both sides sign a token per request; userinfo takes an opaque token
 * because the engine refuses tokens with an audience there.
 */
async function bareTarget(): Promise<TargetInfo> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const resource = `${url}/api`;
  const provider = new Provider(url, {
    clients: [
      {
        client_id: 'bench',
        client_secret: 'bench-secret-0123456789',
        grant_types: ['client_credentials', 'authorization_code'],
        redirect_uris: [redirectUri],
      },
    ],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api', audience: resource, accessTokenFormat: 'jwt' }),
      },
    },
    routes: { jwks: '/.well-known/jwks.json', userinfo: '/api/oidc/userinfo', token: '/api/oidc/token' },
    async findAccount(_ctx: unknown, sub: string) {
      return { accountId: sub, claims: async () => ({ sub, email: 'bench@example.com' }) };
    },
    claims: { openid: ['sub'], email: ['email'] },
    scopes: ['openid', 'email', 'api'],
    ttl: { AccessToken: 3600, ClientCredentials: 3600, Grant: 3600 },
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
    gty: 'authorization_code',
    scope: 'openid email',
  }).save();
  return {
    url,
    basic: `Basic ${Buffer.from('bench:bench-secret-0123456789').toString('base64')}`,
    accessToken,
  };
}

async function latchTarget(engine: 'sqlite' | 'postgres'): Promise<TargetInfo> {
  const testApp: TestApp = await createTestApp({ db: engine });
  const client = await createConfidentialClient(testApp, { skipConsent: true });
  const signedIn = await createSignedInUser(testApp);
  const { code } = await authorize(testApp, signedIn, {
    client_id: client.id,
    response_type: 'code',
    scope: 'openid profile email groups',
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
  process.on('SIGTERM', () => void testApp.close().finally(() => process.exit(0)));
  return { url: `http://127.0.0.1:${port}`, basic: client.basic, accessToken: tokens.access_token };
}

const kind = process.argv[2];
const info =
  kind === 'hello'
    ? await helloTarget()
    : kind === 'bare'
      ? await bareTarget()
      : kind === 'latch-sqlite' || kind === 'latch-postgres'
        ? await latchTarget(kind === 'latch-sqlite' ? 'sqlite' : 'postgres')
        : undefined;
if (!info) throw new Error(`unknown target ${kind}`);
if (!kind.startsWith('latch')) process.on('SIGTERM', () => process.exit(0));
process.stdout.write(`${JSON.stringify(info)}\n`);
