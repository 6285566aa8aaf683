/** The few HTML pages the engine renders itself: errors, logout confirmation and the device code steps. */

type Untyped = any;

function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const style = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1a1b1e;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:32px;max-width:380px;width:100%}
h1{font-size:1.3rem;margin:0 0 12px}p{color:#555;line-height:1.4}button,input{font:inherit;width:100%;box-sizing:border-box;padding:10px;border-radius:8px;margin-top:10px}
button{border:0;background:#1c7ed6;color:#fff;cursor:pointer}button.secondary{background:#e9ecef;color:#1a1b1e}
input{border:1px solid #ced4da;text-transform:uppercase;text-align:center;letter-spacing:2px}code{font-size:1.1rem}`;

function page(ctx: Untyped, title: string, body: string): void {
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${style}</style></head><body><main>${body}</main></body></html>`;
}

function nonce(ctx: Untyped): string {
  return ctx.state?.cspNonce ?? '';
}

export async function renderEngineError(ctx: Untyped, out: Record<string, string>): Promise<void> {
  page(
    ctx,
    'Something went wrong',
    `<h1>Something went wrong</h1><p>The application sent an invalid sign-in request. You can close this page.</p><p><strong>${escapeHtml(out.error)}</strong>: ${escapeHtml(out.error_description)}</p>`,
  );
}

/**
 * The logout step. It submits itself only when the RP's id_token_hint verified and names the signed-in user
 * (decided by the caller: `autoSubmit`); otherwise the user confirms, so a link cannot sign anyone out.
 */
export async function renderLogoutPage(ctx: Untyped, form: string, autoSubmit: boolean): Promise<void> {
  if (autoSubmit) {
    const submitting = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
    page(
      ctx,
      'Signing out',
      `${submitting}<p>Signing you out…</p><noscript><button type="submit" form="op.logoutForm">Continue</button></noscript><script nonce="${nonce(ctx)}">document.forms[0].submit()</script>`,
    );
    return;
  }
  page(
    ctx,
    'Sign out',
    `<h1>Sign out?</h1><p>Do you want to sign out of ${escapeHtml(ctx.host)}?</p>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button><button class="secondary" type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
}

export async function renderUserCodePage(
  ctx: Untyped,
  form: string,
  _out: unknown,
  error: Untyped,
): Promise<void> {
  const message = error
    ? error.userCode || error.name === 'NoCodeError'
      ? 'The code you entered is not valid. Try again.'
      : 'The request could not be processed. Try again.'
    : 'Enter the code shown on your device.';
  page(
    ctx,
    'Device sign-in',
    `<h1>Device sign-in</h1><p role="status">${escapeHtml(message)}</p>${form}<button type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

export async function renderUserCodeConfirmPage(
  ctx: Untyped,
  form: string,
  client: Untyped,
  _deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  page(
    ctx,
    'Device sign-in',
    `<h1>Sign in to ${escapeHtml(client.clientName ?? client.clientId)}?</h1><p>Check that this code matches the one on your device:</p><p><code>${escapeHtml(userCode)}</code></p>${form}<button autofocus type="submit" form="op.deviceConfirmForm">Approve</button><button class="secondary" type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Deny</button>`,
  );
}

export async function renderDeviceSuccessPage(ctx: Untyped): Promise<void> {
  page(ctx, 'Device signed in', '<h1>Done</h1><p>Your device is now signed in. You can close this page.</p>');
}
