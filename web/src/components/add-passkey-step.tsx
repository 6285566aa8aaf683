import { Alert, Button, Stack, Text, Title } from '@mantine/core';
import { IconFingerprint } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { registerPasskey } from '../api/account';
import { usePasskeyErrorMessage } from './passkey-error';

export interface AddPasskeyStepProps {
  /** Called once the passkey is stored (or skipped, when `allowSkip`). */
  onDone: () => void;
  allowSkip?: boolean;
}

/** The step after creating an account or signing in with a code: create this account's passkey. */
export function AddPasskeyStep({ onDone, allowSkip }: AddPasskeyStepProps) {
  const { t } = useTranslation();
  const describe = usePasskeyErrorMessage();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const add = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await registerPasskey();
      onDone();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md" data-testid="add-passkey-step">
      <Title order={1} size="h2" ta="center">
        {t('passkey.add.title')}
      </Title>
      <Text c="dimmed" ta="center">
        {t('passkey.add.description')}
      </Text>
      {error && (
        <Alert color="red" data-testid="add-passkey-error">
          {error}
        </Alert>
      )}
      <Button
        leftSection={<IconFingerprint size={18} />}
        onClick={add}
        loading={busy}
        size="md"
        data-testid="add-passkey"
      >
        {t('passkey.add.action')}
      </Button>
      {allowSkip && (
        <Button variant="subtle" onClick={onDone} data-testid="skip-passkey">
          {t('passkey.add.skip')}
        </Button>
      )}
    </Stack>
  );
}
