import { expect } from 'vitest';

/**
 * given/when/then for any decider (in the manner of Emmett's DeciderSpecification):
 *
 *   const spec = deciderSpec(resultDecider);
 *   spec.given([submitted]).when(verify).then([verified]);
 *   spec.given([]).when(verify).then({ code: 'nothing_submitted' });   // a thrown error, matched partially
 *
 * `decide` may return the events themselves or an object with an `events` array.
 */
export interface Decider<Command, State, Event, Decision = Event[] | { events: Event[] }> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => Decision;
}

export interface Then<State, Event, Decision> {
  /** Expected events (deep-equal, in order), or a partial match of the thrown error. */
  then(expected: readonly Event[] | Record<string, unknown>): void;
  /** Partial match of the whole decision, e.g. `{ events: [], retry: true }`. */
  thenDecision(expected: Partial<Decision> & Record<string, unknown>): void;
  /** Partial match of the state after the given events and the decided ones. */
  thenState(expected: Partial<State> & Record<string, unknown>): void;
}

export function deciderSpec<Command, State, Event, Decision>(decider: Decider<Command, State, Event, Decision>) {
  return {
    given(events: readonly Event[]) {
      return {
        when(command: Command): Then<State, Event, Decision> {
          const before = events.reduce(decider.evolve, decider.initialState());
          const run = () => decider.decide(command, before);
          const eventsOf = (decision: Decision): Event[] =>
            Array.isArray(decision) ? (decision as Event[]) : (decision as { events: Event[] }).events;
          return {
            then(expected) {
              if (Array.isArray(expected)) {
                expect(eventsOf(run())).toEqual(expected);
                return;
              }
              let thrown: unknown;
              try {
                run();
              } catch (e) {
                thrown = e;
              }
              expect(thrown, 'expected decide to throw').toBeDefined();
              expect(thrown).toMatchObject(expected);
            },
            thenDecision(expected) {
              expect(run()).toMatchObject(expected);
            },
            thenState(expected) {
              expect(eventsOf(run()).reduce(decider.evolve, before)).toMatchObject(expected);
            },
          };
        },
      };
    },
  };
}
