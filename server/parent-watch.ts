/**
 * Exits the kernel when the process that started it is gone, as IPython's
 * parent poller does: a crashed Jupyter server or a killed nbclient or
 * grader must not leave kernels holding trained models in memory forever.
 *
 * Two signs, checked every second: the process named by JPY_PARENT_PID
 * (jupyter_client sets it) no longer exists, or the kernel's own parent
 * changed (it was re-parented to init or a subreaper). A JPY_PARENT_PID that
 * is not visible at start (another PID namespace, such as the grader's
 * sandbox) is not watched; neither is a parent that is PID 1 from the start.
 */
const EVERY_MS = 1000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Starts watching; `onGone` is called once, with the reason. The timer never keeps the process alive. */
export function watchParent(onGone: (reason: string) => void): void {
  const named = Number(process.env.JPY_PARENT_PID);
  const watched = Number.isInteger(named) && named > 1 && alive(named) ? named : null;
  const startPpid = process.ppid;
  const timer = setInterval(() => {
    let reason: string | null = null;
    if (watched !== null && !alive(watched)) reason = `the process that started it (JPY_PARENT_PID ${watched}) is gone`;
    else if (startPpid !== 1 && process.ppid !== startPpid) reason = `its parent process ${startPpid} is gone`;
    if (reason) {
      clearInterval(timer);
      onGone(reason);
    }
  }, EVERY_MS);
  timer.unref();
}
