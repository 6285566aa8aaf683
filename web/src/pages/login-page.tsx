import { Alert, Anchor, Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { browserSupportsWebAuthnAutofill } from '@simplewebauthn/browser';
import { IconFingerprint } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { signInWithPasskey } from '../api/account';
import { useAppConfig } from '../api/app-config';
import { usePasskeyErrorMessage } from '../components/passkey-error';
import { safeRedirect } from '../lib/safe-redirect';

/** `/login?redirect=/path`: discoverable passkey sign-in, with passkey autofill where the browser offers it. */
export function LoginPage() {
  const { t } = useTranslation();
  const { config } = useAppConfig();
  const [searchParams] = useSearchParams();
  const describe = usePasskeyErrorMessage();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const target = safeRedirect(
    searchParams.get('redirect'),
    config.homePageUrl || '/settings/account',
    window.location.origin,
  );

  // Conditional mediation: the browser offers passkeys in the username field's autofill. It starts when the
  // field gets focus, so a click on the button never races an autofill answer.
  const autofillStarted = useRef(false);
  const startAutofill = () => {
    if (autofillStarted.current) return;
    autofillStarted.current = true;
    browserSupportsWebAuthnAutofill()
      .then((supported) => (supported ? signInWithPasskey(true) : undefined))
      .then((user) => {
        if (user) window.location.assign(target);
      })
      .catch((failure) => {
        autofillStarted.current = false;
        // An aborted autofill (the button was pressed) is expected; anything else is worth saying.
        if ((failure as { name?: string })?.name !== 'AbortError') setError(describe(failure));
      });
  };

  const signIn = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await signInWithPasskey();
      window.location.assign(target);
    } catch (failure) {
      setError(describe(failure));
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <Stack gap="xs" ta="center">
        <Title order={1} size="h2" data-testid="login-page">
          {t('login.title')}
        </Title>
        <Text c="dimmed">{t('login.subtitle', { appName: config.appName })}</Text>
      </Stack>
      {error && (
        <Alert color="red" data-testid="sign-in-error" role="alert">
          {error}
        </Alert>
      )}
      <TextInput
        label={t('login.username')}
        name="username"
        autoComplete="username webauthn"
        onFocus={startAutofill}
        data-testid="login-username"
        placeholder={t('login.usernamePlaceholder')}
      />
      <Button
        size="md"
        leftSection={<IconFingerprint size={18} />}
        onClick={signIn}
        loading={busy}
        data-testid="passkey-sign-in"
      >
        {t('login.action')}
      </Button>
      <Group justify="center" gap="lg">
        <Anchor component={Link} to="/login/alternative/code" size="sm">
          {t('login.useCode')}
        </Anchor>
        <Anchor component={Link} to="/login/alternative/device" size="sm" data-testid="use-other-device">
          {t('login.useDevice')}
        </Anchor>
        {config.allowUserSignups === 'open' && (
          <Anchor component={Link} to="/signup" size="sm">
            {t('login.signUp')}
          </Anchor>
        )}
      </Group>
    </Stack>
  );
}
