// A user's preferences: read, change, and the unsubscribe link that works without signing in.
import { AppError, withTransaction } from '@shopstack/kit';
import { loadLocale, loadOptIns, saveLocale, saveOptIn } from '../adapters/preferences-repository.js';
import {
  CATEGORIES,
  type Category,
  CHANNELS,
  type Channel,
  categoriesToSwitchOff,
  isAdjustable,
  isTransactional,
  type Locale,
  optInKey,
  type UnsubscribeScope,
} from '../domain/preferences.js';
import type { NotificationsDeps } from './deps.js';

export interface PreferencesView {
  locale: Locale;
  categories: {
    category: Category;
    transactional: boolean;
    channels: { channel: Channel; enabled: boolean; adjustable: boolean }[];
  }[];
}

export async function preferencesOf(deps: NotificationsDeps, userId: string): Promise<PreferencesView> {
  const [optIns, locale] = await Promise.all([loadOptIns(deps.pool, userId), loadLocale(deps.pool, userId)]);
  return {
    locale,
    categories: CATEGORIES.map((category) => ({
      category,
      transactional: isTransactional(category),
      channels: CHANNELS.map((channel) => ({
        channel,
        enabled: !isAdjustable(category, channel) || optIns.get(optInKey(category, channel)) === true,
        adjustable: isAdjustable(category, channel),
      })),
    })),
  };
}

export interface PreferencesChange {
  locale?: Locale;
  optIns?: { category: Category; channel: Channel; enabled: boolean }[];
}

export async function changePreferences(
  deps: NotificationsDeps,
  userId: string,
  change: PreferencesChange,
): Promise<PreferencesView> {
  const fixed = (change.optIns ?? []).findIndex((o) => !isAdjustable(o.category, o.channel));
  if (fixed >= 0)
    throw new AppError('invalid', 'transactional-email', 'Transactional messages always go out by email', {
      fields: [{ field: `optIns.${fixed}`, message: 'transactional email cannot be switched off' }],
    });
  await withTransaction(deps.pool, async (client) => {
    if (change.locale) await saveLocale(client, userId, change.locale);
    for (const o of change.optIns ?? []) await saveOptIn(client, userId, o.category, o.channel, o.enabled);
  });
  return preferencesOf(deps, userId);
}

/** Follows an unsubscribe link: switches the token's optional categories off on every channel. */
export async function unsubscribe(
  deps: NotificationsDeps,
  token: string,
): Promise<{ userId: string; scope: UnsubscribeScope; switchedOff: Category[] }> {
  const claim = await deps.tokens.verify(token);
  if (!claim)
    throw new AppError('invalid', 'unsubscribe-token-invalid', 'This unsubscribe link is not valid', {
      fields: [{ field: 'token', message: 'not a valid unsubscribe token' }],
    });
  const switchedOff = categoriesToSwitchOff(claim.scope);
  await withTransaction(deps.pool, async (client) => {
    for (const category of switchedOff)
      for (const channel of CHANNELS) await saveOptIn(client, claim.userId, category, channel, false);
  });
  deps.logger.info({ userId: claim.userId, scope: claim.scope }, 'unsubscribed');
  return { ...claim, switchedOff };
}
