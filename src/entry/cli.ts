// `bearing` command line: serve, worker, migrate, keys, score. Configuration comes from the environment and is
// parsed once here; a bad value stops with one line naming the variable.
// Each command loads only what it needs: `bearing score` must start fast and never touches the database.
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, type Config } from '../config.ts';
import { createLogger } from '../deps.ts';

const USAGE = `usage: bearing <command> [options]

commands:
  serve                                     start the HTTP API (npm start); without REDIS_URL it runs the jobs too
  worker                                    run the BullMQ workers (needs REDIS_URL)
  migrate                                   apply database migrations and exit
  keys create --workspace NAME [--scope read|write|admin ...] [--name TEXT]
  keys list --workspace NAME
  keys revoke --workspace NAME KEY_ID
  score --strategy FILE --backlog FILE [--now ISO] [--format json|table|markdown] [--out FILE]

environment: PORT, HOST, DATABASE_URL, BEARING_DATA_DIR, REDIS_URL, LOG_LEVEL, BEARING_MAX_BODY_BYTES,
  provider (optional): OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_EMBEDDING_MODEL, OPENAI_EMBEDDING_DIMENSIONS,
  OPENAI_CHAT_MODEL, OPENAI_TIMEOUT_MS, OPENAI_MAX_RETRIES, OPENAI_MAX_RETRY_AFTER_MS,
  judge: BEARING_JUDGE_BATCH_SIZE, BEARING_JUDGE_CONCURRENCY, BEARING_JUDGE_MAX_CALLS_PER_RUN,
  BEARING_JUDGE_MAX_TOKENS_PER_RUN, BEARING_JUDGE_BREAKER_FAILURES`;

class UsageError extends Error {}

function config(): Config {
  return parseConfig(process.env);
}

async function keys(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { workspace: { type: 'string' }, scope: { type: 'string', multiple: true }, name: { type: 'string' } },
  });
  if (!values.workspace) throw new UsageError('keys: --workspace NAME is required');
  const [{ SCOPES }, { createKey, listWorkspaceKeys, revokeWorkspaceKey }, { findWorkspaceByName }, { openAndMigrate }] = await Promise.all([
    import('../http/auth.ts'),
    import('../pipeline/keys.ts'),
    import('../adapters/db/workspaces.ts'),
    import('./node.ts'),
  ]);
  const cfg = config();
  const db = await openAndMigrate(cfg, createLogger('warn'));
  try {
    if (sub === 'create') {
      const scopes = (values.scope ?? ['admin']).flatMap((s) => s.split(',')).map((s) => s.trim());
      const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (bad.length) throw new UsageError(`keys create: unknown scope ${bad.join(', ')} (use ${SCOPES.join(', ')})`);
      const created = await createKey({ db, input: { workspaceName: values.workspace, scopes: scopes as (typeof SCOPES)[number][], name: values.name } });
      console.log(`workspace: ${created.workspace.name} (${created.workspace.id})`);
      console.log(`key id:    ${created.record.id}  scopes: ${created.record.scopes.join(',')}`);
      console.log(`key:       ${created.key}`);
      console.log('Store the key now: it is shown only once.');
      return 0;
    }
    const ws = await findWorkspaceByName(db, values.workspace);
    if (!ws) throw new UsageError(`keys: no workspace named "${values.workspace}"`);
    if (sub === 'list') {
      for (const k of await listWorkspaceKeys(db, ws.id)) {
        console.log(`${k.id}  ${k.prefix}…  ${k.scopes.join(',')}  ${k.revoked_at ? `revoked ${k.revoked_at.toISOString()}` : 'active'}  ${k.name}`);
      }
      return 0;
    }
    if (sub === 'revoke') {
      const id = positionals[0];
      if (!id) throw new UsageError('keys revoke: KEY_ID is required');
      const rec = await revokeWorkspaceKey(db, ws.id, id, 'cli');
      if (!rec) throw new UsageError(`keys revoke: no key ${id} in workspace "${values.workspace}"`);
      console.log(`revoked ${rec.id}`);
      return 0;
    }
    throw new UsageError(`keys: unknown subcommand "${sub ?? ''}" (create, list, revoke)`);
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [cmd = 'serve', ...rest] = argv;
  switch (cmd) {
    case 'serve': {
      const { startServer } = await import('./node.ts');
      const server = await startServer(config());
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return new Promise<number>(() => undefined); // runs until a signal
    }
    case 'worker': {
      const cfg = config();
      if (!cfg.REDIS_URL) throw new UsageError('bearing worker needs REDIS_URL; without Redis, `npm start` runs the jobs in the API process');
      const [{ openAndMigrate, nodeDeps }, { attachJobs }, { onShutdownSignals }] = await Promise.all([
        import('./node.ts'),
        import('./jobs.ts'),
        import('../../workers/run-workers.ts'),
      ]);
      const logger = createLogger(cfg.LOG_LEVEL);
      const db = await openAndMigrate(cfg, logger);
      const jobs = await attachJobs(cfg, await nodeDeps(cfg, db, logger), { withWorkers: true });
      onShutdownSignals(
        async () => {
          await jobs.close();
          await db.close();
        },
        { logger },
      );
      return new Promise<number>(() => undefined); // runs until a signal
    }
    case 'migrate': {
      const cfg = config();
      const { openAndMigrate } = await import('./node.ts');
      const db = await openAndMigrate(cfg, createLogger(cfg.LOG_LEVEL));
      await db.close();
      console.log('migrations up to date');
      return 0;
    }
    case 'keys':
      return keys(rest);
    case 'score': {
      // Loaded on demand: the engine and its word vectors are not needed to serve or migrate.
      const { scoreCommand } = await import('./score-command.ts');
      return scoreCommand(rest, { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s) });
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(`unknown command "${cmd}"\n${USAGE}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof ConfigError || err instanceof UsageError) {
    console.error(err.message);
    process.exitCode = 2;
  } else if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${err.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
