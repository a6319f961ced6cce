// The real `bearing serve` process (as `npm start` runs it), for end-to-end tests: started with the given
// environment on the embedded default unless it says otherwise, resolved once it prints where it listens.
import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface Served {
  proc: ChildProcess;
  url: string;
  /** Everything it printed until it listened (the first start prints the default key here). */
  out: string;
}

export function startServe(env: Record<string, string>): Promise<Served> {
  const proc = spawn(process.execPath, ['src/entry/bin.mjs', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', OPENAI_API_KEY: '', PORT: '0', LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(new Error(`no start within 60 s:\n${out}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ proc, url: m[1]!, out });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => fail(new Error(`exited ${code}:\n${out}`)));
  });
}
