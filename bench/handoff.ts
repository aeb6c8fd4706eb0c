/**
 * What handing work to another thread costs here: the round trip of a
 * worker_threads worker woken through Atomics on shared memory, the
 * cheapest signal between threads JavaScript has. A kernel split across
 * two threads saves half its time and pays this once; the README's
 * per-kernel account of the kit's own kernels weighs the two.
 *
 * Two ways to wait: the main thread sleeping on Atomics.wait (what a pool
 * sharing the cores with XNNPACK's threads and the main thread would do),
 * and spinning on the flag (cheaper, but it burns a core the work needs).
 *
 *   npx ts-node --transpile-only bench/handoff.ts
 */
import { Worker } from "worker_threads";

export interface Handoff {
  /** Microseconds a round trip, the main thread sleeping until the worker answers. */
  sleepingMicroseconds: number;
  /** The same, the main thread spinning on the answer. */
  spinningMicroseconds: number;
}

/** The worker sleeps until slot 0 changes, then answers with the same value in slot 1; -1 stops it. */
const ECHO = `
const a = new Int32Array(require("worker_threads").workerData);
for (let seen = 0; ; ) {
  Atomics.wait(a, 0, seen);
  seen = Atomics.load(a, 0);
  if (seen < 0) break;
  Atomics.store(a, 1, seen);
  Atomics.notify(a, 1);
}
`;

export async function measureHandoff(trips = 20_000): Promise<Handoff> {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(ECHO, { eval: true, workerData: flags.buffer });
  await new Promise((resolve) => worker.once("online", resolve));
  let sent = 0;
  const trip = (spin: boolean) => {
    Atomics.store(flags, 0, ++sent);
    Atomics.notify(flags, 0);
    while (Atomics.load(flags, 1) !== sent) if (!spin) Atomics.wait(flags, 1, sent - 1);
  };
  const time = (spin: boolean) => {
    for (let i = 0; i < trips / 10; i++) trip(spin);
    const started = performance.now();
    for (let i = 0; i < trips; i++) trip(spin);
    return ((performance.now() - started) * 1000) / trips;
  };
  try {
    return { sleepingMicroseconds: time(false), spinningMicroseconds: time(true) };
  } finally {
    Atomics.store(flags, 0, -1);
    Atomics.notify(flags, 0);
    await worker.terminate();
  }
}

if (require.main === module) {
  void measureHandoff().then((h) =>
    console.log(
      `worker round trip: ${h.sleepingMicroseconds.toFixed(1)} µs sleeping, ${h.spinningMicroseconds.toFixed(1)} µs spinning`,
    ),
  );
}
