import { describe, expect, it } from "vitest";
import { Message } from "../../src/kernel/message.ts";
import { RngStream } from "../../src/kernel/rng.ts";
import { InsertionTimeline } from "../../src/net/insertion-timeline.ts";

/** Wire time of `m` as the timeline has it now. */
function wire(t: InsertionTimeline, m: Message): [number, number] {
  expect(t.find(m)).toBe(true);
  return [t.foundStart, t.foundEnd];
}

describe("InsertionTimeline (a link direction that inserts commands into data packets)", () => {
  it("a command inserted into a data packet in flight ends it, and the data queued behind it, one command later", () => {
    const t = new InsertionTimeline(20_000);
    const d1 = new Message();
    const d2 = new Message();
    expect(t.placeData(d1, 0, 17_000, true, 0)).toBe(0);
    expect(t.placeData(d2, 17_000, 17_000, true, 0)).toBe(17_000);
    // A 2 ns command at 5 ns goes at once, inside d1.
    expect(t.placeCommand(5_000, 2_000, 5_000)).toBe(5_000);
    expect(wire(t, d1)).toEqual([0, 19_000]);
    expect(wire(t, d2)).toEqual([19_000, 36_000]);
    expect(t.fifoEnd(0)).toBe(36_000);
  });

  it("commands wait for commands only, and data placed later skips the commands already on the wire", () => {
    const t = new InsertionTimeline(20_000);
    const d = new Message();
    expect(t.placeCommand(1_000, 2_000, 0)).toBe(1_000);
    expect(t.placeCommand(2_000, 2_000, 0)).toBe(3_000);
    // Data from 0 for 10 ns: interrupted by both commands, so it ends 4 ns late.
    expect(t.placeData(d, 0, 10_000, true, 0)).toBe(0);
    expect(t.foundEnd).toBe(14_000);
    // Data cannot start inside a command.
    const t2 = new InsertionTimeline(20_000);
    t2.placeCommand(0, 2_000, 0);
    expect(t2.placeData(new Message(), 1_000, 5_000, true, 1_000)).toBe(2_000);
  });

  it("keeps the stretch of a command long over while the data packet it interrupted is on the wire", () => {
    const t = new InsertionTimeline(20_000);
    const d = new Message();
    t.placeData(d, 0, 20_000, true, 0);
    t.placeCommand(2_000, 2_000, 2_000);
    // At 10 ns the first command is over, but the data packet it held is still on the wire.
    t.placeCommand(10_000, 2_000, 10_000);
    expect(wire(t, d)).toEqual([0, 24_000]);
    // Commands over before every data packet on the wire began are forgotten.
    t.removeFound();
    const d2 = new Message();
    t.placeCommand(30_000, 2_000, 30_000);
    expect(t.placeData(d2, 29_000, 5_000, true, 30_000)).toBe(29_000);
    expect(t.foundEnd).toBe(36_000);
  });

  it("never lets two packets share the wire and gives every data packet exactly its wire time between the commands", () => {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok && problems.length < 5) problems.push(what);
    };
    for (let seed = 1; seed <= 5; seed++) {
      const r = new RngStream(seed, "timeline");
      const t = new InsertionTimeline(20_000);
      const live: { m: Message; ser: number }[] = [];
      // Every command's wire time (a command never moves once placed) over the last microsecond,
      // far longer than any data packet here stays on the wire.
      let commands: [number, number][] = [];
      let now = 0;
      let busyUntil = 0;
      for (let n = 0; n < 1500; n++) {
        now += Math.floor(r.next() * 40_000);
        commands = commands.filter(([, b]) => b > now - 1_000_000);
        // Deliver the data packets that have left the wire by now, as the link does.
        for (let i = live.length - 1; i >= 0; i--) {
          check(t.find(live[i].m), `seed ${seed}: a data packet lost`);
          if (t.foundEnd <= now) {
            t.removeFound();
            live.splice(i, 1);
          }
        }
        if (r.next() < 0.5) {
          const ser = 1_000 + Math.floor(r.next() * 2) * 1_000;
          const due = r.next() < 0.3 ? now + Math.floor(r.next() * 20_000) : now;
          const start = t.placeCommand(due, ser, now);
          check(start >= due, `seed ${seed}: command placed at ${start} before it was due (${due})`);
          for (const [a, b] of commands) check(!(a < start + ser && start < b), `seed ${seed}: commands overlap at ${start}`);
          commands.push([start, start + ser]);
        } else {
          const m = new Message();
          const ser = 17_000;
          const booked = r.next() < 0.2;
          const from = booked ? Math.max(busyUntil, now + Math.floor(r.next() * 30_000)) : Math.max(busyUntil, now);
          check(t.placeData(m, from, ser, !booked, now) >= from, `seed ${seed}: data placed too early`);
          busyUntil = t.fifoEnd(busyUntil);
          live.push({ m, ser });
        }
        // The data packets on the wire never overlap and each gets exactly its own wire time
        // between the commands inside its span, starting outside any command.
        const spans = live.map((e) => {
          t.find(e.m);
          return { s: t.foundStart, e: t.foundEnd, ser: e.ser };
        });
        for (let i = 0; i < spans.length; i++) {
          for (let j = i + 1; j < spans.length; j++) check(!(spans[i].s < spans[j].e && spans[j].s < spans[i].e), `seed ${seed}: data packets overlap`);
          let held = 0;
          for (const [a, b] of commands) {
            held += Math.max(0, Math.min(b, spans[i].e) - Math.max(a, spans[i].s));
            check(!(a < spans[i].s && spans[i].s < b), `seed ${seed}: a data packet starts inside a command`);
          }
          check(spans[i].e - spans[i].s === spans[i].ser + held, `seed ${seed}: data [${spans[i].s}, ${spans[i].e}] holds ${spans[i].ser} ps of its own and ${held} of commands`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
