/**
 * The local runtime's logical nodes. One host plays two nodes, the way a two-node cluster places a mesh benchmark:
 * the client pod (the generator) and node A's proxy on node-a; the server pod and node B's proxy on node-b, so every
 * request crosses nodes as client and server on different nodes do. A waypoint is a Deployment the scheduler may
 * put anywhere; the local runtime puts it with the server, on node-b. Per-node cost sums the mesh processes by these.
 */
export const NODE_A = 'node-a';
export const NODE_B = 'node-b';
export const WAYPOINT_NODE = NODE_B;
export const CLIENT_POD = 'client';

const SINGLE_HOP_NODES: Record<string, string> = {
  client: NODE_A,
  [NODE_A]: NODE_A,
  server: NODE_B,
  [NODE_B]: NODE_B,
  waypoint: WAYPOINT_NODE,
};

/** The node of a pod of a single-hop mode; undefined for a pod the layout does not know. */
export function singleHopNode(pod: string): string | undefined {
  return SINGLE_HOP_NODES[pod];
}
