import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { AccessibleClient, Page } from '../../api/admin';
import { apiDelete, apiGet } from '../../api/client';
import { PageTitle } from '../admin/copy-field';

interface AuthorizedClient {
  scope: string;
  client: AccessibleClient;
  lastUsedAt: string;
}

/** My Apps: the clients you may use (with launch links) and the ones you authorized (with revoke). */
export function MyAppsPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const apps = useQuery({
    queryKey: ['my-apps'],
    queryFn: () => apiGet<Page<AccessibleClient>>('/api/oidc/users/me/clients?pagination[limit]=100'),
  });
  const authorized = useQuery({
    queryKey: ['my-authorized-apps'],
    queryFn: () =>
      apiGet<Page<AuthorizedClient>>('/api/oidc/users/me/authorized-clients?pagination[limit]=100'),
  });
  const revoke = useMutation({
    mutationFn: (clientId: string) =>
      apiDelete(`/api/oidc/users/me/authorized-clients/${encodeURIComponent(clientId)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['my-authorized-apps'] });
      await queryClient.invalidateQueries({ queryKey: ['my-apps'] });
    },
  });
  return (
    <>
      <PageTitle title={t('myApps.title')} description={t('myApps.description')} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid="my-apps">
        {apps.data?.data.map((app) => (
          <Card key={app.id} withBorder data-testid={`my-app-${app.name}`}>
            <Group justify="space-between">
              <Group gap="sm">
                {app.hasLogo && (
                  <img
                    src={`/api/oidc/clients/${encodeURIComponent(app.id)}/logo`}
                    alt=""
                    width={32}
                    height={32}
                  />
                )}
                <Text fw={600}>{app.name}</Text>
              </Group>
              {app.launchURL && (
                <Button
                  component="a"
                  href={app.launchURL}
                  size="xs"
                  variant="light"
                  data-testid={`my-app-launch-${app.name}`}
                >
                  {t('myApps.launch')}
                </Button>
              )}
            </Group>
            {app.description && (
              <Text size="sm" c="dimmed" mt="xs">
                {app.description}
              </Text>
            )}
          </Card>
        ))}
      </SimpleGrid>
      {apps.data?.data.length === 0 && <Text c="dimmed">{t('myApps.none')}</Text>}
      <Title order={2} size="h4" mt="xl" mb="sm">
        {t('myApps.authorized')}
      </Title>
      <Stack>
        {authorized.data?.data.map((item) => (
          <Card key={item.client.id} withBorder data-testid={`authorized-${item.client.name}`}>
            <Group justify="space-between">
              <div>
                <Text fw={600}>{item.client.name}</Text>
                <Text size="sm" c="dimmed">
                  {t('myApps.scopes', { scopes: item.scope })} ·{' '}
                  {t('myApps.lastUsed', { date: new Date(item.lastUsedAt).toLocaleString() })}
                </Text>
              </div>
              <Button
                color="red"
                variant="light"
                size="xs"
                onClick={() => revoke.mutate(item.client.id)}
                data-testid={`revoke-${item.client.name}`}
              >
                {t('myApps.revoke')}
              </Button>
            </Group>
          </Card>
        ))}
      </Stack>
    </>
  );
}
