'use strict';
/**
 * One measured run as a child process of bench/run.js: spawning it (with the run's
 * timeout), reading the BENCH_RESULT line a runner in bench/runners/ ends with, and a
 * native binary's JSON line and peak RSS (through /usr/bin/time).
 *
 * Public: run(cmd, args, onLine) -> {status, signal, stdout, stderr, timedOut},
 * runnerResult(script, r) -> the result object, nodeRunner(script, args) -> the result,
 * nativeRun(bin, args, onLine) -> {json, peak_rss_mb}.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { ROOT, RUNNERS, TIME_BIN, TIMEOUT_MS } = require('./config.js');

/** Spawns a command; resolves { status, signal, stdout, stderr, timedOut }.
 *  onLine(line, seconds): each line of stdout as it arrives (seconds: process.hrtime). */
function run(cmd, args, onLine = null) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => {
      const at = Number(process.hrtime.bigint()) / 1e9;
      if (onLine) {
        const lines = (stdout.slice(stdout.lastIndexOf('\n') + 1) + d).split('\n');
        lines.slice(0, -1).forEach((line) => onLine(line, at));
      }
      stdout += d;
    });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, TIMEOUT_MS);
    child.on('error', (err) => { clearTimeout(timer); resolve({ status: null, signal: null, stdout, stderr: `${stderr}${err.message}`, timedOut }); });
    child.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, stdout, stderr, timedOut }); });
  });
}

function lastLine(text) {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.length ? lines[lines.length - 1] : '';
}

function failure(r, what) {
  if (r.timedOut) return `${what}: timed out after ${TIMEOUT_MS / 1000} s`;
  const tail = lastLine(r.stderr) || lastLine(r.stdout) || 'no output';
  return `${what}: exit ${r.status === null ? r.signal : r.status}: ${tail}`.slice(0, 300);
}

/** The BENCH_RESULT line a runner ended with. */
function runnerResult(script, r) {
  const line = r.stdout.split('\n').reverse().find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(failure(r, script));
  const result = JSON.parse(line.slice('BENCH_RESULT '.length));
  if (result.error) throw new Error(result.error);
  if (r.status !== 0) throw new Error(failure(r, script));
  return result;
}

/** A Node runner in bench/runners/ with these arguments: its BENCH_RESULT. */
async function nodeRunner(script, args) {
  return runnerResult(script, await run(process.execPath, [path.join(RUNNERS, script), ...args]));
}

/** A native binary, through /usr/bin/time for its peak RSS when that exists. */
async function nativeRun(bin, args, onLine = null) {
  if (!fs.existsSync(bin)) throw new Error(`${path.relative(ROOT, bin)} is missing (make bench builds it)`);
  const timed = fs.existsSync(TIME_BIN);
  const r = timed ? await run(TIME_BIN, ['-f', 'BENCH_MAXRSS_KB=%M', bin, ...args], onLine) : await run(bin, args, onLine);
  const m = /BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr);
  // time(1)'s own lines are not the program's error
  r.stderr = r.stderr.split('\n').filter((l) => !/^(BENCH_MAXRSS_KB=|Command exited with non-zero status)/.test(l)).join('\n');
  if (r.status !== 0) throw new Error(failure(r, path.basename(bin)));
  let json;
  try {
    json = JSON.parse(lastLine(r.stdout));
  } catch {
    throw new Error(`${path.basename(bin)}: no JSON line at the end of its output`);
  }
  return { json, peak_rss_mb: m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null };
}

module.exports = { run, runnerResult, nodeRunner, nativeRun };
