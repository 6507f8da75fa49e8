import { createMapLeaseStore } from './lease-store';
import { describeLeaseStore } from './testing/describe-lease-store';

describeLeaseStore('createMapLeaseStore', () => createMapLeaseStore());
