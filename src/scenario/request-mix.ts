import { isAbsolute, resolve } from 'node:path';
import type { EndpointSpec, Protocol } from '../loadgen/endpoints.ts';
import { builtinRoot, encodeRequest, frame, GrpcDefinitionError, loadProto, unaryMethod } from '../protocols/grpc.ts';
import { requestName } from './requests-schema.ts';
import type { Scenario } from './schema.ts';
import { InputError } from '../core/errors.ts';
import { FileTooLarge, NotRegularFile, readRegularBytesSync } from '../core/regular-file.ts';

/** Largest request body meshtax sends (a request is prebuilt once and written as it is). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A problem with a file the scenario names, at the scenario path of the value that names it. */
export interface MixProblem {
  path: (string | number)[];
  message: string;
  hint?: string;
}

/** A request mix or gRPC definition the user can fix: exit 2. */
export class RequestMixError extends InputError {
  readonly problems: MixProblem[];
  constructor(problems: MixProblem[]) {
    super(problems.map((problem) => problem.message).join('; '));
    this.problems = problems;
  }
}

/** What the generator sends in a phase of this scenario: the protocol, streams, and the request mix (if any). */
export interface RequestMix {
  protocol: Protocol;
  streams: number;
  requests?: EndpointSpec[];
}

/** The load section with every file it names made absolute against `dir` (the scenario file's directory). */
export function withFilesFrom(load: Scenario['load'], dir: string): Scenario['load'] {
  const absolute = (file: string): string => (isAbsolute(file) ? file : resolve(dir, file));
  return {
    ...load,
    ...(load.requests
      ? { requests: load.requests.map((request) => (request.bodyFile === undefined ? request : { ...request, bodyFile: absolute(request.bodyFile) })) }
      : {}),
    ...(load.grpc?.proto !== undefined ? { grpc: { ...load.grpc, proto: absolute(load.grpc.proto) } } : {}),
  };
}

/** A request body's bytes; only a regular file is read (a FIFO would block the read past Ctrl-C). */
function readBody(file: string, path: (string | number)[], problems: MixProblem[]): Buffer {
  try {
    return readRegularBytesSync(file, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof FileTooLarge) {
      problems.push({ path, message: `${file} holds ${error.bytes} bytes; a request body may be at most ${MAX_BODY_BYTES} bytes (16 MiB)` });
      return Buffer.alloc(0);
    }
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      error instanceof NotRegularFile ? error.kind : code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    problems.push({ path, message: `cannot read ${file}: ${why}`, hint: 'bodyFile is relative to the scenario file' });
    return Buffer.alloc(0);
  }
}

/**
 * The request mix of a scenario's load section, files read (paths as stored: withFilesFrom made them absolute).
 * gRPC: one endpoint, the method's call with its message encoded and framed once. Throws RequestMixError listing
 * every file or definition that does not work.
 */
export function requestMix(load: Pick<Scenario['load'], 'protocol' | 'streams' | 'grpc' | 'requests'>): RequestMix {
  const problems: MixProblem[] = [];
  const base = { protocol: load.protocol, streams: load.streams };
  let requests: EndpointSpec[] | undefined;
  if (load.protocol === 'grpc') {
    const call = load.grpc ?? { method: 'meshtax.echo.v1.Echo/Echo', message: {}, metadata: {} };
    try {
      const root = call.proto === undefined ? builtinRoot() : loadProto(call.proto);
      const method = unaryMethod(root, call.method);
      const body = frame(encodeRequest(method, call.message));
      requests = [{ name: call.method, method: 'POST', path: `/${call.method}`, headers: { ...call.metadata }, body: body.toString('base64'), weight: 1, expect: [] }];
    } catch (error) {
      if (!(error instanceof GrpcDefinitionError)) throw error;
      const at = error.message.startsWith('cannot read') ? ['load', 'grpc', 'proto'] : error.message.includes('does not fit') ? ['load', 'grpc', 'message'] : ['load', 'grpc', 'method'];
      problems.push({ path: at, message: error.message });
    }
  } else if (load.requests) {
    requests = load.requests.map((request, index) => {
      const body =
        request.bodyFile !== undefined
          ? readBody(request.bodyFile, ['load', 'requests', index, 'bodyFile'], problems)
          : Buffer.from(request.body ?? '', 'utf8');
      return {
        name: requestName(request),
        method: request.method,
        path: request.path,
        headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
        body: body.toString('base64'),
        weight: request.weight,
        expect: request.expectStatus ?? [],
      };
    });
  }
  if (problems.length > 0) throw new RequestMixError(problems);
  return requests ? { ...base, requests } : base;
}
