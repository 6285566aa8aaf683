import { Alert, Button, Center, Group, Loader, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useSearchParams } from 'react-router';
import { reauthenticate, useCurrentUser } from '../api/account';
import { ApiError } from '../api/client';
import { type DeviceLoginInfo, decideDeviceLogin, describeDeviceLogin } from '../api/device-login';
import { usePasskeyErrorMessage } from '../components/passkey-error';

/**
 * `/login/device-approve?code=P…` (where `/device?code=P…` leads): a signed-in user checks which device asks
 * to sign in as them, confirms with their passkey, and approves or denies it.
 */
export function DeviceApprovePage() {
  const { t } = useTranslation();
  const { user, isPending } = useCurrentUser();
  const location = useLocation();
  const [searchParams] = useSearchParams();
  const describeError = usePasskeyErrorMessage();
  const [code, setCode] = useState(searchParams.get('code') ?? '');
  const [info, setInfo] = useState<DeviceLoginInfo>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<'approved' | 'denied'>();
  const looked = useRef(false);

  const lookUp = async (value: string) => {
    setBusy(true);
    setError(undefined);
    try {
      setInfo(await describeDeviceLogin(value.trim()));
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  const decide = async (decision: 'approve' | 'deny') => {
    if (!info) return;
    setBusy(true);
    setError(undefined);
    try {
      await reauthenticate();
      await decideDeviceLogin(info.userCode, decision);
      setOutcome(decision === 'approve' ? 'approved' : 'denied');
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: look the code in the link up once
  useEffect(() => {
    if (user && code && !looked.current) {
      looked.current = true;
      void lookUp(code);
    }
  }, [user]);

  if (isPending) {
    return (
      <Center>
        <Loader type="dots" aria-label={t('common.loading')} />
      </Center>
    );
  }
  if (!user) {
    const back = encodeURIComponent(`${location.pathname}${location.search}`);
    return <Navigate to={`/login?redirect=${back}`} replace />;
  }

  if (outcome) {
    return (
      <Stack gap="md" data-testid="device-approve-done">
        <Title order={1} size="h2" ta="center">
          {t(outcome === 'approved' ? 'deviceApprove.approved' : 'deviceApprove.denied')}
        </Title>
        <Text c="dimmed" ta="center">
          {t(outcome === 'approved' ? 'deviceApprove.approvedHelp' : 'deviceApprove.deniedHelp')}
        </Text>
      </Stack>
    );
  }

  return (
    <Stack gap="md" data-testid="device-approve-page">
      <Title order={1} size="h2" ta="center">
        {t('deviceApprove.title')}
      </Title>
      {error && (
        <Alert color="red" data-testid="device-approve-error">
          {error}
        </Alert>
      )}
      {info ? (
        <>
          <Text ta="center">{t('deviceApprove.question', { name: user.displayName || user.username })}</Text>
          <Table variant="vertical" withTableBorder>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th>{t('deviceApprove.code')}</Table.Th>
                <Table.Td>{info.userCode}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('deviceApprove.device')}</Table.Th>
                <Table.Td data-testid="device-approve-agent">{info.userAgent ?? '—'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('deviceApprove.ipAddress')}</Table.Th>
                <Table.Td>{info.ipAddress ?? '—'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('deviceApprove.requestedAt')}</Table.Th>
                <Table.Td>{new Date(info.createdAt).toLocaleString()}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
          <Text size="sm" c="dimmed">
            {t('deviceApprove.warning')}
          </Text>
          <Group grow>
            <Button
              variant="default"
              onClick={() => decide('deny')}
              disabled={busy}
              data-testid="device-deny"
            >
              {t('deviceApprove.deny')}
            </Button>
            <Button onClick={() => decide('approve')} loading={busy} data-testid="device-approve">
              {t('deviceApprove.approve')}
            </Button>
          </Group>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void lookUp(code);
          }}
        >
          <Stack gap="md">
            <Text c="dimmed" ta="center">
              {t('deviceApprove.enterCode')}
            </Text>
            <TextInput
              label={t('deviceApprove.code')}
              value={code}
              onChange={(event) => setCode(event.currentTarget.value)}
              autoComplete="off"
              data-testid="device-approve-code"
            />
            <Button type="submit" loading={busy} disabled={code.trim() === ''}>
              {t('deviceApprove.continue')}
            </Button>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
