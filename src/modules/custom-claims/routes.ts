import { z } from 'zod';
import type { Guards } from '../../http/auth.ts';
import type { App, HttpModule } from '../../http/server.ts';
import type { CustomClaims } from './service.ts';

export const customClaimSchema = z.object({
  key: z.string().min(1, 'must not be empty').max(255),
  value: z.string().max(10_000),
});
const claimListSchema = z.array(customClaimSchema).max(100);

export function createCustomClaimsModule(deps: { claims: CustomClaims; guards: Guards }): HttpModule {
  const { claims, guards } = deps;
  return {
    register(app: App) {
      const tags = ['Custom claims'];
      app.get(
        '/api/custom-claims/suggestions',
        {
          preValidation: guards.requireAdmin,
          schema: { tags, summary: 'Claim keys already in use', response: { 200: z.array(z.string()) } },
        },
        () => claims.suggestions(),
      );
      app.put(
        '/api/custom-claims/user/:userId',
        {
          preValidation: guards.requireAdmin,
          schema: {
            tags,
            summary: "Replace a user's custom claims",
            params: z.object({ userId: z.string() }),
            body: claimListSchema,
            response: { 200: claimListSchema },
          },
        },
        (request) => claims.replaceOfUser(request.params.userId, request.body),
      );
      app.put(
        '/api/custom-claims/user-group/:userGroupId',
        {
          preValidation: guards.requireAdmin,
          schema: {
            tags,
            summary: "Replace a user group's custom claims",
            params: z.object({ userGroupId: z.string() }),
            body: claimListSchema,
            response: { 200: claimListSchema },
          },
        },
        (request) => claims.replaceOfGroup(request.params.userGroupId, request.body),
      );
    },
  };
}
