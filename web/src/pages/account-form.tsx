import { Alert, Button, Stack, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

export interface AccountFields {
  username: string;
  firstName: string;
  lastName: string;
  email: string;
}

/** Username, names and email: the account form of setup and signup. Field errors come from the server. */
export function AccountForm({
  title,
  submitLabel,
  onSubmit,
}: {
  title: string;
  submitLabel: string;
  onSubmit: (values: AccountFields) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useForm<AccountFields>({
    initialValues: { username: '', firstName: '', lastName: '', email: '' },
    validate: {
      username: (value) => (value.trim().length < 1 ? t('account.fields.required') : null),
      firstName: (value) => (value.trim().length < 1 ? t('account.fields.required') : null),
    },
  });

  const submit = form.onSubmit(async (values) => {
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(values);
    } catch (failure) {
      if (failure instanceof ApiError) setError(failure.message);
      else setError(String(failure));
    } finally {
      setBusy(false);
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Title order={1} size="h2" ta="center">
          {title}
        </Title>
        {error && (
          <Alert color="red" data-testid="account-form-error">
            {error}
          </Alert>
        )}
        <TextInput
          label={t('account.fields.username')}
          required
          autoComplete="username"
          data-testid="field-username"
          {...form.getInputProps('username')}
        />
        <TextInput
          label={t('account.fields.firstName')}
          required
          autoComplete="given-name"
          data-testid="field-first-name"
          {...form.getInputProps('firstName')}
        />
        <TextInput
          label={t('account.fields.lastName')}
          autoComplete="family-name"
          data-testid="field-last-name"
          {...form.getInputProps('lastName')}
        />
        <TextInput
          label={t('account.fields.email')}
          type="email"
          autoComplete="email"
          data-testid="field-email"
          {...form.getInputProps('email')}
        />
        <Button type="submit" loading={busy} data-testid="account-form-submit">
          {submitLabel}
        </Button>
      </Stack>
    </form>
  );
}
