// Which patient-side session (a token this server signed) is still valid before it expires. A
// session ends early when its holder logs out (the store keeps its id until it would have
// expired), when its account is disabled, or when the login's password changes (AUTH-03/04):
// each token carries the session generation its account had when it was issued; a password
// change moves the generation on and names the one session it keeps (the one that chose the new
// password; a support reset keeps none). The store reads the facts in one statement; the rule is
// here, for the bearer check of every request and for the terms acceptance that issues a token.

export type SessionRefusal = 'session_ended' | 'session_superseded' | 'account_inactive';

/** What a token says of its session. */
export interface SessionToken {
  /** the token's id (jti), when it is a UUID; a token without one is never the session kept */
  sessionId: string | null;
  /** the account's session generation when the token was issued */
  generation: number;
}

/** What the account holds of its sessions. */
export interface AccountSessions {
  generation: number;
  /** the session a password change kept open, if any */
  kept: string | null;
}

/** What the store knows of a session: ended by its holder, and its account (none: unknown). */
export interface SessionFacts {
  ended: boolean;
  account: (AccountSessions & { disabled: boolean }) | null;
}

/** AUTH-03/04: issued before the password changed, and not the session that changed it. */
export function supersededSession(account: AccountSessions, token: SessionToken): boolean {
  return account.generation > token.generation && (token.sessionId === null || !sameUuid(account.kept, token.sessionId));
}

/** Why the session is refused, if it is: ended first, then its account disabled, then superseded. */
export function sessionRefusal(facts: SessionFacts, token: SessionToken): SessionRefusal | undefined {
  if (facts.ended) return 'session_ended';
  if (!facts.account) return undefined;
  if (facts.account.disabled) return 'account_inactive';
  return supersededSession(facts.account, token) ? 'session_superseded' : undefined;
}

/** UUIDs compare as values: a token's id may be written in capitals, the store's is not. */
function sameUuid(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}
