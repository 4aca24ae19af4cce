/**
 * Creates the production server's two databases and brings their schema to the version the
 * binary expects, with the schema tool built beside it (the schema is embedded in the tool).
 * Every step is idempotent: an existing database is kept, setup on a versioned schema is a no-op,
 * and update-schema applies only the versions not applied yet — so this runs before every start,
 * and upgrading the pinned server migrates the databases on its first start.
 */
import { spawn } from 'node:child_process';
import type { PostgresTarget } from './temporal-server-config.ts';

const schemas = {
  database: 'postgresql/v12/temporal',
  visibilityDatabase: 'postgresql/v12/visibility',
} as const;

export async function migrateTemporalSchema(sqlTool: string, postgres: PostgresTarget): Promise<void> {
  for (const [which, schemaName] of Object.entries(schemas) as Array<[keyof typeof schemas, string]>) {
    const database = postgres[which];
    // Connection settings through the tool's environment variables: a password on the command
    // line would show in every `ps` listing.
    const env = { ...process.env, SQL_PLUGIN: 'postgres12', SQL_HOST: postgres.host, SQL_PORT: String(postgres.port), SQL_USER: postgres.user, SQL_PASSWORD: postgres.password, SQL_DATABASE: database };
    await run(sqlTool, ['create-database'], env, `create database ${database}`);
    await run(sqlTool, ['setup-schema', '--version', '0.0'], env, `set up schema versioning in ${database}`);
    await run(sqlTool, ['update-schema', '--schema-name', schemaName], env, `migrate ${database} to the newest ${schemaName} schema`);
  }
}

function run(binary: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(new Error(`could not ${what}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`could not ${what} (temporal-sql-tool exit ${code ?? signal}). Check that PostgreSQL is reachable and the user may create databases. Its output:\n${output.trim()}`));
    });
  });
}
