// What the outbox hands a message to. A channel without a sender is "outbox only": its messages
// wait in the outbox table, where development tools and tests read them.

export interface OutgoingMessage {
  recipient: string;
  subject: string | null;
  body: string;
}

export interface MessageSender {
  /** resolves once the message is accepted by the next hop; rejects with a reason otherwise */
  send(message: OutgoingMessage): Promise<void>;
  close?(): void;
}

/** The SMS side: one interface, adapters per gateway. */
export type SmsSender = MessageSender;
export type MailSender = MessageSender;

export interface Senders {
  email?: MailSender;
  sms?: SmsSender;
}
