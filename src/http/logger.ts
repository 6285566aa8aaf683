import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** One readable line per entry for people; LOG_JSON=true keeps pino's JSON for machines. */
function humanStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        const { level, time, msg, pid: _pid, hostname: _hostname, ...rest } = JSON.parse(chunk.toString());
        const extras = Object.entries(rest)
          .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : value}`)
          .join(' ');
        const stamp = new Date(time).toISOString().slice(11, 19);
        process.stderr.write(
          `${stamp} ${(levelNames[level] ?? level).padEnd(5)} ${msg ?? ''}${extras ? ` ${extras}` : ''}\n`,
        );
      } catch {
        process.stderr.write(chunk);
      }
      done();
    },
  });
}

export function createLogger(options: { level: string; json: boolean }): Logger {
  const base = {
    level: options.level,
    base: undefined,
    redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-api-key"]'],
  };
  return options.json ? pino(base) : pino(base, humanStream());
}
