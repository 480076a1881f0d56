/**
 * Users read for authentication, kept for a few seconds. Every request carries a token whose user
 * must be checked as stored (disabled? token_version moved on?); reading that row per request was
 * the single biggest cost of an accepted submission (a round trip to PostgreSQL and its CPU).
 * Freshness comes from invalidation, not from the TTL: the process that changes a user forgets it
 * at once, and other processes forget it on the `users_changed` notification the table's trigger
 * sends. The TTL only bounds staleness if a notification is lost (listener reconnecting).
 */
export class UserCache<U> {
  private readonly entries = new Map<string, { user: Promise<U | null>; until: number }>();

  constructor(
    private readonly load: (id: string) => Promise<U | null>,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(id: string): Promise<U | null> {
    const hit = this.entries.get(id);
    if (hit && hit.until > this.now()) return hit.user;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const user = this.load(id);
    const entry = { user, until: this.now() + this.ttlMs };
    this.entries.set(id, entry);
    // Unknown users and failed reads are not remembered: the next request asks the database again.
    const drop = () => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    };
    user.then((u) => u ?? drop(), drop);
    return user;
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}
