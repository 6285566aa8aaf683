import { Group, Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Outlet } from 'react-router';
import { useAppConfig } from '../api/app-config';
import { AppLogo } from './app-logo';
import classes from './auth-layout.module.css';
import { ColorSchemeToggle } from './color-scheme-toggle';

export interface AuthLayoutProps {
  /** Rendered in the card; defaults to the matched child route. */
  children?: ReactNode;
}

/** The centred card used by sign-in and other pages shown before signing in. */
export function AuthLayout({ children }: AuthLayoutProps) {
  const { config } = useAppConfig();

  return (
    <div className={classes.root}>
      <Group component="header" justify="flex-end" p="md">
        <ColorSchemeToggle />
      </Group>
      <main className={classes.main}>
        <Stack className={classes.column} gap="lg">
          <Stack align="center" gap="xs">
            <AppLogo size={56} />
            <Text fw={600} size="lg">
              {config.appName}
            </Text>
          </Stack>
          <Paper withBorder shadow="sm" radius="lg" p="xl">
            {children ?? <Outlet />}
          </Paper>
        </Stack>
      </main>
    </div>
  );
}
