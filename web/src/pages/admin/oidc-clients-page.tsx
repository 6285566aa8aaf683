import { Badge, Button, Group, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { listQuery, type OidcClient, type Page } from '../../api/admin';
import { apiGet } from '../../api/client';
import { PageTitle } from './copy-field';

export function OidcClientsPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const clients = useQuery({
    queryKey: ['admin-clients', debounced],
    queryFn: () =>
      apiGet<Page<OidcClient>>(`/api/oidc/clients?${listQuery(1, debounced)}&pagination[limit]=100`),
  });
  return (
    <>
      <PageTitle title={t('admin.clients.title')} description={t('admin.clients.description')} />
      <Group mb="md">
        <TextInput
          placeholder={t('admin.search')}
          aria-label={t('admin.search')}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          data-testid="clients-search"
        />
        <Button component={Link} to="/settings/admin/oidc-clients/new" data-testid="clients-create">
          {t('admin.clients.create')}
        </Button>
      </Group>
      <Table striped highlightOnHover data-testid="clients-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('admin.clients.name')}</Table.Th>
            <Table.Th>{t('admin.clients.clientId')}</Table.Th>
            <Table.Th>{t('admin.clients.allowedGroups')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {clients.data?.data.map((client) => (
            <Table.Tr key={client.id}>
              <Table.Td>
                <Link
                  to={`/settings/admin/oidc-clients/${encodeURIComponent(client.id)}`}
                  data-testid={`client-link-${client.name}`}
                >
                  {client.name}
                </Link>
              </Table.Td>
              <Table.Td>{client.id}</Table.Td>
              <Table.Td>
                {client.isGroupRestricted ? (
                  <Badge>{client.allowedUserGroupsCount}</Badge>
                ) : (
                  <Badge color="gray">{t('admin.clients.unrestricted')}</Badge>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
