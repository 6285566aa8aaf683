/** oidc-provider ships no type declarations; these cover what src/oidc uses. */
declare module 'oidc-provider' {
  export type AdapterPayload = Record<string, any> & {
    jti?: string;
    grantId?: string;
    userCode?: string;
    uid?: string;
    consumed?: number;
  };
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }
  type Untyped = any;
  const Provider: Untyped;
  export default Provider;
  export const interactionPolicy: Untyped;
  export const errors: Untyped;
}
