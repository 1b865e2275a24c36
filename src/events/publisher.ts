import type { PubAck } from "nats";
import type { EventData } from "./event-map.js";
import type { EventsClient } from "./events-client.js";
import type { EventSubject } from "./subjects.js";

/**
 * One publisher per subject, as users of the Python package write them:
 *
 *   class RunStartedPublisher extends Publisher<"run:started"> { readonly subject = "run:started" as const; }
 *   await new RunStartedPublisher(client).publish({ runId, ... });
 */
export abstract class Publisher<S extends EventSubject> {
  abstract readonly subject: S;

  constructor(protected readonly client: EventsClient) {}

  publish(data: EventData<S>): Promise<PubAck> {
    return this.client.publish(this.subject, data);
  }
}
