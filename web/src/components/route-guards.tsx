import { Button, Center, Loader, Menu } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { currentUserQueryKey, signOut, useCurrentUser } from '../api/account';
import { AuthLayout } from './auth-layout';
import { SettingsLayout } from './settings-layout';
import { UserAvatar } from './user-avatar';

function FullPageLoader() {
  const { t } = useTranslation();
  return (
    <Center mih="100dvh" role="status" aria-label={t('common.loading')}>
      <Loader type="dots" />
    </Center>
  );
}

/** `/settings/*`: signed-out visitors go to `/login?redirect=<here>`. */
export function SignedInLayout() {
  const { user, isPending } = useCurrentUser();
  const location = useLocation();
  if (isPending) return <FullPageLoader />;
  if (!user) {
    const back = encodeURIComponent(`${location.pathname}${location.search}`);
    return <Navigate to={`/login?redirect=${back}`} replace />;
  }
  return (
    <SettingsLayout
      isAdmin={user.isAdmin}
      userMenu={<UserMenu userId={user.id} name={user.displayName || user.username} />}
    />
  );
}

/** `/login`, `/setup`: signed-in users have nothing to do there and go to their account. */
export function SignedOutOnly() {
  const { user, isPending } = useCurrentUser();
  if (isPending) return <FullPageLoader />;
  if (user) return <Navigate to="/settings/account" replace />;
  return <AuthLayout>{<Outlet />}</AuthLayout>;
}

function UserMenu({ userId, name }: { userId: string; name: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          leftSection={<UserAvatar userId={userId} name="" size={28} />}
          data-testid="user-menu"
        >
          {name}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          leftSection={<IconLogout size={16} />}
          data-testid="sign-out"
          onClick={async () => {
            await signOut().catch(() => undefined);
            // Leave the guarded page first, so its guard does not add a redirect back to it.
            navigate('/login', { replace: true });
            queryClient.setQueryData(currentUserQueryKey, null);
          }}
        >
          {t('account.signOut')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
