import {
  Alert,
  Avatar,
  Button,
  Card,
  FileButton,
  Group,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { AdminPasskey, AdminUser, Page, UserGroupSummary } from '../../api/admin';
import { ApiError, apiDelete, apiGet, apiPost, apiPut } from '../../api/client';
import { useProfilePictureChanged, useProfilePictureUrl } from '../../components/user-avatar';
import { CopyField, PageTitle } from './copy-field';
import { CustomClaimsEditor } from './custom-claims-editor';
import { useDiscovery } from './oidc-client-endpoints';

/** One user: profile, admin flag, groups, custom claims, passkeys, login links and profile picture. */
export function UserPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const path = `/api/users/${encodeURIComponent(id)}`;
  const user = useQuery({ queryKey: ['admin-user', id], queryFn: () => apiGet<AdminUser>(path) });
  const remove = useMutation({
    mutationFn: () => apiDelete(path),
    onSuccess: () => navigate('/settings/admin/users'),
  });
  if (user.error instanceof ApiError) {
    return (
      <Alert color="red" role="alert" data-testid="user-load-error">
        {user.error.message}
      </Alert>
    );
  }
  if (!user.data) return <Text>{t('common.loading')}</Text>;
  return (
    <>
      <PageTitle
        title={user.data.displayName || user.data.username}
        description={user.data.email ?? undefined}
      />
      <Stack gap="lg" data-testid="user-page">
        <ProfileCard user={user.data} />
        <GroupsCard user={user.data} />
        <CustomClaimsEditor
          claims={user.data.customClaims}
          path={`/api/custom-claims/user/${encodeURIComponent(id)}`}
          invalidate={['admin-user', id]}
        />
        <PasskeysCard userId={id} />
        <LoginLinkCard userId={id} />
        <Group>
          <Button color="red" variant="light" onClick={() => remove.mutate()} data-testid="user-delete">
            {t('admin.users.delete')}
          </Button>
        </Group>
      </Stack>
    </>
  );
}

