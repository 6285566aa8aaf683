import { Alert, Anchor, Button, Center, Code, Loader, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { currentUserQueryKey } from '../api/account';
import { useAppConfig } from '../api/app-config';
import { ApiError } from '../api/client';
import { type DeviceLoginRequest, exchangeDeviceLogin, startDeviceLogin } from '../api/device-login';
import { QrCode } from '../components/qr-code';
import { safeRedirect } from '../lib/safe-redirect';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `/login/alternative/device`: shows a code and a QR code for a signed-in device to approve, and waits
 * (long-polling) until it does.
 */
export function DeviceLoginPage() {
  const { t } = useTranslation();
  const { config } = useAppConfig();
  const [searchParams] = useSearchParams();
  const target = safeRedirect(
    searchParams.get('redirect'),
    config.homePageUrl || '/settings/account',
    window.location.origin,
  );
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [request, setRequest] = useState<DeviceLoginRequest>();
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new attempt starts a new request
  useEffect(() => {
    const abort = new AbortController();
    setRequest(undefined);
    setError(undefined);
    (async () => {
      let started: DeviceLoginRequest;
      try {
        started = await startDeviceLogin();
      } catch (failure) {
        if (!abort.signal.aborted) setError(failure instanceof ApiError ? failure.message : String(failure));
        return;
      }
      if (abort.signal.aborted) return;
      setRequest(started);
      while (!abort.signal.aborted) {
        const askedAt = Date.now();
        try {
          const user = await exchangeDeviceLogin(started.id, abort.signal);
          if (user) {
            queryClient.setQueryData(currentUserQueryKey, user);
            navigate(target, { replace: true });
            return;
          }
        } catch (failure) {
          if (abort.signal.aborted) return;
          // Denied, expired or refused: final. Network trouble and rate limits: try again shortly.
          const final = failure instanceof ApiError && failure.status >= 400 && failure.status !== 429;
          if (final) {
            setError(failure.message);
            return;
          }
        }
        const waited = Date.now() - askedAt;
        if (waited < started.interval * 1000) await pause(started.interval * 1000 - waited);
      }
    })();
    return () => abort.abort();
  }, [attempt]);

  return (
    <Stack gap="md" align="stretch" data-testid="device-login-page">
      <Title order={1} size="h2" ta="center">
        {t('deviceLogin.title')}
      </Title>
      <Text c="dimmed" ta="center">
        {t('deviceLogin.description')}
      </Text>
      {error ? (
        <>
          <Alert color="red" data-testid="device-login-error">
            {error}
          </Alert>
          <Button onClick={() => setAttempt((value) => value + 1)}>{t('deviceLogin.restart')}</Button>
        </>
      ) : request ? (
        <>
          <Center>
            <QrCode value={request.verificationUriComplete} label={t('deviceLogin.qrLabel')} />
          </Center>
          <Text ta="center" size="sm">
            {t('deviceLogin.orVisit')}{' '}
            <Anchor href={request.verificationUri} target="_blank" rel="noreferrer">
              {request.verificationUri}
            </Anchor>
          </Text>
          <Center>
            <Code fz="xl" fw={700} p="sm" data-testid="device-login-code">
              {request.userCode}
            </Code>
          </Center>
          <Center>
            <Loader size="sm" type="dots" aria-label={t('deviceLogin.waiting')} />
          </Center>
          <Text ta="center" size="sm" c="dimmed" role="status">
            {t('deviceLogin.waiting')}
          </Text>
        </>
      ) : (
        <Center>
          <Loader type="dots" aria-label={t('common.loading')} />
        </Center>
      )}
      <Anchor component={Link} to="/login" size="sm" ta="center">
        {t('deviceLogin.back')}
      </Anchor>
    </Stack>
  );
}
