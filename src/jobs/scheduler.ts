import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { tryAcquireJobLease } from './repository.ts';

export interface Job {
  readonly name: string;
  readonly intervalMs: number;
  run(): Promise<unknown>;
}

export interface Scheduler {
  add(job: Job): void;
  /** Runs every due job once, now (also what the timer does). Returns the names of the jobs this instance ran. */
  tick(): Promise<string[]>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Periodic jobs that run once per interval across all instances sharing the database: before running, an
 * instance takes the job's lease for one interval, and only the instance that got it runs the job.
 */
export function createScheduler(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
  checkEveryMs?: number;
}): Scheduler {
  const owner = randomUUID();
  const jobs: Job[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<string[]> | undefined;

  const runDue = async (): Promise<string[]> => {
    const ran: string[] = [];
    for (const job of jobs) {
      const now = deps.clock.now();
      const acquired = await tryAcquireJobLease(deps.db, {
        name: job.name,
        owner,
        now: now.toISOString(),
        until: new Date(now.getTime() + job.intervalMs).toISOString(),
      }).catch((error) => {
        deps.logger.warn({ err: error, job: job.name }, 'could not take a job lease');
        return false;
      });
      if (!acquired) continue;
      try {
        const result = await job.run();
        deps.logger.debug({ job: job.name, result }, 'job ran');
        ran.push(job.name);
      } catch (error) {
        deps.logger.error({ err: error, job: job.name }, 'job failed');
      }
    }
    return ran;
  };

  const tick = () => {
    running ??= runDue().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    add(job) {
      jobs.push(job);
    },
    tick,
    start() {
      timer ??= setInterval(() => void tick(), deps.checkEveryMs ?? 60_000);
      timer.unref();
      setTimeout(() => void tick(), 5_000).unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
