import * as client from 'openid-client';
import type { TestApp } from './test-app.ts';

/**
 * A fetch that answers from the app in-process (`app.inject`), so `openid-client` can act as a real relying
 * party against a test app without a listening socket.
 */
export function injectFetch(testApp: TestApp): client.CustomFetch {
  return async (url, options) => {
    const target = new URL(url);
    const response = await testApp.app.inject({
      method: options.method as 'GET' | 'POST',
      url: `${target.pathname}${target.search}`,
      headers: options.headers,
      payload: options.body === undefined || options.body === null ? undefined : String(options.body),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const item of [value ?? []].flat()) headers.append(name, String(item));
    }
    return new Response(response.statusCode === 204 ? null : response.rawPayload, {
      status: response.statusCode,
      headers,
    });
  };
}

/** openid-client configured by discovery against the test app, as a confidential client with a secret. */
export async function discoverAsConfidentialClient(
  testApp: TestApp,
  clientId: string,
  clientSecret: string,
): Promise<client.Configuration> {
  return client.discovery(new URL(testApp.config.appUrl), clientId, clientSecret, undefined, {
    execute: [client.allowInsecureRequests],
    [client.customFetch]: injectFetch(testApp),
  });
}
