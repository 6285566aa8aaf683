import {
  Alert,
  Button,
  Card,
  Group,
  MultiSelect,
  NumberInput,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { ClientSecret, FederatedIdentity, OidcClient, Page, UserGroupSummary } from '../../api/admin';
import { ApiError, apiDelete, apiGet, apiPost, apiPut } from '../../api/client';
import { CopyField, PageTitle } from './copy-field';
import { cleanFederatedIdentities, FederatedIdentitiesEditor } from './oidc-client-credentials';
import { EndpointsPanel } from './oidc-client-endpoints';
import { PreviewPanel } from './oidc-client-preview';

interface FormValues {
  id: string;
  name: string;
  description: string;
  callbackURLs: string;
  logoutCallbackURLs: string;
  backChannelLogoutUrl: string;
  launchURL: string;
  isPublic: boolean;
  pkceEnabled: boolean;
  requiresReauthentication: boolean;
  skipConsent: boolean;
  isGroupRestricted: boolean;
  accessTokenDurationMinutes: number;
  refreshTokenDurationMinutes: number;
  logoUrl: string;
  jwksUri: string;
  /** An inline JWK Set as JSON text. */
  jwks: string;
  federatedIdentities: FederatedIdentity[];
}

const emptyForm: FormValues = {
  id: '',
  name: '',
  description: '',
  callbackURLs: '',
  logoutCallbackURLs: '',
  backChannelLogoutUrl: '',
  launchURL: '',
  isPublic: false,
  pkceEnabled: false,
  requiresReauthentication: false,
  skipConsent: false,
  isGroupRestricted: false,
  accessTokenDurationMinutes: 60,
  refreshTokenDurationMinutes: 43200,
  logoUrl: '',
  jwksUri: '',
  jwks: '',
  federatedIdentities: [],
};

/** Thrown before sending when the inline JWKS is not JSON. */
class JwksSyntaxError extends Error {}

const lines = (value: string) =>
  value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** Create or edit an OIDC client, with its secrets, endpoints and allowed groups. */
export function OidcClientPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const isNew = id === undefined || id === 'new';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const client = useQuery({
    queryKey: ['admin-client', id],
    enabled: !isNew,
    queryFn: () => apiGet<OidcClient>(`/api/oidc/clients/${encodeURIComponent(id ?? '')}`),
  });
  const [values, setValues] = useState<FormValues>(emptyForm);
  useEffect(() => {
    const data = client.data;
    if (!data) return;
    setValues({
      ...emptyForm,
      ...data,
      description: data.description,
      callbackURLs: data.callbackURLs.join('\n'),
      logoutCallbackURLs: data.logoutCallbackURLs.join('\n'),
      backChannelLogoutUrl: data.backChannelLogoutUrl ?? '',
      launchURL: data.launchURL ?? '',
      logoUrl: '',
      jwksUri: data.credentials.jwksUri ?? '',
      jwks: data.credentials.jwks ? JSON.stringify(data.credentials.jwks, null, 2) : '',
      federatedIdentities: data.credentials.federatedIdentities,
    });
  }, [client.data]);

  const save = useMutation({
    mutationFn: () => {
      let jwks: unknown = null;
      if (values.jwks.trim() !== '') {
        try {
          jwks = JSON.parse(values.jwks);
        } catch {
          throw new JwksSyntaxError(t('admin.clients.keys.jwksInvalid'));
        }
      }
      const body = {
        name: values.name,
        description: values.description,
        callbackURLs: lines(values.callbackURLs),
        logoutCallbackURLs: lines(values.logoutCallbackURLs),
        backChannelLogoutUrl: values.backChannelLogoutUrl.trim(),
        launchURL: values.launchURL,
        isPublic: values.isPublic,
        pkceEnabled: values.pkceEnabled,
        requiresReauthentication: values.requiresReauthentication,
        skipConsent: values.skipConsent,
        isGroupRestricted: values.isGroupRestricted,
        accessTokenDurationMinutes: values.accessTokenDurationMinutes,
        refreshTokenDurationMinutes: values.refreshTokenDurationMinutes,
        credentials: {
          federatedIdentities: cleanFederatedIdentities(values.federatedIdentities),
          jwksUri: values.jwksUri.trim() || null,
          jwks,
        },
        ...(values.logoUrl && { logoUrl: values.logoUrl }),
      };
      return isNew
        ? apiPost<OidcClient>('/api/oidc/clients', { body: { ...body, ...(values.id && { id: values.id }) } })
        : apiPut<OidcClient>(`/api/oidc/clients/${encodeURIComponent(id ?? '')}`, { body });
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['admin-clients'] });
      await queryClient.invalidateQueries({ queryKey: ['admin-client', saved.id] });
      if (isNew) navigate(`/settings/admin/oidc-clients/${encodeURIComponent(saved.id)}`);
    },
  });
  const remove = useMutation({
    mutationFn: () => apiDelete(`/api/oidc/clients/${encodeURIComponent(id ?? '')}`),
    onSuccess: () => navigate('/settings/admin/oidc-clients'),
  });

  const text = (
    name: 'id' | 'name' | 'launchURL' | 'logoUrl' | 'backChannelLogoutUrl' | 'jwksUri',
    label: string,
    description?: string,
  ) => (
    <TextInput
      label={label}
      description={description}
      value={values[name]}
      onChange={(event) => setValues({ ...values, [name]: event.currentTarget.value })}
      data-testid={`client-form-${name}`}
    />
  );
  const toggle = (
    name: 'isPublic' | 'pkceEnabled' | 'requiresReauthentication' | 'skipConsent' | 'isGroupRestricted',
    label: string,
  ) => (
    <Switch
      label={label}
      checked={values[name]}
      onChange={(event) => setValues({ ...values, [name]: event.currentTarget.checked })}
      data-testid={`client-form-${name}`}
    />
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <>
      <PageTitle title={isNew ? t('admin.clients.create') : (client.data?.name ?? t('common.loading'))} />
      <Stack gap="lg">
        <Card withBorder component="form" onSubmit={submit} data-testid="client-form">
          <Stack>
            {isNew && text('id', t('admin.clients.customId'))}
            {text('name', t('admin.clients.name'))}
            <Textarea
              label={t('admin.clients.descriptionField')}
              value={values.description}
              onChange={(event) => setValues({ ...values, description: event.currentTarget.value })}
            />
            <Textarea
              label={t('admin.clients.callbackUrls')}
              description={t('admin.clients.onePerLine')}
              autosize
              minRows={2}
              value={values.callbackURLs}
              onChange={(event) => setValues({ ...values, callbackURLs: event.currentTarget.value })}
              data-testid="client-form-callbackURLs"
            />
            <Textarea
              label={t('admin.clients.logoutCallbackUrls')}
              description={t('admin.clients.onePerLine')}
              autosize
              minRows={1}
              value={values.logoutCallbackURLs}
              onChange={(event) => setValues({ ...values, logoutCallbackURLs: event.currentTarget.value })}
              data-testid="client-form-logoutCallbackURLs"
            />
            {text(
              'backChannelLogoutUrl',
              t('admin.clients.backChannelLogoutUrl'),
              t('admin.clients.backChannelLogoutUrlHint'),
            )}
            {text('launchURL', t('admin.clients.launchUrl'))}
            {text('logoUrl', t('admin.clients.logoUrl'))}
            <Group>
              {toggle('isPublic', t('admin.clients.isPublic'))}
              {toggle('pkceEnabled', t('admin.clients.pkce'))}
              {toggle('requiresReauthentication', t('admin.clients.reauth'))}
              {toggle('skipConsent', t('admin.clients.skipConsent'))}
              {toggle('isGroupRestricted', t('admin.clients.groupRestricted'))}
            </Group>
            <Group>
              <NumberInput
                label={t('admin.clients.accessTokenMinutes')}
                value={values.accessTokenDurationMinutes}
                min={1}
                onChange={(value) => setValues({ ...values, accessTokenDurationMinutes: Number(value) })}
              />
              <NumberInput
                label={t('admin.clients.refreshTokenMinutes')}
                value={values.refreshTokenDurationMinutes}
                min={1}
                onChange={(value) => setValues({ ...values, refreshTokenDurationMinutes: Number(value) })}
              />
            </Group>
            {!values.isPublic && (
              <Stack gap="xs" data-testid="client-keys">
                <Text fw={500} size="sm">
                  {t('admin.clients.keys.title')}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('admin.clients.keys.description')}
                </Text>
                {text('jwksUri', t('admin.clients.keys.jwksUri'))}
                <Textarea
                  label={t('admin.clients.keys.jwks')}
                  description={t('admin.clients.keys.jwksHint')}
                  autosize
                  minRows={2}
                  maxRows={12}
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                  value={values.jwks}
                  onChange={(event) => setValues({ ...values, jwks: event.currentTarget.value })}
                  data-testid="client-form-jwks"
                />
              </Stack>
            )}
            <FederatedIdentitiesEditor
              value={values.federatedIdentities}
              onChange={(federatedIdentities) => setValues({ ...values, federatedIdentities })}
            />
            {(save.error instanceof ApiError || save.error instanceof JwksSyntaxError) && (
              <Alert color="red" role="alert" data-testid="client-form-error">
                {save.error.message}
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={save.isPending} data-testid="client-form-save">
                {t('common.save')}
              </Button>
              {!isNew && (
                <Button
                  color="red"
                  variant="light"
                  onClick={() => remove.mutate()}
                  data-testid="client-delete"
                >
                  {t('common.delete')}
                </Button>
              )}
            </Group>
          </Stack>
        </Card>
        {!isNew && client.data && (
          <>
            <EndpointsPanel clientId={client.data.id} />
            {!client.data.isPublic && <SecretsPanel clientId={client.data.id} />}
            <AllowedGroupsPanel client={client.data} />
            <PreviewPanel clientId={client.data.id} />
          </>
        )}
      </Stack>
    </>
  );
}

