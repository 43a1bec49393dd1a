import { MeshtaxError } from '../../core/errors.ts';

/**
 * A header block that breaks RFC 7541, or a header the encoder cannot write. In HTTP/2 a decoding error is a
 * connection error of type COMPRESSION_ERROR (RFC 9113 §4.3): the decoder's dynamic table is then out of step with
 * the peer's, so the connection that gave the block must be closed, not reused.
 */
export class HpackError extends MeshtaxError {
  override readonly name = 'HpackError';
}
