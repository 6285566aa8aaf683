import {
  Badge,
  Button,
  Group,
  Modal,
  Pagination,
  Switch,
  Table,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { type AdminUser, listQuery, type Page } from '../../api/admin';
import { ApiError, apiGet, apiPost } from '../../api/client';
import { PageTitle } from './copy-field';

type SortColumn = 'username' | 'email' | 'displayName' | 'createdAt';

/** Admin users list: search, sort and pagination all happen on the server. */
export function UsersPage() {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const [sort, setSort] = useState<{ column: SortColumn; direction: 'asc' | 'desc' }>({
    column: 'username',
    direction: 'asc',
  });
  const [createOpened, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const users = useQuery({
    queryKey: ['admin-users', page, debouncedSearch, sort],
    queryFn: () => apiGet<Page<AdminUser>>(`/api/users?${listQuery(page, debouncedSearch, sort)}`),
  });

  const sortBy = (column: SortColumn) =>
    setSort((current) => ({
      column,
      direction: current.column === column && current.direction === 'asc' ? 'desc' : 'asc',
    }));
  const header = (column: SortColumn, label: string) => (
    <Table.Th>
      <UnstyledButton onClick={() => sortBy(column)} data-testid={`users-sort-${column}`} fw={600}>
        {label} {sort.column === column ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
      </UnstyledButton>
    </Table.Th>
  );

  return (
    <>
      <PageTitle title={t('admin.users.title')} description={t('admin.users.description')} />
      <Group mb="md">
        <TextInput
          placeholder={t('admin.search')}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            setPage(1);
          }}
          data-testid="users-search"
          aria-label={t('admin.search')}
        />
        <Button onClick={openCreate} data-testid="users-create">
          {t('admin.users.create')}
        </Button>
      </Group>
      <Table striped highlightOnHover data-testid="users-table">
        <Table.Thead>
          <Table.Tr>
            {header('username', t('admin.users.username'))}
            {header('email', t('admin.users.email'))}
            {header('displayName', t('admin.users.displayName'))}
            <Table.Th>{t('admin.users.role')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.data?.data.map((user) => (
            <Table.Tr key={user.id} data-testid={`user-row-${user.username}`}>
              <Table.Td>
                <Link to={`/settings/admin/users/${user.id}`} data-testid={`user-link-${user.username}`}>
                  {user.username}
                </Link>
              </Table.Td>
              <Table.Td>{user.email}</Table.Td>
              <Table.Td>{user.displayName}</Table.Td>
              <Table.Td>
                {user.isAdmin && <Badge>{t('admin.users.admin')}</Badge>}
                {user.disabled && <Badge color="gray">{t('admin.users.disabled')}</Badge>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {users.data && users.data.pagination.totalPages > 1 && (
        <Pagination
          mt="md"
          total={users.data.pagination.totalPages}
          value={page}
          onChange={setPage}
          data-testid="users-pagination"
        />
      )}
      <Modal opened={createOpened} onClose={closeCreate} title={t('admin.users.create')}>
        <CreateUserForm onDone={closeCreate} />
      </Modal>
    </>
  );
}

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [values, setValues] = useState({
    username: '',
    email: '',
    firstName: '',
    lastName: '',
    isAdmin: false,
  });
  const create = useMutation({
    mutationFn: () => apiPost<AdminUser>('/api/users', { body: values }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin-users'] });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const field = (name: 'username' | 'email' | 'firstName' | 'lastName', label: string) => (
    <TextInput
      label={label}
      value={values[name]}
      onChange={(event) => setValues({ ...values, [name]: event.currentTarget.value })}
      data-testid={`user-form-${name}`}
      mb="sm"
    />
  );
  return (
    <form onSubmit={submit}>
      {field('username', t('admin.users.username'))}
      {field('email', t('admin.users.email'))}
      {field('firstName', t('admin.users.firstName'))}
      {field('lastName', t('admin.users.lastName'))}
      <Switch
        label={t('admin.users.admin')}
        checked={values.isAdmin}
        onChange={(event) => setValues({ ...values, isAdmin: event.currentTarget.checked })}
        mb="md"
      />
      {create.error instanceof ApiError && (
        <div role="alert" data-testid="user-form-error">
          {create.error.message}
        </div>
      )}
      <Button type="submit" loading={create.isPending} data-testid="user-form-submit">
        {t('common.create')}
      </Button>
    </form>
  );
}
