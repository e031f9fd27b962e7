// SMS through an HTTP gateway: POST {to, text} as JSON to the configured URL, with an optional
// bearer token. Any 2xx answer means the gateway took the message.
import type { OutgoingMessage, SmsSender } from './sender.js';

export interface SmsGatewaySettings {
  url: string;
  token?: string;
  timeoutMs?: number;
}

export function httpSmsSender(s: SmsGatewaySettings): SmsSender {
  return {
    async send(m: OutgoingMessage) {
      const res = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(s.token ? { authorization: `Bearer ${s.token}` } : {}) },
        body: JSON.stringify({ to: m.recipient, text: m.body }),
        signal: AbortSignal.timeout(s.timeoutMs ?? 10_000),
      });
      // The gateway's answer body is not read into errors: it might echo the text.
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw new Error(`SMS gateway answered HTTP ${res.status}`);
    },
  };
}
