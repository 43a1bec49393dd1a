import { Command, CommanderError, Option } from 'commander';
import { RunFileError } from '../results/read-run.ts';
import { WriteError } from '../results/atomic-write.ts';
import { ScenarioError, formatProblems } from '../scenario/errors.ts';
import { TOOL } from '../tool.ts';
import { EXIT, EXIT_CODES_HELP, UsageError, type ExitCode } from './exit-codes.ts';
import { compareCommand, type CompareFlags } from './compare.ts';
import { doctorCommand, type DoctorFlags } from './doctor.ts';
import { historyCommand } from './history.ts';
import { reportCommand, type ReportFlags } from './report.ts';
import { loadCommand, type LoadFlags } from './load.ts';
import { runCommand, type RunFlags } from './run.ts';
import { cleanupCommand, type CleanupFlags } from './cleanup.ts';
import { renderCommand, type RenderFlags } from './render.ts';
import { ClusterConfigError, NoKubeconfigError } from '../runtimes/kubernetes/client/connect.ts';
import { ClusterError } from '../runtimes/kubernetes/client/errors.ts';
import { CodeBundleMissing } from '../runtimes/kubernetes/code-bundle.ts';
import { validateCommand } from './validate.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

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
    .option('--set <path=value>', 'override a scenario field, e.g. --set load.duration=5s (repeatable)', collect, [])
    .option('--json', 'print run.json on stdout instead of the summary table', false)
    .option('--context <name>', 'kubeconfig context for runtime kubernetes (default: the scenario\'s kubernetes.context, else the current one)')
    .option('--keep', 'runtime kubernetes: leave the namespaces in place after the run (remove them later with meshtax cleanup)', false)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (scenario: string | undefined, flags: RunFlags) => setExit(await runCommand(scenario, flags)));

  root
    .command('render')
    .description('print every Kubernetes manifest run would apply (YAML), for review or GitOps')
    .argument('<scenario>', 'scenario file with runtime: kubernetes')
    .option('--mode <mode>', 'only this mode (repeatable; default: every mode of the scenario)', collect, [])
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect, [])
    .option('--run-id <id>', 'run id to render the names with (default: a new one, as run makes)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (scenario: string, flags: RenderFlags) => setExit(await renderCommand(scenario, flags)));

  root
    .command('cleanup')
    .description('delete what meshtax left in a cluster (after run --keep or a killed run), by label; --runtime local: on this host')
    .addOption(new Option('--runtime <name>', 'kubernetes: namespaces in the cluster; local: network namespaces, veth pairs and iptables rules of a killed netns run').choices(['kubernetes', 'local']).default('kubernetes'))
    .option('--run-id <id>', 'the run whose leftovers to delete')
    .option('--all', 'everything any meshtax run left (local: runs still going are skipped unless --force)', false)
    .option('--force', 'local: also runs whose meshtax process is still running (breaks them)', false)
    .option('--dry-run', 'local: say what would be deleted, delete nothing', false)
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--timeout <seconds>', 'how long to wait for the namespaces to go', '300')
    .option('--json', 'print what was deleted as JSON', false)
    .addHelpText('after', `${EXIT_CODES_HELP}\n\ncleanup exits 1 when a namespace does not go within the timeout (stuck Terminating), naming it and why.`)
    .action(async (flags: CleanupFlags) => setExit(await cleanupCommand(flags)));

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
    .option('--json', 'print the phase as JSON (the same fields as run.json phases)', false)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (url: string, flags: LoadFlags) => setExit(await loadCommand(url, flags)));

  root
    .command('validate')
    .description('check a scenario file without running anything')
    .argument('<scenario>', 'scenario file')
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect, [])
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (scenario: string, flags: { set: string[] }) => setExit(await validateCommand(scenario, flags)));

  root
    .command('report')
    .description('write the reports of a run again: report.md, report.html, junit.xml, smp.json, phases.csv')
    .argument('<run.json>', 'a run.json written by meshtax run')
    .option('--out <dir>', 'directory to write into (default: beside run.json)')
    .option('--format <list>', 'formats to write, comma-separated: markdown, html, junit, csv, smp (default: all)', collect, [])
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (file: string, flags: ReportFlags) => setExit(await reportCommand(file, flags)));

  root
    .command('compare')
    .description('compare a candidate run with a base run; exit 3 on a significant regression beyond the limit')
    .argument('<base>', 'base run.json')
    .argument('<candidate>', 'candidate run.json')
    .option('--max-regression <metric=+N%>', 'largest tolerated increase of a metric, e.g. p99=+10% (repeatable; default +10% for every metric)', collect, [])
    .option('--json', 'print the changes as JSON', false)
    .addHelpText('after', `${EXIT_CODES_HELP}\n\nA regression needs both runs to have at least 2 repetitions (load.repetitions): without an interval, no change is judged significant.`)
    .action(async (base: string, candidate: string, flags: CompareFlags) => setExit(await compareCommand(base, candidate, flags)));

  root
    .command('history')
    .description('a trend table across the runs in a results directory, oldest first')
    .argument('<dir>', 'directory holding <run-id>/run.json (the output directory of meshtax run)')
    .option('--json', 'print the trend points as JSON', false)
    .option('--html <file>', 'also write a trend chart: one offline HTML page')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (dir: string, flags: { json: boolean; html?: string }) => setExit(await historyCommand(dir, flags)));

  root
    .command('doctor')
    .description('check this machine: proxies and their versions, network namespaces, what would make numbers less trustworthy')
    .addOption(new Option('--runtime <name>', 'runtime to check').choices(['local', 'kubernetes']).default('local'))
    .option('--context <name>', 'kubeconfig context for --runtime kubernetes (default: the current one)')
    .option('--json', 'print the checks as JSON', false)
    .addHelpText('after', `${EXIT_CODES_HELP}\n\ndoctor exits 1 when a check fails (warnings do not fail it).`)
    .action(async (flags: DoctorFlags) => setExit(await doctorCommand(flags)));

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
    if (error instanceof ScenarioError) {
      process.stderr.write(`${formatProblems(error.problems)}\n`);
      return EXIT.invalidInput;
    }
    if (error instanceof UsageError || error instanceof RunFileError || error instanceof NoKubeconfigError) {
      process.stderr.write(`meshtax: ${error.message}\n`);
      return EXIT.invalidInput;
    }
    if (error instanceof ClusterConfigError || error instanceof ClusterError || error instanceof CodeBundleMissing || error instanceof WriteError) {
      process.stderr.write(`meshtax: ${error.message}\n`);
      return EXIT.runFailed;
    }
    process.stderr.write(`meshtax: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.runFailed;
  }
}
