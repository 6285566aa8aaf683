/** Keeps the cookies a test client received from `app.inject()` responses, like a browser would. */
export function createCookieJar() {
  const cookies = new Map<string, string>();
  return {
    /** Stores (or removes, when expired) the cookies a response set. */
    update(response: { headers: Record<string, unknown> }) {
      const raw = response.headers['set-cookie'];
      const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
      for (const line of lines as string[]) {
        const [pair, ...attributes] = line.split(';');
        const index = pair.indexOf('=');
        const name = pair.slice(0, index).trim();
        const value = pair.slice(index + 1).trim();
        const expired = attributes.some(
          (attribute) =>
            /^\s*max-age=0\s*$/i.test(attribute) ||
            (/^\s*expires=/i.test(attribute) && new Date(attribute.split('=')[1]).getTime() < Date.now()),
        );
        if (expired || value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      return response;
    },
    get(name: string) {
      return cookies.get(name);
    },
    set(name: string, value: string) {
      cookies.set(name, value);
    },
    delete(name: string) {
      cookies.delete(name);
    },
    /** The `Cookie` request header. */
    header(): string {
      return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    },
  };
}

export type CookieJar = ReturnType<typeof createCookieJar>;
