/** pino: JSON lines, or pretty on a TTY; children bind `component`. */
import { pino, destination, type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level: string; name: string; pretty?: boolean; destination?: number | string }): Logger {
  const pretty = opts.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty) {
    return pino({
      level: opts.level,
      base: { node: opts.name },
      transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino({ level: opts.level, base: { node: opts.name } }, destination({ dest: opts.destination ?? 2, sync: false }));
}
