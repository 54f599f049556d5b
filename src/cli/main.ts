import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from '../config.js';
import { Engine } from '../engine.js';
import { startServer } from '../http/server.js';
import { loadRules } from '../signals/rules/load-rules.js';
import { openInput, scoreStream } from './score-command.js';

function buildProgram(): Command {
  const program = new Command('sito')
    .description('Sito — screens petitions and flags mass-mailed and commercial ones, with reasons.\nEvery command honours SITO_DATA_DIR (default ./var).')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);

  program
    .command('serve')
    .description('start the HTTP service (binds 127.0.0.1:8080 unless told otherwise)')
    .addOption(new Option('-p, --port <n>', 'port (SITO_PORT)').argParser((v) => parsePort(v)))
    .option('-H, --host <host>', 'address to bind (SITO_HOST)')
    .action(async (opts: { port?: number; host?: string }) => {
      const config = loadConfig(process.env, {
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.host !== undefined ? { host: opts.host } : {}),
      });
      const app = await startServer(config);
      await new Promise<void>((resolve) => {
        const stop = () => {
          app.log.info('shutting down');
          void app.close().then(() => resolve());
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  program
    .command('score')
    .description('score JSON lines {"id", "text", ...} from FILE or stdin; one result per line on stdout')
    .argument('[file]', 'JSON-lines file, or - for stdin', '-')
    .option('--no-store', 'do not keep the petitions in the database')
    .action(async (file: string, opts: { store: boolean }) => {
      const config = loadConfig();
      const engine = new Engine({ rules: loadRules(config.rulesFile), thresholds: config.thresholds });
      await scoreStream(engine, openInput(file), process.stdout, { store: opts.store });
    });

  return program;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port: not a port number: ${v}`);
  return n;
}

/** Runs the CLI; returns the exit code. Failures print one line on stderr. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`sito: ${message.split('\n')[0]}\n`);
    return 1;
  }
}
