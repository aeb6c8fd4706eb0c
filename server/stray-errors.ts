/**
 * Errors thrown outside any cell: in a timer, a callback, a promise nobody
 * awaits. Node exits on them by default, and tfjs-backend-wasm's Emscripten
 * glue installs `uncaughtException` and `unhandledRejection` listeners that
 * rethrow, which kills the process even when another listener is there: every
 * variable and trained model gone. The kernel takes these events over: its
 * own listener reports the error, and a listener anyone else adds runs inside
 * a guard, so whatever it throws is dropped instead of ending the process.
 */
type Listener = (...args: unknown[]) => void;
const EVENTS = new Set(["uncaughtException", "unhandledRejection"]);

export type StrayKind = "exception" | "rejection";

export function catchStrayErrors(report: (error: unknown, kind: StrayKind) => void): void {
  process.on("uncaughtException", (err) => report(err, "exception"));
  process.on("unhandledRejection", (reason) => report(reason, "rejection"));

  const guarded = new WeakMap<Listener, Listener>();
  const guard = (listener: Listener): Listener => {
    let wrapped = guarded.get(listener);
    if (!wrapped) {
      wrapped = function (this: unknown, ...args: unknown[]) {
        try {
          listener.apply(this, args);
        } catch {
          // Rethrowing here would end the process; the kernel's own listener has reported the error.
        }
      };
      guarded.set(listener, wrapped);
    }
    return wrapped;
  };
  for (const method of ["on", "addListener", "prependListener", "once", "prependOnceListener"] as const) {
    const original = process[method].bind(process) as (event: string | symbol, listener: Listener) => NodeJS.Process;
    Object.assign(process, {
      [method]: (event: string | symbol, listener: Listener) =>
        original(event, typeof event === "string" && EVENTS.has(event) ? guard(listener) : listener),
    });
  }
  for (const method of ["off", "removeListener"] as const) {
    const original = process[method].bind(process) as (event: string | symbol, listener: Listener) => NodeJS.Process;
    Object.assign(process, {
      [method]: (event: string | symbol, listener: Listener) =>
        original(
          event,
          typeof event === "string" && EVENTS.has(event) ? (guarded.get(listener) ?? listener) : listener,
        ),
    });
  }
}
