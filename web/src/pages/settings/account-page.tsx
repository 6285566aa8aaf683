import {
  ActionIcon,
  Alert,
  Button,
  Card,
  FileButton,
  Group,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconFingerprint, IconPencil, IconTrash, IconUpload } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type CurrentUser,
  currentUserQueryKey,
  type Passkey,
  passkeysQueryKey,
  reauthenticate,
  registerPasskey,
  useCurrentUser,
} from '../../api/account';
import { useAppConfig } from '../../api/app-config';
import { ApiError, apiDelete, apiGet, apiPatch, apiPut } from '../../api/client';
import { usePasskeyErrorMessage } from '../../components/passkey-error';
import { UserAvatar, useProfilePictureChanged } from '../../components/user-avatar';

/** `/settings/account`: my profile and my passkeys. */
export function AccountPage() {
  const { user } = useCurrentUser();
  if (!user) return null;
  return (
    <Stack maw={720} mx="auto" gap="lg">
      <ProfilePictureCard user={user} />
      <ProfileCard user={user} />
      <PasskeysCard />
    </Stack>
  );
}

const maxPictureBytes = 2 * 1024 * 1024;

function ProfilePictureCard({ user }: { user: CurrentUser }) {
  const { t } = useTranslation();
  const pictureChanged = useProfilePictureChanged();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setBusy(true);
    try {
      await action();
      pictureChanged(user.id);
      notifications.show({ color: 'green', message: done });
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  const upload = (file: File | null) => {
    if (!file) return;
    if (file.size > maxPictureBytes) {
      setError(t('account.picture.tooLarge'));
      return;
    }
    const body = new FormData();
    body.append('file', file);
    void run(() => apiPut('/api/users/me/profile-picture', { body }), t('account.picture.saved'));
  };

  return (
    <Card withBorder radius="lg" padding="lg">
      <Stack gap="sm">
        <Title order={2} size="h3">
          {t('account.picture.title')}
        </Title>
        {error && (
          <Alert color="red" data-testid="picture-error">
            {error}
          </Alert>
        )}
        <Group gap="lg">
          <UserAvatar
            userId={user.id}
            name={t('account.picture.alt')}
            size={96}
            data-testid="profile-picture"
          />
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              {t('account.picture.help')}
            </Text>
            <Group gap="xs">
              <FileButton onChange={upload} accept="image/png,image/jpeg,image/webp">
                {(props) => (
                  <Button
                    {...props}
                    leftSection={<IconUpload size={16} />}
                    loading={busy}
                    data-testid="picture-upload"
                  >
                    {t('account.picture.upload')}
                  </Button>
                )}
              </FileButton>
              <Button
                variant="default"
                disabled={busy}
                data-testid="picture-reset"
                onClick={() =>
                  run(() => apiDelete('/api/users/me/profile-picture'), t('account.picture.resetDone'))
                }
              >
                {t('account.picture.reset')}
              </Button>
            </Group>
          </Stack>
        </Group>
      </Stack>
    </Card>
  );
}

function ProfileCard({ user }: { user: CurrentUser }) {
  const { t } = useTranslation();
  const { config } = useAppConfig();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string>();
  const editable = config.allowOwnAccountEdit && !user.ldapId;
  const form = useForm({
    initialValues: {
      username: user.username,
      firstName: user.firstName,
      lastName: user.lastName,
      displayName: user.displayName,
      email: user.email ?? '',
      locale: user.locale ?? '',
    },
  });

  const save = form.onSubmit(async (values) => {
    setError(undefined);
    try {
      const body = editable
        ? { ...values, email: values.email.trim() || null, locale: values.locale || null }
        : { locale: values.locale || null };
      const updated = await apiPut<CurrentUser>('/api/users/me', { body });
      queryClient.setQueryData(currentUserQueryKey, updated);
      notifications.show({ color: 'green', message: t('account.profile.saved') });
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  });

  return (
    <Card withBorder radius="lg" padding="lg">
      <form onSubmit={save}>
        <Stack gap="sm">
          <Title order={2} size="h3">
            {t('account.profile.title')}
          </Title>
          {error && <Alert color="red">{error}</Alert>}
          <Group grow>
            <TextInput
              label={t('account.fields.firstName')}
              disabled={!editable}
              {...form.getInputProps('firstName')}
            />
            <TextInput
              label={t('account.fields.lastName')}
              disabled={!editable}
              {...form.getInputProps('lastName')}
            />
          </Group>
          <TextInput
            label={t('account.fields.displayName')}
            disabled={!editable}
            {...form.getInputProps('displayName')}
          />
          <Group grow>
            <TextInput
              label={t('account.fields.username')}
              disabled={!editable}
              data-testid="profile-username"
              {...form.getInputProps('username')}
            />
            <TextInput
              label={t('account.fields.email')}
              disabled={!editable}
              {...form.getInputProps('email')}
            />
          </Group>
          <Select
            label={t('account.fields.locale')}
            data={[
              { value: '', label: t('account.profile.browserLanguage') },
              { value: 'en', label: 'English' },
            ]}
            {...form.getInputProps('locale')}
          />
          <Group justify="flex-end">
            <Button type="submit" data-testid="profile-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function PasskeysCard() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const describe = usePasskeyErrorMessage();
  const [error, setError] = useState<string>();
  const [adding, setAdding] = useState(false);
  const passkeys = useQuery({
    queryKey: passkeysQueryKey,
    queryFn: () => apiGet<Passkey[]>('/api/webauthn/credentials'),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: passkeysQueryKey });

  const add = async () => {
    setAdding(true);
    setError(undefined);
    try {
      await registerPasskey();
      await refresh();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setAdding(false);
    }
  };

  const rename = (passkey: Passkey) => {
    let name = passkey.name;
    modals.openConfirmModal({
      title: t('account.passkeys.renameTitle'),
      children: (
        <TextInput
          label={t('account.passkeys.name')}
          defaultValue={passkey.name}
          maxLength={50}
          data-autofocus
          data-testid="passkey-name-input"
          onChange={(event) => {
            name = event.currentTarget.value;
          }}
        />
      ),
      labels: { confirm: t('common.save'), cancel: t('common.cancel') },
      confirmProps: { 'data-testid': 'passkey-rename-confirm' },
      onConfirm: async () => {
        try {
          await apiPatch(`/api/webauthn/credentials/${passkey.id}`, { body: { name: name.trim() } });
          await refresh();
        } catch (failure) {
          setError(describe(failure));
        }
      },
    });
  };

  const remove = (passkey: Passkey) => {
    modals.openConfirmModal({
      title: t('account.passkeys.deleteTitle'),
      children: <Text size="sm">{t('account.passkeys.deleteDescription', { name: passkey.name })}</Text>,
      labels: { confirm: t('common.delete'), cancel: t('common.cancel') },
      confirmProps: { color: 'red', 'data-testid': 'passkey-delete-confirm' },
      onConfirm: async () => {
        setError(undefined);
        try {
          try {
            await apiDelete(`/api/webauthn/credentials/${passkey.id}`);
          } catch (failure) {
            if (!(failure instanceof ApiError && failure.code === 'reauthentication_required')) throw failure;
            // Deleting a passkey is sensitive: confirm with a passkey, then retry.
            await reauthenticate();
            await apiDelete(`/api/webauthn/credentials/${passkey.id}`);
          }
          await refresh();
        } catch (failure) {
          setError(describe(failure));
        }
      },
    });
  };

  return (
    <Card withBorder radius="lg" padding="lg">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h3">
            {t('account.passkeys.title')}
          </Title>
          <Button
            leftSection={<IconFingerprint size={16} />}
            onClick={add}
            loading={adding}
            data-testid="add-passkey"
          >
            {t('account.passkeys.add')}
          </Button>
        </Group>
        {error && (
          <Alert color="red" data-testid="passkeys-error">
            {error}
          </Alert>
        )}
        {passkeys.data?.length === 0 && <Text c="dimmed">{t('account.passkeys.empty')}</Text>}
        <Stack gap="xs" data-testid="passkey-list">
          {passkeys.data?.map((passkey) => (
            <Group
              key={passkey.id}
              justify="space-between"
              data-testid="passkey-row"
              data-passkey-id={passkey.id}
            >
              <Stack gap={0}>
                <Text fw={500} data-testid="passkey-name">
                  {passkey.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('account.passkeys.added', { date: new Date(passkey.createdAt).toLocaleString() })}
                  {passkey.backupEligible ? ` · ${t('account.passkeys.synced')}` : ''}
                </Text>
              </Stack>
              <Group gap="xs">
                <Tooltip label={t('account.passkeys.rename')}>
                  <ActionIcon
                    variant="subtle"
                    aria-label={t('account.passkeys.rename')}
                    onClick={() => rename(passkey)}
                    data-testid="passkey-rename"
                  >
                    <IconPencil size={16} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label={t('common.delete')}>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('common.delete')}
                    onClick={() => remove(passkey)}
                    data-testid="passkey-delete"
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Tooltip>
              </Group>
            </Group>
          ))}
        </Stack>
      </Stack>
    </Card>
  );
}
