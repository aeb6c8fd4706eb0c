/**
 * The grading sandbox: Debian's bubblewrap around each kernel. Student code
 * sees the kit's runtime parts read-only (package.json, dist/, lib/,
 * node_modules/), a fresh working folder as the only writable place, no
 * network, a private /tmp, and nothing else of the machine's files: not
 * solutions/, not .git, not other students, not the grader's output.
 *
 * Layout inside: /grading/work is the working folder; /grading/node_modules
 * links to the kit's, so that `import ... from "dlkit"` resolves as in a lab.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const BWRAP = "/usr/bin/bwrap";
export const SANDBOX_ROOT = "/grading";
export const SANDBOX_WORK = `${SANDBOX_ROOT}/work`;

/** What of the kit student code may read; everything else of it stays out of sight. */
const KIT_PARTS = ["package.json", "dist", "lib", "node_modules"];

const SYSTEM_PARTS = ["/usr", "/etc"];

export interface SandboxSpec {
  kitRoot: string;
  /** The working folder on the host, bound writable at SANDBOX_WORK. */
  workDir: string;
  /** The whole environment the kernel sees (the grader's own is not passed on). */
  env: Record<string, string>;
  bwrap?: string;
}

/** Why bubblewrap cannot run here, or null when it can. */
export function sandboxUnavailable(bwrap = BWRAP): string | null {
  if (!fs.existsSync(bwrap)) return `${bwrap} is not installed (Debian: apt-get install bubblewrap)`;
  const probe = spawnSync(bwrap, ["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  if (probe.status === 0) return null;
  const said = (probe.stderr || probe.error?.message || `exit code ${probe.status}`).trim();
  return `${bwrap} cannot create a sandbox here (${said}); user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1)`;
}

/** Top-level entries that are symlinks into /usr on merged-/usr systems (/bin → usr/bin). */
function usrLinks(): string[] {
  const args: string[] = [];
  for (const name of ["bin", "sbin", "lib", "lib64", "lib32"]) {
    const p = `/${name}`;
    try {
      if (fs.lstatSync(p).isSymbolicLink()) args.push("--symlink", fs.readlinkSync(p), p);
      else args.push("--ro-bind", p, p);
    } catch {
      // Not on this system.
    }
  }
  return args;
}

/** A `wrap` for KernelClient.start: the kernel's command line inside bubblewrap. */
export function sandboxWrap(spec: SandboxSpec): (argv: string[], runtimeDir: string) => string[] {
  return (argv, runtimeDir) => {
    const args = ["--unshare-all", "--die-with-parent", "--clearenv"];
    for (const p of SYSTEM_PARTS) args.push("--ro-bind", p, p);
    args.push(...usrLinks(), "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev");
    // A private /tmp first: the kit (and node) may themselves live under /tmp,
    // and their binds must land on top of it, not be hidden by it.
    args.push("--tmpfs", "/tmp");
    // The kernel's sockets and connection file: the only way in and out.
    args.push("--bind", runtimeDir, runtimeDir);
    const node = path.dirname(path.dirname(fs.realpathSync(argv[0])));
    if (!SYSTEM_PARTS.some((p) => node.startsWith(p + "/"))) args.push("--ro-bind", node, node);
    for (const part of KIT_PARTS) {
      const p = path.join(spec.kitRoot, part);
      if (fs.existsSync(p)) args.push("--ro-bind", p, p);
    }
    args.push("--remount-ro", "/tmp");
    args.push(
      "--tmpfs",
      SANDBOX_ROOT,
      "--symlink",
      path.join(spec.kitRoot, "node_modules"),
      `${SANDBOX_ROOT}/node_modules`,
    );
    args.push(
      "--bind",
      spec.workDir,
      SANDBOX_WORK,
      "--remount-ro",
      SANDBOX_ROOT,
      "--remount-ro",
      "/",
      "--chdir",
      SANDBOX_WORK,
    );
    for (const [k, v] of Object.entries(spec.env)) args.push("--setenv", k, v);
    // The client interrupts a cell with SIGINT to the whole process group;
    // bubblewrap would die of it and take the kernel along, so it ignores it
    // (the kernel sets its own handler).
    return ["/bin/sh", "-c", 'trap "" INT; exec "$@"', "sh", spec.bwrap ?? BWRAP, ...args, "--", ...argv];
  };
}
