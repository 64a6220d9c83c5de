// Remembers what planPki found when it checked a certificate in the cache, so a reconcile of an
// up-to-date shop does not parse ten certificates and verify nine signatures again (it did, on every
// reconcile and resync). The answer is a time: when the certificate is due for renewal (or -Infinity
// for one that cannot be kept). It is keyed by the resourceVersions of the certificate's Secret and the
// CA's, which change whenever their content does, so it holds until one of them changes; the time is
// still compared with the clock on every reconcile.

export class CertificateChecks {
  /** Per shop key, per Secret name: the versions the answer was computed for, and the answer. */
  private readonly shops = new Map<string, Map<string, { versions: string; until: number }>>();

  /** `compute()`'s answer for these versions, computed once; every time when a version is unknown. */
  until(shop: string, secret: string, versions: (string | undefined)[], compute: () => number): number {
    if (versions.some((version) => !version)) return compute();
    const key = versions.join('/');
    let secrets = this.shops.get(shop);
    const known = secrets?.get(secret);
    if (known?.versions === key) return known.until;
    const until = compute();
    if (!secrets) {
      secrets = new Map();
      this.shops.set(shop, secrets);
    }
    secrets.set(secret, { versions: key, until });
    return until;
  }

  /** The shop is gone: so are its answers. */
  forget(shop: string): void {
    this.shops.delete(shop);
  }
}