function SecretsPanel({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const path = `/api/oidc/clients/${encodeURIComponent(clientId)}/secrets`;
  const secrets = useQuery({
    queryKey: ['client-secrets', clientId],
    queryFn: () => apiGet<ClientSecret[]>(path),
  });
  const [plaintext, setPlaintext] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => apiPost<ClientSecret & { secret: string }>(path, { body: {} }),
    onSuccess: async (created) => {
      setPlaintext(created.secret);
      await queryClient.invalidateQueries({ queryKey: ['client-secrets', clientId] });
    },
  });
  const remove = useMutation({
    mutationFn: (secretId: string) => apiDelete(`${path}/${secretId}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['client-secrets', clientId] }),
  });
  return (
    <Card withBorder data-testid="secrets-panel">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4">
          {t('admin.clients.secrets.title')}
        </Title>
        <Button size="xs" onClick={() => create.mutate()} data-testid="secret-create">
          {t('admin.clients.secrets.create')}
        </Button>
      </Group>
      {create.error instanceof ApiError && <Alert color="red">{create.error.message}</Alert>}
      {plaintext && (
        <Alert color="green" mb="sm" title={t('admin.clients.secrets.shownOnce')}>
          <CopyField label={t('admin.clients.secrets.secret')} value={plaintext} testId="secret-plaintext" />
        </Alert>
      )}
      <Table>
        <Table.Tbody>
          {secrets.data?.map((secret) => (
            <Table.Tr key={secret.id}>
              <Table.Td>{secret.prefix}…</Table.Td>
              <Table.Td>{new Date(secret.createdAt).toLocaleString()}</Table.Td>
              <Table.Td>
                {secret.expiresAt ? new Date(secret.expiresAt).toLocaleString() : t('admin.never')}
              </Table.Td>
              <Table.Td>
                <Button size="xs" variant="light" color="red" onClick={() => remove.mutate(secret.id)}>
                  {t('common.delete')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function AllowedGroupsPanel({ client }: { client: OidcClient }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const groups = useQuery({
    queryKey: ['admin-groups-all'],
    queryFn: () => apiGet<Page<UserGroupSummary>>('/api/user-groups?pagination[limit]=100'),
  });
  const [selected, setSelected] = useState<string[]>(
    client.allowedUserGroups?.map((group) => group.id) ?? [],
  );
  const save = useMutation({
    mutationFn: () =>
      apiPut(`/api/oidc/clients/${encodeURIComponent(client.id)}/allowed-user-groups`, {
        body: { userGroupIds: selected },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-client', client.id] }),
  });
  return (
    <Card withBorder data-testid="allowed-groups-panel">
      <Title order={3} size="h4" mb="sm">
        {t('admin.clients.allowedGroups')}
      </Title>
      {!client.isGroupRestricted && (
        <Text size="sm" c="dimmed" mb="xs">
          {t('admin.clients.notRestrictedHint')}
        </Text>
      )}
      <MultiSelect
        data={groups.data?.data.map((group) => ({ value: group.id, label: group.friendlyName })) ?? []}
        value={selected}
        onChange={setSelected}
        searchable
        aria-label={t('admin.clients.allowedGroups')}
        data-testid="allowed-groups-select"
      />
      <Button mt="sm" size="xs" onClick={() => save.mutate()} data-testid="allowed-groups-save">
        {t('common.save')}
      </Button>
    </Card>
  );
}
