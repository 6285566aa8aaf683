import { Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useAppConfig } from '../api/app-config';

export function LoginPage() {
  const { t } = useTranslation();
  const { config } = useAppConfig();

  return (
    <Stack gap="xs" ta="center">
      <Title order={1} size="h2" data-testid="login-page">
        {t('login.title')}
      </Title>
      <Text c="dimmed">{t('login.subtitle', { appName: config.appName })}</Text>
    </Stack>
  );
}
