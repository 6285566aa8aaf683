import { Alert, Button, Group, Table, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiKey, listQuery, type Page } from '../../api/admin';
import { ApiError, apiDelete, apiGet, apiPost } from '../../api/client';
import { CopyField, PageTitle } from './copy-field';

/** The signed-in user's API keys: create (token shown once), list, revoke. */
export function ApiKeysPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => apiGet<Page<ApiKey>>(`/api/api-keys?${listQuery(1, '')}`),
  });
  const [name, setName] = useState('');
  const [expiresAt, setExpiresAt] = useState(() =>
    new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
  );
  const [token, setToken] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      apiPost<{ apiKey: ApiKey; token: string }>('/api/api-keys', {
        body: { name, expiresAt: new Date(`${expiresAt}T00:00:00Z`).toISOString() },
      }),
    onSuccess: async (result) => {
      setToken(result.token);
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => apiDelete(`/api/api-keys/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <>
      <PageTitle title={t('admin.apiKeys.title')} description={t('admin.apiKeys.description')} />
      <form onSubmit={submit}>
        <Group align="end" mb="md">
          <TextInput
            label={t('admin.apiKeys.name')}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            data-testid="api-key-name"
          />
          <TextInput
            type="date"
            label={t('admin.apiKeys.expiresAt')}
            value={expiresAt}
            onChange={(event) => setExpiresAt(event.currentTarget.value)}
            data-testid="api-key-expires"
          />
          <Button type="submit" loading={create.isPending} data-testid="api-key-create">
            {t('common.create')}
          </Button>
        </Group>
      </form>
      {create.error instanceof ApiError && (
        <Alert color="red" mb="md" role="alert">
          {create.error.message}
        </Alert>
      )}
      {token && (
        <Alert color="green" mb="md" title={t('admin.apiKeys.created')}>
          <CopyField label={t('admin.apiKeys.token')} value={token} testId="api-key-token" />
        </Alert>
      )}
      <Table striped data-testid="api-keys-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('admin.apiKeys.name')}</Table.Th>
            <Table.Th>{t('admin.apiKeys.expiresAt')}</Table.Th>
            <Table.Th>{t('admin.apiKeys.lastUsedAt')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.data?.data.map((key) => (
            <Table.Tr key={key.id}>
              <Table.Td>{key.name}</Table.Td>
              <Table.Td>{new Date(key.expiresAt).toLocaleDateString()}</Table.Td>
              <Table.Td>
                {key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleString() : t('admin.never')}
              </Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  color="red"
                  variant="light"
                  onClick={() => revoke.mutate(key.id)}
                  data-testid={`api-key-revoke-${key.name}`}
                >
                  {t('admin.apiKeys.revoke')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
