import protobuf from 'protobufjs';
import { InputError } from '../core/errors.ts';
import { NotRegularFile, requireRegularFileSync } from '../core/regular-file.ts';

/**
 * gRPC's message framing and meshtax's built-in services. meshtax speaks gRPC over node:http2 itself and uses
 * protobufjs only to read `.proto` files and encode or decode messages: a gRPC unary call is one HTTP/2 stream
 * carrying one length-prefixed message each way, so the generator's own HTTP/2 lanes carry gRPC on the same
 * open-loop engine, with the same fixed connections and streams, and no channel, load balancer or retry layer of
 * a gRPC library between the intended send time and the write.
 */

/** The echo service meshtax's echo server offers when the scenario speaks gRPC. */
export const ECHO_PROTO = `
syntax = "proto3";
package meshtax.echo.v1;
service Echo {
  rpc Echo (EchoRequest) returns (EchoReply);
}
message EchoRequest {
  bytes payload = 1;
  // Size of the reply's payload, bytes; 0: the server's own response size.
  uint32 response_bytes = 2;
}
message EchoReply {
  bytes payload = 1;
}
`;

/**
 * gRPC's standard health service, written from its definition in grpc/grpc doc/health-checking.md (package
 * grpc.health.v1, HealthCheckRequest.service = 1, HealthCheckResponse.status = 1 with SERVING = 1). meshtax's echo
 * server answers it, so Fortio's gRPC mode (`fortio load -grpc`, which calls Health/Check) can load it too.
 */
export const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest {
  string service = 1;
}
message HealthCheckResponse {
  enum ServingStatus {
    UNKNOWN = 0;
    SERVING = 1;
    NOT_SERVING = 2;
    SERVICE_UNKNOWN = 3;
  }
  ServingStatus status = 1;
}
service Health {
  rpc Check(HealthCheckRequest) returns (HealthCheckResponse);
}
`;

export const ECHO_METHOD = 'meshtax.echo.v1.Echo/Echo';
export const HEALTH_METHOD = 'grpc.health.v1.Health/Check';

/** A request mix or gRPC definition the user can fix: exit 2. */
export class GrpcDefinitionError extends InputError {}

/** The built-in services' definitions. */
export function builtinRoot(): protobuf.Root {
  const root = new protobuf.Root();
  protobuf.parse(ECHO_PROTO, root, { keepCase: true });
  protobuf.parse(HEALTH_PROTO, root, { keepCase: true });
  return root;
}

/**
 * A `.proto` file (with its imports, relative to it) read into a root. protobufjs reads each file itself, with a
 * blocking read; every path it resolves is checked to be a regular file first, so a FIFO named as the .proto or
 * imported by it is refused instead of blocking the command past Ctrl-C. A path that does not exist is left to
 * protobufjs, which tolerates a missing weak import.
 */
export function loadProto(file: string): protobuf.Root {
  const root = new protobuf.Root();
  const resolvePath = root.resolvePath.bind(root);
  root.resolvePath = (origin: string, target: string): string | null => {
    const resolved = resolvePath(origin, target);
    if (resolved !== null) requireExistingRegularFile(resolved);
    return resolved;
  };
  try {
    return root.loadSync(file, { keepCase: true });
  } catch (error) {
    if (error instanceof NotRegularFile) throw new GrpcDefinitionError(`cannot read ${error.file}: ${error.kind}; give a .proto file`);
    throw new GrpcDefinitionError(`cannot read ${file} as a .proto file: ${(error as Error).message}`);
  }
}

function requireExistingRegularFile(file: string): void {
  try {
    requireRegularFileSync(file);
  } catch (error) {
    if (error instanceof NotRegularFile) throw error;
  }
}

/** A unary method of `root`, named `package.Service/Method`. */
export function unaryMethod(root: protobuf.Root, name: string): protobuf.Method {
  const slash = name.lastIndexOf('/');
  if (slash <= 0 || slash === name.length - 1) {
    throw new GrpcDefinitionError(`'${name}' is not a gRPC method name; write it as package.Service/Method, e.g. ${ECHO_METHOD}`);
  }
  const serviceName = name.slice(0, slash);
  const service = root.lookup(serviceName);
  if (!(service instanceof protobuf.Service)) {
    throw new GrpcDefinitionError(`no service '${serviceName}' in the .proto`);
  }
  const method = service.methods[name.slice(slash + 1)];
  if (!method) {
    throw new GrpcDefinitionError(`service '${serviceName}' has no method '${name.slice(slash + 1)}'; it has ${Object.keys(service.methods).join(', ')}`);
  }
  if (method.requestStream || method.responseStream) {
    throw new GrpcDefinitionError(`'${name}' streams; meshtax measures unary calls only`);
  }
  method.resolve();
  return method;
}

/** The request message of `method` from its JSON form, encoded; a message that does not fit the type is refused. */
export function encodeRequest(method: protobuf.Method, message: Record<string, unknown>): Uint8Array {
  const type = method.resolvedRequestType!;
  const problem = type.verify(message);
  if (problem) throw new GrpcDefinitionError(`the message does not fit ${type.fullName.replace(/^\./, '')}: ${problem}`);
  return type.encode(type.fromObject(message)).finish();
}

/** One gRPC message on the wire: a compressed flag (0), its length (4 bytes, big-endian), the message. */
export function frame(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(5 + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, 5);
  return framed;
}

/** The first complete message in `data` (framed), or undefined while it is incomplete. */
export function unframe(data: Buffer): Buffer | undefined {
  if (data.length < 5) return undefined;
  const length = data.readUInt32BE(1);
  return data.length < 5 + length ? undefined : data.subarray(5, 5 + length);
}
