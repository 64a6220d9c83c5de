// One spelling per address, so "Ann@Example.com " and "ann@example.com" are the same account.
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What a deleted account's address becomes: unique, obviously not deliverable, no personal data. */
export function anonymizedEmail(userId: string): string {
  return `deleted-${userId}@users.invalid`;
}
