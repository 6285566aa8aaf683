import { Alert, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { ApiError, apiPost } from '../api/client';
import { AddPasskeyStep } from '../components/add-passkey-step';
import { safeRedirect } from '../lib/safe-redirect';

/** `/lc/:code`, `/lc` and `/login/alternative/code?code=`: sign in with a login code, then offer a passkey. */
export function LoginCodePage() {
  const { t } = useTranslation();
  const params = useParams();
  const [searchParams] = useSearchParams();
  const initial = params.code ?? searchParams.get('code') ?? '';
  const target = safeRedirect(searchParams.get('redirect'), '/settings/account', window.location.origin);
  const [code, setCode] = useState(initial);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [signedIn, setSignedIn] = useState(false);
  const tried = useRef(false);

  const exchange = async (value: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await apiPost(`/api/one-time-access-token/${encodeURIComponent(value.trim())}`);
      setSignedIn(true);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  // A code in the link is used right away (once, even under React's double effects in development).
  // biome-ignore lint/correctness/useExhaustiveDependencies: run once
  useEffect(() => {
    if (initial && !tried.current) {
      tried.current = true;
      void exchange(initial);
    }
  }, []);

  if (signedIn) return <AddPasskeyStep allowSkip onDone={() => window.location.assign(target)} />;

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void exchange(code);
      }}
    >
      <Stack gap="md" data-testid="login-code-page">
        <Title order={1} size="h2" ta="center">
          {t('loginCode.title')}
        </Title>
        <Text c="dimmed" ta="center">
          {t('loginCode.description')}
        </Text>
        {error && (
          <Alert color="red" data-testid="login-code-error">
            {error}
          </Alert>
        )}
        <TextInput
          label={t('loginCode.code')}
          value={code}
          onChange={(event) => setCode(event.currentTarget.value)}
          autoComplete="one-time-code"
          data-testid="login-code-input"
        />
        <Button type="submit" loading={busy} disabled={code.trim() === ''} data-testid="login-code-submit">
          {t('loginCode.action')}
        </Button>
      </Stack>
    </form>
  );
}
