import { Alert, Button, Stack, Tabs, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppConfig } from '../../api/app-config';
import { ApiError, apiGet, apiPut } from '../../api/client';
import { BrandingImages } from './branding-images';
import { PageTitle } from './copy-field';

interface Setting {
  key: string;
  type: string;
  value: string;
  isPublic: boolean;
}

const tabs: Array<{
  id: 'general' | 'signup' | 'email' | 'passkeys' | 'ldap';
  match: (key: string) => boolean;
}> = [
  { id: 'signup', match: (key) => key.startsWith('signup') || key === 'allowUserSignups' },
  {
    id: 'email',
    match: (key) => key.startsWith('smtp') || key.startsWith('email') || key === 'requireUserEmail',
  },
  { id: 'passkeys', match: (key) => key.startsWith('webauthn') },
  { id: 'ldap', match: (key) => key.startsWith('ldap') },
  { id: 'general', match: () => true },
];
const tabOf = (key: string) => tabs.find((tab) => tab.match(key))?.id ?? 'general';

/** Every UI setting, grouped in tabs; read-only when UI_CONFIG_DISABLED=true. */
export function ApplicationConfigurationPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { config } = useAppConfig();
  const readOnly = (config as unknown as Record<string, unknown>).uiConfigDisabled === true;
  const settings = useQuery({
    queryKey: ['admin-app-config'],
    queryFn: () => apiGet<Setting[]>('/api/application-configuration/all'),
  });
  const [values, setValues] = useState<Record<string, string>>({});
  useEffect(() => {
    if (settings.data)
      setValues(Object.fromEntries(settings.data.map((setting) => [setting.key, setting.value])));
  }, [settings.data]);
  const save = useMutation({
    mutationFn: () => apiPut<Setting[]>('/api/application-configuration', { body: values }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-app-config'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <>
      <PageTitle title={t('admin.config.title')} description={t('admin.config.description')} />
      {readOnly && <Alert mb="md">{t('admin.config.readOnly')}</Alert>}
      <form onSubmit={submit}>
        <Tabs defaultValue="general">
          <Tabs.List>
            {['general', 'signup', 'email', 'passkeys', 'ldap', 'images'].map((id) => (
              <Tabs.Tab key={id} value={id} data-testid={`config-tab-${id}`}>
                {t(`admin.config.tabs.${id as 'general'}`)}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          <Tabs.Panel value="images" pt="md">
            <BrandingImages readOnly={readOnly} />
          </Tabs.Panel>
          {['general', 'signup', 'email', 'passkeys', 'ldap'].map((id) => (
            <Tabs.Panel key={id} value={id} pt="md">
              <Stack>
                {settings.data
                  ?.filter((setting) => tabOf(setting.key) === id)
                  .map((setting) => (
                    <TextInput
                      key={setting.key}
                      label={setting.key}
                      value={values[setting.key] ?? ''}
                      disabled={readOnly}
                      type={/password/i.test(setting.key) ? 'password' : 'text'}
                      onChange={(event) => setValues({ ...values, [setting.key]: event.currentTarget.value })}
                      data-testid={`config-${setting.key}`}
                    />
                  ))}
              </Stack>
            </Tabs.Panel>
          ))}
        </Tabs>
        {save.error instanceof ApiError && (
          <Alert color="red" mt="md" role="alert">
            {save.error.message}
          </Alert>
        )}
        {save.isSuccess && (
          <Alert color="green" mt="md">
            {t('admin.config.saved')}
          </Alert>
        )}
        <Button type="submit" mt="md" disabled={readOnly} loading={save.isPending} data-testid="config-save">
          {t('common.save')}
        </Button>
      </form>
    </>
  );
}
