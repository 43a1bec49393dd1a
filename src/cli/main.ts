import { Command, CommanderError, Option } from 'commander';
import { MeshtaxError } from '../core/errors.ts';
import { RUNTIME_NAMES } from '../runtimes/registry.ts';
import { TOOL } from '../tool.ts';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from '../core/exit-codes.ts';
import { compareCommand, type CompareFlags } from './compare.ts';
import { COMPARE_METRICS, DEFAULT_METRICS } from '../analysis/compare-runs.ts';
import type { DoctorFlags } from './doctor.ts';
import { ESTIMATE_FORMATS, estimateCommand, type EstimateFlags } from './estimate.ts';
import { historyCommand } from './history.ts';
import { reportCommand, type ReportFlags } from './report.ts';
import { loadCommand, type LoadFlags } from './load.ts';
import { runCommand, type RunFlags } from './run.ts';
import type { CleanupFlags } from './cleanup.ts';
import type { RenderFlags } from './render.ts';
import type { StartupFlags } from './startup.ts';
import { progressOption, quietOption } from './progress.ts';
import { validateCommand } from './validate.ts';
import { showCommand, type ShowFlags } from './show.ts';
import { DEFAULT_RESULTS_DIR } from '../results/locate-run.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A flag that may be given again and again; help shows `shown` as its default once (commander would add `(default: [])`). */
const repeatable = (flags: string, description: string, shown: string): Option => new Option(flags, `${description} (repeatable)`).argParser(collect).default([], shown);

/** Where show and report look a run id up. */
const resultsOption = (): Option => new Option('--results <dir>', 'where to look a run id up (the output directory of meshtax run)').default(DEFAULT_RESULTS_DIR);

