import { AppShell, Burger, Divider, Group, NavLink, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  type Icon,
  IconAdjustments,
  IconApps,
  IconHistory,
  IconKey,
  IconListDetails,
  IconPlugConnected,
  IconUser,
  IconUsers,
  IconUsersGroup,
} from '@tabler/icons-react';
import type { ParseKeys } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useMatch } from 'react-router';
import { useAppConfig } from '../api/app-config';
import { AppLogo } from './app-logo';
import { ColorSchemeToggle } from './color-scheme-toggle';
import classes from './settings-layout.module.css';

interface NavItem {
  to: string;
  label: ParseKeys;
  icon: Icon;
  /** Active only on this exact path, not on the paths below it. */
  exact?: boolean;
}

const accountItems: NavItem[] = [
  { to: '/settings/account', label: 'nav.account', icon: IconUser },
  { to: '/settings/apps', label: 'nav.apps', icon: IconApps },
  { to: '/settings/audit-log', label: 'nav.auditLog', icon: IconHistory, exact: true },
];

const adminItems: NavItem[] = [
  { to: '/settings/admin/users', label: 'nav.users', icon: IconUsers },
  {
    to: '/settings/admin/user-groups',
    label: 'nav.userGroups',
    icon: IconUsersGroup,
  },
  {
    to: '/settings/admin/oidc-clients',
    label: 'nav.oidcClients',
    icon: IconPlugConnected,
  },
  { to: '/settings/admin/api-keys', label: 'nav.apiKeys', icon: IconKey },
  { to: '/settings/audit-log/global', label: 'nav.globalAuditLog', icon: IconListDetails },
  {
    to: '/settings/admin/application-configuration',
    label: 'nav.applicationConfiguration',
    icon: IconAdjustments,
  },
];

export interface SettingsLayoutProps {
  /** Shows the administration section of the navigation. */
  isAdmin: boolean;
  /** Placed at the right end of the header, e.g. the signed-in user's menu. */
  userMenu?: ReactNode;
  /** Rendered as the page; defaults to the matched child route. */
  children?: ReactNode;
}

/** The signed-in shell: header, navigation and the settings page beside it. */
export function SettingsLayout({ isAdmin, userMenu, children }: SettingsLayoutProps) {
  const { t } = useTranslation();
  const { config } = useAppConfig();
  const [navbarOpened, { toggle: toggleNavbar, close: closeNavbar }] = useDisclosure(false);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{
        width: 280,
        breakpoint: 'sm',
        collapsed: { mobile: !navbarOpened },
      }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navbarOpened}
              onClick={toggleNavbar}
              hiddenFrom="sm"
              size="sm"
              aria-label={navbarOpened ? t('nav.closeNavigation') : t('nav.openNavigation')}
            />
            <UnstyledButton
              component={Link}
              to="/settings"
              onClick={closeNavbar}
              aria-label={t('nav.home', { appName: config.appName })}
            >
              <Group gap="xs" wrap="nowrap">
                <AppLogo size={32} />
                <Text fw={600} size="lg" truncate>
                  {config.appName}
                </Text>
              </Group>
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ColorSchemeToggle />
            {userMenu}
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="md" aria-label={t('nav.mainNavigation')}>
        <AppShell.Section grow component={ScrollArea}>
          <NavItems items={accountItems} onNavigate={closeNavbar} />
          {isAdmin && (
            <>
              <Divider my="sm" />
              <Text id="settings-nav-admin" size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={4}>
                {t('nav.administration')}
              </Text>
              <NavItems items={adminItems} labelledBy="settings-nav-admin" onNavigate={closeNavbar} />
            </>
          )}
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>{children ?? <Outlet />}</AppShell.Main>
    </AppShell>
  );
}

interface NavItemsProps {
  items: NavItem[];
  labelledBy?: string;
  /** On small screens the navigation covers the page, so it closes once a page is picked. */
  onNavigate: () => void;
}

function NavItems({ items, labelledBy, onNavigate }: NavItemsProps) {
  return (
    <ul className={classes.navList} aria-labelledby={labelledBy}>
      {items.map((item) => (
        <li key={item.to}>
          <SettingsNavLink item={item} onNavigate={onNavigate} />
        </li>
      ))}
    </ul>
  );
}

function SettingsNavLink({ item, onNavigate }: { item: NavItem; onNavigate: () => void }) {
  const { t } = useTranslation();
  const active = useMatch({ path: item.to, end: item.exact ?? false }) !== null;
  const Icon = item.icon;

  return (
    <NavLink
      component={Link}
      to={item.to}
      className={classes.navLink}
      label={t(item.label)}
      leftSection={<Icon size={18} stroke={1.75} />}
      active={active}
      aria-current={active ? 'page' : undefined}
      onClick={onNavigate}
      variant="light"
    />
  );
}
