// Configuration, parsed once from the environment at the edge (entry files only). A bad value stops start-up
// with one line naming the variable; modules never read process.env themselves.
import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

export const ConfigSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(8787)),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
  DATABASE_URL: z.preprocess(emptyAsUndefined, url(['postgres:', 'postgresql:']).optional()),
  BEARING_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./.bearing')),
  REDIS_URL: z.preprocess(emptyAsUndefined, url(['redis:', 'rediss:']).optional()),
  OPENAI_API_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
  OPENAI_BASE_URL: z.preprocess(emptyAsUndefined, url(['http:', 'https:']).optional()),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info')),
  /** Largest accepted request body. 1,000 items with long descriptions fit in the default. */
  BEARING_MAX_BODY_BYTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1024).default(16 * 1024 * 1024)),
});
export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Pure: parses a raw environment record. Throws ConfigError with one line per bad variable. */
export function parseConfig(raw: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `invalid configuration: ${String(i.path[0])}: ${i.message}`);
  throw new ConfigError(lines.join('\n'));
}
