// A real single-node Slurm cluster on localhost for the Slurm engine's tests: Debian's slurm-wlm and
// munge, every file (key, sockets, slurm.conf, state, spool, logs) in a temporary folder, daemons
// started in the foreground as children of the test and stopped by their process ids. Works as root
// without systemd (CI) and touches nothing under /etc or /run.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DAEMONS = ["munged", "slurmctld", "slurmd"];
const CLIENTS = ["sbatch", "squeue", "sacct", "sinfo", "scancel", "scontrol"];
const SEARCH = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

function find(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? "").split(":"), ...SEARCH]) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Why the cluster cannot be started here (a binary is missing or we are not root), or null. */
export function slurmUnavailable(): string | null {
  const missing = [...DAEMONS, ...CLIENTS].filter((name) => !find(name));
  if (missing.length) return `Slurm or munge is not installed (missing ${missing.join(", ")}; apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return "the test cluster's daemons run as root, and this is not root";
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SlurmCluster {
  dir: string;
  /** The environment Slurm's client commands need (SLURM_CONF), on top of this process's. */
  env: NodeJS.ProcessEnv;
  /** The daemons' logs, for a failure message. */
  logs(): string;
  stop(): Promise<void>;
}

export async function startSlurm(cpus = 8): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), "edgecl-slurm-"));
  chmodSync(dir, 0o755);
  const munge = join(dir, "munge");
  for (const sub of ["state", "spool", "log"]) mkdirSync(join(dir, sub));
  mkdirSync(munge, { mode: 0o755 });
  // munged wants a key only its owner reads; any random 1 KiB is a valid key.
  writeFileSync(join(munge, "munge.key"), randomBytes(1024), { mode: 0o600 });
  const socket = join(munge, "munge.sock");
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = join(dir, "slurm.conf");
  writeFileSync(
    conf,
    [
      "ClusterName=edgecltest",
      "SlurmctldHost=localhost",
      "SlurmUser=root",
      "SlurmdUser=root",
      "AuthType=auth/munge",
      `AuthInfo=socket=${socket}`,
      "CredType=cred/munge",
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      `StateSaveLocation=${join(dir, "state")}`,
      `SlurmdSpoolDir=${join(dir, "spool")}`,
      `SlurmctldPidFile=${join(dir, "slurmctld.pid")}`,
      `SlurmdPidFile=${join(dir, "slurmd.pid")}`,
      `SlurmctldLogFile=${join(dir, "log", "slurmctld.log")}`,
      `SlurmdLogFile=${join(dir, "log", "slurmd.log")}`,
      // No cgroups and no accounting daemon: what a container without systemd offers.
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "JobAcctGatherType=jobacct_gather/none",
      "AccountingStorageType=accounting_storage/none",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_CPU",
      "SchedulerType=sched/backfill",
      "MpiDefault=none",
      "ReturnToService=2",
      // Ended tasks stay visible to squeue for an hour (no accounting to ask instead).
      "MinJobAge=3600",
      // The node offers `cpus` slots whatever the machine has, so the tests' short tasks start at once
      // instead of in waves of scheduling cycles.
      "SlurmdParameters=config_overrides",
      `NodeName=localhost NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
      "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
      "",
    ].join("\n"),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const children: ChildProcess[] = [];
  const daemon = (name: string, args: string[]) => {
    const child = spawn(find(name)!, args, { env, stdio: ["ignore", "ignore", "ignore"] });
    children.push(child);
    return child;
  };
  const logs = () =>
    ["munged.log", "log/slurmctld.log", "log/slurmd.log"]
      .map((f) => join(dir, f))
      .filter(existsSync)
      .map((f) => `== ${f}\n${readFileSync(f, "utf8").split("\n").slice(-15).join("\n")}`)
      .join("\n");
  const stop = async () => {
    spawnSync(find("scancel")!, ["--user=root"], { env });
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    daemon("munged", ["--foreground", "--force", `--key-file=${join(munge, "munge.key")}`, `--socket=${socket}`, `--pid-file=${join(munge, "munged.pid")}`, `--log-file=${join(dir, "munged.log")}`, `--seed-file=${join(munge, "munged.seed")}`]);
    for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(100);
    daemon("slurmctld", ["-D", "-i", "-f", conf]);
    daemon("slurmd", ["-D", "-N", "localhost", "-f", conf]);
    // Ready when the node is idle: slurmd registered with slurmctld.
    for (let i = 0; ; i++) {
      const r = spawnSync(find("sinfo")!, ["--noheader", "--format=%T"], { env, encoding: "utf8" });
      if (r.status === 0 && r.stdout.trim() === "idle") break;
      if (i > 300) throw new Error(`the test Slurm cluster did not come up (sinfo: ${r.stdout.trim() || r.stderr.trim()})\n${logs()}`);
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, env, logs, stop };
}

/** Runs one of Slurm's client commands against the cluster. */
export function slurmClient(cluster: SlurmCluster, name: string, args: string[]): string {
  return execFileSync(find(name)!, args, { env: cluster.env, encoding: "utf8" });
}
