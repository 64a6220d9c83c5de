// Who gets what on which channel. Transactional categories always go out by email and cannot be
// switched off there; every other (category, channel) pair is opt-in: off until the user says yes.

export const CHANNELS = ['email', 'sms', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

export const TRANSACTIONAL_CATEGORIES = ['security', 'receipts', 'payments'] as const;
export const OPTIONAL_CATEGORIES = ['marketing', 'product_news'] as const;
export const CATEGORIES = [...TRANSACTIONAL_CATEGORIES, ...OPTIONAL_CATEGORIES] as const;
export type Category = (typeof CATEGORIES)[number];

export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export function isTransactional(category: Category): boolean {
  return (TRANSACTIONAL_CATEGORIES as readonly string[]).includes(category);
}

/** Stored opt-ins: key `${category}:${channel}`. */
export type OptIns = ReadonlyMap<string, boolean>;

export const optInKey = (category: Category, channel: Channel) => `${category}:${channel}`;

/** The channels a message of `category` goes out on for a user with these opt-ins. */
export function channelsFor(category: Category, optIns: OptIns): Channel[] {
  return CHANNELS.filter((channel) => {
    if (channel === 'email' && isTransactional(category)) return true;
    return optIns.get(optInKey(category, channel)) === true;
  });
}

/** Whether a user may change this pair (transactional email is not theirs to switch off). */
export function isAdjustable(category: Category, channel: Channel): boolean {
  return !(channel === 'email' && isTransactional(category));
}

/** What an unsubscribe link switches off: one optional category, or every optional one. */
export type UnsubscribeScope = Category | 'all_optional';

export function categoriesToSwitchOff(scope: UnsubscribeScope): Category[] {
  if (scope === 'all_optional') return [...OPTIONAL_CATEGORIES];
  return isTransactional(scope) ? [] : [scope];
}
