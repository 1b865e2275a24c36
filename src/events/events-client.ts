import { JSONCodec, type JetStreamClient, type JetStreamManager, type NatsConnection, type PubAck } from "nats";
import { validateEvent, type EventData } from "./event-map.js";
import { ensureEventsStream } from "./events-stream.js";
import { InvalidEventError } from "./invalid-event-error.js";
import { connectNats, shownNatsUrl, serverAtLeast, type NatsConnectOptions } from "./nats-connection.js";
import { EVENTS_STREAM, type EventSubject } from "./subjects.js";

export interface EventsClientOptions extends NatsConnectOptions {
  /** The stream that keeps the events (default PHYSICSWORKS_EVENTS); created or completed when missing. */
  stream?: string;
  /** How long a publish waits for JetStream's acknowledgement. */
  publishTimeoutMs?: number;
}

const codec = JSONCodec();

/**
 * The typed events client, in the shape of a generated client: `publish(subject, data)` takes only
 * the subject's payload type at compile time and checks the payload again at run time, since data
 * built from JSON or `any` passes the compiler. Listeners are attached to it (see Listener).
 */
export class EventsClient {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly url: string;
  readonly log: (line: string) => void;
  private readonly publishTimeoutMs: number;

  private constructor(nc: NatsConnection, jsm: JetStreamManager, options: EventsClientOptions) {
    this.nc = nc;
    this.jsm = jsm;
    this.js = nc.jetstream({ timeout: options.publishTimeoutMs ?? 5000 });
    this.stream = options.stream ?? EVENTS_STREAM;
    this.url = shownNatsUrl(options);
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  }

  /** Connects (NATS_URL, token or creds file, reconnects) and makes sure the events stream exists. */
  static async connect(options: EventsClientOptions = {}): Promise<EventsClient> {
    const nc = await connectNats(options);
    try {
      const jsm = await nc.jetstreamManager();
      const client = new EventsClient(nc, jsm, options);
      await ensureEventsStream(jsm, client.stream);
      return client;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** Publishes one event into the stream; throws InvalidEventError, before sending, when `data` is not the subject's type. */
  async publish<S extends EventSubject>(subject: S, data: EventData<S>, options: { msgId?: string } = {}): Promise<PubAck> {
    const checked = validateEvent(subject, data);
    if (!checked.ok) throw new InvalidEventError(subject, checked.problems);
    return this.js.publish(subject, codec.encode(checked.data), {
      timeout: this.publishTimeoutMs,
      ...(options.msgId ? { msgID: options.msgId } : {}),
    });
  }

  /** Whether `msg.term(reason)` is understood: older servers take "+TERM reason" as no answer at all and redeliver. */
  get termTakesReason(): boolean {
    return serverAtLeast(this.nc, "2.11.0");
  }

  /** Drains: subscriptions stop, what was published is flushed, then the connection closes. */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain();
  }
}

export function connectEvents(options: EventsClientOptions = {}): Promise<EventsClient> {
  return EventsClient.connect(options);
}
