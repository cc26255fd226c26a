/**
 * A one-node Slurm on this machine, for trying `hopsim sweep --executor slurm` and for the Slurm
 * test (test/sweep/slurm-array.test.ts), which is skipped when no Slurm answers. Needs root and the
 * Debian packages slurm-wlm and munge (`apt-get install -y slurm-wlm munge`); never used by CI.
 *
 *   npx tsx scripts/sweep-slurm-localhost.ts start   # writes slurm.conf if there is none, starts munged, slurmctld, slurmd
 *   npx tsx scripts/sweep-slurm-localhost.ts stop    # stops the daemons it started, by PID
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const STATE = "/tmp/hopsim-slurm";
const PIDS = path.join(STATE, "pids.json");
const CONF = process.env["SLURM_CONF"] ?? "/etc/slurm/slurm.conf";

function conf(): string {
  const host = os.hostname().split(".")[0]!;
  const cpus = os.availableParallelism();
  const memMiB = Math.floor(os.totalmem() / 2 ** 20 / 2);
  return [
    "# One-node Slurm for hopsim's sweep tests (scripts/sweep-slurm-localhost.ts).",
    "ClusterName=hopsim",
    `SlurmctldHost=${host}`,
    "AuthType=auth/munge",
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_Core",
    "ReturnToService=2",
    "SlurmUser=root",
    "SlurmdUser=root",
    `StateSaveLocation=${STATE}/state`,
    `SlurmdSpoolDir=${STATE}/spool`,
    `SlurmctldPidFile=${STATE}/slurmctld.pid`,
    `SlurmdPidFile=${STATE}/slurmd.pid`,
    `SlurmctldLogFile=${STATE}/slurmctld.log`,
    `SlurmdLogFile=${STATE}/slurmd.log`,
    "AccountingStorageType=accounting_storage/none",
    "JobAcctGatherType=jobacct_gather/none",
    "JobCompType=jobcomp/none",
    `NodeName=${host} CPUs=${cpus} RealMemory=${memMiB} State=UNKNOWN`,
    `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    "",
  ].join("\n");
}

function pidOf(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, "utf8").trim()) || undefined;
  } catch {
    return undefined;
  }
}

async function start(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("run as root (the daemons need it)");
  for (const bin of ["munged", "slurmctld", "slurmd", "sbatch"]) {
    if (spawnSync("sh", ["-c", `command -v ${bin}`]).status !== 0 && !fs.existsSync(`/usr/sbin/${bin}`)) throw new Error(`${bin} not found: apt-get install -y slurm-wlm munge`);
  }
  fs.mkdirSync(path.join(STATE, "state"), { recursive: true });
  fs.mkdirSync(path.join(STATE, "spool"), { recursive: true });
  if (!fs.existsSync(CONF)) {
    fs.mkdirSync(path.dirname(CONF), { recursive: true });
    fs.writeFileSync(CONF, conf());
    console.log(`wrote ${CONF}`);
  } else console.log(`using the existing ${CONF}`);
  const pids: Record<string, number> = {};
  if (spawnSync("munge", ["-n"]).status !== 0) {
    fs.mkdirSync("/run/munge", { recursive: true });
    execFileSync("chown", ["munge:munge", "/run/munge"]);
    execFileSync("su", ["-s", "/bin/sh", "munge", "-c", "/usr/sbin/munged"]);
    const pid = pidOf("/run/munge/munged.pid");
    if (pid !== undefined) pids["munged"] = pid;
  }
  execFileSync("/usr/sbin/slurmctld", ["-c"]);
  execFileSync("/usr/sbin/slurmd");
  for (let i = 0; i < 50 && spawnSync("sinfo", ["-h"]).status !== 0; i++) await new Promise((r) => setTimeout(r, 200));
  const text = fs.readFileSync(CONF, "utf8");
  for (const [d, key] of [["slurmctld", "SlurmctldPidFile"], ["slurmd", "SlurmdPidFile"]] as const) {
    const file = new RegExp(`^${key}=(\\S+)`, "m").exec(text)?.[1] ?? `/run/${d}.pid`;
    const pid = pidOf(file);
    if (pid !== undefined) pids[d] = pid;
  }
  fs.writeFileSync(PIDS, JSON.stringify(pids));
  console.log(`started ${Object.entries(pids).map(([k, v]) => `${k} (${v})`).join(", ")}`);
  console.log(execFileSync("sinfo", { encoding: "utf8" }));
}

function stop(): void {
  let pids: Record<string, number>;
  try {
    pids = JSON.parse(fs.readFileSync(PIDS, "utf8")) as Record<string, number>;
  } catch {
    console.log("nothing started by this script");
    return;
  }
  for (const [name, pid] of Object.entries(pids).reverse()) {
    try {
      process.kill(pid, "SIGTERM");
      console.log(`stopped ${name} (${pid})`);
    } catch {
      console.log(`${name} (${pid}) was not running`);
    }
  }
  fs.rmSync(PIDS);
}

const command = process.argv[2];
if (command === "start") await start();
else if (command === "stop") stop();
else {
  console.error("usage: sweep-slurm-localhost.ts start|stop");
  process.exitCode = 2;
}
