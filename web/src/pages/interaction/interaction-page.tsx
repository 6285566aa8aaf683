import { Avatar, Button, Group, List, Loader, Stack, Text, Title } from '@mantine/core';
import { IconClockX } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { reauthenticate, signOut } from '../../api/account';
import { ApiError, apiGet, apiPost } from '../../api/client';
import { StatusMessage } from '../../components/status-message';

interface InteractionDetails {
  id: string;
  scopes: string[];
  scopeInfo: { key: string; name: string; description: string }[];
  client: { id: string; name: string; hasLogo: boolean };
  currentStep: 'authenticate' | 'reauthenticate' | 'select_account' | 'consent';
  requiredSteps: string[];
  account: { id: string; name: string; username: string; email: string | null } | null;
}

type Completion = { redirectUrl: string } | { interaction: InteractionDetails };

/** `/interaction?interaction=<id>`: the steps /authorize hands the browser to (sign-in, consent). */
export function InteractionPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const id = searchParams.get('interaction') ?? '';
  const [details, setDetails] = useState<InteractionDetails>();
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);

  const fail = (error: unknown) => {
    if (error instanceof ApiError && error.code === 'access_denied') {
      navigate('/interaction/error?error=access_denied', { replace: true });
    } else if (error instanceof ApiError && error.status === 401) {
      navigate(`/login?redirect=${encodeURIComponent(`/interaction?interaction=${id}`)}`, { replace: true });
    } else {
      setFailed(true);
    }
  };

  const follow = (result: Completion) => {
    if ('redirectUrl' in result) window.location.assign(result.redirectUrl);
    else setDetails(result.interaction);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per interaction id
  useEffect(() => {
    apiGet<InteractionDetails>(`/api/oidc/interactions/${encodeURIComponent(id)}`)
      .then(async (loaded) => {
        if (loaded.currentStep === 'authenticate' || loaded.currentStep === 'reauthenticate') {
          const back = encodeURIComponent(`/interaction?interaction=${id}`);
          const complete = () =>
            apiPost<Completion>(`/api/oidc/interactions/${id}/complete`, { body: { step: 'authenticate' } });
          // Signed in already: the sign-in step completes by itself; otherwise sign in first.
          try {
            follow(await complete());
          } catch (error) {
            if (error instanceof ApiError && error.code === 'reauthentication_required') {
              // The application wants a recent sign-in: a fresh passkey assertion, then the same step again.
              try {
                await reauthenticate();
                follow(await complete());
              } catch (again) {
                fail(again);
              }
            } else if (error instanceof ApiError && error.status === 401) {
              navigate(`/login?redirect=${back}`, { replace: true });
            } else fail(error);
          }
          return;
        }
        setDetails(loaded);
      })
      .catch(fail);
  }, [id]);

  const decide = async (approve: boolean) => {
    setBusy(true);
    try {
      follow(
        approve
          ? await apiPost<Completion>(`/api/oidc/interactions/${id}/complete`, { body: { step: 'consent' } })
          : await apiPost<Completion>(`/api/oidc/interactions/${id}/abort`),
      );
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  };

  const chooseAccount = async () => {
    setBusy(true);
    try {
      follow(
        await apiPost<Completion>(`/api/oidc/interactions/${id}/complete`, {
          body: { step: 'select_account' },
        }),
      );
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  };

  /** Signs out of Latch and back in with another passkey; the interaction continues with that account. */
  const switchAccount = async () => {
    setBusy(true);
    try {
      await signOut();
      navigate(`/login?redirect=${encodeURIComponent(`/interaction?interaction=${id}`)}`, { replace: true });
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  };

  if (failed) {
    return (
      <StatusMessage
        icon={<IconClockX />}
        title={t('interaction.expiredTitle')}
        description={t('interaction.expiredDescription')}
      />
    );
  }
  if (!details) {
    return (
      <Stack align="center" py="md">
        <Loader aria-label={t('interaction.loading')} />
      </Stack>
    );
  }
  const clientName = details.client.name;
  if (details.currentStep === 'select_account' && details.account) {
    const { account } = details;
    return (
      <Stack gap="md" data-testid="select-account-page">
        <Title order={1} size="h3" ta="center">
          {t('interaction.selectAccountTitle', { clientName })}
        </Title>
        <Text c="dimmed" ta="center">
          {t('interaction.selectAccountDescription')}
        </Text>
        <Group justify="center" gap="sm">
          <Avatar src={`/api/users/${encodeURIComponent(account.id)}/profile-picture.png`} alt="" />
          <Stack gap={0}>
            <Text fw={500} data-testid="select-account-name">
              {account.name}
            </Text>
            <Text size="sm" c="dimmed">
              {account.email ?? account.username}
            </Text>
          </Stack>
        </Group>
        <Button onClick={chooseAccount} loading={busy} data-testid="select-account-continue">
          {t('interaction.selectAccountContinue', { name: account.name })}
        </Button>
        <Button variant="default" onClick={switchAccount} disabled={busy} data-testid="select-account-other">
          {t('interaction.selectAccountOther')}
        </Button>
      </Stack>
    );
  }
  return (
    <Stack gap="md" data-testid="consent-page">
      <Group justify="center">
        {details.client.hasLogo && (
          <Avatar src={`/api/oidc/clients/${encodeURIComponent(details.client.id)}/logo`} alt="" size="lg" />
        )}
      </Group>
      <Title order={1} size="h3" ta="center">
        {t('interaction.consentTitle', { clientName })}
      </Title>
      <Text c="dimmed">{t('interaction.consentDescription', { clientName })}</Text>
      <List spacing="xs">
        {details.scopeInfo.map((scope) => (
          <List.Item key={scope.key}>
            <Text fw={500}>{scope.name}</Text>
            <Text size="sm" c="dimmed">
              {scope.description}
            </Text>
          </List.Item>
        ))}
      </List>
      <Group grow>
        <Button variant="default" onClick={() => decide(false)} disabled={busy}>
          {t('interaction.deny')}
        </Button>
        <Button onClick={() => decide(true)} loading={busy} data-testid="consent-approve">
          {t('interaction.approve')}
        </Button>
      </Group>
    </Stack>
  );
}
