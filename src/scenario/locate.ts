import { type Document, isMap, isNode, isScalar, isSeq } from 'yaml';

/** Where a path of keys and indices sits in a parsed YAML document. */

export type Found = {
  /** Offset of the node at the path (or of its key), or of the nearest ancestor present when the path is missing. */
  offset: number | undefined;
  /** The path itself is present (not only an ancestor). */
  exact: boolean;
  /** A node on the way has no place in the file: it was made by a `--set` override. */
  synthetic: boolean;
};

function keyText(key: unknown): string {
  return String(isScalar(key) ? key.value : key);
}

function start(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}

/** Finds `path` in `doc`; with `atKey` the result is the key of the last segment rather than its value. */
export function find(doc: Document, path: readonly (string | number)[], atKey = false): Found {
  let node: unknown = doc.contents;
  let offset = start(node);
  let synthetic = offset === undefined;
  for (const [i, key] of path.entries()) {
    let value: unknown;
    let target: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(key));
      if (pair === undefined) return { offset, exact: false, synthetic };
      value = pair.value;
      target = atKey && i === path.length - 1 ? pair.key : (pair.value ?? pair.key);
    } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
      value = node.items[key];
      target = value;
    } else {
      return { offset, exact: false, synthetic };
    }
    const at = start(target);
    if (at === undefined) synthetic = true;
    else if (!synthetic) offset = at;
    node = value;
  }
  return { offset, exact: true, synthetic };
}
