import {
  ActionIcon,
  Alert,
  Autocomplete,
  Button,
  Card,
  Group,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomClaim } from '../../api/admin';
import { ApiError, apiGet, apiPut } from '../../api/client';

/**
 * Edits the whole set of custom claims of a user or a group (`PUT` replaces it). Keys already used elsewhere
 * are suggested; reserved keys come back as a clear error from the server.
 */
export function CustomClaimsEditor({
  claims,
  path,
  invalidate,
}: {
  claims: CustomClaim[];
  /** `/api/custom-claims/user/<id>` or `/api/custom-claims/user-group/<id>` */
  path: string;
  invalidate: readonly unknown[];
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<CustomClaim[]>(claims);
  useEffect(() => setRows(claims), [claims]);
  const suggestions = useQuery({
    queryKey: ['custom-claim-suggestions'],
    queryFn: () => apiGet<string[]>('/api/custom-claims/suggestions'),
  });
  const save = useMutation({
    mutationFn: () =>
      apiPut<CustomClaim[]>(path, {
        body: rows
          .filter((row) => row.key.trim() !== '')
          .map((row) => ({ key: row.key.trim(), value: row.value })),
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: invalidate });
      await queryClient.invalidateQueries({ queryKey: ['custom-claim-suggestions'] });
    },
  });
  const update = (index: number, patch: Partial<CustomClaim>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <Card withBorder data-testid="custom-claims">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">
          {t('admin.claims.title')}
        </Title>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} />}
          onClick={() => setRows([...rows, { key: '', value: '' }])}
          data-testid="claims-add"
        >
          {t('admin.claims.add')}
        </Button>
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        {t('admin.claims.description')}
      </Text>
      <Stack gap="xs">
        {rows.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('admin.claims.none')}
          </Text>
        )}
        {rows.map((row, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: claims are edited in place; keys may repeat while typing
          <Group key={index} align="flex-end" wrap="nowrap">
            <Autocomplete
              label={index === 0 ? t('admin.claims.key') : undefined}
              aria-label={t('admin.claims.key')}
              data={suggestions.data ?? []}
              value={row.key}
              onChange={(key) => update(index, { key })}
              style={{ flex: 1 }}
              data-testid={`claim-${index}-key`}
            />
            <TextInput
              label={index === 0 ? t('admin.claims.value') : undefined}
              aria-label={t('admin.claims.value')}
              value={row.value}
              onChange={(event) => update(index, { value: event.currentTarget.value })}
              style={{ flex: 2 }}
              data-testid={`claim-${index}-value`}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={t('common.delete')}
              onClick={() => setRows(rows.filter((_, i) => i !== index))}
              data-testid={`claim-${index}-remove`}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        ))}
        {save.error instanceof ApiError && (
          <Alert color="red" role="alert" data-testid="claims-error">
            {save.error.code === 'reserved_claim_key'
              ? t('admin.claims.reserved', { message: save.error.message })
              : save.error.message}
          </Alert>
        )}
        {save.isSuccess && (
          <Text size="sm" c="green" data-testid="claims-saved">
            {t('admin.saved')}
          </Text>
        )}
        <Group>
          <Button size="xs" onClick={() => save.mutate()} loading={save.isPending} data-testid="claims-save">
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