function program(setExit: (code: ExitCode) => void): Command {
  const root = new Command('meshtax')
    .description('Measure what a service mesh costs: latency percentiles, CPU and memory per mode.')
    .version(TOOL.version)
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  root
    .command('run')
    .description('run a scenario: bring up its modes, drive load, write <out>/<run-id>/run.json')
    .argument('[scenario]', 'scenario file (default: the embedded scenarios/quickstart.yaml)')
    .option('--out <dir>', 'output directory (default: the scenario\'s output.dir)')
    .addOption(repeatable('--set <path=value>', 'override a scenario field, e.g. --set load.duration=5s', 'none'))
    .option('--json', 'print run.json on stdout instead of the summary table', false)
    .option('--context <name>', 'kubeconfig context for runtime kubernetes (default: the scenario\'s kubernetes.context, else the current one)')
    .option('--keep', 'runtime kubernetes: leave the namespaces in place after the run (remove them later with meshtax cleanup)', false)
    .addOption(progressOption())
    .addOption(quietOption('the outcome (status, failed thresholds, where the results are)'))
    .option('--allow-invalid', 'exit 0 although a measured phase is invalid (it stays marked invalid in run.json and every report)', false)
    .addHelpText(
      'after',
      `${EXIT_CODES_HELP}\n\nrun exits 1 when a measured phase is invalid: below 99% of its requested rate, no request finished, more than 0.1% of\nits requests failed (errors, timeouts, non-2xx), or the load generator's own lateness is its tail. Such a phase is not mesh tax;\n--allow-invalid keeps the mark but exits as if it were valid.`,
    )
    .action(async (scenario: string | undefined, flags: RunFlags) => setExit(await runCommand(scenario, flags)));

  root
    .command('startup')
    .description('time pod start-up per mode (Kubernetes: creation to Ready and to the first answer through the mesh, requests the mesh adds per pod, pods per node; local: until a new proxied pod answers)')
    .argument('[scenario]', 'scenario file (default: the embedded scenarios/quickstart.yaml)')
    .option('--pods <n>', 'pods started per mode and round', '20')
    .option('--rounds <n>', 'rounds, modes interleaved within each; intervals need 2', '3')
    .option('--out <dir>', 'output directory (default: the scenario\'s output.dir); writes <out>/<id>/startup.json, startup.md, startup.html, startup.csv and junit.xml')
    .addOption(repeatable('--set <path=value>', 'override a scenario field', 'none'))
    .option('--context <name>', 'kubeconfig context for runtime kubernetes')
    .option('--node-cpu <cores>', 'Kubernetes: node size for pods per node, cores (with --node-memory; default: the chosen node\'s allocatable)')
    .option('--node-memory <size>', 'Kubernetes: node memory for pods per node, e.g. 16GiB')
    .option('--node-max-pods <n>', 'Kubernetes: the node\'s pod limit with --node-cpu/--node-memory', '110')
    .option('--json', 'print startup.json on stdout instead of the table', false)
    .addHelpText('after', `${EXIT_CODES_HELP}\n\nstartup exits 1 when a pod did not start (or, on Kubernetes, did not answer through the mesh) within kubernetes.timeouts.rollout (local: 30 s).`)
    .action(async (scenario: string | undefined, flags: StartupFlags) => setExit(await (await import('./startup.ts')).startupCommand(scenario, flags)));

  root
    .command('render')
    .description('print every Kubernetes manifest run would apply (YAML), for review or GitOps')
    .argument('<scenario>', 'scenario file with runtime: kubernetes')
    .addOption(repeatable('--mode <mode>', 'only this mode', 'every mode of the scenario'))
    .addOption(repeatable('--set <path=value>', 'override a scenario field', 'none'))
    .option('--run-id <id>', 'run id to render the names with; the same id gives the same output byte for byte, for GitOps diffs (default: a new one, as run makes)')
    .option('--no-code', 'leave out the in-cluster code ConfigMap (about 650 KB per mode): a comment names it with its sha256 digest')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (scenario: string, flags: RenderFlags) => setExit(await (await import('./render.ts')).renderCommand(scenario, flags)));

  root
    .command('cleanup')
    .description('delete what meshtax left in a cluster (after run --keep or a killed run), by label; --runtime local: on this host')
    .addOption(new Option('--runtime <name>', 'kubernetes: namespaces in the cluster; local: network namespaces, veth pairs and iptables rules of a killed netns run').choices(RUNTIME_NAMES).default('kubernetes'))
    .option('--run-id <id>', 'the run whose leftovers to delete')
    .option('--all', 'everything any meshtax run left (local: runs still going are skipped unless --force)', false)
    .option('--force', 'local: also runs whose meshtax process is still running (breaks them)', false)
    .option('--dry-run', 'local: say what would be deleted, delete nothing', false)
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--timeout <duration>', 'how long to wait for the namespaces to go, e.g. 300s or 5m (a bare number is still read as seconds, with a deprecation note)', '5m')
    .option('--json', 'print what was deleted as JSON', false)
    .addHelpText('after', `${EXIT_CODES_HELP}\n\ncleanup exits 1 when a namespace does not go within the timeout (stuck Terminating), naming it and why.`)
    .action(async (flags: CleanupFlags) => setExit(await (await import('./cleanup.ts')).cleanupCommand(flags)));

  root
    .command('load')
    .description('drive load against any HTTP URL with the same engine as run, and print one phase')
    .argument('<url>', 'target, e.g. http://127.0.0.1:8080/')
    .option('--rate <rps>', 'requests per second (open loop)')
    .option('--duration <duration>', 'measured window, e.g. 10s', '10s')
    .option('--warmup <duration>', 'warmup before the window, discarded', '2s')
    .option('--connections <n>', 'keep-alive connections', '8')
    .option('--workers <n>', 'generator worker threads', '1')
    .addOption(new Option('--arrival <kind>', 'arrival process of the open loop').choices(['uniform', 'poisson']).default('uniform'))
    .option('--timeout <duration>', 'per-request timeout, from the intended send time', '10s')
    .option('--closed-loop', 'maximum throughput instead of a fixed rate', false)
    .addOption(new Option('--protocol <protocol>', 'http1, http2 (h2c for http://, ALPN h2 for https://) or grpc (unary calls over HTTP/2)').choices(['http1', 'http2', 'grpc']).default('http1'))
    .option('--streams <n>', 'http2 and grpc: concurrent streams per connection', '1')
    .option('--grpc-method <method>', 'grpc: the unary method, as package.Service/Method', 'meshtax.echo.v1.Echo/Echo')
    .option('--proto <file>', "grpc: the .proto that defines --grpc-method (default: meshtax's echo service)")
    .option('--grpc-message <json>', 'grpc: the request message in protobuf JSON form', '{}')
    .option('--json', 'print the phase as JSON (the same fields as run.json phases)', false)
    .addOption(progressOption())
    .addOption(quietOption('the figures (no warnings or hints)'))
    .addHelpText('after', `${EXIT_CODES_HELP}\n\nload exits 1 when more than 0.1% of the requests failed (errors, timeouts, non-2xx), or when no request finished at all.`)
    .action(async (url: string, flags: LoadFlags) => setExit(await loadCommand(url, flags)));

  root
    .command('validate')
    .description('check a scenario file without running anything')
    .argument('<scenario>', 'scenario file')
    .addOption(repeatable('--set <path=value>', 'override a scenario field', 'none'))
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (scenario: string, flags: { set: string[] }) => setExit(await validateCommand(scenario, flags)));

  root
    .command('report')
    .description('write the reports of a run again: report.md, report.html, junit.xml, smp.json, phases.csv; of several runs (a pilot, one run per service): the same reports with every service side by side, into --out')
    .argument('<run...>', 'a run.json written by meshtax run, its run directory, or its run id (looked up under ./results or --results); several: one per service, named by metadata.name')
    .option('--out <dir>', 'directory to write into (default: beside run.json; needed for several runs)')
    .addOption(resultsOption())
    .addOption(repeatable('--format <list>', 'formats to write, comma-separated: markdown (or md), html, junit, csv, smp', 'all'))
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (files: string[], flags: ReportFlags) => setExit(await reportCommand(files, flags)));

  root
    .command('show')
    .description('print the summary of a finished run again, as run printed it')
    .argument('<run>', 'a run id (looked up under ./results or --results), a run directory, or a run.json')
    .addOption(resultsOption())
    .option('--json', 'print run.json instead of the summary', false)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (target: string, flags: ShowFlags) => setExit(await showCommand(target, flags)));

  root
    .command('compare')
    .description('compare the mesh tax of a candidate run with one or more base runs; exit 3 when a gated metric regressed beyond its limit')
    .argument('<runs...>', 'base run.json files (earlier runs of the same scenario), then the candidate run.json last')
    .addOption(repeatable('--metric <names>', `metrics to gate, comma-separated; known: ${COMPARE_METRICS.join(', ')}`, DEFAULT_METRICS.join(', ')))
    .addOption(repeatable('--max-regression <metric=+N%|+N unit>', 'largest tolerated increase, e.g. p99-delta=+10% or p99-delta=+200us; gates the metric', '+10% of the base value'))
    .addOption(repeatable('--run-noise <N%|metric=N%>', 'with one base run: the noise between runs to assume, a standard deviation as a percentage of the base value', 'p*: 25%, mesh-cpu-cores: 15%, mesh-memory-bytes: 5%, error-rate: 0%'))
    .option('--allow-different-scenarios', 'compare runs whose scenario settings differ (the differences are printed)', false)
    .option('--allow-invalid', 'compare runs that did not complete or have invalid phases (otherwise exit 1: they measured no mesh tax)', false)
    .option('--json', 'print the changes as JSON', false)
    .addHelpText(
      'after',
      `${EXIT_CODES_HELP}\n\nBy default the mesh tax is gated: each mode's delta against the baseline of its own run (p50-delta, p99-delta), and the proxies' CPU and memory, so a busier machine that slows every mode alike is not a regression. Absolute latency (p50 … p999) and error-rate are gated by name. A regression is an increase whose whole 95% interval lies above the limit. Two runs of one scenario differ by more than their rounds say (where the kernel placed the processes, the machine's neighbours that hour): with several base runs (earlier nights) that noise is measured from their means (a prediction interval; keep 5 or more); with one it is assumed (--run-noise) and added to both runs' rounds, and with fewer than 2 rounds (load.repetitions) in a run nothing is judged. Runs made from different scenario settings are refused (exit 2) unless --allow-different-scenarios. A run that did not complete or has invalid phases measured no mesh tax: compare exits 1 unless --allow-invalid.`,
    )
    .action(async (runs: string[], flags: CompareFlags) => setExit(await compareCommand(runs, flags)));

  root
    .command('history')
    .description('the mesh tax across the runs in a results directory, oldest first, one trend per scenario and settings')
    .argument('<dir>', 'directory holding <run-id>/run.json (the output directory of meshtax run)')
    .option('--json', 'print the trend points as JSON', false)
    .option('--html <file>', 'also write a trend chart: one offline HTML page')
    .option('--scenario <name>', "only the runs of this scenario (its metadata.name)")
    .addHelpText(
      'after',
      `Runs are grouped by scenario and by a fingerprint of the settings that change the numbers (runtime, proxy, mTLS, modes, rates, connections, payload …); durations, repetitions and thresholds do not split a group.\n\n${EXIT_CODES_HELP}`,
    )
    .action(async (dir: string, flags: { json: boolean; html?: string; scenario?: string }) => setExit(await historyCommand(dir, flags)));

  root
    .command('estimate')
    .description('project what each measured mode would cost a fleet per month: CPU, memory, nodes, money, with intervals')
    .argument('<run.json...>', 'run.json files (or run directories) written by meshtax run; a mode in several: the highest rate, then the newest')
    .requiredOption('--fleet <file>', 'fleet file: services, pods, rps, node size and prices (see docs/fleet-example.yaml)')
    .addOption(repeatable('--mode <mode>', 'only this mode', 'every mode the runs compared with baseline'))
    .option('--rate <rps>', 'use the comparisons at this rate (default: the highest rate measured)')
    .addOption(new Option('--format <format>', 'output format').choices(ESTIMATE_FORMATS).default('table'))
    .option('--out <file>', 'write the output to this file instead of stdout')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (files: string[], flags: EstimateFlags) => setExit(await estimateCommand(files, flags)));

  root
    .command('doctor')
    .description('check this machine: proxies and their versions, network namespaces, what would make numbers less trustworthy')
    .argument('[scenario]', 'a scenario file: check its nodes, and that its pods fit them (runtime kubernetes)')
    .addOption(new Option('--runtime <name>', 'runtime to check (default: the scenario\'s, else local)').choices(RUNTIME_NAMES))
    .option('--context <name>', 'kubeconfig context for --runtime kubernetes (default: the scenario\'s kubernetes.context, else the current one)')
    .option('--json', 'print the checks as JSON', false)
    .addHelpText('after', `${EXIT_CODES_HELP}\n\ndoctor exits 1 when a check fails (warnings do not fail it).`)
    .action(async (scenario: string | undefined, flags: DoctorFlags) => setExit(await (await import('./doctor.ts')).doctorCommand(scenario, flags)));

  return root;
}

export async function main(argv: readonly string[]): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  try {
    await program((value) => (code = value)).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exit 0; anything else commander rejects is a usage error (it printed why).
      return error.exitCode === 0 ? EXIT.ok : EXIT.invalidInput;
    }
    // Every runtime's errors, like the commands', carry their own exit code: none is mapped here by its class.
    if (error instanceof MeshtaxError) {
      process.stderr.write(`${error.text()}\n`);
      return error.exitCode;
    }
    process.stderr.write(`meshtax: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.runFailed;
  }
}
