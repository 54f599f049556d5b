import cluster from 'node:cluster';
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { startServer } from '../http/server.js';
import { attachEmbedding, openRuntime, type Runtime } from '../runtime.js';
import { importCampaigns } from './campaigns-command.js';
import { evaluateCommand, trainCommand } from './model-commands.js';
import { fetchEmbeddingModel } from '../signals/embedding/embedder.js';
import { addUser, exportFeedback } from './user-commands.js';
import { openInput, scoreStream } from './score-command.js';
import { scoreStreamParallel } from './score-parallel.js';
import { scoreDocuments } from './score-documents.js';
import { progress } from './progress.js';
import { documentSettings } from '../ingest/documents/settings.js';
import { registerExport, registerSummary } from './register-command.js';
import { auditCli, registerOperationsCommands } from './operations-commands.js';
import { registerClearinghouseCommands } from '../clearinghouse/cli.js';
import { registerCopyCommand } from './copy-command.js';
import { registerMigrateCommands } from './migrate-command.js';
import { serveClusterMetrics } from '../operations/cluster-metrics.js';

/** Opens the runtime for one command and closes it whatever happens. */
async function withRuntime<T>(fn: (rt: Runtime, config: Config) => Promise<T> | T): Promise<T> {
  const config = loadConfig();
  const rt = await openRuntime(config);
  try {
    return await fn(rt, config);
  } finally {
    await rt.close();
  }
}

