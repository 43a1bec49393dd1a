/**
 * gRPC's status of a call whose response carried no grpc-status (a proxy or server that answered in plain HTTP):
 * the mapping of doc/http-grpc-status-mapping.md in grpc/grpc (400 INTERNAL, 401 UNAUTHENTICATED, 403
 * PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, anything else UNKNOWN). A 200 without a
 * grpc-status is a broken gRPC response, counted as INTERNAL.
 */
export function grpcStatusOfHttp(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return 13;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 12;
    case 429:
    case 502:
    case 503:
    case 504:
      return 14;
    case 200:
      return 13;
    default:
      return 2;
  }
}

/** The grpc-status header's value as a number, or undefined when absent or not a number. */
export function grpcStatusHeader(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const status = Number(text);
  return Number.isInteger(status) && status >= 0 ? status : undefined;
}
