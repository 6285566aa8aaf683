import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { StatusMessage } from '../../components/status-message';

/** `/interaction/error?error=...`: why a sign-in cannot continue (never redirected to an unverified client). */
export function InteractionErrorPage() {
  const { t } = useTranslation();
  const [searchParams] = useSearchParams();
  const error = searchParams.get('error') ?? 'unknown_error';
  if (error === 'access_denied') {
    return (
      <StatusMessage
        icon={<IconLock />}
        color="red"
        title={t('interaction.deniedTitle')}
        description={t('interaction.deniedDescription')}
      />
    );
  }
  return (
    <StatusMessage
      icon={<IconAlertTriangle />}
      color="red"
      title={t('interaction.errorTitle')}
      description={t('interaction.errorDescription', { error })}
    />
  );
}
