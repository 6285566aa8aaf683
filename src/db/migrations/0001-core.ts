import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../column-types.ts';

/** The data model of users, groups, passkeys, sessions, clients and protocol state. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const schema = db.schema;

  await schema
    .createTable('kv')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await schema
    .createTable('app_config')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('email_verified', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('first_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('is_admin', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('ldap_id', 'text', (c) => c.unique())
    .addColumn('locale', 'text')
    .addColumn('disabled', t.bool, (c) => c.notNull().defaultTo(t.false))
    .execute();
  await schema
    .createIndex('users_username_unique')
    .on('users')
    .expression(sql`lower(username)`)
    .unique()
    .execute();
  await schema.createIndex('users_email_unique').on('users').expression(sql`lower(email)`).unique().execute();
  await schema.createIndex('users_created_at').on('users').column('created_at').execute();

  await schema
    .createTable('user_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('ldap_id', 'text', (c) => c.unique())
    .execute();

  await schema
    .createTable('user_groups_users')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('user_group_id', 'text', (c) => c.notNull().references('user_groups.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_groups_users_pk', ['user_id', 'user_group_id'])
    .execute();
  await schema
    .createIndex('user_groups_users_group')
    .on('user_groups_users')
    .column('user_group_id')
    .execute();

  await schema
    .createTable('custom_claims')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('user_group_id', 'text', (c) => c.references('user_groups.id').onDelete('cascade'))
    .addCheckConstraint('custom_claims_one_owner', sql`(user_id is null) <> (user_group_id is null)`)
    .execute();
  await schema
    .createIndex('custom_claims_user_key')
    .on('custom_claims')
    .columns(['user_id', 'key'])
    .unique()
    .execute();
  await schema
    .createIndex('custom_claims_group_key')
    .on('custom_claims')
    .columns(['user_group_id', 'key'])
    .unique()
    .execute();

  await schema
    .createTable('audit_logs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('ip_address', 'text')
    .addColumn('user_agent', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('country', 'text')
    .addColumn('city', 'text')
    .addColumn('data', t.json, (c) => c.notNull().defaultTo(t.emptyObject))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .execute();
  await schema
    .createIndex('audit_logs_user_created')
    .on('audit_logs')
    .columns(['user_id', 'created_at'])
    .execute();
  await schema.createIndex('audit_logs_created').on('audit_logs').column('created_at').execute();
  await schema.createIndex('audit_logs_event').on('audit_logs').column('event').execute();

  await schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('auth_time', t.timestamp, (c) => c.notNull())
    .addColumn('amr', t.json, (c) => c.notNull().defaultTo(t.emptyList))
    .addColumn('ip_address', 'text')
    .addColumn('user_agent', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  await schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();

  await schema
    .createTable('reauthentication_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.references('sessions.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .execute();

  await schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', t.blob, (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('aaguid', 'text', (c) => c.notNull().defaultTo('00000000-0000-0000-0000-000000000000'))
    .addColumn('attestation_type', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('transports', t.json, (c) => c.notNull().defaultTo(t.emptyList))
    .addColumn('backup_eligible', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('backup_state', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('last_used_at', t.timestamp)
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .execute();
  await schema
    .createIndex('webauthn_credentials_user')
    .on('webauthn_credentials')
    .column('user_id')
    .execute();

  await schema
    .createTable('webauthn_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('challenge', 'text', (c) => c.notNull().unique())
    .addColumn('ceremony', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('user_verification', 'text', (c) => c.notNull())
    .addColumn('data', t.json, (c) => c.notNull().defaultTo(t.emptyObject))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .execute();
  await schema
    .createIndex('webauthn_challenges_expires')
    .on('webauthn_challenges')
    .column('expires_at')
    .execute();

  await schema
    .createTable('one_time_access_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .execute();

  await schema
    .createTable('signup_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('usage_limit', 'integer', (c) => c.notNull())
    .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await schema
    .createTable('signup_tokens_user_groups')
    .addColumn('signup_token_id', 'text', (c) =>
      c.notNull().references('signup_tokens.id').onDelete('cascade'),
    )
    .addColumn('user_group_id', 'text', (c) => c.notNull().references('user_groups.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('signup_tokens_user_groups_pk', ['signup_token_id', 'user_group_id'])
    .execute();

  await schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_used_at', t.timestamp)
    .addColumn('expiration_email_sent', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .execute();
  await schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();

  await schema
    .createTable('oidc_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('callback_urls', t.json, (c) => c.notNull().defaultTo(t.emptyList))
    .addColumn('logout_callback_urls', t.json, (c) => c.notNull().defaultTo(t.emptyList))
    .addColumn('back_channel_logout_url', 'text')
    .addColumn('image_type', 'text')
    .addColumn('dark_image_type', 'text')
    .addColumn('created_by_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('is_public', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('pkce_enabled', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('requires_reauthentication', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('skip_consent', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('is_group_restricted', t.bool, (c) => c.notNull().defaultTo(t.false))
    .addColumn('launch_url', 'text')
    .addColumn('access_token_duration_minutes', 'integer', (c) => c.notNull().defaultTo(60))
    .addColumn('refresh_token_duration_minutes', 'integer', (c) => c.notNull().defaultTo(43200))
    .addColumn('credentials', t.json, (c) => c.notNull().defaultTo(t.emptyObject))
    .execute();

  await schema
    .createTable('oidc_client_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('oidc_clients.id').onDelete('cascade'))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp)
    .execute();
  await schema
    .createIndex('oidc_client_secrets_client')
    .on('oidc_client_secrets')
    .column('client_id')
    .execute();

  await schema
    .createTable('oidc_clients_allowed_user_groups')
    .addColumn('oidc_client_id', 'text', (c) => c.notNull().references('oidc_clients.id').onDelete('cascade'))
    .addColumn('user_group_id', 'text', (c) => c.notNull().references('user_groups.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('oidc_clients_allowed_user_groups_pk', ['oidc_client_id', 'user_group_id'])
    .execute();

  await schema
    .createTable('user_authorized_oidc_clients')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('oidc_clients.id').onDelete('cascade'))
    .addColumn('scope', t.json, (c) => c.notNull().defaultTo(t.emptyList))
    .addColumn('last_used_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('user_authorized_oidc_clients_pk', ['user_id', 'client_id'])
    .execute();

  // oidc-provider's protocol objects (sessions, grants, codes, tokens, interactions, ...), one table.
  await schema
    .createTable('oidc_payloads')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', t.timestamp)
    .addColumn('consumed_at', t.timestamp)
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['kind', 'id'])
    .execute();
  await schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
  await schema.createIndex('oidc_payloads_user_code').on('oidc_payloads').column('user_code').execute();
  await schema.createIndex('oidc_payloads_uid').on('oidc_payloads').column('uid').execute();
  await schema.createIndex('oidc_payloads_expires').on('oidc_payloads').column('expires_at').execute();
}

export async function down(): Promise<void> {
  throw new Error('The core schema cannot be rolled back');
}
