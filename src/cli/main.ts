/**
 * The `attnlab` command. Each subcommand lives in its own module and registers itself here;
 * printers only format what engines and src/stats produce.
 */
import { Command, CommanderError } from 'commander';
import { registerCompare } from './compare.ts';
import { registerRun } from './run.ts';
import { registerServe } from './serve.ts';
import { registerSweep } from './sweep.ts';
import { toolInfo } from '../node/host.ts';
import { CliError } from './errors.ts';

const program = new Command('attnlab')
  .description(
    'Attention-kernel benchmark lab: run WebGPU and native (CUDA, SDPA, CPU) attention kernels and judge them with bootstrap statistics.',
  )
  .version(toolInfo().version)
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

registerRun(program);
registerCompare(program);
registerServe(program);
registerSweep(program);
// Subcommands added with addCommand() do not inherit exitOverride: without this, commander exits
// 1 itself on an unknown option or a missing argument, which a CI job cannot tell from a
// regression. Every usage error goes through the catch below and exits 2.
for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(add --help for usage)');

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // help and version exit with code 0; usage errors with 2.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof CliError) {
    process.stderr.write(`attnlab: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`attnlab: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
