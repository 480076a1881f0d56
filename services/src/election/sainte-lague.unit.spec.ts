import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sainteLague } from './sainte-lague';

const seatsOf = (allocation: { party: string; seats: number }[]) => Object.fromEntries(allocation.map((a) => [a.party, a.seats]));
const total = (allocation: { seats: number }[]) => allocation.reduce((s, a) => s + a.seats, 0);

describe('Sainte-Laguë (divisors 1, 3, 5, …)', () => {
  it('matches the worked example of staatsrecht.honikel.de ("Sainte-Laguë method": A 6,100, B 5,000, C 900 votes, 10 seats → 5, 4, 1)', () => {
    // Source: https://staatsrecht.honikel.de/en/berechnungsbeispiele-loesungen.htm — table "divided by 1, 3, 5, 7, 9":
    // seats go to 6100, 5000, 2033, 1667, 1220, 1000, 900, 871, 714, 678 in that order.
    expect(sainteLague({ A: 6100, B: 5000, C: 900 }, 10)).toEqual([
      { party: 'A', seats: 5 },
      { party: 'B', seats: 4 },
      { party: 'C', seats: 1 },
    ]);
  });

  it("matches electowiki's 35-seat example (A 503, B 304, C 193 → 17, 11, 7), where D'Hondt would give 18, 10, 6", () => {
    // Source: https://electowiki.org/wiki/Sainte-Lagu%C3%AB_method, table "35-seat example" (final divisors 503/35, 304/23, 193/15).
    // 35 is also the size of the DPRD of Labuhanbatu Selatan.
    expect(seatsOf(sainteLague({ A: 503, B: 304, C: 193 }, 35))).toEqual({ A: 17, B: 11, C: 7 });
  });

  it('gives the first seat to the most votes and the next to the largest quotient, not the largest remainder', () => {
    // 3 seats: 900 (÷1), then 400 (÷1) beats 300 (900÷3), then 300 beats 133 (400÷3).
    expect(seatsOf(sainteLague({ '1': 900, '2': 400 }, 3))).toEqual({ '1': 2, '2': 1 });
  });

  it('breaks an exact tie of quotients by more votes, then the lower party number', () => {
    // 300 ÷ 3 = 100 = 100 ÷ 1: the party with 300 votes wins the second seat.
    expect(seatsOf(sainteLague({ '5': 100, '2': 300 }, 2))).toEqual({ '2': 2 });
    // Equal votes: party 2 before party 10 (numeric order, not text order).
    expect(seatsOf(sainteLague({ '10': 50, '2': 50 }, 1))).toEqual({ '2': 1 });
  });

  it('allocates nothing without votes and never seats a party with 0 votes', () => {
    expect(sainteLague({ '1': 0, '2': 0 }, 7)).toEqual([]);
    expect(seatsOf(sainteLague({ '1': 10, '2': 0 }, 3))).toEqual({ '1': 3 });
  });

  it('refuses negative, fractional and non-finite input', () => {
    expect(() => sainteLague({ '1': -1 }, 3)).toThrow(RangeError);
    expect(() => sainteLague({ '1': 1.5 }, 3)).toThrow(RangeError);
    expect(() => sainteLague({ '1': Number.NaN }, 3)).toThrow(RangeError);
    expect(() => sainteLague({ '1': 5 }, 2.5)).toThrow(RangeError);
  });

  const partyVotes = fc.dictionary(fc.integer({ min: 1, max: 24 }).map(String), fc.integer({ min: 0, max: 2_000_000 }), { maxKeys: 18 });
  const seatCount = fc.integer({ min: 0, max: 12 });

  it('property: the seats sum to the dapil seats whenever any party has votes', () => {
    fc.assert(
      fc.property(partyVotes, seatCount, (votes, seats) => {
        const allocation = sainteLague(votes, seats);
        const anyVotes = Object.values(votes).some((n) => n > 0);
        expect(total(allocation)).toBe(anyVotes ? seats : 0);
      }),
    );
  });

  it('property: more votes for a party (others unchanged) never means fewer seats for it', () => {
    fc.assert(
      fc.property(partyVotes.filter((v) => Object.keys(v).length > 0), seatCount, fc.integer({ min: 1, max: 500_000 }), (votes, seats, extra) => {
        const party = Object.keys(votes)[0];
        const before = seatsOf(sainteLague(votes, seats))[party] ?? 0;
        const after = seatsOf(sainteLague({ ...votes, [party]: votes[party] + extra }, seats))[party] ?? 0;
        expect(after).toBeGreaterThanOrEqual(before);
      }),
    );
  });

  it('property: one more seat in the dapil never takes a seat from any party (house monotone)', () => {
    fc.assert(
      fc.property(partyVotes, seatCount, (votes, seats) => {
        const before = seatsOf(sainteLague(votes, seats));
        const after = seatsOf(sainteLague(votes, seats + 1));
        for (const [party, n] of Object.entries(before)) expect(after[party]).toBeGreaterThanOrEqual(n);
      }),
    );
  });

  it('property: the order of the parties in the input does not change the outcome', () => {
    fc.assert(
      fc.property(partyVotes, seatCount, (votes, seats) => {
        const reversed = Object.fromEntries(Object.entries(votes).reverse());
        expect(sainteLague(reversed, seats)).toEqual(sainteLague(votes, seats));
      }),
    );
  });
});
