import { describe, expect, it } from 'vitest';
import type { TallyView } from '@suara/contracts';
import { Coalescer, type Clock } from './coalescer';
import { affects, affectsQuickcount, LiveRooms, roomName, type RoomKey } from './live-rooms';

/** A clock the spec moves by hand: timers fire only in `advance`. */
class ManualClock implements Clock {
  private t = 1_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  async advance(ms: number) {
    this.t += ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      due.fn();
      await settle();
    }
    await settle();
  }
  get scheduled() {
    return this.timers.length;
  }
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('Coalescer', () => {
  it('runs at once when idle, then at most once per interval, and always once after the last trigger', async () => {
    const clock = new ManualClock();
    let runs = 0;
    const c = new Coalescer(250, async () => void runs++, clock);
    c.trigger();
    await settle();
    expect(runs).toBe(1);
    for (let i = 0; i < 50; i++) c.trigger();
    await settle();
    expect(runs).toBe(1);
    await clock.advance(249);
    expect(runs).toBe(1);
    await clock.advance(1);
    expect(runs).toBe(2); // the trailing run carries all 50 triggers
    await clock.advance(10_000);
    expect(runs).toBe(2);
    expect(clock.scheduled).toBe(0);
  });

  it('never runs twice at once: a trigger during a run is served after it', async () => {
    const clock = new ManualClock();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release!: () => void;
    const c = new Coalescer(100, async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      runs++;
      await new Promise<void>((r) => (release = r));
      running--;
    }, clock);
    c.trigger();
    await settle();
    c.trigger();
    await clock.advance(500);
    expect(runs).toBe(1);
    release();
    await settle();
    await clock.advance(0);
    expect(runs).toBe(2);
    release();
    await settle();
    expect(maxRunning).toBe(1);
  });

  it('a failing run is reported and does not stop later ones', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    let runs = 0;
    const c = new Coalescer(10, async () => {
      runs++;
      if (runs === 1) throw new Error('db down');
    }, clock, (e) => errors.push(e));
    c.trigger();
    await settle();
    await clock.advance(10);
    c.trigger();
    await settle();
    expect(runs).toBe(2);
    expect(errors).toHaveLength(1);
  });
});

describe('affects', () => {
  const key: RoomKey = { electionId: 'e1', regionCode: '122201', ballot: 'PPWP' };
  const change = (electionId: string, ballot: 'PPWP' | 'DPD', codes: string[]) => ({ position: '1:1', regions: [{ electionId, ballot, regionCodes: codes }] });
  it('matches region, election and ballot; a TPS room follows its desa; null means everything', () => {
    expect(affects(change('e1', 'PPWP', ['12', '1222', '122201', '1222011001']), key)).toBe(true);
    expect(affects(change('e2', 'PPWP', ['122201']), key)).toBe(false);
    expect(affects(change('e1', 'DPD', ['122201']), key)).toBe(false);
    expect(affects(change('e1', 'PPWP', ['122202']), key)).toBe(false);
    expect(affects(change('e1', 'PPWP', ['1222011001']), { ...key, regionCode: '1222011001004' })).toBe(true);
    expect(affects({ position: '1:1', regions: null }, key)).toBe(true);
  });
  it('a quick count room follows any change of its election and ballot', () => {
    expect(affectsQuickcount(change('e1', 'PPWP', ['122209']), { electionId: 'e1', ballot: 'PPWP' })).toBe(true);
    expect(affectsQuickcount(change('e1', 'DPD', ['122201']), { electionId: 'e1', ballot: 'PPWP' })).toBe(false);
  });
});

