import { createMemoryCatalog } from './memory-catalog';
import { describeCatalog } from './testing/describe-catalog';

describeCatalog('memory', async () => createMemoryCatalog());
