import { createBufferBlobStore } from './buffer-blob-store';
import { describeBlobStore } from './describe-blob-store';

describeBlobStore('buffer (reference)', () => createBufferBlobStore(), { handleKind: 'in-process' });
