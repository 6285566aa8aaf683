import {
  Alert,
  Button,
  Card,
  Group,
  MultiSelect,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { type AdminGroup, type AdminUser, listQuery, type OidcClient, type Page } from '../../api/admin';
import { ApiError, apiDelete, apiGet, apiPut } from '../../api/client';
import { PageTitle } from './copy-field';
import { CustomClaimsEditor } from './custom-claims-editor';

/** One group: names, members, custom claims and the clients it may use. */
export function UserGroupPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const path = `/api/user-groups/${encodeURIComponent(id)}`;
  const group = useQuery({ queryKey: ['admin-group', id], queryFn: () => apiGet<AdminGroup>(path) });
  const remove = useMutation({
    mutationFn: () => apiDelete(path),
    onSuccess: () => navigate('/settings/admin/user-groups'),
  });
  if (group.error instanceof ApiError) {
    return (
      <Alert color="red" role="alert" data-testid="group-load-error">
        {group.error.message}
      </Alert>
    );
  }
  if (!group.data) return <Text>{t('common.loading')}</Text>;
  return (
    <>
      <PageTitle title={group.data.friendlyName} description={group.data.name} />
      <Stack gap="lg" data-testid="group-page">
        <NamesCard group={group.data} />
        <MembersCard group={group.data} />
        <CustomClaimsEditor
          claims={group.data.customClaims}
          path={`/api/custom-claims/user-group/${encodeURIComponent(id)}`}
          invalidate={['admin-group', id]}
        />
        <AllowedClientsCard group={group.data} />
        <Group>
          <Button color="red" variant="light" onClick={() => remove.mutate()} data-testid="group-delete">
            {t('admin.groups.delete')}
          </Button>
        </Group>
      </Stack>
    </>
  );
}

function SaveRow({
  mutation,
  testId,
}: {
  mutation: { isPending: boolean; isSuccess: boolean; error: Error | null };
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      {mutation.error instanceof ApiError && (
        <Alert color="red" role="alert" data-testid={`${testId}-error`}>
          {mutation.error.message}
        </Alert>
      )}
      <Group>
        <Button type="submit" size="xs" loading={mutation.isPending} data-testid={`${testId}-save`}>
          {t('common.save')}
        </Button>
        {mutation.isSuccess && (
          <Text size="sm" c="green">
            {t('admin.saved')}
          </Text>
        )}
      </Group>
    </>
  );
}

function FormCard({
  title,
  testId,
  onSubmit,
  children,
}: {
  title: string;
  testId: string;
  onSubmit: () => void;
  children: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Card withBorder component="form" onSubmit={submit} data-testid={testId}>
      <Title order={3} size="h4" mb="sm">
        {title}
      </Title>
      <Stack>{children}</Stack>
    </Card>
  );
}

function NamesCard({ group }: { group: AdminGroup }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [values, setValues] = useState({ friendlyName: group.friendlyName, name: group.name });
  useEffect(() => setValues({ friendlyName: group.friendlyName, name: group.name }), [group]);
  const save = useMutation({
    mutationFn: () => apiPut(`/api/user-groups/${encodeURIComponent(group.id)}`, { body: values }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin-group', group.id] });
      await queryClient.invalidateQueries({ queryKey: ['admin-groups'] });
    },
  });
  return (
    <FormCard title={t('admin.groups.details')} testId="group-names" onSubmit={() => save.mutate()}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label={t('admin.groups.friendlyName')}
          value={values.friendlyName}
          onChange={(event) => setValues({ ...values, friendlyName: event.currentTarget.value })}
          data-testid="group-edit-friendlyName"
        />
        <TextInput
          label={t('admin.groups.name')}
          description={t('admin.groups.nameHint')}
          value={values.name}
          onChange={(event) => setValues({ ...values, name: event.currentTarget.value })}
          data-testid="group-edit-name"
        />
      </SimpleGrid>
      <SaveRow mutation={save} testId="group-names" />
    </FormCard>
  );
}

function MembersCard({ group }: { group: AdminGroup }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const users = useQuery({
    queryKey: ['admin-users', 'member-picker', debounced],
    queryFn: () => apiGet<Page<AdminUser>>(`/api/users?${listQuery(1, debounced)}`),
  });
  const [selected, setSelected] = useState(group.users.map((user) => user.id));
  useEffect(() => setSelected(group.users.map((user) => user.id)), [group]);
  // Current members stay selectable even when they are not in the search results.
  const known = new Map<string, string>(group.users.map((user) => [user.id, user.username]));
  for (const user of users.data?.data ?? []) known.set(user.id, user.username);
  const save = useMutation({
    mutationFn: () =>
      apiPut(`/api/user-groups/${encodeURIComponent(group.id)}/users`, { body: { userIds: selected } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-group', group.id] }),
  });
  return (
    <FormCard title={t('admin.groups.membersTitle')} testId="group-members" onSubmit={() => save.mutate()}>
      <MultiSelect
        aria-label={t('admin.groups.membersTitle')}
        placeholder={t('admin.groups.membersPlaceholder')}
        data={[...known].map(([value, label]) => ({ value, label }))}
        value={selected}
        onChange={setSelected}
        searchable
        searchValue={search}
        onSearchChange={setSearch}
        data-testid="group-members-select"
      />
      <SaveRow mutation={save} testId="group-members" />
    </FormCard>
  );
}

function AllowedClientsCard({ group }: { group: AdminGroup }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const clients = useQuery({
    queryKey: ['admin-clients', 'all'],
    queryFn: () => apiGet<Page<OidcClient>>('/api/oidc/clients?pagination[limit]=100'),
  });
  const [selected, setSelected] = useState(group.allowedOidcClients.map((client) => client.id));
  useEffect(() => setSelected(group.allowedOidcClients.map((client) => client.id)), [group]);
  const known = new Map<string, string>(group.allowedOidcClients.map((client) => [client.id, client.name]));
  for (const client of clients.data?.data ?? []) known.set(client.id, client.name);
  const save = useMutation({
    mutationFn: () =>
      apiPut(`/api/user-groups/${encodeURIComponent(group.id)}/allowed-oidc-clients`, {
        body: { oidcClientIds: selected },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-group', group.id] }),
  });
  return (
    <FormCard title={t('admin.groups.allowedClients')} testId="group-clients" onSubmit={() => save.mutate()}>
      <Text size="sm" c="dimmed">
        {t('admin.groups.allowedClientsHint')}
      </Text>
      <MultiSelect
        aria-label={t('admin.groups.allowedClients')}
        data={[...known].map(([value, label]) => ({ value, label }))}
        value={selected}
        onChange={setSelected}
        searchable
        data-testid="group-clients-select"
      />
      <SaveRow mutation={save} testId="group-clients" />
    </FormCard>
  );
}
