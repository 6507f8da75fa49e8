import type { ObjectInfo, WireObject } from '@packice/core';
import { fromWireObject } from '@packice/core';

/** An object from the wire, without the handles it may carry. */
export function objectInfo(wire: WireObject): ObjectInfo {
  const { handles: _handles, ...object } = fromWireObject(wire);
  return object;
}