/** Sends the reports a command queued; what cannot be sent now waits in the outbox for the service. */
async function flushClearinghouse(rt: Runtime) {
  const ch = rt.clearinghouse;
  if (!ch || (await ch.pending()) === 0) return;
  try {
    await ch.deliver(3000);
  } catch (e) {
    process.stderr.write(`sito: ${await ch.pending()} reports wait for the clearinghouse (${(e as Error).message}); the service sends them when it can\n`);
  }
}

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
    .addOption(new Option('-w, --workers <n>', 'processes serving the same port (SITO_WORKERS; they share the data folder)').argParser((v) => parseWorkers(v)))
    .action(async (opts: { port?: number; host?: string; workers?: number }) => {
      const config = loadConfig(process.env, {
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.host !== undefined ? { host: opts.host } : {}),
      });
      const workers = opts.workers ?? parseWorkers(process.env.SITO_WORKERS ?? '1');
      if (workers > 1 && cluster.isPrimary) {
        const code = await runPrimary(workers);
        if (code !== 0) throw new Error('serve: the workers could not start');
        return;
      }
      const app = await startServer(config);
      await new Promise<void>((resolve) => {
        const stop = () => {
          app.log.info('shutting down');
          void app.close().then(() => {
            // a cluster worker's channel to the primary would keep it alive
            if (cluster.isWorker && process.connected) process.disconnect();
            resolve();
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  program
    .command('score')
    .description('score JSON lines {"id", "text", ...} from FILE or stdin; one result per line on stdout\nwith --documents: score each FILE as received (e-mail, PDF, DOCX, ODT, .msg, text, image), one result with "document" per line')
    .argument('[file...]', 'JSON-lines file, or - for stdin; with --documents: the documents')
    .option('--no-store', 'do not keep the petitions in the database')
    .option('--documents', 'read the files as documents (OCR for scans; limits: SITO_DOCUMENT_*, SITO_OCR_*)')
    .addOption(new Option('-j, --jobs <n>', 'threads scoring JSON lines (default: every core)').argParser((v) => parseJobs(v)))
    .action(async (files: string[], opts: { store: boolean; documents?: boolean; jobs?: number }) => {
      if (!opts.documents && files.length > 1) throw new Error('score: one JSON-lines file at a time (or --documents FILE…)');
      if (opts.documents && files.length === 0) throw new Error('score --documents: name at least one file');
      await withRuntime(async (runtime, config) => {
        const emb = await attachEmbedding(runtime, config);
        if (emb.problem) process.stderr.write(`sito: scoring without the embedding signal: ${emb.problem}\n`);
        const jobs = opts.jobs ?? availableParallelism();
        if (!opts.documents && jobs === 1) await scoreStream(runtime.engine, openInput(files[0] ?? '-'), process.stdout, { store: opts.store }, runtime.embedder, runtime.clearinghouse);
        else if (!opts.documents) {
          const file = files[0] ?? '-';
          const bar = progress(`scoring on ${jobs} threads`, process.stderr.isTTY && file !== '-' ? await countLines(file) : 0);
          await scoreStreamParallel(runtime.engine, openInput(file), process.stdout, { store: opts.store, jobs, progress: bar });
          bar.done();
        }
        else {
          const settings = documentSettings(process.env, config.documents);
          const failed = await scoreDocuments({ engine: runtime.engine, embedder: runtime.embedder, settings, keeper: runtime.store }, files, { store: opts.store }, process.stdout, process.stderr);
          await flushClearinghouse(runtime);
          if (failed) throw new Error(`${failed} of ${files.length} documents could not be read (named above)`);
        }
        await flushClearinghouse(runtime);
      });
    });

  const campaigns = program.command('campaigns').description('near-duplicate campaigns: list them, import known ones');
  campaigns
    .command('list')
    .description('list campaigns as JSON lines, largest first')
    .option('--order <order>', 'size or last_seen', 'size')
    .option('--limit <n>', 'how many', '50')
    .action(async (opts: { order: string; limit: string }) => {
      const order = opts.order;
      if (order !== 'size' && order !== 'last_seen') throw new Error(`--order: expected size or last_seen, got ${order}`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit: expected a positive whole number, got ${opts.limit}`);
      await withRuntime(async (runtime) => {
        for (const c of (await runtime.store.listCampaigns(order, limit, 0)).items) {
          process.stdout.write(`${JSON.stringify({ ...c, representative_text: c.representative_text?.slice(0, 200) ?? null })}\n`);
        }
      });
    });
  campaigns
    .command('import')
    .description('fingerprint petitions (JSON lines: text, and optionally id, family, label, sender, received_at), group near-duplicates, add the groups to the library of known campaigns')
    .argument('<file>', 'JSON-lines file, or - for stdin')
    .option('--fingerprints-only', 'keep no petition text: fingerprints and metadata only')
    .option('--write-library <path>', 'also write the groups as a shareable library file (fingerprints only)')
    .action(async (file: string, opts: { fingerprintsOnly?: boolean; writeLibrary?: string }) => {
      await withRuntime(async (runtime) => {
        const r = await importCampaigns(runtime.store, file, { fingerprintsOnly: opts.fingerprintsOnly ?? false, ...(opts.writeLibrary ? { writeLibrary: opts.writeLibrary } : {}) });
        process.stderr.write(`imported ${r.petitions} petitions as ${r.campaigns.length} known campaigns${r.skippedShort ? ` (${r.skippedShort} too short to fingerprint)` : ''}\n`);
      });
    });

  program
    .command('train')
    .description('train a new model version from a labelled CSV (columns text, label; optional id, family, …) and compare it with the active model')
    .argument('<file>', 'labelled CSV')
    .option('--activate', 'make the new version the active model')
    .option('--folds <k>', 'cross-validation folds', '5')
    .addOption(new Option('-j, --jobs <n>', 'threads analysing the rows and fitting the models (default: every core)').argParser((v) => parseJobs(v)))
    .action(async (file: string, opts: { activate?: boolean; folds: string; jobs?: number }) => {
      await withRuntime(async (rt, config) => {
        const report = await trainCommand(rt, config, file, { activate: opts.activate ?? false, folds: Number(opts.folds), ...(opts.jobs ? { jobs: opts.jobs } : {}) });
        // POST /v1/models runs this command and records the training itself, with the caller's key and address
        if (!process.env.SITO_AUDITED_BY_CALLER) await auditCli(rt, 'train', /trained (\S+)/.exec(report)?.[1] ?? null, { activated: opts.activate ?? false });
        process.stdout.write(`${report}\n`);
      });
    });

  program
    .command('evaluate')
    .description('measure models on a labelled CSV: precision, recall, F1, ROC-AUC, PR-AUC, confusion matrix, per family; several --model side by side')
    .argument('<file>', 'labelled CSV')
    .option('--model <version...>', 'model versions to compare ("rules" = the rules alone); default: the active model')
    .action(async (file: string, opts: { model?: string[] }) => {
      await withRuntime(async (rt, config) => {
        process.stdout.write(`${await evaluateCommand(rt, config, file, opts.model ?? [])}\n`);
      });
    });

  const model = program.command('model').description('model versions: list, activate, roll back');
  model
    .command('list')
    .description('model versions, newest first; * marks the active one')
    .action(async () => {
      await withRuntime(async (rt) => {
        for (const m of await rt.registry.list()) {
          const card = m.card as { cross_validation?: { at_high?: { recall?: number | null; falsePositiveRate?: number | null } }; data?: { rows?: number } };
          const cv = card.cross_validation?.at_high;
          process.stdout.write(`${m.active ? '*' : ' '} ${m.version}  ${m.source}  ${m.created_at}  rows ${card.data?.rows ?? '?'}  cv recall ${cv?.recall?.toFixed(3) ?? '—'}  cv regular-high ${cv?.falsePositiveRate?.toFixed(3) ?? '—'}\n`);
        }
        if (rt.modelProblem) process.stderr.write(`active model not loadable: ${rt.modelProblem}\n`);
      });
    });
  model
    .command('activate')
    .description('make a version the active model (a running service swaps to it within two seconds)')
    .argument('<version>')
    .action(async (version: string) => {
      await withRuntime(async (rt) => {
        await rt.registry.activate(version);
        await auditCli(rt, 'activate', version);
        process.stdout.write(`activated ${version}\n`);
      });
    });
  model
    .command('fetch')
    .description('download a transformers.js feature-extraction model into SITO_MODELS_DIR (only on a machine with access to its hub); then set SITO_EMBEDDING_MODEL=ID')
    .argument('<id>', 'e.g. Xenova/multilingual-e5-small')
    .option('--prefix <text>', 'text the model expects before each input, e.g. "query: " for e5', '')
    .option('--no-quantized', 'take the full-precision ONNX file')
    .option('--hub <url>', 'a mirror laid out like the Hugging Face hub (default: the hub itself)')
    .action(async (id: string, opts: { prefix: string; quantized: boolean; hub?: string }) => {
      const config = loadConfig();
      const dir = await fetchEmbeddingModel(id, config.modelsDir, { prefix: opts.prefix, quantized: opts.quantized, ...(opts.hub ? { hub: opts.hub } : {}) });
      process.stdout.write(`fetched ${id} into ${dir}; use it with SITO_EMBEDDING_MODEL=${id}\n`);
    });
  model
    .command('rollback')
    .description('activate the model that was active before the current one')
    .action(async () => {
      await withRuntime(async (rt) => {
        const m = await rt.registry.rollback();
        await auditCli(rt, 'rollback', m.artifact.version);
        process.stdout.write(`activated ${m.artifact.version}\n`);
      });
    });

  const user = program.command('user').description('accounts of clerks and analysts for the web pages');
  user
    .command('add')
    .description('create an account or change its role and password (prompts for the password when neither option is given)')
    .argument('<login>')
    .requiredOption('--role <role>', 'clerk or analyst')
    .option('--password <password>', 'the password (visible in the process list: prefer the prompt or --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (login: string, opts: { role: string; password?: string; passwordStdin?: boolean }) => {
      await withRuntime(async (rt) => {
        process.stdout.write(`${await addUser(rt.store, login, opts.role, opts)}\n`);
        await auditCli(rt, 'user_add', login, { role: opts.role });
      });
    });

  const feedback = program.command('feedback').description("clerks' verdicts on petitions");
  feedback
    .command('export')
    .description('write the latest verdict on each petition as a labelled CSV for sito train')
    .argument('[file]', 'output file, or - for stdout', '-')
    .action(async (file: string) => {
      await withRuntime(async (rt) => {
        const n = await exportFeedback(rt.store, file);
        await auditCli(rt, 'export', file === '-' ? 'stdout' : file, { petitions: n });
        process.stderr.write(`exported ${n} labelled petitions\n`);
      });
    });

  const register = program.command('register').description('the website register of petitions (art. 8 of the Petitions Act) and the yearly summary (art. 14)');
  register
    .command('export')
    .description('the register: number, date, subject, progress; the submitter’s name only with consent (art. 4 ust. 3)')
    .option('--year <year>', 'only petitions received that year')
    .option('--format <format>', 'csv or json', 'csv')
    .action(async (opts: { year?: string; format: string }) => {
      await withRuntime(async (rt) => void process.stdout.write(await registerExport(rt.store, opts)));
    });
  register
    .command('summary')
    .description('the art. 14 information on the petitions dealt with in a year: number, subjects, how dealt with')
    .requiredOption('--year <year>', 'the year')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { year: string; format: string }) => {
      await withRuntime(async (rt) => void process.stdout.write(await registerSummary(rt.store, opts)));
    });
  registerOperationsCommands(program, user, withRuntime);
  registerMigrateCommands(program);
  registerClearinghouseCommands(program);
  registerCopyCommand(program);

  return program;
}

function parseWorkers(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--workers: expected a whole number from 1 to 64, got ${v}`);
  return n;
}

/**
 * Forks `n` workers that serve the same port (node:cluster shares the socket); says once on stderr
 * when all of them listen; restarts one that dies unexpectedly, and stops them all on SIGINT/SIGTERM.
 * Each worker is told the configured count (SITO_CLUSTER_WORKERS, set only here); a scrape of
 * /metrics taken by any worker is answered with the figures of every listening worker, combined here.
 */
async function runPrimary(n: number): Promise<number> {
  let stopping = false;
  const fork = () => cluster.fork({ SITO_CLUSTER_WORKERS: String(n) });
  // one line on stderr once every worker listens (what a supervisor or a load test waits for)
  const listening = new Set<number>();
  let ready = false;
  // workers that exited before they listened, in a row: a start-up that fails for good (a damaged
  // database, a port taken) stops the service instead of restarting workers for ever
  let failedStarts = 0;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const stopAll = (code: number) => {
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    if (!alive.length) return finish(code);
    let left = alive.length;
    for (const w of alive) {
      w.once('exit', () => --left === 0 && finish(code));
      w.process.kill('SIGTERM');
    }
  };
  cluster.on('listening', (worker, address) => {
    listening.add(worker.id);
    failedStarts = 0;
    if (ready || listening.size < n) return;
    ready = true;
    const host = address.address && address.address.includes(':') ? `[${address.address}]` : address.address || 'localhost';
    process.stderr.write(`sito: ${n} workers listening on http://${host}:${address.port}\n`);
  });
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    const started = listening.delete(worker.id);
    if (!started && ++failedStarts >= MAX_FAILED_STARTS) {
      process.stderr.write(`sito: ${failedStarts} workers in a row failed to start (the error is above); stopping\n`);
      return stopAll(1);
    }
    process.stderr.write(`sito: worker ${worker.process.pid} exited (${code}); starting another\n`);
    if (started) fork();
    else setTimeout(fork, 1000);
  });
  const stopMetrics = serveClusterMetrics(n, () => Object.values(cluster.workers ?? {}).filter((w): w is NonNullable<typeof w> => w !== undefined && listening.has(w.id)));
  void done.then(stopMetrics);
  for (let i = 0; i < n; i++) fork();
  process.once('SIGINT', () => stopAll(0));
  process.once('SIGTERM', () => stopAll(0));
  return done;
}

/** Workers failing to start, one after another, before the primary gives up. */
const MAX_FAILED_STARTS = 3;

function parseJobs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`--jobs: expected a whole number from 1 to 256, got ${v}`);
  return n;
}

/** Lines of a file (for a progress bar's total), read in chunks. */
async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
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
    if (cluster.isWorker) {
      // a worker that could not start must end (its channel to the primary would keep it alive,
      // listening on nothing): the primary then starts another, or gives up
      if (process.connected) process.disconnect();
      setTimeout(() => process.exit(1), 1000).unref();
    }
    return 1;
  }
}
