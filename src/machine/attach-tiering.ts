import { Link } from "../net/link.ts";
import { PageMigrator } from "../vm/page-migrator.ts";
import { TieringDaemon } from "../vm/tiering.ts";
import type { Machine } from "./build-machine.ts";
import type { BoundWorkload } from "./bind-workload.ts";

/**
 * Starts the machine's tiering daemon for a bound workload, if the machine file enables it: a
 * page-copy agent on socket 0's northbridge and the daemon that decides what moves.
 */
export function attachTiering(m: Machine, bound: BoundWorkload): TieringDaemon | null {
  const t = m.spec.os.tiering;
  if (!t.enabled) return null;
  const sockets = m.nodes.length;
  const migrator = new PageMigrator(m.sim, m.stats, m.pool, "os.migrator", m.spec.lineSize, m.spec.pageSize);
  migrator.values = m.values;
  const nb = m.nodes[0].nb;
  m.links.push(
    new Link(m.sim, m.stats, "os.migrator.link", migrator.port, nb.addCorePort(), {
      latencyPs: m.spec.node.core.requestLatency,
      bandwidthBytesPerNs: 64,
      credits: 64,
    }),
  );
  const lineBytes = m.spec.lineSize;
  const busyCores = bound.threads.map((th) => m.cores[th.core]);
  const daemon = new TieringDaemon(
    m.sim,
    m.stats,
    "os.tiering",
    bound.space,
    migrator,
    {
      flushPage(pa: number) {
        const first = Math.floor(pa / lineBytes);
        for (let line = first; line < first + m.spec.pageSize / lineBytes; line++) {
          for (const c of m.cores) {
            c.l1d.invalidate(line);
            c.l2.invalidate(line);
          }
          for (const s of m.sharedCaches) s.cache.invalidate(line);
        }
      },
      interruptCores(ps: number) {
        for (const c of busyCores) c.pause(ps);
      },
      resumeCores() {
        for (const c of busyCores) c.retry();
      },
      busy: () => busyCores.some((c) => c.busy),
    },
    {
      epochPs: t.epoch,
      hotThreshold: t.hotThreshold,
      maxPagesPerEpoch: t.maxPagesPerEpoch,
      fastNodes: t.fastNodes ?? Array.from({ length: sockets }, (_, i) => i),
      slowNodes: t.slowNodes ?? Array.from({ length: m.memoryNodeCount - sockets }, (_, i) => sockets + i),
      shootdownPs: t.shootdown,
      cooldownEpochs: t.cooldownEpochs,
    },
  );
  bound.space.sampleAccesses(t.sampleEvery);
  daemon.start();
  return daemon;
}
