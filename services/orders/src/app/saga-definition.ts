// What a saga declaration is made of, in the spirit of Eventuate's
// `step().invokeParticipant().onReply().withCompensation()`: a set of named steps, each saying how it
// makes progress (a remote call the engine makes, or a reply it waits for), which named outcomes it
// can end in and which step each outcome leads to, when it gives up and what that means, and what a
// cancel in it owes. The engine (saga-engine.ts) interprets a declaration; it knows no step by name.
//
// Outcomes are data (`outcomes: { reserved: 'hold_funds', ... }`): a handler only picks an outcome
// and says which events and messages it records, so the declaration alone gives the state diagram
// (`transitionsOf`), and the README's diagram is checked against it.
import type { OutgoingMessage } from '@shopstack/kit';

/** A handler's decision: take this outcome, recording these events and sending these messages. */
export interface Move<Outcome extends string, Event> {
  outcome: Outcome;
  /** Appended to the aggregate's stream, made only by the aggregate's `record*` functions. */
  events?: readonly Event[];
  /** Commands and integration events, committed with the move (the outbox). */
  messages?: readonly OutgoingMessage[];
  /** For the log. */
  detail?: string;
}

/** Who cancels: the customer, or the shop (an admin's repair of a stuck saga). */
export type CancelledBy = 'customer' | 'shop';

/** Stay in the step and try again later (a transient failure). */
export interface Retry {
  retry: string;
  /** Default: exponential backoff on the step's attempts. */
  delayMs?: number;
}

export type Decision<Outcome extends string, Event> = Move<Outcome, Event> | Retry;

export const isRetry = <O extends string, E>(decision: Decision<O, E>): decision is Retry =>
  'retry' in decision;

/** When a step entered now is first looked at, and when it gives up (null: never). */
export interface StepTiming {
  firstAttemptInMs: number;
  deadlineInMs: number | null;
}

interface StepCommon<Step extends string, Outcome extends string, State, Event, Settings> {
  /** A one-line description, shown in the generated diagram's notes. */
  does: string;
  /** Which step each outcome leads to. */
  outcomes: Record<Outcome, Step | 'done'>;
  timing: (settings: Settings) => StepTiming;
  /** What passing the deadline means (required when `timing` gives one). */
  onDeadline?: (state: State) => Move<NoInfer<Outcome>, Event>;
  /**
   * A cancel in this step — by the customer, or by the shop (a back-office repair) — and what it owes
   * (compensation). Absent: the step cannot be interrupted (after the pivot, or while it settles).
   */
  onCancel?: (state: State, by: CancelledBy) => Move<NoInfer<Outcome>, Event>;
  /** After the pivot the saga only moves forward: no deadline compensates, no cancel interrupts. */
  pastPivot?: boolean;
}

/** A step that makes a remote call (which must be idempotent: a taken-over step repeats it). */
export interface CallStepSpec<Step extends string, Outcome extends string, State, Event, Ports, Settings>
  extends StepCommon<Step, Outcome, State, Event, Settings> {
  invoke: (ports: Ports, state: State) => Promise<Decision<NoInfer<Outcome>, Event>>;
  /** The call threw: a transient failure to retry, or a refusal to act on. */
  onError: (error: unknown, state: State) => Decision<NoInfer<Outcome>, Event>;
}

/** A step that waits for a reply message (its command was sent by the move into it). */
export interface AwaitStepSpec<Step extends string, Outcome extends string, State, Event, Reply, Settings>
  extends StepCommon<Step, Outcome, State, Event, Settings> {
  /** A reply for this order; `undefined`: not for this step (late, duplicate), ignored. */
  onReply: (reply: Reply, state: State) => Move<NoInfer<Outcome>, Event> | undefined;
  /** No reply by the time the step is due and no deadline passed: e.g. resend the command. */
  onOverdue?: (state: State) => Move<NoInfer<Outcome>, Event>;
}

export type CallStep<
  Step extends string,
  Outcome extends string,
  State,
  Event,
  Ports,
  Settings,
> = CallStepSpec<Step, Outcome, State, Event, Ports, Settings> & { kind: 'call' };

export type AwaitStep<
  Step extends string,
  Outcome extends string,
  State,
  Event,
  Reply,
  Settings,
> = AwaitStepSpec<Step, Outcome, State, Event, Reply, Settings> & { kind: 'await' };

export type StepDeclaration<Step extends string, State, Event, Ports, Reply, Settings> =
  // biome-ignore lint/suspicious/noExplicitAny: each step has its own outcome names
  | CallStep<Step, any, State, Event, Ports, Settings>
  // biome-ignore lint/suspicious/noExplicitAny: each step has its own outcome names
  | AwaitStep<Step, any, State, Event, Reply, Settings>;

export interface SagaDefinition<Step extends string, State, Event, Ports, Reply, Settings> {
  name: string;
  /** The step a new saga starts in. */
  start: Step;
  steps: Record<Step, StepDeclaration<Step, State, Event, Ports, Reply, Settings>>;
  /** A finished saga the customer cancels may start again (e.g. a refund); absent: it stays done. */
  onCancelWhenDone?: {
    outcome: string;
    to: Step;
    when: (state: State) => Move<string, Event> | undefined;
  };
}

/** Typed helpers: a step's outcome names are checked against its handlers. */
export const callStep = <Step extends string, const O extends string, State, Event, Ports, Settings>(
  step: CallStepSpec<Step, O, State, Event, Ports, Settings>,
): CallStep<Step, O, State, Event, Ports, Settings> => ({ kind: 'call', ...step });

export const awaitStep = <Step extends string, const O extends string, State, Event, Reply, Settings>(
  step: AwaitStepSpec<Step, O, State, Event, Reply, Settings>,
): AwaitStep<Step, O, State, Event, Reply, Settings> => ({ kind: 'await', ...step });

export interface Transition {
  from: string;
  outcome: string;
  to: string;
}

/** Every edge of the state diagram, in declaration order. */
export function transitionsOf(
  // biome-ignore lint/suspicious/noExplicitAny: any declaration
  definition: SagaDefinition<string, any, any, any, any, any>,
): Transition[] {
  const edges: Transition[] = [{ from: 'checkout', outcome: 'placed', to: definition.start }];
  for (const [from, step] of Object.entries(definition.steps))
    for (const [outcome, to] of Object.entries(step.outcomes as Record<string, string>))
      edges.push({ from, outcome, to });
  if (definition.onCancelWhenDone)
    edges.push({
      from: 'done',
      outcome: definition.onCancelWhenDone.outcome,
      to: definition.onCancelWhenDone.to,
    });
  return edges;
}

/** The diagram as Mermaid text (`stateDiagram-v2`), the form the README shows. */
export function mermaidDiagram(
  // biome-ignore lint/suspicious/noExplicitAny: any declaration
  definition: SagaDefinition<string, any, any, any, any, any>,
): string {
  const name = (state: string) => (state === 'checkout' ? '[*]' : state);
  const lines = ['stateDiagram-v2'];
  for (const edge of transitionsOf(definition))
    lines.push(`  ${name(edge.from)} --> ${name(edge.to)}: ${edge.outcome}`);
  return lines.join('\n');
}

/** Delay before retrying a failed call: exponential from 200 ms, capped at 5 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(200 * 2 ** Math.max(0, attempts - 1), 5_000);
}
