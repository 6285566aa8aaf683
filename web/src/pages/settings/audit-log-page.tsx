import { Badge, Card, Group, Pagination, Select, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconHistory } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCurrentUser } from '../../api/account';
import type { Page } from '../../api/admin';
import { apiGet } from '../../api/client';

export interface AuditLogEntry {
  id: string;
  event: string;
  ipAddress: string | null;
  country: string | null;
  city: string | null;
  device: string;
  userID: string | null;
  username: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}

const events = [
  'SIGN_IN',
  'TOKEN_SIGN_IN',
  'REMOTE_SIGN_IN',
  'ACCOUNT_CREATED',
  'PASSKEY_ADDED',
  'PASSKEY_REMOVED',
  'CLIENT_AUTHORIZATION',
  'NEW_CLIENT_AUTHORIZATION',
  'DEVICE_CODE_AUTHORIZATION',
  'NEW_DEVICE_CODE_AUTHORIZATION',
] as const;

/** A short, readable name for a user agent ("Firefox on Linux"). */
function describeDevice(userAgent: string): string {
  if (!userAgent) return '—';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrome\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : undefined;
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  if (browser && system) return `${browser} · ${system}`;
  return browser ?? system ?? userAgent.slice(0, 40);
}

function location(entry: AuditLogEntry, unknown: string): string {
  const parts = [entry.city, entry.country].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : unknown;
}

/** The signed-in user's own audit log, or everyone's for admins at /settings/audit-log/global. */
export function AuditLogPage({ global = false }: { global?: boolean }) {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState(1);
  const [event, setEvent] = useState<string | null>(null);
  const [userId, setUserId] = useState<string | null>(null);
  const { user } = useCurrentUser();

  const params = new URLSearchParams({ 'pagination[page]': String(page), 'pagination[limit]': '20' });
  if (event) params.set('filters[event]', event);
  if (global && userId) params.set('filters[userID]', userId);
  const logs = useQuery({
    queryKey: ['audit-logs', global, page, event, userId],
    queryFn: () => apiGet<Page<AuditLogEntry>>(`/api/audit-logs${global ? '/all' : ''}?${params}`),
  });
  const users = useQuery({
    queryKey: ['audit-log-users'],
    queryFn: () => apiGet<Record<string, string>>('/api/audit-logs/filters/users'),
    enabled: global && Boolean(user?.isAdmin),
  });

  const dateFormat = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  const entries = logs.data?.data ?? [];

  return (
    <Stack gap="md" maw={1100}>
      <div>
        <Title order={2}>{t(global ? 'auditLog.globalTitle' : 'auditLog.title')}</Title>
        <Text c="dimmed" size="sm">
          {t(global ? 'auditLog.globalDescription' : 'auditLog.description')}
        </Text>
      </div>
      <Group>
        <Select
          aria-label={t('auditLog.filterEvent')}
          placeholder={t('auditLog.allEvents')}
          data={events.map((value) => ({ value, label: t(`auditLog.events.${value}`) }))}
          value={event}
          onChange={(value) => {
            setEvent(value);
            setPage(1);
          }}
          clearable
          data-testid="audit-filter-event"
        />
        {global && (
          <Select
            aria-label={t('auditLog.filterUser')}
            placeholder={t('auditLog.allUsers')}
            data={Object.entries(users.data ?? {}).map(([value, label]) => ({ value, label }))}
            value={userId}
            onChange={(value) => {
              setUserId(value);
              setPage(1);
            }}
            searchable
            clearable
            data-testid="audit-filter-user"
          />
        )}
      </Group>
      <Card withBorder padding={0} radius="md">
        {entries.length === 0 && !logs.isPending ? (
          <Stack align="center" gap="xs" p="xl">
            <IconHistory size={32} stroke={1.5} />
            <Text c="dimmed">{t('auditLog.empty')}</Text>
          </Stack>
        ) : (
          <Table.ScrollContainer minWidth={700}>
            <Table striped highlightOnHover verticalSpacing="sm" data-testid="audit-log-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('auditLog.columns.time')}</Table.Th>
                  {global && <Table.Th>{t('auditLog.columns.user')}</Table.Th>}
                  <Table.Th>{t('auditLog.columns.event')}</Table.Th>
                  <Table.Th>{t('auditLog.columns.client')}</Table.Th>
                  <Table.Th>{t('auditLog.columns.ipAddress')}</Table.Th>
                  <Table.Th>{t('auditLog.columns.location')}</Table.Th>
                  <Table.Th>{t('auditLog.columns.device')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((entry) => (
                  <Table.Tr key={entry.id} data-testid="audit-log-row">
                    <Table.Td>{dateFormat.format(new Date(entry.createdAt))}</Table.Td>
                    {global && <Table.Td>{entry.username ?? '—'}</Table.Td>}
                    <Table.Td>
                      <Badge variant="light" radius="sm">
                        {t(`auditLog.events.${entry.event as (typeof events)[number]}`, {
                          defaultValue: entry.event,
                        })}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {typeof entry.data.clientName === 'string' ? entry.data.clientName : '—'}
                    </Table.Td>
                    <Table.Td>{entry.ipAddress ?? '—'}</Table.Td>
                    <Table.Td>{location(entry, t('auditLog.unknownLocation'))}</Table.Td>
                    <Table.Td>
                      <Tooltip label={entry.device || '—'} multiline maw={360}>
                        <Text size="sm">{describeDevice(entry.device)}</Text>
                      </Tooltip>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      {(logs.data?.pagination.totalPages ?? 0) > 1 && (
        <Pagination value={page} onChange={setPage} total={logs.data?.pagination.totalPages ?? 1} />
      )}
    </Stack>
  );
}