describe('LiveRooms', () => {
  const key: RoomKey = { electionId: 'e1', regionCode: '1222', ballot: 'PPWP' };
  const view = (position: string): TallyView => ({
    region: { code: '1222', level: 'kabupaten', name: 'Labusel' },
    ballot: 'PPWP',
    totals: { votes: {}, valid: Number(position.split(':')[1]), invalid: 0 },
    progress: { tpsTotal: 1, tpsReported: 0, tpsVerified: 0 },
    children: [],
    position,
  });

  function setup() {
    const clock = new ManualClock();
    let stored = view('5:10');
    const members = new Map<string, number>();
    const sent: Array<{ room: string; position: string }> = [];
    const latencies: number[] = [];
    const rooms = new LiveRooms<RoomKey, TallyView>({
      name: roomName,
      affects,
      load: async () => stored,
      emit: (room, tally) => sent.push({ room, position: tally.position }),
      memberCount: (room) => members.get(room) ?? 0,
      intervalMs: 250,
      clock,
      onPush: (ms) => latencies.push(ms),
    });
    const join = () => void members.set(roomName(key), (members.get(roomName(key)) ?? 0) + 1);
    return { clock, rooms, sent, members, join, latencies, setStored: (p: string) => (stored = view(p)) };
  }
  const changeAt = (position: string) => ({ position, regions: [{ electionId: 'e1', ballot: 'PPWP' as const, regionCodes: ['1222'] }] });

  it('answers a subscription with the current tally and pushes the latest state after changes, coalesced', async () => {
    const { clock, rooms, sent, join, setStored } = setup();
    expect((await rooms.subscribe(key, join))?.position).toBe('5:10');
    setStored('5:11');
    rooms.changed(changeAt('5:11'));
    await settle();
    expect(sent).toEqual([{ room: 'tally:e1:1222:PPWP', position: '5:11' }]);
    for (let i = 12; i < 40; i++) {
      setStored(`5:${i}`);
      rooms.changed(changeAt(`5:${i}`));
    }
    await settle();
    expect(sent).toHaveLength(1);
    await clock.advance(250);
    expect(sent).toEqual([{ room: 'tally:e1:1222:PPWP', position: '5:11' }, { room: 'tally:e1:1222:PPWP', position: '5:39' }]);
  });

  it('reports each push\'s latency from the first change it answers', async () => {
    const { clock, rooms, join, latencies, setStored } = setup();
    await rooms.subscribe(key, join);
    setStored('5:11');
    rooms.changed(changeAt('5:11'));
    await settle();
    expect(latencies).toEqual([0]); // idle room: pushed at once
    setStored('5:12');
    rooms.changed(changeAt('5:12'));
    await clock.advance(100);
    setStored('5:13');
    rooms.changed(changeAt('5:13'));
    await clock.advance(150);
    expect(latencies).toEqual([0, 250]); // coalesced: from the first of the two changes
    rooms.changed(changeAt('5:13')); // nothing new to send: no push, no latency
    await clock.advance(1000);
    expect(latencies).toEqual([0, 250]);
  });

  it('never sends a position at or before the last one (e.g. while a rebuild replays from zero)', async () => {
    const { clock, rooms, sent, join, setStored } = setup();
    await rooms.subscribe(key, join);
    setStored('0:3');
    rooms.changed({ position: '0:3', regions: null });
    await clock.advance(1000);
    setStored('5:10');
    rooms.changed({ position: '5:10', regions: null });
    await clock.advance(1000);
    expect(sent).toEqual([]);
    setStored('6:1');
    rooms.changed({ position: '6:1', regions: null });
    await clock.advance(1000);
    expect(sent.map((s) => s.position)).toEqual(['6:1']);
  });

  it('a room with nothing to show yet answers null and pushes once there is', async () => {
    const clock = new ManualClock();
    let stored: TallyView | null = null;
    const sent: string[] = [];
    const rooms = new LiveRooms<RoomKey, TallyView>({
      name: roomName, affects, load: async () => stored, emit: (_room, v) => sent.push(v.position), memberCount: () => 1, clock,
    });
    expect(await rooms.subscribe(key, () => undefined)).toBeNull();
    rooms.changed(changeAt('5:1'));
    await clock.advance(300);
    expect(sent).toEqual([]);
    stored = view('5:2');
    rooms.changed(changeAt('5:2'));
    await clock.advance(300);
    expect(sent).toEqual(['5:2']);
  });

  it('asks each load for what it must include: a push its newest change, a join of a live room what the room was shown', async () => {
    const clock = new ManualClock();
    const asked: Array<string | undefined> = [];
    let stored = view('5:1');
    const rooms = new LiveRooms<RoomKey, TallyView>({
      name: roomName, affects, load: async (_key, atLeast) => (asked.push(atLeast), stored), emit: () => undefined, memberCount: () => 1, clock, intervalMs: 250,
    });
    await rooms.subscribe(key, () => undefined);
    stored = view('5:3');
    rooms.changed(changeAt('5:2'));
    await settle();
    rooms.changed(changeAt('5:3'));
    rooms.changed(changeAt('5:2'));
    await clock.advance(300);
    await rooms.subscribe(key, () => undefined);
    // The first join finds nothing to keep up with; the pushes ask for 5:2, then 5:3 (the newest of three).
    expect(asked).toEqual([undefined, '5:2', '5:3', '5:3']);
  });

  it('forgets a room when its last member leaves', async () => {
    const { rooms, members, join } = setup();
    await rooms.subscribe(key, join);
    expect(rooms.size).toBe(1);
    rooms.release(roomName(key));
    expect(rooms.size).toBe(1);
    members.set(roomName(key), 0);
    rooms.release(roomName(key));
    expect(rooms.size).toBe(0);
  });
});
