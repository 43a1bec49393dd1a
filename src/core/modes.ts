/** The mode every other is compared against: the same workload without a mesh. */
export const BASELINE_MODE = 'baseline';

/** The second baseline whose comparison with the first gives the A/A noise floor (load.noiseFloor). */
export const AA_MODE = 'baseline-aa';

/** What a process or container does in a mode; every runtime attributes its resource rows to one of these. */
export const ROLES = ['app', 'sidecar', 'node-proxy', 'waypoint', 'loadgen', 'control-plane'] as const;
export type Role = (typeof ROLES)[number];

/** The roles whose usage is the mesh's cost. */
export type MeshRole = 'sidecar' | 'node-proxy' | 'waypoint';
export const MESH_ROLES: readonly Role[] = ['sidecar', 'node-proxy', 'waypoint'] satisfies MeshRole[];
