import { consumerOpts, type ConsumerOptsBuilder, type JetStreamSubscription, type JsMsg } from "nats";
import { UsageError } from "../errors.js";
import { answerQuietly } from "./answer-quietly.js";
import { validateEvent, type EventData } from "./event-map.js";
import type { EventsClient } from "./events-client.js";
import type { Validation } from "./field-checker.js";
import type { EventSubject } from "./subjects.js";

export interface ListenerOptions {
  /** Overrides the class's ackWait (ms). */
  ackWaitMs?: number;
  /** Overrides the class's maxDeliveries. */
  maxDeliveries?: number;
  /** Overrides the class's retryDelay (ms). */
  retryDelayMs?: number;
  /** Where refused and failed messages are reported (default: the client's log). */
  log?: (line: string) => void;
}

const DURABLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A durable JetStream listener in the shape users of the Python package know: a subclass sets
 * `subject` and `queueGroupName` and implements `onMessage(data, msg)`.
 *
 * The consumer is durable and named after the queue group, and it is the queue group: every
 * process listening with the same name shares the messages, each handled once; a restarted
 * process resumes where the group stopped. Deliver all, manual ack, ack wait 30 s. A message is
 * acked only after `onMessage` returned (or its promise resolved). A payload that fails
 * validation is terminated at once, never redelivered; a handler that throws is nak'ed with a
 * growing delay and retried until `maxDeliveries`, then terminated. Both are logged with the reason.
 */
export abstract class Listener<S extends EventSubject> {
  abstract readonly subject: S;
  abstract readonly queueGroupName: string;
  abstract onMessage(data: EventData<S>, msg: JsMsg): void | Promise<void>;

  protected ackWait = 30_000;
  /** Deliveries of one message before a failing handler gives up on it. */
  protected maxDeliveries = 5;
  /** Delay before the first retry of a failed handler; the n-th retry waits n times as long. */
  protected retryDelay = 5_000;

  private subscription: JetStreamSubscription | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;

  constructor(
    protected readonly client: EventsClient,
    private readonly options: ListenerOptions = {},
  ) {}

  /** The consumer: durable = queue group, a fixed deliver subject so that every member creates the same one. */
  subscriptionOptions(): ConsumerOptsBuilder {
    const name = this.queueGroupName;
    const opts = consumerOpts();
    opts.durable(name);
    opts.queue(name);
    opts.deliverTo(`_PHYSICSWORKS.deliver.${this.client.stream}.${name}`);
    opts.bindStream(this.client.stream);
    opts.deliverAll();
    opts.manualAck();
    opts.ackExplicit();
    opts.ackWait(this.options.ackWaitMs ?? this.ackWait);
    return opts;
  }

  /** Subscribes; resolves once the consumer exists and messages flow. */
  async listen(): Promise<void> {
    if (this.subscription) return;
    if (!DURABLE_NAME.test(this.queueGroupName)) {
      throw new UsageError(
        `${this.constructor.name}: queueGroupName ${JSON.stringify(this.queueGroupName)} must be 1–64 letters, digits, "_" or "-" (it names the durable consumer)`,
      );
    }
    let sub: JetStreamSubscription;
    try {
      sub = await this.client.js.subscribe(this.subject, this.subscriptionOptions());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const hint = /subject does not match/.test(message)
        ? `; the durable consumer "${this.queueGroupName}" listens to another subject: give each listener class its own queueGroupName`
        : "";
      throw new UsageError(`${this.constructor.name}: cannot listen on ${this.subject}: ${message}${hint}`, { cause: error });
    }
    this.subscription = sub;
    this.loop = (async () => {
      for await (const msg of sub) {
        const handled = this.handle(msg);
        this.inFlight.add(handled);
        void handled.finally(() => this.inFlight.delete(handled));
      }
    })();
  }

  /** The payload, checked against the subject's type. */
  parseMessage(msg: JsMsg): Validation<EventData<S>> {
    let value: unknown;
    try {
      value = JSON.parse(msg.string());
    } catch (error) {
      return { ok: false, problems: [`not JSON: ${(error as Error).message}`] };
    }
    return validateEvent(this.subject, value);
  }

  /** Stops taking messages, lets the handlers running finish (and ack), and leaves the durable consumer for the next start. */
  async close(): Promise<void> {
    const sub = this.subscription;
    if (!sub) return;
    this.subscription = undefined;
    if (!sub.isClosed()) await sub.drain();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async handle(msg: JsMsg): Promise<void> {
    const where = `${this.queueGroupName} on ${this.subject} (stream seq ${msg.seq})`;
    const parsed = this.parseMessage(msg);
    if (!parsed.ok) {
      const reason = `invalid payload: ${parsed.problems.join("; ")}`;
      this.terminate(msg, reason);
      this.report(`${where}: ${reason}; message terminated, it will not be redelivered`);
      return;
    }
    try {
      await this.onMessage(parsed.data, msg);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const delivery = msg.info.redeliveryCount;
      const max = this.options.maxDeliveries ?? this.maxDeliveries;
      if (delivery >= max) {
        this.terminate(msg, `handler failed ${delivery} times: ${why}`);
        this.report(`${where}: the handler failed on delivery ${delivery} of ${max} (${why}); message terminated`);
      } else {
        const delay = (this.options.retryDelayMs ?? this.retryDelay) * delivery;
        answerQuietly(() => msg.nak(delay));
        this.report(`${where}: the handler failed on delivery ${delivery} of ${max} (${why}); retry in ${delay} ms`);
      }
      return;
    }
    answerQuietly(() => msg.ack());
  }

  private terminate(msg: JsMsg, reason: string): void {
    // Servers before 2.11 do not understand "+TERM <reason>" and would redeliver: send the bare term there.
    const takesReason = this.client.termTakesReason;
    answerQuietly(() => (takesReason ? msg.term(reason.slice(0, 200)) : msg.term()));
  }

  private report(line: string): void {
    (this.options.log ?? this.client.log)(line);
  }
}
