/**
 * Pieces of the SIGKILL trials: child processes with their exit, the number of kills a test makes
 * (KILL_TRIALS, raised by `npm run soak`), and waiting for files to appear.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildRun {
  child: ChildProcess;
  exited: Promise<Exit>;
}

/** Runs `node <args>` with its output collected. */
export function startNode(args: string[]): ChildRun {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

export const sleep = (ms: number): Promise<'timeout'> => new Promise((resolve) => setTimeout(() => resolve('timeout'), ms));

/**
 * How many SIGKILLs a crash test makes: `KILL_TRIALS` when set (npm run soak sets 500), else the
 * CI count.
 */
export function killTrials(ciCount: number): number {
  const text = process.env.KILL_TRIALS;
  if (text === undefined || text === '') return ciCount;
  const count = Number(text);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`KILL_TRIALS must be a positive integer, got "${text}"`);
  return count;
}

/** A test timeout for `trials` kills of runs that take about `perTrialMs`. */
export function trialTimeout(trials: number, perTrialMs: number): number {
  return 60_000 + trials * perTrialMs;
}

/** Resolves once `path` exists. */
export async function fileAppears(path: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear`);
    await sleep(5);
  }
}

/** Kills `run` after `delayMs` unless it ends first; returns how it ended. */
export async function killAfter(run: ChildRun, delayMs: number): Promise<Exit> {
  const outcome = await Promise.race([run.exited, sleep(delayMs)]);
  if (outcome !== 'timeout') return outcome;
  run.child.kill('SIGKILL');
  return run.exited;
}
