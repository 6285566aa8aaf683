import {
  ActionIcon,
  Button,
  Card,
  Group,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { FederatedIdentity } from '../../api/admin';

/** Other issuers whose signed assertions authenticate this client (RFC 7523), e.g. a CI system. */
export function FederatedIdentitiesEditor({
  value,
  onChange,
}: {
  value: FederatedIdentity[];
  onChange: (next: FederatedIdentity[]) => void;
}) {
  const { t } = useTranslation();
  const update = (index: number, patch: Partial<FederatedIdentity>) =>
    onChange(value.map((identity, i) => (i === index ? { ...identity, ...patch } : identity)));
  const field = (index: number, name: 'issuer' | 'subject' | 'audience' | 'jwks', required = false) => (
    <TextInput
      label={t(`admin.clients.federated.${name}`)}
      description={t(`admin.clients.federated.${name}Hint`)}
      required={required}
      value={value[index][name] ?? ''}
      onChange={(event) => update(index, { [name]: event.currentTarget.value })}
      data-testid={`federated-${index}-${name}`}
    />
  );
  return (
    <Stack gap="xs" data-testid="federated-identities">
      <Group justify="space-between">
        <div>
          <Text fw={500} size="sm">
            {t('admin.clients.federated.title')}
          </Text>
          <Text size="xs" c="dimmed">
            {t('admin.clients.federated.description')}
          </Text>
        </div>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} />}
          onClick={() => onChange([...value, { issuer: '' }])}
          data-testid="federated-add"
        >
          {t('admin.clients.federated.add')}
        </Button>
      </Group>
      {value.map((identity, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identities have no id; rows are edited in place
        <Card key={index} withBorder padding="sm" data-testid={`federated-${index}`}>
          <Stack gap="xs">
            <Group justify="space-between" align="flex-start">
              <Title order={4} size="h6">
                {identity.issuer || t('admin.clients.federated.newIdentity')}
              </Title>
              <Tooltip label={t('common.delete')}>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t('common.delete')}
                  onClick={() => onChange(value.filter((_, i) => i !== index))}
                  data-testid={`federated-${index}-remove`}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            </Group>
            {field(index, 'issuer', true)}
            {field(index, 'subject')}
            {field(index, 'audience')}
            {field(index, 'jwks')}
            <Switch
              label={t('admin.clients.federated.replayProtection')}
              checked={identity.replayProtection ?? false}
              onChange={(event) => update(index, { replayProtection: event.currentTarget.checked })}
              data-testid={`federated-${index}-replayProtection`}
            />
          </Stack>
        </Card>
      ))}
    </Stack>
  );
}

/** Drops empty optional fields so the API stores only what was entered. */
export function cleanFederatedIdentities(identities: FederatedIdentity[]): FederatedIdentity[] {
  return identities.map((identity) => ({
    issuer: identity.issuer.trim(),
    ...(identity.subject?.trim() && { subject: identity.subject.trim() }),
    ...(identity.audience?.trim() && { audience: identity.audience.trim() }),
    ...(identity.jwks?.trim() && { jwks: identity.jwks.trim() }),
    ...(identity.replayProtection && { replayProtection: true }),
  }));
}
