import { z } from 'zod';
import { MIN_PASSWORD_LENGTH, UserView } from './readmodels';

/** `POST /api/admin/users/:id/password`: the new password (revokes the user's tokens). */
export const ResetPasswordBody = z.strictObject({
  password: z.string().min(MIN_PASSWORD_LENGTH, `kata sandi minimal ${MIN_PASSWORD_LENGTH} karakter`).max(256),
});
export type ResetPasswordBody = z.infer<typeof ResetPasswordBody>;

/** A user as `GET /api/admin/users` lists it (never with the password hash). */
export const AdminUserView = UserView.extend({
  disabled: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});
export type AdminUserView = z.infer<typeof AdminUserView>;

/** `POST /api/admin/users`: the new user's id. */
export const CreatedUser = z.object({ id: z.string() });
export type CreatedUser = z.infer<typeof CreatedUser>;

/** Known audit actions; other contexts may record their own admin actions too. */
export const AUDIT_ACTIONS = [
  'login_ok', 'login_failed', 'login_throttled', 'logout',
  'user_created', 'user_disabled', 'user_enabled', 'password_reset', 'tokens_revoked',
  'simulation_reset', 'phase_switched', 'sample_drawn', 'seal_requested', 'report_exported', 'master_data_imported',
] as const;

/** One line of `GET /api/admin/audit`: who did what, to what, when, from where. Newest first. */
export const AuditEntryView = z.object({
  id: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorUsername: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;
