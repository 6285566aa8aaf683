import { Center, Loader, MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { RouterProvider } from 'react-router';
import { useAppConfig } from './api/app-config';
import type { createAppRouter } from './routes';
import { createAppTheme } from './theme/theme';

export interface AppProps {
  queryClient: QueryClient;
  router: ReturnType<typeof createAppRouter>;
}

export function App({ queryClient, router }: AppProps) {
  return (
    <QueryClientProvider client={queryClient}>
      <ConfiguredApp router={router} />
    </QueryClientProvider>
  );
}

/**
 * The server adds a CSP nonce to every `<script>` in index.html; Mantine's
 * `<style>` tags reuse it so a strict `style-src` does not block them.
 */
function readCspNonce(): string {
  return document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';
}

const cspNonce = readCspNonce();
const getStyleNonce = () => cspNonce;

function ConfiguredApp({ router }: Pick<AppProps, 'router'>) {
  const { t } = useTranslation();
  const { config, isPending } = useAppConfig();
  const theme = useMemo(() => createAppTheme(config.accentColor), [config.accentColor]);

  useEffect(() => {
    document.title = config.appName;
  }, [config.appName]);

  useEffect(() => {
    document.documentElement.toggleAttribute('data-disable-animations', config.disableAnimations);
  }, [config.disableAnimations]);

  return (
    <MantineProvider
      theme={theme}
      defaultColorScheme="auto"
      getStyleNonce={cspNonce ? getStyleNonce : undefined}
    >
      <Notifications />
      <ModalsProvider>
        {isPending ? (
          // Neutral until the accent colour is known, so nothing flashes in the wrong colour.
          <Center mih="100dvh" role="status" aria-label={t('common.loading')}>
            <Loader color="gray" type="dots" />
          </Center>
        ) : (
          <RouterProvider router={router} />
        )}
      </ModalsProvider>
    </MantineProvider>
  );
}
