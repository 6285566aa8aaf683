import { useTranslation } from 'react-i18next';
import { PasskeyError } from '../api/account';
import { ApiError } from '../api/client';

/** Turns a failed passkey ceremony into a sentence for the page. */
export function usePasskeyErrorMessage() {
  const { t } = useTranslation();
  return (error: unknown): string => {
    if (error instanceof PasskeyError) {
      switch (error.failure) {
        case 'cancelled':
          return t('passkey.errors.cancelled');
        case 'timeout':
          return t('passkey.errors.timeout');
        case 'unknown_passkey':
          return t('passkey.errors.unknownPasskey');
        case 'unsupported':
          return t('passkey.errors.unsupported');
        default:
          return t('passkey.errors.generic', { message: error.message });
      }
    }
    if (error instanceof ApiError) return error.message;
    return t('passkey.errors.generic', { message: String((error as Error)?.message ?? error) });
  };
}
