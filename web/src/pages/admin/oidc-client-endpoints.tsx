import { Alert, Card, Loader, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet } from '../../api/client';
import { CopyField } from './copy-field';

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  end_session_endpoint: string;
  jwks_uri: string;
  introspection_endpoint?: string;
  pushed_authorization_request_endpoint?: string;
  device_authorization_endpoint?: string;
}

/** The server's discovery document: its `issuer` is APP_URL. */
export function useDiscovery() {
  return useQuery({
    queryKey: ['openid-configuration'],
    queryFn: () => apiGet<Discovery>('/.well-known/openid-configuration'),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/**
 * The values the client guides ask to copy. They come from the server's discovery document, so they use
 * APP_URL (issuer, authorization, logout) and INTERNAL_APP_URL (token, userinfo, JWKS, ...) as configured,
 * whatever address the admin's browser uses.
 */
export function EndpointsPanel({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const discovery = useDiscovery();
  const data = discovery.data;
  const endpoints: Array<[string, string, string | undefined]> = data
    ? [
        ['client-id', t('admin.clients.clientId'), clientId],
        ['issuer', t('admin.clients.endpoints.issuer'), data.issuer],
        [
          'discovery',
          t('admin.clients.endpoints.discovery'),
          `${data.issuer}/.well-known/openid-configuration`,
        ],
        ['authorization', t('admin.clients.endpoints.authorization'), data.authorization_endpoint],
        ['token', t('admin.clients.endpoints.token'), data.token_endpoint],
        ['userinfo', t('admin.clients.endpoints.userinfo'), data.userinfo_endpoint],
        ['logout', t('admin.clients.endpoints.logout'), data.end_session_endpoint],
        ['jwks', t('admin.clients.endpoints.jwks'), data.jwks_uri],
        ['introspection', t('admin.clients.endpoints.introspection'), data.introspection_endpoint],
        ['par', t('admin.clients.endpoints.par'), data.pushed_authorization_request_endpoint],
        ['device', t('admin.clients.endpoints.device'), data.device_authorization_endpoint],
      ]
    : [];
  return (
    <Card withBorder data-testid="endpoints-panel">
      <Title order={3} size="h4" mb="sm">
        {t('admin.clients.endpoints.title')}
      </Title>
      {discovery.isPending && <Loader size="sm" />}
      {discovery.isError && (
        <Alert color="red" role="alert">
          {t('admin.clients.endpoints.unavailable')}
        </Alert>
      )}
      <Stack gap="xs">
        {endpoints
          .filter((entry): entry is [string, string, string] => entry[2] !== undefined)
          .map(([key, label, value]) => (
            <CopyField key={key} label={label} value={value} testId={`endpoint-${key}`} />
          ))}
      </Stack>
    </Card>
  );
}
