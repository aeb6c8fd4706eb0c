/**
 * A one-node Slurm cluster for tests, from Debian's slurm-wlm and munge, run
 * as root: munged on its own socket and key, slurmctld and slurmd on
 * 127.0.0.1 on free ports, everything in one temporary folder named by
 * SLURM_CONF. No accounting storage, so jobs are followed with squeue and
 * scontrol (sacct has nothing to read).
 */
import { execFileSync, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface SlurmCluster {
  dir: string;
  /** The cluster's slurm.conf: SLURM_CONF for every Slurm command. */
  conf: string;
  /** Runs a Slurm client command (squeue, scontrol, scancel ...) on this cluster; its stdout. */
  run(command: string, ...args: string[]): string;
  /** The job's fields as `scontrol show job -o` gives them (JobState, ExitCode, ...), one map per job or array task. */
  jobs(id: string): Map<string, string>[];
  /** Stops the daemons it started. */
  stop(): void;
}

/** What is missing to run one here, or null. */
export function slurmUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "the test cluster runs its daemons as root";
  for (const tool of ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch"]) {
    if (!fs.existsSync(tool)) return `${tool} is missing (Debian: apt-get install slurm-wlm munge)`;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidIn(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startSlurm(): Promise<SlurmCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-slurm-"));
  fs.chmodSync(dir, 0o700);
  for (const sub of ["munge", "state", "spool", "log"]) fs.mkdirSync(path.join(dir, sub), { mode: 0o700 });
  const socket = path.join(dir, "munge", "socket");
  const key = path.join(dir, "munge", "munge.key");
  fs.writeFileSync(key, randomBytes(128), { mode: 0o400 });
  execFileSync("/usr/sbin/munged", [
    "--force",
    `--socket=${socket}`,
    `--key-file=${key}`,
    `--log-file=${path.join(dir, "munge", "log")}`,
    `--pid-file=${path.join(dir, "munge", "pid")}`,
    `--seed-file=${path.join(dir, "munge", "seed")}`,
  ]);
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const memoryMb = Math.floor((os.totalmem() / 2 ** 20) * 0.8);
  const conf = path.join(dir, "slurm.conf");
  fs.writeFileSync(
    conf,
    [
      `ClusterName=dlkit${path
        .basename(dir)
        .replace(/[^a-z0-9]/gi, "")
        .toLowerCase()}`,
      "SlurmctldHost=localhost(127.0.0.1)",
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      "SlurmUser=root",
      "SlurmdUser=root",
      "AuthType=auth/munge",
      "CredType=cred/munge",
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${path.join(dir, "state")}`,
      `SlurmdSpoolDir=${path.join(dir, "spool")}`,
      `SlurmctldPidFile=${path.join(dir, "slurmctld.pid")}`,
      `SlurmdPidFile=${path.join(dir, "slurmd.pid")}`,
      `SlurmctldLogFile=${path.join(dir, "log", "slurmctld.log")}`,
      `SlurmdLogFile=${path.join(dir, "log", "slurmd.log")}`,
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "JobAcctGatherType=jobacct_gather/none",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_Core",
      "MpiDefault=none",
      "ReturnToService=2",
      // Ended jobs stay visible to scontrol for ten minutes.
      "MinJobAge=600",
      `NodeName=localhost NodeAddr=127.0.0.1 CPUs=${os.cpus().length} RealMemory=${memoryMb} State=UNKNOWN`,
      "PartitionName=dlkit Nodes=localhost Default=YES MaxTime=INFINITE State=UP",
    ].join("\n") + "\n",
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const run = (command: string, ...args: string[]) => execFileSync(command, args, { env, encoding: "utf8" });
  const cluster: SlurmCluster = {
    dir,
    conf,
    run,
    jobs: (id) =>
      run("scontrol", "show", "job", "-o", id)
        .trim()
        .split("\n")
        .filter(Boolean)
        .map(
          (line) =>
            new Map(
              line
                .split(/\s+/)
                .map((field) => [field.slice(0, field.indexOf("=")), field.slice(field.indexOf("=") + 1)]),
            ),
        ),
    stop: () => {
      spawnSync("scontrol", ["shutdown"], { env, encoding: "utf8" });
      const pids = ["slurmctld.pid", "slurmd.pid", "munge/pid"].map((f) => pidIn(path.join(dir, f)));
      const deadline = Date.now() + 10_000;
      for (const [i, pid] of pids.entries()) {
        if (pid === null) continue;
        // munged has no shutdown command; the Slurm daemons get theirs above.
        if (i === 2) process.kill(pid, "SIGTERM");
        while (alive(pid) && Date.now() < deadline) spawnSync("sleep", ["0.2"]);
        if (alive(pid)) process.kill(pid, "SIGKILL");
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    run("/usr/sbin/slurmctld", "-f", conf, "-i");
    run("/usr/sbin/slurmd", "-f", conf, "-N", "localhost");
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = spawnSync("sinfo", ["-h", "-o", "%T"], { env, encoding: "utf8" }).stdout?.trim();
      if (state === "idle") break;
      if (Date.now() > deadline)
        throw new Error(`the node did not come up (sinfo says '${state}'); logs in ${path.join(dir, "log")}`);
      await sleep(500);
    }
  } catch (err) {
    cluster.stop();
    throw err;
  }
  return cluster;
}
