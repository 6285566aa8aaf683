import { Button } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { isRouteErrorResponse, useRouteError } from 'react-router';
import { AuthLayout } from '../components/auth-layout';
import { StatusMessage } from '../components/status-message';
import { NotFoundPage } from './not-found-page';

/** Replaces React Router's developer error screen when a route fails to render. */
export function RouteErrorPage() {
  const { t } = useTranslation();
  const error = useRouteError();

  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <AuthLayout>
        <NotFoundPage />
      </AuthLayout>
    );
  }
  return (
    <AuthLayout>
      <StatusMessage
        color="red"
        icon={<IconAlertTriangle size={30} stroke={1.5} />}
        title={t('errors.unexpected.title')}
        description={t('errors.unexpected.description')}
        action={
          <Button mt="xs" onClick={() => window.location.reload()}>
            {t('errors.unexpected.action')}
          </Button>
        }
      />
    </AuthLayout>
  );
}
