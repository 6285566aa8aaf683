import type { CurrentUser } from './account';
import { apiPost } from './client';

export interface DeviceLoginRequest {
  id: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresAt: string;
  interval: number;
}

export interface DeviceLoginInfo {
  userCode: string;
  ipAddress: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  createdAt: string;
  expiresAt: string;
}

/** @throws ApiError */
export function startDeviceLogin(): Promise<DeviceLoginRequest> {
  return apiPost<DeviceLoginRequest>('/api/device-login/requests');
}

/** Long-polls once: the user once approved, null while still pending. @throws ApiError when denied or expired */
export async function exchangeDeviceLogin(id: string, signal?: AbortSignal): Promise<CurrentUser | null> {
  const result = await apiPost<CurrentUser | { status: 'pending' }>(
    `/api/device-login/requests/${encodeURIComponent(id)}/exchange`,
    { signal },
  );
  return 'id' in result ? result : null;
}

/** @throws ApiError */
export function describeDeviceLogin(code: string): Promise<DeviceLoginInfo> {
  return apiPost<DeviceLoginInfo>('/api/device-login/verification', { body: { code } });
}

/** @throws ApiError (reauthentication_required when the passkey check is missing or too old) */
export async function decideDeviceLogin(code: string, decision: 'approve' | 'deny'): Promise<void> {
  await apiPost('/api/device-login/verification/decision', { body: { code, decision } });
}