function ProfileCard({ user }: { user: AdminUser }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const initial = () => ({
    username: user.username,
    email: user.email ?? '',
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.displayName,
    isAdmin: user.isAdmin,
    disabled: user.disabled,
  });
  const [values, setValues] = useState(initial);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset the form when the server copy changes
  useEffect(() => setValues(initial()), [user]);
  const save = useMutation({
    mutationFn: () => apiPut<AdminUser>(`/api/users/${encodeURIComponent(user.id)}`, { body: values }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin-user', user.id] });
      await queryClient.invalidateQueries({ queryKey: ['admin-users'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const field = (name: 'username' | 'email' | 'firstName' | 'lastName' | 'displayName') => (
    <TextInput
      label={t(`admin.users.${name}`)}
      value={values[name]}
      onChange={(event) => setValues({ ...values, [name]: event.currentTarget.value })}
      disabled={user.ldapId !== null}
      data-testid={`user-edit-${name}`}
    />
  );
  return (
    <Card withBorder component="form" onSubmit={submit} data-testid="user-profile">
      <Group align="flex-start" gap="xl">
        <ProfilePicture user={user} />
        <Stack style={{ flex: 1 }}>
          {user.ldapId !== null && <Alert>{t('admin.users.ldapManaged')}</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {field('username')}
            {field('email')}
            {field('firstName')}
            {field('lastName')}
            {field('displayName')}
          </SimpleGrid>
          <Group>
            <Switch
              label={t('admin.users.admin')}
              checked={values.isAdmin}
              onChange={(event) => setValues({ ...values, isAdmin: event.currentTarget.checked })}
              data-testid="user-edit-isAdmin"
            />
            <Switch
              label={t('admin.users.disabled')}
              description={t('admin.users.disabledHint')}
              checked={values.disabled}
              onChange={(event) => setValues({ ...values, disabled: event.currentTarget.checked })}
              data-testid="user-edit-disabled"
            />
          </Group>
          {save.error instanceof ApiError && (
            <Alert color="red" role="alert" data-testid="user-edit-error">
              {save.error.message}
            </Alert>
          )}
          {save.isSuccess && (
            <Text size="sm" c="green">
              {t('admin.saved')}
            </Text>
          )}
          <Group>
            <Button type="submit" loading={save.isPending} data-testid="user-edit-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </Group>
    </Card>
  );
}

function ProfilePicture({ user }: { user: AdminUser }) {
  const { t } = useTranslation();
  // Shared with every avatar of this user (the header menu too), so all of them reload after a change.
  const pictureUrl = useProfilePictureUrl(user.id);
  const pictureChanged = useProfilePictureChanged();
  const path = `/api/users/${encodeURIComponent(user.id)}/profile-picture`;
  const upload = useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return apiPut(path, { body: form });
    },
    onSuccess: () => pictureChanged(user.id),
  });
  const reset = useMutation({ mutationFn: () => apiDelete(path), onSuccess: () => pictureChanged(user.id) });
  const initials = (user.firstName[0] ?? '') + (user.lastName[0] ?? '') || user.username.slice(0, 2);
  return (
    <Stack align="center" gap="xs" data-testid="user-picture">
      <Avatar src={pictureUrl} size={96} radius="xl" alt={t('admin.users.picture')}>
        {initials.toUpperCase()}
      </Avatar>
      <FileButton onChange={(file) => file && upload.mutate(file)} accept="image/png,image/jpeg,image/webp">
        {(props) => (
          <Button
            {...props}
            size="xs"
            variant="light"
            loading={upload.isPending}
            data-testid="user-picture-upload"
          >
            {t('admin.users.uploadPicture')}
          </Button>
        )}
      </FileButton>
      <Button
        size="xs"
        variant="subtle"
        color="gray"
        onClick={() => reset.mutate()}
        loading={reset.isPending}
        data-testid="user-picture-reset"
      >
        {t('admin.users.resetPicture')}
      </Button>
      {(upload.error ?? reset.error) instanceof ApiError && (
        <Text size="xs" c="red" maw={160} role="alert">
          {(upload.error ?? reset.error)?.message}
        </Text>
      )}
      {upload.isSuccess && (
        <Text size="xs" c="green" data-testid="user-picture-saved">
          {t('admin.saved')}
        </Text>
      )}
    </Stack>
  );
}

function GroupsCard({ user }: { user: AdminUser }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const groups = useQuery({
    queryKey: ['admin-groups-all'],
    queryFn: () => apiGet<Page<UserGroupSummary>>('/api/user-groups?pagination[limit]=100'),
  });
  const [selected, setSelected] = useState(user.userGroups.map((group) => group.id));
  useEffect(() => setSelected(user.userGroups.map((group) => group.id)), [user]);
  const save = useMutation({
    mutationFn: () =>
      apiPut(`/api/users/${encodeURIComponent(user.id)}/user-groups`, { body: { userGroupIds: selected } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-user', user.id] }),
  });
  return (
    <Card withBorder data-testid="user-groups">
      <Title order={3} size="h4" mb="sm">
        {t('admin.users.groups')}
      </Title>
      <MultiSelect
        aria-label={t('admin.users.groups')}
        data={groups.data?.data.map((group) => ({ value: group.id, label: group.friendlyName })) ?? []}
        value={selected}
        onChange={setSelected}
        searchable
        placeholder={t('admin.users.groupsPlaceholder')}
        data-testid="user-groups-select"
      />
      {save.error instanceof ApiError && (
        <Alert color="red" mt="sm" role="alert">
          {save.error.message}
        </Alert>
      )}
      <Group mt="sm">
        <Button
          size="xs"
          onClick={() => save.mutate()}
          loading={save.isPending}
          data-testid="user-groups-save"
        >
          {t('common.save')}
        </Button>
        {save.isSuccess && (
          <Text size="sm" c="green">
            {t('admin.saved')}
          </Text>
        )}
      </Group>
    </Card>
  );
}

function PasskeysCard({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const path = `/api/users/${encodeURIComponent(userId)}/webauthn-credentials`;
  const passkeys = useQuery({
    queryKey: ['admin-user-passkeys', userId],
    queryFn: () => apiGet<AdminPasskey[]>(path),
  });
  const revoke = useMutation({
    mutationFn: (credentialId: string) => apiDelete(`${path}/${encodeURIComponent(credentialId)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-user-passkeys', userId] }),
  });
  return (
    <Card withBorder data-testid="user-passkeys">
      <Title order={3} size="h4" mb="sm">
        {t('admin.users.passkeys')}
      </Title>
      {passkeys.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('admin.users.noPasskeys')}
        </Text>
      )}
      {revoke.error instanceof ApiError && (
        <Alert color="red" role="alert" mb="sm">
          {revoke.error.message}
        </Alert>
      )}
      {passkeys.data && passkeys.data.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('admin.users.passkeyName')}</Table.Th>
              <Table.Th>{t('admin.users.passkeyCreated')}</Table.Th>
              <Table.Th>{t('admin.users.passkeyLastUsed')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {passkeys.data.map((passkey) => (
              <Table.Tr key={passkey.id} data-testid={`passkey-${passkey.id}`}>
                <Table.Td>{passkey.name}</Table.Td>
                <Table.Td>{new Date(passkey.createdAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  {passkey.lastUsedAt ? new Date(passkey.lastUsedAt).toLocaleString() : t('admin.never')}
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    color="red"
                    onClick={() => revoke.mutate(passkey.id)}
                    data-testid={`passkey-${passkey.id}-revoke`}
                  >
                    {t('admin.users.revokePasskey')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

const linkLifetimes = ['15m', '1h', '12h', '24h', '168h'] as const;

/** A single-use sign-in link (`APP_URL/lc/<code>`) for account recovery. */
function LoginLinkCard({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const discovery = useDiscovery();
  const [ttl, setTtl] = useState<string>('1h');
  const create = useMutation({
    mutationFn: () =>
      apiPost<{ token: string }>(`/api/users/${encodeURIComponent(userId)}/one-time-access-token`, {
        body: { ttl },
      }),
  });
  const appUrl = discovery.data?.issuer ?? window.location.origin;
  return (
    <Card withBorder data-testid="user-login-link">
      <Title order={3} size="h4">
        {t('admin.users.loginLink.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('admin.users.loginLink.description')}
      </Text>
      <Group align="flex-end">
        <Select
          label={t('admin.users.loginLink.expiresIn')}
          data={linkLifetimes.map((value) => ({
            value,
            label: t(`admin.users.loginLink.lifetimes.${value}`),
          }))}
          value={ttl}
          onChange={(value) => value && setTtl(value)}
          allowDeselect={false}
          data-testid="login-link-ttl"
        />
        <Button onClick={() => create.mutate()} loading={create.isPending} data-testid="login-link-create">
          {t('admin.users.loginLink.create')}
        </Button>
      </Group>
      {create.error instanceof ApiError && (
        <Alert color="red" mt="sm" role="alert">
          {create.error.message}
        </Alert>
      )}
      {create.data && (
        <Alert color="green" mt="sm" title={t('admin.users.loginLink.shownOnce')}>
          <CopyField
            label={t('admin.users.loginLink.link')}
            value={`${appUrl}/lc/${create.data.token}`}
            testId="login-link"
          />
        </Alert>
      )}
    </Card>
  );
}
