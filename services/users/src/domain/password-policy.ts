// Length is what makes a password strong (NIST SP 800-63B); the upper bound keeps hashing cheap
// enough that a huge "password" cannot be used to exhaust the server.
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/** Why `password` is not acceptable for the account `email`, or undefined when it is. */
export function passwordWeakness(password: string, email?: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (new Set(password).size < 4) return 'must not repeat so few characters';
  if (email && password.toLowerCase().includes(email.split('@')[0]!.toLowerCase()) && email.length > 3) {
    return 'must not contain the email address';
  }
  return undefined;
}
