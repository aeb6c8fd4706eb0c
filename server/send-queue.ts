/**
 * One send queue per socket. zeromq 6 refuses a send while the previous one
 * on the same socket is still being written ("Socket is busy writing",
 * EBUSY), and tslab sends without waiting; a cell printing fast enough then
 * crashed the kernel. Every message the kernel sends goes through here, so
 * sends on a socket happen one after another, in order.
 */
import { writeSync } from "fs";

export interface Sendable {
  send(frames: Array<Buffer | string>): Promise<void>;
}

const tails = new WeakMap<Sendable, Promise<void>>();

/** Where a failed send is reported; the kernel's stdout/stderr are taken over by cells, so this writes to fd 2. */
const reportFailure = (err: unknown): void => {
  try {
    writeSync(2, `dlkit kernel: a message could not be sent: ${err instanceof Error ? err.message : String(err)}\n`);
  } catch {
    // Nowhere left to say it.
  }
};

/** Sends after every earlier send on this socket has finished; never rejects. */
export function sendQueued(socket: Sendable, frames: Array<Buffer | string>): Promise<void> {
  const next = (tails.get(socket) ?? Promise.resolve()).then(() => socket.send(frames)).catch(reportFailure);
  tails.set(socket, next);
  return next;
}

/** Resolves when every send queued on the socket so far has finished. */
export function drained(socket: Sendable): Promise<void> {
  return tails.get(socket) ?? Promise.resolve();
}
