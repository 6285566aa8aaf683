import { Alert, Button, Group, Table, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { listQuery, type Page, type UserGroupSummary } from '../../api/admin';
import { ApiError, apiDelete, apiGet, apiPost } from '../../api/client';
import { PageTitle } from './copy-field';

export function UserGroupsPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const groups = useQuery({
    queryKey: ['admin-groups'],
    queryFn: () =>
      apiGet<Page<UserGroupSummary & { userCount: number }>>(`/api/user-groups?${listQuery(1, '')}`),
  });
  const [values, setValues] = useState({ friendlyName: '', name: '' });
  const create = useMutation({
    mutationFn: () => apiPost('/api/user-groups', { body: values }),
    onSuccess: async () => {
      setValues({ friendlyName: '', name: '' });
      await queryClient.invalidateQueries({ queryKey: ['admin-groups'] });
      await queryClient.invalidateQueries({ queryKey: ['admin-groups-all'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => apiDelete(`/api/user-groups/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-groups'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <>
      <PageTitle title={t('admin.groups.title')} description={t('admin.groups.description')} />
      <form onSubmit={submit}>
        <Group align="end" mb="md">
          <TextInput
            label={t('admin.groups.friendlyName')}
            value={values.friendlyName}
            onChange={(event) => setValues({ ...values, friendlyName: event.currentTarget.value })}
            data-testid="group-friendly-name"
          />
          <TextInput
            label={t('admin.groups.name')}
            value={values.name}
            onChange={(event) => setValues({ ...values, name: event.currentTarget.value })}
            data-testid="group-name"
          />
          <Button type="submit" data-testid="group-create">
            {t('common.create')}
          </Button>
        </Group>
      </form>
      {create.error instanceof ApiError && <Alert color="red">{create.error.message}</Alert>}
      <Table striped data-testid="groups-table">
        <Table.Tbody>
          {groups.data?.data.map((group) => (
            <Table.Tr key={group.id}>
              <Table.Td>
                <Link to={`/settings/admin/user-groups/${group.id}`} data-testid={`group-link-${group.name}`}>
                  {group.friendlyName}
                </Link>
              </Table.Td>
              <Table.Td>{group.name}</Table.Td>
              <Table.Td>{t('admin.groups.members', { count: group.userCount })}</Table.Td>
              <Table.Td>
                <Button size="xs" color="red" variant="light" onClick={() => remove.mutate(group.id)}>
                  {t('common.delete')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
