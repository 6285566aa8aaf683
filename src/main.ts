import { chmod } from 'node:fs/promises';
import { createApplication } from './application.ts';
import { ConfigError, loadConfig } from './config/env.ts';
import { createLogger } from './http/logger.ts';

/** Starts the server and stops it gracefully: in-flight requests finish, then the database closes. */
export async function runServer(env: Record<string, string | undefined> = process.env): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, json: config.logJson });
  const application = await createApplication(config, { logger });
  const { app } = application;
  application.scheduler.start();

  if (config.unixSocket) {
    await app.listen({ path: config.unixSocket });
    if (config.unixSocketMode !== undefined) await chmod(config.unixSocket, config.unixSocketMode);
  } else {
    await app.listen({ host: config.host, port: config.port });
  }
  logger.info(
    { url: config.appUrl, database: config.database.provider },
    `Latch is listening on ${config.unixSocket ?? `${config.host}:${config.port}`}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down, letting in-flight requests finish');
    try {
      await application.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
