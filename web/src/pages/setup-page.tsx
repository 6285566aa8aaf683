import { Anchor, Loader, Stack, Text } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useAppConfig } from '../api/app-config';
import { ApiError, apiGet, apiPost } from '../api/client';
import { AddPasskeyStep } from '../components/add-passkey-step';
import { StatusMessage } from '../components/status-message';
import { type AccountFields, AccountForm } from './account-form';

const goToAccount = () => window.location.assign('/settings/account');

/** `/setup`: while no account exists, create the first admin and its passkey. */
export function SetupPage() {
  const { t } = useTranslation();
  const [created, setCreated] = useState(false);
  const status = useQuery({
    queryKey: ['signup', 'setup'],
    queryFn: () => apiGet('/api/signup/setup').then(() => true),
    retry: false,
  });

  if (created) return <AddPasskeyStep onDone={goToAccount} />;
  if (status.isPending) return <Loader mx="auto" />;
  if (status.error instanceof ApiError && status.error.code === 'setup_not_available') {
    return (
      <StatusMessage
        icon={<IconCircleCheck size={30} />}
        title={t('setup.doneTitle')}
        description={t('setup.doneDescription')}
        action={
          <Anchor component={Link} to="/login">
            {t('login.title')}
          </Anchor>
        }
      />
    );
  }
  return (
    <Stack gap="xs" data-testid="setup-page">
      <Text c="dimmed" ta="center" size="sm">
        {t('setup.description')}
      </Text>
      <AccountForm
        title={t('setup.title')}
        submitLabel={t('setup.action')}
        onSubmit={async (values) => {
          await apiPost('/api/signup/setup', { body: toBody(values) });
          setCreated(true);
        }}
      />
    </Stack>
  );
}

/** `/signup` (open signup) and `/st/:token` (invitation): create an account, then its passkey. */
export function SignupPage() {
  const { t } = useTranslation();
  const { config } = useAppConfig();
  const { token } = useParams();
  const [created, setCreated] = useState(false);

  if (created) return <AddPasskeyStep onDone={goToAccount} />;
  if (!token && config.allowUserSignups !== 'open') {
    return (
      <StatusMessage
        icon={<IconCircleCheck size={30} />}
        title={t('signup.closedTitle')}
        description={t('signup.closedDescription')}
      />
    );
  }
  return (
    <AccountForm
      title={t('signup.title', { appName: config.appName })}
      submitLabel={t('signup.action')}
      onSubmit={async (values) => {
        await apiPost('/api/signup', { body: { ...toBody(values), ...(token ? { token } : {}) } });
        setCreated(true);
      }}
    />
  );
}

function toBody(values: AccountFields) {
  return {
    username: values.username.trim(),
    firstName: values.firstName.trim(),
    lastName: values.lastName.trim(),
    email: values.email.trim() || null,
  };
}
