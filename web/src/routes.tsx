import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { AuthLayout } from './components/auth-layout';
import { SignedInLayout, SignedOutOnly } from './components/route-guards';
import { ApiKeysPage } from './pages/admin/api-keys-page';
import { ApplicationConfigurationPage } from './pages/admin/application-configuration-page';
import { OidcClientPage } from './pages/admin/oidc-client-page';
import { OidcClientsPage } from './pages/admin/oidc-clients-page';
import { UserGroupPage } from './pages/admin/user-group-page';
import { UserGroupsPage } from './pages/admin/user-groups-page';
import { UserPage } from './pages/admin/user-page';
import { UsersPage } from './pages/admin/users-page';
import { DeviceApprovePage } from './pages/device-approve-page';
import { DeviceLoginPage } from './pages/device-login-page';
import { InteractionErrorPage } from './pages/interaction/interaction-error-page';
import { InteractionPage } from './pages/interaction/interaction-page';
import { LoginCodePage } from './pages/login-code-page';
import { LoginPage } from './pages/login-page';
import { NotFoundPage } from './pages/not-found-page';
import { RouteErrorPage } from './pages/route-error-page';
import { AccountPage } from './pages/settings/account-page';
import { MyAppsPage } from './pages/settings/apps';
import { AuditLogPage } from './pages/settings/audit-log-page';
import { SettingsHomePage } from './pages/settings-home-page';
import { SetupPage, SignupPage } from './pages/setup-page';

/** Public pages shown in the centred card, relative to `/`. Add one line per page. */
export const authPages: RouteObject[] = [
  { path: 'lc', element: <LoginCodePage /> },
  { path: 'lc/:code', element: <LoginCodePage /> },
  { path: 'login/alternative/code', element: <LoginCodePage /> },
  { path: 'login/alternative/device', element: <DeviceLoginPage /> },
  { path: 'login/device-approve', element: <DeviceApprovePage /> },
  { path: 'signup', element: <SignupPage /> },
  { path: 'st/:token', element: <SignupPage /> },
  { path: 'interaction', element: <InteractionPage /> },
  { path: 'interaction/error', element: <InteractionErrorPage /> },
];

/** Signed-in pages shown beside the settings navigation, relative to `/settings`. Add one line per page. */
export const settingsPages: RouteObject[] = [
  { index: true, element: <Navigate to="/settings/account" replace /> },
  { path: 'account', element: <AccountPage /> },
  { path: 'apps', element: <MyAppsPage /> },
  { path: 'audit-log', element: <AuditLogPage key="own" /> },
  { path: 'audit-log/global', element: <AuditLogPage key="global" global /> },
  { path: 'admin/users', element: <UsersPage /> },
  { path: 'admin/users/:id', element: <UserPage /> },
  { path: 'admin/user-groups', element: <UserGroupsPage /> },
  { path: 'admin/user-groups/:id', element: <UserGroupPage /> },
  { path: 'admin/oidc-clients', element: <OidcClientsPage /> },
  { path: 'admin/oidc-clients/new', element: <OidcClientPage /> },
  { path: 'admin/oidc-clients/:id', element: <OidcClientPage /> },
  { path: 'admin/api-keys', element: <ApiKeysPage /> },
  { path: 'admin/application-configuration', element: <ApplicationConfigurationPage /> },
  { path: '*', element: <SettingsHomePage /> },
];

export const routes: RouteObject[] = [
  {
    path: '/',
    errorElement: <RouteErrorPage />,
    children: [
      { index: true, element: <Navigate to="/login" replace /> },
      {
        // Signed-in users have nothing to do on these and go to their account.
        element: <SignedOutOnly />,
        children: [
          { path: 'login', element: <LoginPage /> },
          { path: 'setup', element: <SetupPage /> },
          { path: 'signup/setup', element: <SetupPage /> },
        ],
      },
      {
        element: <AuthLayout />,
        children: [...authPages, { path: '*', element: <NotFoundPage /> }],
      },
      {
        path: 'settings',
        element: <SignedInLayout />,
        children: settingsPages,
      },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
