// What the use cases need, passed explicitly.
import type { Logger, Pool } from '@shopstack/kit';

export interface CatalogDeps {
  pool: Pool;
  logger: Logger;
}
