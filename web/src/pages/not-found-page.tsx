import { Button } from '@mantine/core';
import { IconCompass } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { StatusMessage } from '../components/status-message';

export function NotFoundPage() {
  const { t } = useTranslation();

  return (
    <StatusMessage
      icon={<IconCompass size={30} stroke={1.5} />}
      title={t('errors.notFound.title')}
      description={t('errors.notFound.description')}
      action={
        <Button component={Link} to="/" mt="xs">
          {t('errors.notFound.action')}
        </Button>
      }
    />
  );
}
