import type net from 'node:net';

/** The parts of a net.Socket's libuv handle (Node internals, stable since Node 0.x) a writer on another thread needs. */
interface TcpHandle {
  /** The socket's file descriptor on POSIX systems; -1 on Windows. */
  fd?: number;
  close(callback?: () => void): void;
}

function handleOf(socket: net.Socket): TcpHandle | null {
  return (socket as unknown as { _handle: TcpHandle | null })._handle;
}

/** The socket's file descriptor, for a writer on another thread; undefined where libuv has none (Windows). */
export function socketFd(socket: net.Socket | undefined): number | undefined {
  const fd = socket ? handleOf(socket)?.fd : undefined;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Runs `beforeClose` before the socket's fd closes, however it closes: net.Socket closes its handle itself on a read
 * error, before any event reaches us, and a writer on another thread must be done with the fd by then.
 */
export function guardClose(socket: net.Socket, beforeClose: () => void): void {
  const handle = handleOf(socket);
  if (!handle) return;
  const close = handle.close.bind(handle);
  handle.close = (callback) => {
    beforeClose();
    close(callback);
  };
}
