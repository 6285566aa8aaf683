import { Card } from '@mantine/core';
import { IconLayoutDashboard } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useAppConfig } from '../api/app-config';
import { StatusMessage } from '../components/status-message';

export function SettingsHomePage() {
  const { t } = useTranslation();
  const { config } = useAppConfig();

  return (
    <Card withBorder radius="lg" padding="xl" maw={720} mx="auto" mt="md">
      <StatusMessage
        icon={<IconLayoutDashboard size={30} stroke={1.5} />}
        title={t('settings.welcome.title', { appName: config.appName })}
        description={t('settings.welcome.description')}
      />
    </Card>
  );
}
