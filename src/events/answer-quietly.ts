/**
 * Acks, naks, terms and working() publish on the connection; once it is closed they throw. A
 * message that cannot be answered any more is redelivered after its ack wait, which is the answer
 * we would have wanted anyway, so the throw is dropped.
 */
export function answerQuietly(answer: () => void): void {
  try {
    answer();
  } catch {
    // See above: the server redelivers it.
  }
}
