import {
  Alert,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AdminUser, listQuery, type Page, type TokenPreview } from '../../api/admin';
import { ApiError, apiGet } from '../../api/client';

const scopes = ['openid', 'profile', 'email', 'groups'] as const;

/** What a chosen user would receive from this client: ID token, access token and userinfo claims. */
export function PreviewPanel({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const [userId, setUserId] = useState<string | null>(null);
  const [selectedScopes, setSelectedScopes] = useState<string[]>([...scopes]);
  const users = useQuery({
    queryKey: ['admin-users', 'preview-picker', debounced],
    queryFn: () => apiGet<Page<AdminUser>>(`/api/users?${listQuery(1, debounced)}`),
  });
  const preview = useMutation({
    mutationFn: () =>
      apiGet<TokenPreview>(
        `/api/oidc/clients/${encodeURIComponent(clientId)}/preview/${encodeURIComponent(userId ?? '')}?scopes=${encodeURIComponent(selectedScopes.join(' '))}`,
      ),
  });
  const sections: Array<[keyof TokenPreview, string]> = [
    ['idToken', t('admin.clients.preview.idToken')],
    ['accessToken', t('admin.clients.preview.accessToken')],
    ['userInfo', t('admin.clients.preview.userInfo')],
  ];
  return (
    <Card withBorder data-testid="preview-panel">
      <Title order={3} size="h4">
        {t('admin.clients.preview.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('admin.clients.preview.description')}
      </Text>
      <Stack>
        <Select
          label={t('admin.clients.preview.user')}
          placeholder={t('admin.clients.preview.userPlaceholder')}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options }) => options}
          data={
            users.data?.data.map((user) => ({
              value: user.id,
              label: user.email ? `${user.username} (${user.email})` : user.username,
            })) ?? []
          }
          value={userId}
          onChange={setUserId}
          nothingFoundMessage={t('admin.clients.preview.noUsers')}
          data-testid="preview-user"
        />
        <Checkbox.Group
          label={t('admin.clients.preview.scopes')}
          value={selectedScopes}
          onChange={setSelectedScopes}
        >
          <Group mt="xs">
            {scopes.map((scope) => (
              <Checkbox key={scope} value={scope} label={scope} data-testid={`preview-scope-${scope}`} />
            ))}
          </Group>
        </Checkbox.Group>
        <Group>
          <Button
            onClick={() => preview.mutate()}
            disabled={!userId}
            loading={preview.isPending}
            data-testid="preview-run"
          >
            {t('admin.clients.preview.show')}
          </Button>
        </Group>
        {preview.error instanceof ApiError && (
          <Alert color="red" role="alert" data-testid="preview-error">
            {preview.error.message}
          </Alert>
        )}
        {preview.data && (
          <SimpleGrid cols={{ base: 1, lg: 3 }}>
            {sections.map(([key, label]) => (
              <div key={key}>
                <Text fw={600} size="sm" mb={4}>
                  {label}
                </Text>
                <Code block data-testid={`preview-${key}`}>
                  {JSON.stringify(preview.data[key], null, 2)}
                </Code>
              </div>
            ))}
          </SimpleGrid>
        )}
      </Stack>
    </Card>
  );
}
